"""The formats by columns (loaders/formats/columns.py, column_maps.py) give the record
path's results, item for item: the same records (statement, key, row) and the same
rejections (line, column, reason, text), in the same order, with the same skipped and
noted counts; on every fixture, on seeded mutations of them, and on the bench's shapes,
where the column path must build (almost) every record itself."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from cibgraph.loaders.formats import open_reader
from cibgraph.loaders.formats.column_maps import MAPPERS
from cibgraph.loaders.formats.columns import format_results
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import FileProblem
from cibgraph.loaders.validate import ValidationContext
from tests.unit.test_loader_formats import (
    BLUESKY,
    DATA,
    META,
    TELEGRAM,
    TELEGRAM_CHAT,
    TWITTER,
    write_mutated,
)

CTX = ValidationContext()
FIXTURES = {
    "telegram": [TELEGRAM, TELEGRAM_CHAT],
    "bluesky": [BLUESKY],
    "twitter-v2": [TWITTER],
    "meta-content-library": [META],
}


def _shown(result: Record | Rejection) -> tuple[Any, ...]:
    if isinstance(result, Rejection):
        return ("rejected", result.line, result.column, result.reason, result.raw)
    return ("record", result.statement, result.key, result.row, result.warnings)


def _until_the_file_fails(results: Iterator[Record | Rejection]) -> list[Any]:
    """Every result, then the file's problem if one stopped it (a document cut short)."""
    out: list[Any] = []
    try:
        out.extend(_shown(result) for result in results)
    except FileProblem as exc:
        out.append(("file failed", str(exc)))
    return out


def _both(fmt: str, path: Path) -> tuple[list[Any], list[Any], list[int]]:
    """(record path, column path, [built by columns, by the record path]) of one file."""
    reader = open_reader(fmt, path, CTX)
    by_records = _until_the_file_fails(reader.validate(raw) for raw in reader.rows())
    by_records += [dict(reader.skipped), dict(reader.notes)]
    reader = open_reader(fmt, path, CTX)
    served = [0, 0]
    results = (result for _, result in format_results(reader, MAPPERS[fmt], served))
    by_columns = _until_the_file_fails(results)
    by_columns += [dict(reader.skipped), dict(reader.notes)]
    return by_records, by_columns, served


@pytest.mark.parametrize("fmt", list(FIXTURES))
def test_every_fixture_gives_the_record_paths_results(fmt: str) -> None:
    for path in FIXTURES[fmt]:
        by_records, by_columns, served = _both(fmt, path)
        assert by_columns == by_records, path
        assert served[0] > 0, path  # the columns did serve some items


@pytest.mark.parametrize("fmt", list(FIXTURES))
def test_odd_values_give_the_record_paths_results(fmt: str, tmp_path: Path) -> None:
    rng = random.Random(1818)
    for attempt in range(40):
        (tmp_path / str(attempt)).mkdir()
        path = write_mutated(fmt, rng, tmp_path / str(attempt))
        by_records, by_columns, _ = _both(fmt, path)
        assert by_columns == by_records, attempt


def _iso(t: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _telegram(path: Path) -> None:
    messages = []
    for i in range(300):
        text: Any = [
            f"Read this {i}: ",
            {"type": "text_link", "text": "here", "href": f"https://news{i % 7}.example/s-{i}/"},
            {"type": "link", "text": f"Example.ORG/{i % 3}"},
            {"type": "hashtag", "text": "#Resign"},
        ]
        message: dict[str, Any] = {
            "id": i + 1, "type": "message", "date_unixtime": str(1_704_110_400 + i),
            "from": "Patriot Daily" if i % 2 else "Maria", "text": text,
            "from_id": "channel1001" if i % 2 else f"user{i % 9}",
        }  # fmt: skip
        if i % 10 == 0:
            message["forwarded_from"] = ["Patriot Daily", "Maria", "Nobody"][i % 3]
        if i % 7 == 0:
            message["photo"], message["reply_to_message_id"] = "photos/p.jpg", i
        messages.append(message)
    chat = {"name": "Patriot Daily", "type": "public_channel", "id": 1001, "messages": messages}
    path.write_text(json.dumps(chat, indent=1))


FACET = "app.bsky.richtext.facet"


def _bluesky(path: Path) -> None:
    lines = []
    for i in range(300):
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post", "text": f"Everyone needs to see this {i}",
            "createdAt": _iso(1_704_110_400 + i), "langs": ["en"],
            "facets": [{"features": [
                {"$type": f"{FACET}#link", "uri": f"https://x{i % 5}.example/a?b={i}"},
                {"$type": f"{FACET}#tag", "tag": "Resign"},
            ]}],
        }  # fmt: skip
        if i % 4 == 0:
            record["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {"uri": f"https://x{i % 5}.example/a?b={i}"},
            }
        if i % 6 == 0:
            record["reply"] = {"parent": {"uri": "at://did:plc:a/app.bsky.feed.post/1"}}
        collection = "app.bsky.feed.repost" if i % 5 == 0 else "app.bsky.feed.post"
        if collection.endswith("repost"):
            record = {"subject": {"uri": f"at://did:plc:b/app.bsky.feed.post/{i}"},
                      "createdAt": _iso(1_704_110_400 + i)}  # fmt: skip
        commit = {"operation": "create", "collection": collection, "rkey": f"3k{i}",
                  "record": record}  # fmt: skip
        event = {"did": f"did:plc:{i % 11}", "time_us": (1_704_110_400 + i) * 10**6 + i,
                 "kind": "commit", "commit": commit}  # fmt: skip
        lines.append(json.dumps(event))
    path.write_text("\n".join(lines) + "\n")


def _twitter(path: Path) -> None:
    lines = []
    for page in range(3):
        data, users = [], []
        for j in range(100):
            i = page * 100 + j
            refs = [{"type": ["retweeted", "quoted", "replied_to"][i % 3], "id": str(17 + i % 9)}]
            data.append({
                "id": str(1742000000000000000 + i % 250), "text": f"You won't believe {i}",
                "author_id": str(15 + i % 40), "created_at": _iso(1_704_110_400 + i),
                "lang": "en", "referenced_tweets": refs,
                "entities": {"urls": [{"expanded_url": f"HTTPS://Site{i % 4}.example/p/{i}"}],
                             "hashtags": [{"tag": "Resign"}, {"tag": "resign"}]},
            })  # fmt: skip
            users.append({
                "id": str(15 + i % 40), "username": f"maria{i}", "name": f"Maria {i}",
                "created_at": _iso(1_704_000_000 + i), "verified": i % 2 == 0,
                "public_metrics": {"followers_count": i % 50},
            })  # fmt: skip
        lines.append(json.dumps({"data": data, "includes": {"users": users}}))
    path.write_text("\n".join(lines) + "\n")


def _meta(path: Path) -> None:
    header = ["id", "creation_time", "text", "shared_post_id", "link_attachment.link",
              "post_owner.id", "post_owner.name", "post_owner.type", "post_owner.username",
              "statistics.share_count", "is_branded_content", "surface.id"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for i in range(300):
            out.writerow([
                str(9007199254740993 + i), f"2024-01-01T12:{i % 60:02d}:00+0{i % 3}00",
                f"Share before it is gone #Resign {i}", str(9007199254740000 + i) if i % 3 else "",
                f"https://page.example/{i % 9}", str(1221 + i % 20), f"Page {i}",
                ["page", "profile", "Page"][i % 3], f"page{i}", str(i % 7),
                ["true", "", "0"][i % 3], "55" if i % 2 else "",
            ])  # fmt: skip


SHAPES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "telegram": ("result.json", _telegram),
    "bluesky": ("jetstream.jsonl", _bluesky),
    "twitter-v2": ("search.jsonl", _twitter),
    "meta-content-library": ("export.csv", _meta),
}


@pytest.mark.parametrize("fmt", list(SHAPES))
def test_the_common_shapes_are_built_by_columns(fmt: str, tmp_path: Path) -> None:
    """Links needing canonical forms, repeated tags, forwards, replies, reshares: the
    column path builds these records itself, and they are the record path's."""
    name, write = SHAPES[fmt]
    write(tmp_path / name)
    by_records, by_columns, served = _both(fmt, tmp_path / name)
    assert by_columns == by_records
    assert served[1] <= 1 and served[0] >= 299, served  # a chat's page is the record path's


def test_the_fixtures_are_the_ones_the_record_path_tests_use() -> None:
    assert sorted(p.name for p in DATA.iterdir()) == sorted(FIXTURES)


@pytest.mark.parametrize(
    "line",
    [
        '{"a": 1, "a": 2, "b": [1.5, -0.0, 1e-400]}',
        '{"big": 12345678901234567890, "neg": -9223372036854775809}',
        '{"id": "1742000000000000000", "n": 9223372036854775807}',
        # The edges of what orjson reads exactly: 2^64 - 1 and -2^63, one past each.
        "[18446744073709551615, -9223372036854775808, 9999999999999999999]",
        "[18446744073709551616]",
        "[-9223372036854775809]",
        '{"f": 1234567890123456789.25, "g": -0.1234567890123456789e-300}',
        '{"nan": NaN, "inf": 1e400}',
        '{"lone": "\\ud800"}',
        '{"pair": "\\ud83d\\ude00", "nul": "\\u0000"}',
        '{"deep": ' + "[" * 40 + "]" * 40 + "}",
        '{"a": 1} x',
        "[1, 2]",
        "12345678901234567890",
    ],
)
def test_json_lines_decode_as_json_decodes_them(line: str) -> None:
    """orjson first (loaders/sources.py), json's value and json's reason either way."""
    import json

    from cibgraph.loaders.sources import decode_json_line

    value, problem = decode_json_line(line)
    try:
        expected = json.loads(line)
    except ValueError:
        assert value is None and problem is not None
        return
    if problem is not None:  # json reads it; the depth limit refuses it
        assert value is None and "nested deeper" in problem
    else:
        assert repr(value) == repr(expected)  # types too: an int stays an int


def test_the_collector_runs_again_however_the_file_ends(tmp_path: Path) -> None:
    import gc

    broken = tmp_path / "result.json"
    broken.write_text(TELEGRAM.read_text()[:-40])
    for path, fmt in ((TELEGRAM, "telegram"), (broken, "telegram"), (BLUESKY, "bluesky")):
        results = format_results(open_reader(fmt, path, CTX), MAPPERS[fmt])
        next(results)
        assert gc.isenabled()  # between the results, the collector runs
        with pytest.raises(FileProblem) if path == broken else nullcontext():
            list(results)
        assert gc.isenabled()
