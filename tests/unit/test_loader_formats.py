"""The field's formats (loaders/formats/): mapping onto the contract, rejects, the ledger.

Fixtures in tests/data/formats/ were written from each format's published schema:

- telegram/: Telegram Desktop's JSON export ("Export chat history" / "Export
  Telegram data", format JSON): result.json of a whole account (``chats.list``,
  ``left_chats.list``) and of one chat; message fields ``id``, ``type``
  (message/service), ``date``, ``date_unixtime``, ``from``, ``from_id``, ``text``
  (string or entity list), ``text_entities``, ``forwarded_from``,
  ``reply_to_message_id``, ``photo``, ``media_type``.
- bluesky/: Bluesky Jetstream's event JSON (github.com/bluesky-social/jetstream,
  README "Example events"): ``did``, ``time_us``, ``kind`` commit/identity/account;
  records per the app.bsky lexicons (app.bsky.feed.post with
  app.bsky.richtext.facet#link/#tag, app.bsky.embed.external/record/recordWithMedia/
  images, reply refs; app.bsky.feed.repost with its ``subject``).
- twitter-v2/: X API v2 Tweet and User objects (docs.x.com, "Data dictionary":
  ``referenced_tweets``, ``entities.urls[].expanded_url``/``unwound_url``,
  ``entities.hashtags[].tag``, user ``public_metrics.followers_count``), one
  response page per line with ``data``, ``includes.users``, ``includes.tweets``,
  ``meta`` and twarc2's ``__twarc``.
- meta-content-library/: Meta Content Library and API, "Data dictionary", Facebook
  posts (``id``, ``creation_time``, ``text``, ``post_owner.id/name/type/username``,
  ``shared_post_id``, ``link_attachment.link``, ``statistics.*``), as a CSV export.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cibgraph.core.errors import UsageError
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.formats.sniff import sniff
from cibgraph.loaders.ledger import FileLedger, LoadLedger
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.statements import STATEMENTS
from tests.conftest import REPO
from tests.fakes import RecordingRunner

DATA = REPO / "tests" / "data" / "formats"
TELEGRAM = DATA / "telegram" / "result.json"
TELEGRAM_CHAT = DATA / "telegram" / "single_chat.json"
BLUESKY = DATA / "bluesky" / "jetstream.jsonl"
TWITTER = DATA / "twitter-v2" / "search.jsonl"
META = DATA / "meta-content-library" / "content_library_export.csv"
NAME_OF = {text: name for name, text in STATEMENTS.items()}


def _created(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"written": len(params["rows"]), "created": len(params["rows"])}]


def _load(
    path: Path, tmp_path: Path, fmt: str = "contract", **options: Any
) -> tuple[LoadLedger, dict[str, list[dict[str, Any]]]]:
    """Load into a recording runner: the ledger, and the rows sent per statement name."""
    runner = RecordingRunner(answers={"UNWIND $rows": _created})
    ledger = load(
        runner, plan_load([path], fmt=fmt), LoadOptions(rejects_dir=tmp_path / "rj", **options)
    )
    sent: dict[str, list[dict[str, Any]]] = {}
    for call in runner.calls:
        if call.query in NAME_OF:
            sent.setdefault(NAME_OF[call.query], []).extend(call.params["rows"])
    return ledger, sent


def _rejects(entry: FileLedger) -> list[dict[str, str]]:
    if entry.rejects_path is None:
        return []
    with open(entry.rejects_path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


# Telegram -------------------------------------------------------------------------


def test_telegram_full_export_maps_channels_messages_links_and_forwards(tmp_path: Path) -> None:
    ledger, sent = _load(TELEGRAM, tmp_path)
    entry = ledger.files[0]
    assert entry.format == "telegram" and ledger.status == "complete" and ledger.reconciles()
    # 8 chats that are channels or groups + 26 messages; 5 service messages never read
    assert (entry.read, entry.written, entry.rejected, entry.skipped) == (34, 33, 1, 5)
    assert entry.note is not None
    assert "recognised as telegram" in entry.note and "skipped 5 service messages" in entry.note
    assert "3 forwards whose origin was resolved by display name" in entry.note
    pages = _by_id(sent["pages"])
    assert pages["channel1001"]["props"] == {
        "platform": "telegram",
        "name": "Patriot Daily",
        "category": "public_channel",
    }
    assert "channel5001" in pages  # left_chats are read too
    posts = _by_id(sent["posts_by_page"])
    story = posts["channel1001/10"]
    assert story["author_id"] == "channel1001"
    assert story["urls"] == ["https://news.example/story-1"] and story["hashtags"] == ["resign"]
    assert story["props"]["text"] == "Read this before they delete it: here #Resign"
    # date_unixtime, not the offset-less local `date` (three hours ahead in the export)
    assert story["props"]["created_at"].isoformat() == "2024-01-01T12:00:00+00:00"
    assert posts["channel1001/21"]["props"]["reply_to_id"] == "channel1001/10"
    assert posts["channel3001/5"]["urls"] == ["https://news.example/story-1"]  # scheme added
    assert posts["channel2000/2"]["props"]["image"].startswith("photos/photo_2@")
    users = _by_id(sent["posts_by_account"])
    assert users["channel4001/3"]["author_id"] == "user502"
    assert users["channel4001/3"]["author_props"]["display_name"] == "Ravi"
    forwards = _by_id(sent["forwards_by_page"])
    shared = {row["shared_post_id"] for row in forwards.values()}
    assert len(forwards) == 3 and len(shared) == 1  # one original, forwarded three times
    one = forwards["channel1002/20"]
    assert one["origin_id"] == "channel2000" and one["origin_is_page"]
    assert one["props"]["forward_resolved_by"] == "name"
    assert one["props"]["forwarded_from"] == "Origin News"
    assert "media_type" not in one["props"] or one["props"]["media_type"] == "photo"
    [reject] = _rejects(entry)
    assert reject["file"].endswith("result.json") and reject["line"] == "28"
    assert reject["column"] == "chats.list[5].messages[2].date_unixtime"
    assert reject["reason"] == "missing required field 'date_unixtime'"


def test_telegram_single_chat_export_and_an_unknown_forward_origin(tmp_path: Path) -> None:
    ledger, sent = _load(TELEGRAM_CHAT, tmp_path, fmt="telegram")
    entry = ledger.files[0]
    assert (entry.read, entry.written, entry.rejected, entry.skipped) == (6, 6, 0, 1)
    assert entry.note is not None and "1 forwards from an unknown display name" in entry.note
    [forward] = sent["forwards_by_page"]
    # Origin News is not in this export: kept by name, no actor guessed.
    assert forward["origin_id"] is None and "forward_resolved_by" not in forward["props"]
    assert forward["shared_post_id"].startswith("name:Origin News/forward:")


def _telegram(tmp_path: Path, messages_json: str, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(
        '{"name": "C", "type": "public_channel", "id": 9, "messages": [' + messages_json + "]}"
    )
    return path


def _msg(mid: int, **fields: Any) -> str:
    base = {"id": mid, "type": "message", "date_unixtime": "1704110400", "from_id": "channel9"}
    base.update(fields)
    return json.dumps(base)


def test_telegram_bad_messages_are_rejected_one_by_one(tmp_path: Path) -> None:
    messages = [
        _msg(1, text="fine"),
        '{"id": 2, "text": ' + "[" * 5000 + "]" * 5000 + "}",  # nested past the decoder
        '{"id": 3, "type": "message", "date_unixtime": ' + "9" * 5000 + "}",  # huge int
        '{"id": 4, "type": "message", "text": tru}',  # broken syntax inside one message
        _msg(5, text=[{"type": "text_link", "text": "x", "href": "javascript:alert(1)"}]),
        _msg(6, text=42),
        _msg(7, from_id="bot77"),
        _msg(8, date_unixtime="1704110400000"),  # milliseconds
        '"not a message"',
        _msg(10, text=["ok ", {"type": "hashtag", "text": "#Fine"}]),
    ]
    path = _telegram(tmp_path, ",\n".join(messages))
    ledger, sent = _load(path, tmp_path, fmt="telegram")
    entry = ledger.files[0]
    assert ledger.status == "complete" and ledger.reconciles()
    assert (entry.read, entry.written, entry.rejected) == (11, 3, 8)  # chat + 10 messages
    reasons = {r["column"]: r["reason"] for r in _rejects(entry)}
    assert reasons["messages[1]"] == "nested too deeply"
    assert reasons["messages[2]"].startswith("unreadable value")
    assert reasons["messages[3]"].startswith("invalid JSON")
    assert reasons["messages[4].text[0].href"].startswith("not an absolute http(s) URL")
    assert reasons["messages[5].text"] == "expected a list, got int"
    assert reasons["messages[6].from_id"].startswith("unknown sender kind")
    assert "milliseconds" in reasons["messages[7].date_unixtime"]
    assert reasons["messages[8]"] == "expected a message object, got str"
    assert [r["line"] for r in _rejects(entry)] == ["3", "4", "5", "6", "7", "8", "9", "10"]
    assert sorted(_by_id(sent["posts_by_page"])) == ["channel9/1", "channel9/10"]


def test_telegram_truncated_export_fails_the_file_after_what_it_read(tmp_path: Path) -> None:
    path = _telegram(tmp_path, _msg(1, text="fine") + "," + _msg(2, text="also"))
    path.write_text(path.read_text()[:-30])  # cut inside the second message
    ledger, _ = _load(path, tmp_path, fmt="telegram")
    entry = ledger.files[0]
    assert entry.status == "failed" and ledger.status == "failed"
    assert entry.error is not None and "ended inside a value" in entry.error
    # The chat and the first message were read; their batch was never completed, so
    # nothing is written and the file is failed (as a truncated gzip file is).
    assert (entry.read, entry.written) == (2, 0) and ledger.reconciles()


def test_telegram_gzip_and_a_message_larger_than_the_read_chunk(tmp_path: Path) -> None:
    long_text = "x" * (3 << 20)  # 3 MB: decoded across several buffer refills
    plain = _telegram(tmp_path, _msg(1, text=long_text[:90_000]) + "," + _msg(2, text="b"))
    big = _telegram(tmp_path, _msg(1, text=long_text) + "," + _msg(2, text="b"), "big.json")
    packed = tmp_path / "export.json.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    ledger, sent = _load(packed, tmp_path, fmt="telegram")
    assert ledger.files[0].written == 3 and len(sent["posts_by_page"]) == 2
    ledger, _ = _load(big, tmp_path, fmt="telegram")
    entry = ledger.files[0]
    assert (entry.read, entry.written, entry.rejected) == (3, 2, 1)  # text over 100,000 chars
    assert "text longer than" in _rejects(entry)[0]["reason"]


# Bluesky --------------------------------------------------------------------------


def test_bluesky_posts_reposts_deletions_handles_and_skips(tmp_path: Path) -> None:
    ledger, sent = _load(BLUESKY, tmp_path)
    entry = ledger.files[0]
    assert entry.format == "bluesky" and ledger.reconciles()
    assert (entry.read, entry.written, entry.rejected, entry.skipped) == (27, 25, 2, 4)
    assert entry.note is not None and "3 app.bsky.feed.like commits" in entry.note
    posts = _by_id(sent["posts_by_account"])
    did = "did:plc:p1aaaaaaaaaaaaaaaaaaaaaa"
    first = posts[f"at://{did}/app.bsky.feed.post/3kp00"]
    assert first["author_id"] == did and first["urls"] == ["https://news.example/story-1"]
    assert first["hashtags"] == ["resign"] and first["props"]["lang"] == "en"
    assert first["props"]["created_at"].isoformat() == "2024-01-01T12:00:00+00:00"
    assert first["props"]["seen_at"].isoformat() == "2024-01-01T12:00:00.123456+00:00"
    embed = posts["at://did:plc:p2bbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3kp10"]
    assert embed["urls"] == ["https://news.example/story-1"]  # from app.bsky.embed.external
    subject = "at://did:plc:srcffffffffffffffffffffff/app.bsky.feed.post/3korigin1"
    repost = posts[f"at://{did}/app.bsky.feed.repost/3kr0"]
    assert repost["shared_post_id"] == subject and repost["props"]["share_kind"] == "repost"
    quote = posts["at://did:plc:o2eeeeeeeeeeeeeeeeeeeeee/app.bsky.feed.post/3ko3"]
    assert quote["shared_post_id"] == subject and quote["props"]["share_kind"] == "quote"
    assert quote["props"]["image_cids"] == ["bafkreiimage1"]
    reply = posts["at://did:plc:o2eeeeeeeeeeeeeeeeeeeeee/app.bsky.feed.post/3ko2"]
    assert reply["props"]["reply_to_id"].endswith("/3ko1")
    [deleted, *_] = sent["post_deletions"]
    assert deleted["id"] == f"at://{did}/app.bsky.feed.post/3kp00"
    assert deleted["deleted_at"].isoformat() == "2024-01-01T12:10:00.123456+00:00"
    handles = [(r["account_id"], r["handle"]) for r in sent["handle_changes"]]
    assert (did, "user0-x7q.bsky.social") in handles and (did, "freshname0.bsky.social") in handles
    [status] = sent["account_status"]
    assert status["active"] is False and status["status"] == "deactivated"
    reasons = {r["column"]: r["reason"] for r in _rejects(entry)}
    assert reasons == {
        "commit.record.createdAt": "missing required field 'createdAt'",
        "commit.record.subject.uri": "not an at:// URI: 'https://bsky.app/profile/x/post/1'",
    }


def test_bluesky_bad_lines_are_rejected_with_their_line(tmp_path: Path) -> None:
    good = BLUESKY.read_text().splitlines()[1]
    lines = [
        good,
        "{not json",
        '{"kind": "commit", "did": "did:plc:x", "time_us": 1, "commit": 5}',
        '{"kind": "identity", "did": "nobody", "identity": {"handle": "a.b"}}',
        '{"kind": "commit", "did": "did:plc:x", "commit": {"collection": "app.bsky.feed.post",'
        ' "operation": "delete", "rkey": "r1", "record": null}, "time_us": true}',
        "[" * 3000 + "]" * 3000,
        '{"kind": "commit", "did": "did:plc:x", "commit": {"collection": "app.bsky.feed.post",'
        ' "operation": "create", "rkey": "r2", "record": {"createdAt": "2024-01-01T00:00:00Z",'
        ' "text": "t", "facets": [{"features": [{"$type": "app.bsky.richtext.facet#link",'
        ' "uri": 12}]}]}}}',
    ]
    lines.append('{"kind": "identity", "did": "did:plc:x", "identity": {"seq": 1}}')  # skipped
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    ledger, _ = _load(path, tmp_path, fmt="bluesky")
    entry = ledger.files[0]
    assert (entry.read, entry.written, entry.rejected) == (7, 1, 6) and ledger.reconciles()
    assert entry.skipped == 1 and entry.note == "skipped 1 identity events without a handle"
    rejects = {r["line"]: (r["column"], r["reason"]) for r in _rejects(entry)}
    assert rejects["2"][1].startswith("invalid JSON")
    assert rejects["3"] == ("commit", "expected an object, got int")
    assert rejects["4"] == ("did", "not a DID: 'nobody'")
    assert rejects["5"][0] == "time_us"
    assert rejects["6"][1].startswith("invalid JSON: nested")
    assert rejects["7"][0] == "commit.record.facets[0].features[0].uri"


# X API v2 -------------------------------------------------------------------------


def test_twitter_v2_tweets_users_and_references(tmp_path: Path) -> None:
    ledger, sent = _load(TWITTER, tmp_path)
    entry = ledger.files[0]
    assert entry.format == "twitter-v2" and ledger.reconciles()
    # 17 tweets in data, 1 in includes.tweets, 14 users (repeated on each page)
    assert (entry.read, entry.written, entry.rejected, entry.skipped) == (32, 30, 2, 1)
    users = _by_id(sent["accounts"])
    maria = users["1500000000000000001"]["props"]
    assert maria["handle"] == "Maria038271645" and maria["followers"] == 3
    assert maria["created_at"].isoformat() == "2023-12-27T12:00:00+00:00"
    assert maria["verified"] is False and maria["platform"] == "twitter"
    tweets = _by_id(sent["posts_by_account"])
    first = tweets["1742000000000000101"]
    assert first["urls"] == ["https://news.example/story-1"] and first["hashtags"] == ["resign"]
    retweet = tweets["1742000000000000110"]
    assert retweet["shared_post_id"] == "1742000000000000001"
    assert retweet["props"]["share_kind"] == "retweet"
    quote = tweets["1742000000000009003"]
    assert quote["shared_post_id"] == "1742000000000000001"
    assert quote["props"]["share_kind"] == "quote"
    assert tweets["1742000000000009002"]["props"]["reply_to_id"] == "1742000000000000001"
    assert tweets["1742000000000009002"]["shared_post_id"] is None
    assert "1742000000000000001" in tweets  # the original, from includes.tweets
    reasons = {r["column"]: r["reason"] for r in _rejects(entry)}
    assert reasons["data[6].created_at"].startswith("timestamp without offset")
    assert reasons["data[7].author_id"].startswith("id given as a floating-point number")


def test_twitter_v2_pages_of_the_wrong_shape(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    tweet = {"id": "1", "author_id": "2", "created_at": "2024-01-01T00:00:00.000Z", "text": "t"}
    path.write_text(
        "\n".join(
            json.dumps(page)
            for page in (
                {"data": tweet},  # a single-tweet lookup: data is one object
                {"data": "oops"},
                {"data": [tweet], "includes": {"users": {"id": "2"}}},
                {"data": [], "includes": ["x"]},
                {"data": [{**tweet, "id": 10**300}]},
                {"data": [{**tweet, "entities": {"urls": [{"expanded_url": "ftp://x"}]}}]},
                {"data": [{**tweet, "referenced_tweets": [{"type": "retweeted"}]}]},
            )
        )
        + "\n"
    )
    ledger, _ = _load(path, tmp_path, fmt="twitter-v2")
    entry = ledger.files[0]
    assert ledger.reconciles() and (entry.read, entry.written, entry.rejected) == (8, 2, 6)
    rejects = [(r["line"], r["column"], r["reason"]) for r in _rejects(entry)]
    assert rejects == [
        ("2", "data[0]", "expected an object, got str"),
        ("3", "includes.users", "expected a list, got dict"),
        ("4", "includes", "expected includes to be an object of lists"),
        ("5", "data[0].id", "id longer than 256 characters (301)"),
        ("6", "data[0].entities.urls[0].expanded_url", "not an absolute http(s) URL: 'ftp://x'"),
        ("7", "data[0].referenced_tweets[0].id", "missing required field 'id'"),
    ]


# Meta Content Library -------------------------------------------------------------


def test_meta_content_library_posts_keep_their_ids_exactly(tmp_path: Path) -> None:
    ledger, sent = _load(META, tmp_path)
    entry = ledger.files[0]
    assert entry.format == "meta-content-library" and ledger.reconciles()
    assert (entry.read, entry.written, entry.rejected) == (17, 14, 3)
    pages = _by_id(sent["posts_by_page"])
    profiles = _by_id(sent["posts_by_account"])
    original = pages["9007199254740993"]  # 2**53 + 1: as a float it would be ...992
    assert original["props"]["stat_views"] == 120000 and original["author_id"] == (
        "155500000000000009"
    )
    first = pages["9007199254740994"]
    assert first["urls"] == ["https://news.example/story-1"]
    assert first["hashtags"] == ["resign", "india"]
    assert first["author_props"] == {"name": "Bharat Truth Page", "handle": "bharattruth"}
    assert first["props"]["surface_id"] == "122100000000000001"
    reshare = profiles["9007199254741005"]
    assert reshare["shared_post_id"] == "9007199254740993" and reshare["author_id"] == (
        "100087000000000003"
    )
    assert reshare["author_props"]["display_name"] == "Ravi K"
    reasons = {r["column"]: r["reason"] for r in _rejects(entry)}
    assert "scientific notation" in reasons["id"]
    assert reasons["post_owner.type"].startswith("'event' is not a known owner type")
    assert reasons["creation_time"].startswith("timestamp without offset")


def test_meta_content_library_without_its_columns_rejects_every_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,text\n1,a\n2,b\n")
    ledger, sent = _load(path, tmp_path, fmt="meta-content-library")
    entry = ledger.files[0]
    assert (entry.read, entry.rejected) == (2, 2) and not sent.get("posts_by_page")
    assert "not a Content Library posts export" in _rejects(entry)[0]["reason"]


# Recognition and the ledger across formats ----------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (TELEGRAM, "telegram"),
        (TELEGRAM_CHAT, "telegram"),
        (BLUESKY, "bluesky"),
        (TWITTER, "twitter-v2"),
        (META, "meta-content-library"),
    ],
)
def test_each_format_is_recognised_by_content_and_refused_as_another(
    path: Path, fmt: str, tmp_path: Path
) -> None:
    assert sniff(path) == fmt
    [planned] = plan_load([path]).files
    assert (planned.format, planned.recognised) == (fmt, True)
    other = "bluesky" if fmt != "bluesky" else "telegram"
    with pytest.raises(UsageError) as raised:
        plan_load([path], fmt=other)
    assert raised.value.hint == f"load it with --format {fmt}"
    # named like a contract file, it still says what it looks like
    named = tmp_path / ("posts" + "".join(path.suffixes))
    shutil.copy(path, named)
    with pytest.raises(UsageError, match=f"looks like {fmt}"):
        plan_load([named])


def test_contract_files_are_not_taken_for_another_format() -> None:
    contract = REPO / "tests" / "data" / "contract"
    assert all(sniff(p) is None for p in contract.iterdir() if p.is_file())


@pytest.mark.parametrize("path", [TELEGRAM, BLUESKY, TWITTER, META])
def test_dry_run_abort_and_rerun_reconcile(path: Path, tmp_path: Path) -> None:
    dry, _ = _load(path, tmp_path, dry_run=True)
    assert dry.status == "dry_run" and dry.reconciles()
    first, sent = _load(path, tmp_path)
    again, sent_again = _load(path, tmp_path)
    assert again.files[0].written == first.files[0].written
    assert sent == sent_again  # the same rows every time: a re-load merges, changes nothing
    assert dry.files[0].valid == first.files[0].written
    aborted, nothing = _load(path, tmp_path, on_error="abort")
    entry = aborted.files[0]
    assert entry.status == "aborted" and not nothing and entry.written == 0
    assert entry.rejected == entry.read  # every item before the first bad one, said so


def test_bulk_sink_replays_what_it_has_no_csv_form_for(tmp_path: Path) -> None:
    """`cib load --bulk`: deletions, handle history, account status and forwards have no
    importer CSV; the sink sets them aside for the Cypher replay instead of failing."""
    from cibgraph.loaders.bulk import CsvSink

    for path in (BLUESKY, TELEGRAM):
        sink = CsvSink(tmp_path / path.stem)
        ledger = load(sink, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
        assert ledger.status == "complete" and ledger.reconciles()
        replayed = {name for name, _ in sink.replays()}
        sink.close()
        expected = (
            {"post_deletions", "handle_changes", "account_status"}
            if path == BLUESKY
            else {"forwards_by_page"}
        )
        assert expected <= replayed


_ODD_VALUES: list[Any] = [
    None,
    "",
    True,
    -1,
    10**30,
    1.5e300,
    [],
    {},
    [[[[["deep"]]]]],
    {"$type": "x"},
    "\u0000nul",
    "x" * 300,
    "2024-13-45T99:99:99Z",
]


def _mutate(value: Any, rng: Any) -> Any:
    """One value somewhere in a JSON structure replaced by a value of an odd type."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        return {**value, key: _mutate(value[key], rng) if rng.random() < 0.7 else
                rng.choice(_ODD_VALUES)}  # fmt: skip
    if isinstance(value, list) and value:
        index = rng.randrange(len(value))
        copy = list(value)
        copy[index] = _mutate(value[index], rng) if rng.random() < 0.7 else rng.choice(_ODD_VALUES)
        return copy
    return rng.choice(_ODD_VALUES)


def write_mutated(fmt: str, rng: Any, target: Path) -> Path:
    """The format's fixture with seeded odd values anywhere, written into ``target``
    (also tests/unit/test_format_columns.py's)."""
    if fmt == "telegram":
        document = json.loads(TELEGRAM.read_text())
        for _ in range(5):
            document = _mutate(document, rng)
        path = target / "result.json"
        path.write_text(json.dumps(document))
    elif fmt in ("bluesky", "twitter-v2"):
        source = BLUESKY if fmt == "bluesky" else TWITTER
        lines = [json.loads(line) for line in source.read_text().splitlines()]
        for _ in range(8):
            index = rng.randrange(len(lines))
            lines[index] = _mutate(lines[index], rng)
        path = target / source.name
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    else:
        with META.open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
        for _ in range(10):
            row = rng.randrange(1, len(table))
            column = rng.randrange(len(table[0]))
            table[row][column] = str(rng.choice(_ODD_VALUES))
        path = target / META.name
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(table)
    return path


@pytest.mark.parametrize("fmt", ["telegram", "bluesky", "twitter-v2", "meta-content-library"])
def test_odd_values_anywhere_never_crash_a_load(fmt: str, tmp_path: Path) -> None:
    """Seeded mutations of each fixture: every load ends complete and reconciled (or,
    for a document cut short, failed with its reason), never with an exception."""
    import random

    rng = random.Random(18)
    rejected = 0
    for attempt in range(40):
        target = tmp_path / f"m{attempt}"
        target.mkdir()
        path = write_mutated(fmt, rng, target)
        ledger, _ = _load(path, target, fmt=fmt)
        entry = ledger.files[0]
        assert ledger.reconciles(), (attempt, entry)
        assert entry.status == "complete" or entry.error, (attempt, entry)
        rejected += entry.rejected
    assert rejected >= 20  # the mutations did reach the validators


def test_telegram_bytes_that_are_not_utf8_and_surrogate_escapes(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    head = {"id": 9, "type": "message", "date_unixtime": "1704110400", "from_id": "channel9"}
    fields = json.dumps(head)[1:-1]
    body = (
        b'{"name": "Ch\xff", "type": "public_channel", "id": 9, "messages": ['
        + _msg(1, text="fine").encode()
        + b', {"text": "bad \xff byte", ' + fields.replace('"id": 9', '"id": 2').encode() + b"}"
        + b', {"text": "lone \\ud800 escape", '
        + fields.replace('"id": 9', '"id": 3').encode() + b"}"
        + b"]}"
    )  # fmt: skip
    path.write_bytes(body)
    ledger, sent = _load(path, tmp_path, fmt="telegram")
    entry = ledger.files[0]
    assert ledger.reconciles() and (entry.read, entry.written, entry.rejected) == (4, 2, 2)
    assert [r["reason"] for r in _rejects(entry)] == [
        "invalid UTF-8",
        "invalid Unicode: a lone surrogate escape (\\udXXX)",
    ]
    assert sent["pages"][0]["props"]["name"] == "Ch?"
