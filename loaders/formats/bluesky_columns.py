"""Bluesky Jetstream events for the column path (``columns.py``): ``bluesky.py``'s
mapping, field for field, with ids, texts, timestamps and URLs handed to ``Cells``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cibgraph.loaders.formats import bluesky
from cibgraph.loaders.formats.column_fields import EPOCH, Decline, listed, post_row
from cibgraph.loaders.formats.columns import Cells
from cibgraph.loaders.formats.common import ItemRow
from cibgraph.loaders.records import Record
from cibgraph.loaders.values import MAX_EPOCH, MIN_EPOCH, parse_tags

_LOW_MICROS = MIN_EPOCH * 1_000_000
_HIGH_MICROS = MAX_EPOCH * 1_000_000
_TAGS_KEPT = 100_000


def _at_uri(cells: Cells, value: Any) -> str:
    if type(value) is not str or not value.startswith("at://"):
        raise Decline
    return cells.id(value)


def _tags(known: dict[str, list[str]], value: Any) -> list[str]:
    """``parse_tags`` of a tag facet's text, once per distinct text (bounded)."""
    if type(value) is not str:
        return parse_tags(value)
    found = known.get(value)
    if found is None:
        if len(known) > _TAGS_KEPT:
            known.clear()
        found = known[value] = parse_tags(value)
    return found


def _bluesky_facets(
    cells: Cells, facets: Any, urls: list[str], known: dict[str, list[str]]
) -> list[str]:
    tags: list[str] = []
    for facet in listed(facets):
        if type(facet) is not dict:
            raise Decline
        for feature in listed(facet.get("features")):
            if type(feature) is not dict:
                raise Decline
            kind = feature.get("$type")
            if kind == bluesky._LINK:
                uri = feature.get("uri")
                if type(uri) is not str:
                    raise Decline
                cells.url(uri, urls)
            elif kind == bluesky._TAG:
                for tag in _tags(known, feature.get("tag")):
                    if tag not in tags:
                        tags.append(tag)
    return tags


def _bluesky_post(
    cells: Cells, record: dict[str, Any], props: dict[str, Any], known: dict[str, list[str]]
) -> Any:
    """Links, tags, embed, reply and language of a post record: (text, urls, tags)."""
    text = record.get("text")
    if text is not None and (type(text) is not str or text == ""):
        raise Decline  # the record path says why
    urls: list[str] = []
    tags = _bluesky_facets(cells, record.get("facets"), urls, known)
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
        props["seen_at"] = EPOCH + timedelta(microseconds=seen)
    author_props = {"platform": bluesky.PLATFORM}
    if collection == bluesky.REPOST:
        subject = record.get("subject")
        if type(subject) is not dict:
            raise Decline
        shared = _at_uri(cells, subject.get("uri"))
        props["share_kind"] = "repost"
        post = post_row(uri, did, props, None, cells, author_props, shared)
        return Record("posts_by_account", f"post:{uri}", post)
    text, urls, tags = _bluesky_post(cells, record, props, reader.tags)
    post = post_row(uri, did, props, text, cells, author_props, hashtags=tags)
    post["urls"] = urls
    return Record("posts_by_account", f"post:{uri}", post)
