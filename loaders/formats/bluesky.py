"""Bluesky's Jetstream events, one JSON object per line (``kind`` commit/identity/account).

- ``app.bsky.feed.post`` creates (and updates) become posts with id
  ``at://<did>/app.bsky.feed.post/<rkey>`` by the account ``<did>``: ``text``,
  ``createdAt`` (the time the author's client declared; Jetstream's ``time_us`` is
  kept as ``seen_at``), links from ``app.bsky.richtext.facet#link`` facets and
  ``app.bsky.embed.external`` embeds, hashtags from ``#tag`` facets, replies from
  ``reply.parent``/``reply.root``, a quoted post (``app.bsky.embed.record``) as the
  post it shares, image blobs' CIDs (content hashes) as ``image_cids``.
- ``app.bsky.feed.repost`` creates are reshares: a post that ``SHARES`` its
  ``subject.uri``.
- Deletes of posts and reposts set ``deleted_at`` (Jetstream's ``time_us``) on the
  post, a stub when its creation is not in the file: a post deleted soon after a push
  is evidence.
- ``identity`` events are handle changes: ``(:Account)-[:HAD_HANDLE {at}]->(:Handle)``,
  the latest also as the account's ``handle``; ``account`` events set ``active`` and
  ``status`` (latest wins).
- Other collections (likes, follows, blocks, profiles, ...) are skipped and counted
  by collection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cibgraph.loaders.formats.common import (
    ItemRow,
    JsonlReader,
    Reject,
    array,
    epoch_micros,
    obj,
    optional,
    parsed,
    required,
    within,
)
from cibgraph.loaders.records import Record
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.validate import ValidationContext, post_row
from cibgraph.loaders.values import (
    parse_bool,
    parse_id,
    parse_tags,
    parse_text,
    parse_timestamp,
    parse_url,
)

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_LINK = "app.bsky.richtext.facet#link"
_TAG = "app.bsky.richtext.facet#tag"


def _did(value: Any) -> str:
    did = parse_id(value)
    if not did.startswith("did:"):
        raise ValueError  # turned into a rejection below
    return did


def _author(values: dict[str, Any]) -> str:
    value = values.get("did")
    if value is None:
        raise Reject("did", "missing required field 'did'")
    try:
        return _did(value)
    except ValueError:
        raise Reject("did", f"not a DID: {str(value)[:40]!r}") from None


def _at_uri(column: str, value: Any) -> str:
    uri: str = parsed(column, parse_id, value)
    if not uri.startswith("at://"):
        raise Reject(column, f"not an at:// URI: {uri[:60]!r}")
    return uri


class BlueskyReader(JsonlReader):
    name = "bluesky"

    def __init__(self, path: Path, ctx: ValidationContext) -> None:
        super().__init__(path, ctx)
        # A tag facet's hashtags by its text, for the column path: tags recur.
        self.tags: dict[str, list[str]] = {}

    def rows(self) -> Iterator[RawRow]:
        # One item a line at most: no generator per line (JsonlReader's ``items``).
        for line in self.source.rows():
            if line.problem is not None:
                yield line
                continue
            item = self.item(line)
            if item is not None:
                yield item

    def item(self, line: RawRow) -> ItemRow | None:
        """The line's event as an item, or None when it is skipped (and counted)."""
        event = line.values
        kind = event.get("kind")
        if kind == "commit":
            commit = event.get("commit")
            if isinstance(commit, dict):
                collection = commit.get("collection")
                if collection not in (POST, REPOST):
                    self.skipped[f"{collection} commits"[:80]] += 1
                    return None
                if collection == REPOST and commit.get("operation") == "update":
                    self.skipped["repost updates"] += 1
                    return None
        elif kind == "identity":
            identity = event.get("identity")
            if isinstance(identity, dict) and identity.get("handle") is None:
                # A DID document change that names no handle: nothing to keep.
                self.skipped["identity events without a handle"] += 1
                return None
        elif kind != "account":
            shown = kind if isinstance(kind, str) else type(kind).__name__
            self.skipped[f"events of kind {shown[:30]!r}"] += 1
            return None
        return ItemRow(line.line, event, "", text=line.raw)

    def record(self, row: ItemRow) -> Record:
        event: dict[str, Any] = row.item
        did = _author(event)
        kind = event.get("kind")
        if kind == "identity":
            return self._identity(did, event)
        if kind == "account":
            return self._account(did, event)
        commit = obj(event.get("commit"), "commit", required=True)
        operation = commit.get("operation")
        with within("commit"):
            rkey = required(commit, "rkey", parse_id)
        if "/" in rkey:
            raise Reject("commit.rkey", "record key contains '/'")
        uri = f"at://{did}/{commit['collection']}/{rkey}"
        if operation == "delete":
            deleted_at = required(event, "time_us", epoch_micros)
            row_ = {
                "id": uri,
                "author_id": did,
                "deleted_at": deleted_at,
                "author_props": {"platform": PLATFORM},
            }
            return Record("post_deletions", f"delete:{uri}", row_)
        if operation not in ("create", "update"):
            raise Reject("commit.operation", f"unknown operation {str(operation)[:20]!r}")
        record = obj(commit.get("record"), "commit.record", required=True)
        if commit["collection"] == REPOST:
            return self._repost(uri, did, event, record)
        return self._post(uri, did, event, record)

    def _times(self, event: dict[str, Any], record: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        with within("commit.record"):
            created = required(record, "createdAt", parse_timestamp)
        props: dict[str, Any] = {"platform": PLATFORM}
        if event.get("time_us") is not None:
            props["seen_at"] = parsed("time_us", epoch_micros, event["time_us"])
        return created, props

    def _repost(self, uri: str, did: str, event: dict[str, Any], record: dict[str, Any]) -> Record:
        created, props = self._times(event, record)
        subject = obj(record.get("subject"), "commit.record.subject", required=True)
        shared = _at_uri("commit.record.subject.uri", subject.get("uri"))
        props["share_kind"] = "repost"
        row = post_row(uri, did, created, shared_post_id=shared, extra_props=props)
        row["author_props"] = {"platform": PLATFORM}
        return Record("posts_by_account", f"post:{uri}", row)

    def _post(self, uri: str, did: str, event: dict[str, Any], record: dict[str, Any]) -> Record:
        created, props = self._times(event, record)
        text = optional(record, "text", parse_text) if isinstance(record.get("text"), str) else None
        if record.get("text") is not None and text is None:
            raise Reject("commit.record.text", "expected text")
        urls: list[str] = []
        tags: list[str] = []
        for i, facet in enumerate(array(record.get("facets"), "commit.record.facets")):
            where = f"commit.record.facets[{i}]"
            for j, feature in enumerate(array(obj(facet, where).get("features"), where)):
                feature = obj(feature, f"{where}.features[{j}]")
                if feature.get("$type") == _LINK:
                    url = parsed(f"{where}.features[{j}].uri", parse_url, feature.get("uri"))
                    if url not in urls:
                        urls.append(url)
                elif feature.get("$type") == _TAG:
                    for tag in parsed(f"{where}.features[{j}].tag", parse_tags, feature.get("tag")):
                        if tag not in tags:
                            tags.append(tag)
        shared = self._embed(obj(record.get("embed"), "commit.record.embed"), urls, props)
        reply = obj(record.get("reply"), "commit.record.reply")
        for end, prop in (("parent", "reply_to_id"), ("root", "reply_root_id")):
            ref = obj(reply.get(end), f"commit.record.reply.{end}")
            if ref.get("uri") is not None:
                props[prop] = _at_uri(f"commit.record.reply.{end}.uri", ref["uri"])
        langs = array(record.get("langs"), "commit.record.langs")
        if langs and isinstance(langs[0], str):
            props["lang"] = parsed("commit.record.langs", parse_text, langs[0])
        row = post_row(
            uri, did, created, text=text, urls=urls, hashtags=tags,
            shared_post_id=shared, extra_props=props,
        )  # fmt: skip
        row["author_props"] = {"platform": PLATFORM}
        return Record("posts_by_account", f"post:{uri}", row)

    def _embed(self, embed: dict[str, Any], urls: list[str], props: dict[str, Any]) -> str | None:
        """Links, quoted post and image CIDs of an embed; returns the quoted post's URI."""
        kind = embed.get("$type")
        base = "commit.record.embed"
        shared: str | None = None
        media = embed
        if kind == "app.bsky.embed.recordWithMedia":
            media = obj(embed.get("media"), f"{base}.media")
            quoted = obj(obj(embed.get("record"), f"{base}.record").get("record"), f"{base}.record")
            shared = _at_uri(f"{base}.record.record.uri", quoted.get("uri"))
            base = f"{base}.media"
        elif kind == "app.bsky.embed.record":
            quoted = obj(embed.get("record"), f"{base}.record")
            shared = _at_uri(f"{base}.record.uri", quoted.get("uri"))
        if shared is not None:
            props["share_kind"] = "quote"
        if media.get("$type") == "app.bsky.embed.external":
            external = obj(media.get("external"), f"{base}.external")
            url = parsed(f"{base}.external.uri", parse_url, external.get("uri"))
            if url not in urls:
                urls.append(url)
        elif media.get("$type") == "app.bsky.embed.images":
            cids: list[str] = []
            for i, image in enumerate(array(media.get("images"), f"{base}.images")):
                blob = obj(obj(image, f"{base}.images[{i}]").get("image"), f"{base}.images[{i}]")
                link = obj(blob.get("ref"), f"{base}.images[{i}].image.ref").get("$link")
                if isinstance(link, str):
                    cids.append(parsed(f"{base}.images[{i}].image.ref", parse_id, link))
            if cids:
                props["image_cids"] = cids
        return shared

    def _identity(self, did: str, event: dict[str, Any]) -> Record:
        identity = obj(event.get("identity"), "identity", required=True)
        with within("identity"):
            handle = required(identity, "handle", parse_id).lower()
        at = self._event_time(event, identity, "identity")
        row = {
            "account_id": did,
            "handle": handle,
            "at": at,
            "author_props": {"platform": PLATFORM},
        }
        return Record("handle_changes", f"handle:{did}|{handle}|{at.isoformat()}", row)

    def _account(self, did: str, event: dict[str, Any]) -> Record:
        account = obj(event.get("account"), "account", required=True)
        with within("account"):
            active = required(account, "active", parse_bool)
            status = optional(account, "status", parse_text)
        at = self._event_time(event, account, "account")
        row = {
            "account_id": did,
            "active": active,
            "status": status or ("active" if active else None),
            "at": at,
            "author_props": {"platform": PLATFORM},
        }
        return Record("account_status", f"status:{did}|{at.isoformat()}", row)

    @staticmethod
    def _event_time(event: dict[str, Any], body: dict[str, Any], name: str) -> Any:
        if body.get("time") is not None:
            return parsed(f"{name}.time", parse_timestamp, body["time"])
        return required(event, "time_us", epoch_micros)
