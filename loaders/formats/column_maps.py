"""Each format's items mapped for the column path (``columns.py``): the record path's
mapping (the format's ``record``), field for field, with every parser call on an id,
text, timestamp or URL handed to ``Cells`` and every other shape declined (``Decline``:
the record path maps it). Cheap parsers with no column check (hashtags, booleans, small
counts) are called as the record path calls them; a ``BadValue`` declines the item.

The record built here is the record path's once ``columns.settle`` has filled in its
timestamps, canonical URLs and fingerprints; a test holds every fixture to that.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from cibgraph.loaders.formats import bluesky, columns, meta_content_library, telegram, twitter_v2
from cibgraph.loaders.formats.columns import Cells, Mapper, Result, format_results
from cibgraph.loaders.formats.common import FormatReader, ItemRow
from cibgraph.loaders.records import Record
from cibgraph.loaders.values import MAX_EPOCH, MIN_EPOCH, normalise_tag, parse_bool, parse_tags


class Decline(ValueError):
    """The item is the record path's to map."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _id(cells: Cells, value: Any) -> str:
    """``text_id``/``parse_id``: a plain string id, or an integer's digits."""
    if type(value) is str:
        return cells.id(value)
    if type(value) is int:
        return cells.id(str(value))
    raise Decline


def _text(cells: Cells, value: Any) -> str | None:
    """An optional text (``optional(..., parse_text)``): None when absent or empty."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise Decline
    return cells.text(value)


def _post(
    post_id: str,
    author_id: str,
    props: dict[str, Any],
    text: str | None,
    cells: Cells,
    author_props: dict[str, Any],
    shared: str | None = None,
    hashtags: list[str] | None = None,
) -> dict[str, Any]:
    """``validate.post_row``'s row; ``props`` holds ``created_at`` as a cell to fill."""
    row = {
        "id": post_id,
        "author_id": author_id,
        "props": props,
        "author_props": author_props,
        "urls": [],
        "hashtags": hashtags or [],
        "shared_post_id": shared,
    }
    if text is not None:
        props["text"] = text
        cells.hashed_text(text, props)
    return row


# Telegram ------------------------------------------------------------------------------


def _telegram_text(cells: Cells, value: Any, urls: list[str]) -> tuple[str, list[str]]:
    """``telegram._text``: the text (checked with the post's) and hashtags; links to cells."""
    if value is None:
        return "", []
    if type(value) is str:
        return value, []
    if type(value) is not list:
        raise Decline
    parts: list[str] = []
    tags: list[str] = []
    for piece in value:
        if type(piece) is str:
            parts.append(piece)
            continue
        if type(piece) is not dict:
            raise Decline
        shown = piece.get("text", "")
        if type(shown) is not str:
            raise Decline
        parts.append(shown)
        kind = piece.get("type")
        if kind == "link":
            cells.url(shown if "://" in shown else f"https://{shown}", urls)
        elif kind == "text_link":
            href = piece.get("href")
            if type(href) is not str:
                raise Decline
            cells.url(href, urls)
        elif kind == "hashtag":
            tag = normalise_tag(shown)
            if tag and tag not in tags and len(tag) <= 200:
                tags.append(tag)
    return "".join(parts), tags


_LABELS = (("user", "account"), ("channel", "page"), ("chat", "page"))


def _label(peer: str) -> str:
    for prefix, label in _LABELS:
        if peer.startswith(prefix):
            return label
    raise Decline


def map_telegram(reader: telegram.TelegramReader, row: ItemRow, cells: Cells) -> Record | None:
    if row.context[0] != "message":
        return None  # a chat's page: one an export, the record path's
    _, peer, origins = row.context
    msg: dict[str, Any] = row.item
    message_id = _id(cells, msg.get("id"))
    created = msg.get("date_unixtime")
    if type(created) is int:
        created = str(created)
    elif type(created) is not str:
        raise Decline
    sender = msg.get("from_id")
    if sender is None and peer and peer.startswith("channel"):
        sender = peer
    if type(sender) is not str:
        raise Decline
    author = cells.id(sender)
    label = _label(author)
    chat_peer = peer or "chat"
    post_id = f"{chat_peer}/{message_id}"
    urls: list[str] = []
    text, tags = _telegram_text(cells, msg.get("text"), urls)
    props: dict[str, Any] = {"platform": telegram.PLATFORM}
    cells.time(created, props, "created_at")
    if msg.get("reply_to_message_id") is not None:
        props["reply_to_id"] = f"{chat_peer}/{_id(cells, msg['reply_to_message_id'])}"
    edited = msg.get("edited_unixtime")
    if edited is not None:
        if type(edited) is int:
            edited = str(edited)
        elif type(edited) is not str:
            raise Decline
        cells.time(edited, props, "edited_at")
    for field in ("photo", "file", "thumbnail"):
        ref = msg.get(field)
        if isinstance(ref, str) and ref and not ref.startswith(telegram._NOT_FILES):
            props["image" if field == "photo" else f"{field}_ref"] = cells.text(ref)
    media = msg.get("media_type")
    if isinstance(media, str):
        props["media_type"] = cells.text(media)
    elif "photo" in msg:
        props["media_type"] = "photo"
    author_props: dict[str, Any] = {"platform": telegram.PLATFORM}
    shown = msg.get("from")
    if isinstance(shown, str) and shown:
        author_props["display_name" if label == "account" else "name"] = cells.text(shown)
    record = _post(post_id, author, props, text or None, cells, author_props, hashtags=tags)
    record["urls"] = urls
    name = msg.get("forwarded_from")
    if name is None and msg.get("forwarded_from_id") is None:
        return Record(f"posts_by_{label}", f"post:{post_id}", record)
    if msg.get("forwarded_from_id") is not None or type(name) is not str:
        raise Decline
    return _telegram_forward(cells, record, label, name, origins, bool(text))


def _telegram_forward(
    cells: Cells,
    record: dict[str, Any],
    label: str,
    name: str,
    origins: frozenset[str] | None,
    has_text: bool,
) -> Record:
    """``TelegramReader._forward`` for a forward named by display name only."""
    origin: str | None = None
    if name:
        cells.text(name)
        peers = origins or frozenset()
        if len(peers) == 1:
            origin = next(iter(peers))
            record["props"]["forward_resolved_by"] = "name"
            note = "forwards whose origin was resolved by display name"
        else:
            why = "ambiguous" if peers else "unknown"
            note = f"forwards from an {why} display name (kept by name only)"
        cells.notes[cells.row] = note
        record["props"]["forwarded_from"] = name
    record["origin_id"] = origin
    record["origin_is_page"] = origin is not None and _label(origin) == "page"
    origin_key = origin or (f"name:{name}" if name else None)
    if has_text and origin_key is not None:
        # The fingerprint of the text, once the cells are settled, names the original.
        props, _ = cells.hash_into[-1]
        cells.hash_into[-1] = (props, (record, origin_key))
    return Record(f"forwards_by_{label}", f"post:{record['id']}", record)


# Bluesky -------------------------------------------------------------------------------

_LOW_MICROS = MIN_EPOCH * 1_000_000
_HIGH_MICROS = MAX_EPOCH * 1_000_000


def _at_uri(cells: Cells, value: Any) -> str:
    if type(value) is not str or not value.startswith("at://"):
        raise Decline
    return cells.id(value)


def _listed(value: Any) -> list[Any]:
    """``common.array``: an absent list is empty; anything else but a list is declined."""
    if value is None:
        return []
    if type(value) is not list:
        raise Decline
    return value


def _bluesky_facets(cells: Cells, facets: Any, urls: list[str]) -> list[str]:
    tags: list[str] = []
    for facet in _listed(facets):
        if type(facet) is not dict:
            raise Decline
        for feature in _listed(facet.get("features")):
            if type(feature) is not dict:
                raise Decline
            kind = feature.get("$type")
            if kind == bluesky._LINK:
                uri = feature.get("uri")
                if type(uri) is not str:
                    raise Decline
                cells.url(uri, urls)
            elif kind == bluesky._TAG:
                for tag in parse_tags(feature.get("tag")):
                    if tag not in tags:
                        tags.append(tag)
    return tags


def _bluesky_post(cells: Cells, record: dict[str, Any], props: dict[str, Any]) -> Any:
    """Links, tags, embed, reply and language of a post record: (text, urls, tags)."""
    text = record.get("text")
    if text is not None and (type(text) is not str or text == ""):
        raise Decline  # the record path says why
    urls: list[str] = []
    tags = _bluesky_facets(cells, record.get("facets"), urls)
    embed = record.get("embed")
    if embed is not None:
        if type(embed) is not dict or embed.get("$type") != "app.bsky.embed.external":
            raise Decline
        external = embed.get("external")
        if type(external) is not dict or type(external.get("uri")) is not str:
            raise Decline
        cells.url(external["uri"], urls)
    reply = record.get("reply")
    if reply is not None:
        if type(reply) is not dict:
            raise Decline
        for end, prop in (("parent", "reply_to_id"), ("root", "reply_root_id")):
            ref = reply.get(end)
            if ref is None:
                continue
            if type(ref) is not dict:
                raise Decline
            if ref.get("uri") is not None:
                props[prop] = _at_uri(cells, ref["uri"])
    langs = record.get("langs")
    if langs is not None and type(langs) is not list:
        raise Decline
    if langs and isinstance(langs[0], str):
        if langs[0] != "":
            cells.text(langs[0])
        props["lang"] = langs[0]
    return text, urls, tags


def map_bluesky(reader: bluesky.BlueskyReader, row: ItemRow, cells: Cells) -> Record | None:
    event: dict[str, Any] = row.item
    did = event.get("did")
    if event.get("kind") != "commit" or type(did) is not str or not did.startswith("did:"):
        return None
    cells.id(did)
    commit = event.get("commit")
    if type(commit) is not dict or commit.get("operation") != "create":
        return None
    rkey = commit.get("rkey")
    if type(rkey) is not str or "/" in rkey:
        raise Decline
    cells.id(rkey)
    collection = commit["collection"]
    uri = f"at://{did}/{collection}/{rkey}"
    record = commit.get("record")
    if type(record) is not dict or type(record.get("createdAt")) is not str:
        raise Decline
    props: dict[str, Any] = {"platform": bluesky.PLATFORM}
    cells.time(record["createdAt"], props, "created_at")
    seen = event.get("time_us")
    if seen is not None:
        if type(seen) is not int or not _LOW_MICROS < seen < _HIGH_MICROS:
            raise Decline
        # epoch_micros: the float of seconds rounds back to these microseconds exactly.
        props["seen_at"] = _EPOCH + timedelta(microseconds=seen)
    author_props = {"platform": bluesky.PLATFORM}
    if collection == bluesky.REPOST:
        subject = record.get("subject")
        if type(subject) is not dict:
            raise Decline
        shared = _at_uri(cells, subject.get("uri"))
        props["share_kind"] = "repost"
        post = _post(uri, did, props, None, cells, author_props, shared)
        return Record("posts_by_account", f"post:{uri}", post)
    text, urls, tags = _bluesky_post(cells, record, props)
    post = _post(uri, did, props, text, cells, author_props, hashtags=tags)
    post["urls"] = urls
    return Record("posts_by_account", f"post:{uri}", post)


# X API v2 ------------------------------------------------------------------------------


def _x_user(cells: Cells, user: dict[str, Any]) -> Record:
    user_id = _id(cells, user.get("id"))
    props: dict[str, Any] = {"platform": twitter_v2.PLATFORM}
    for field, prop in (("username", "handle"), ("name", "display_name"), ("location", "location")):
        value = _text(cells, user.get(field))
        if value is not None:
            props[prop] = value
    created = user.get("created_at")
    if created is not None and created != "":
        if type(created) is not str:
            raise Decline
        cells.time(created, props, "created_at")
    verified = user.get("verified")
    if verified is not None:
        if type(verified) is not bool:
            raise Decline
        props["verified"] = verified
    metrics = user.get("public_metrics")
    if metrics is not None:
        if type(metrics) is not dict:
            raise Decline
        followers = metrics.get("followers_count")
        if followers is not None:
            # parse_int goes through a float: exact up to 2**53.
            if type(followers) is not int or not 0 <= followers <= 2**53:
                raise Decline
            props["followers"] = followers
    return Record("accounts", f"user:{user_id}", {"id": user_id, "props": props})


def _x_refs(cells: Cells, refs: Any, props: dict[str, Any]) -> str | None:
    found: dict[str, str] = {}
    for ref in _listed(refs):
        if type(ref) is not dict:
            raise Decline
        kind = ref.get("type")
        if kind in ("retweeted", "quoted", "replied_to"):
            found.setdefault(kind, _id(cells, ref.get("id")))
    return twitter_v2.shared_by(found, props)


def _x_entities(cells: Cells, entities: Any, urls: list[str]) -> list[str]:
    tags: list[str] = []
    if entities is None:
        return tags
    if type(entities) is not dict:
        raise Decline
    for entry in _listed(entities.get("urls")):
        if type(entry) is not dict:
            raise Decline
        found = [f for f in ("unwound_url", "expanded_url", "url") if entry.get(f) is not None]
        if found:
            if type(entry[found[0]]) is not str:
                raise Decline
            cells.url(entry[found[0]], urls)
    for entry in _listed(entities.get("hashtags")):
        if type(entry) is not dict:
            raise Decline
        for tag in parse_tags([entry.get("tag", "")]):
            if tag not in tags:
                tags.append(tag)
    return tags


def _x_tweet(cells: Cells, tweet: dict[str, Any]) -> Record:
    tweet_id = _id(cells, tweet.get("id"))
    author_id = _id(cells, tweet.get("author_id"))
    created = tweet.get("created_at")
    if type(created) is not str:
        raise Decline
    text = _text(cells, tweet.get("text"))
    props: dict[str, Any] = {"platform": twitter_v2.PLATFORM}
    cells.time(created, props, "created_at")
    for field in ("conversation_id", "lang"):
        value = _text(cells, tweet.get(field))
        if value is not None:
            props[field] = value
    shared = _x_refs(cells, tweet.get("referenced_tweets"), props)
    urls: list[str] = []
    tags = _x_entities(cells, tweet.get("entities"), urls)
    author_props = {"platform": twitter_v2.PLATFORM}
    post = _post(tweet_id, author_id, props, text, cells, author_props, shared, tags)
    post["urls"] = urls
    return Record("posts_by_account", f"tweet:{tweet_id}", post)


def map_twitter(reader: twitter_v2.TwitterV2Reader, row: ItemRow, cells: Cells) -> Record | None:
    if type(row.item) is not dict:
        return None
    if row.context == "user":
        return _x_user(cells, row.item)
    if row.context == "tweet":
        return _x_tweet(cells, row.item)
    return None


# Meta Content Library ------------------------------------------------------------------


def _content_id(cells: Cells, value: str) -> str:
    if meta_content_library._SCIENTIFIC.match(value):
        raise Decline
    return cells.id(value)


def map_meta(
    reader: meta_content_library.MetaContentLibraryReader, row: ItemRow, cells: Cells
) -> Record | None:
    if reader.header_problem or reader.ctx.keep_extra:
        return None
    values: dict[str, str] = row.item
    post_id = _content_id(cells, values["id"])
    owner = _content_id(cells, values["post_owner.id"])
    label = meta_content_library.OWNER_TYPES.get(values["post_owner.type"].strip().lower())
    if label is None or values["creation_time"] == "":
        raise Decline
    props: dict[str, Any] = {}
    cells.time(values["creation_time"], props, "created_at")
    text = _text(cells, values.get("text"))
    shared = values.get("shared_post_id") or None
    if shared is not None:
        _content_id(cells, shared)
    urls: list[str] = []
    link = values.get("link_attachment.link") or None
    if link is not None:
        cells.url(link, urls)
    tags = [] if text is None else parse_tags(meta_content_library._HASHTAG.findall(text))
    for column, prop in (("lang", "lang"), ("surface.name", "surface_name")):
        value = _text(cells, values.get(column))
        if value is not None:
            props[prop] = value
    if values.get("surface.id"):
        props["surface_id"] = _content_id(cells, values["surface.id"])
    if values.get("is_branded_content"):
        props["branded_content"] = parse_bool(values["is_branded_content"])
    for column, cell in values.items():
        if cell and column.startswith("statistics."):
            stat = column.removeprefix("statistics.")
            if stat.isidentifier():
                # parse_int goes through a float: exact for 15 digits.
                if not (cell.isascii() and cell.isdigit() and len(cell) <= 15):
                    raise Decline
                props[f"stat_{stat}"] = int(cell)
    author_props: dict[str, Any] = {}
    name = _text(cells, values.get("post_owner.name"))
    if name is not None:
        author_props["name" if label == "page" else "display_name"] = name
    username = _text(cells, values.get("post_owner.username"))
    if username is not None:
        author_props["handle"] = username
    post = _post(post_id, owner, props, text, cells, author_props, shared, tags)
    post["urls"] = urls
    return Record(f"posts_by_{label}", f"post:{post_id}", post)


MAPPERS: dict[str, Mapper] = {
    "telegram": map_telegram,
    "bluesky": map_bluesky,
    "twitter-v2": map_twitter,
    "meta-content-library": map_meta,
}


def by_columns(reader: FormatReader, dry_run: bool = False) -> Iterator[Result] | None:
    """The reader's results by the column path, or None when it has none. A dry run's
    records are counted, never written: their cells are checked, not filled in."""
    mapper = MAPPERS.get(reader.name)
    if not columns.ENABLED or mapper is None:
        return None
    return format_results(reader, mapper, fill=not dry_run)
