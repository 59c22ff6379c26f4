"""Telegram Desktop's JSON export (``result.json``): one chat, or a whole account.

A single-chat export is ``{name, type, id, messages: [...]}``; the full-account
export holds the same objects under ``chats.list`` (and ``left_chats.list``). Every
channel or group becomes a page (``channel<id>``, or ``chat<id>`` for a basic
group); messages become posts by their sender: ``from_id`` ``user<id>`` is an
account, ``channel<id>``/``chat<id>`` a page. Message ids are per chat, so a post's
id is ``<chat peer>/<message id>``.

- ``date`` is local time without an offset: ``date_unixtime`` is used instead.
- ``text`` is a string or a list of strings and entities; links come from ``link``
  (scheme added when typed without one) and ``text_link`` (its ``href``), hashtags
  from ``hashtag`` entities.
- A forward names its origin by display name only (``forwarded_from``). The name is
  resolved to an actor seen so far in the file (a chat's name, or a sender's
  ``from``); it is counted in the ledger and marked on the post
  (``forward_resolved_by = 'name'``). Two forwards of the same origin and text
  share one origin post, so co-forwarding is co-sharing.
- Replies keep ``reply_to_id``; photos and other media keep their file reference as
  ``image``/``media_type`` properties. Service messages (joins, pins) are skipped and
  counted. ``line`` in the rejects is the message's position in the file (1-based)
  and ``column`` its path, e.g. ``chats.list[2].messages[17].date_unixtime``.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cibgraph.loaders.fingerprints import text_hash
from cibgraph.loaders.formats.common import (
    FormatReader,
    ItemRow,
    Reject,
    array,
    optional,
    parsed,
    required,
    text_id,
)
from cibgraph.loaders.formats.jsonstream import JsonStream
from cibgraph.loaders.records import Record
from cibgraph.loaders.sources import (
    GZIP_MAGIC,
    RawRow,
    has_bad_utf8,
    printable,
    surrogate_key,
)
from cibgraph.loaders.validate import ValidationContext, post_row
from cibgraph.loaders.values import normalise_tag, parse_text, parse_timestamp, parse_url

PLATFORM = "telegram"
_GROUP_TYPES = {"private_group"}
_PAGE_TYPES = {
    "public_channel",
    "private_channel",
    "public_supergroup",
    "private_supergroup",
    "private_group",
}
_UNENCODABLE = re.compile("[\ud800-\udfff]")
_NOT_FILES = ("(File not included", "(File exceeds maximum size")


def _peer_label(peer: str) -> str:
    if peer.startswith("user"):
        return "account"
    if peer.startswith(("channel", "chat")):
        return "page"
    raise Reject("from_id", f"unknown sender kind {peer[:30]!r} (expected user…, channel…)")


class _Chat:
    def __init__(self, where: str) -> None:
        self.where = where
        self.meta: dict[str, Any] = {}
        self.peer: str | None = None

    def settle(self) -> None:
        chat_id = self.meta.get("id")
        chat_type = self.meta.get("type")
        if not isinstance(chat_type, str):
            chat_type = None  # a list or object here is no chat type (and not hashable)
        if isinstance(chat_id, int | str) and not isinstance(chat_id, bool):
            if chat_type in _GROUP_TYPES:
                self.peer = f"chat{chat_id}"
            elif chat_type in _PAGE_TYPES:
                self.peer = f"channel{chat_id}"
            else:  # personal chats, saved messages, bots: messages still have senders
                self.peer = f"dialog{chat_id}"


class TelegramReader(FormatReader):
    name = "telegram"

    def __init__(self, path: Path, ctx: ValidationContext) -> None:
        super().__init__(path, ctx)
        self._raw: IO[bytes] | None = None
        self._names: dict[str, set[str]] = {}  # display name -> peers seen with it
        self._ordinal = 0

    def position(self) -> int:
        if self._raw is None or self._raw.closed:
            return self.size
        return self._raw.tell()

    def _open(self) -> io.TextIOWrapper:
        self._raw = self.path.open("rb")
        binary: IO[bytes] = self._raw
        if self._raw.read(2) == GZIP_MAGIC:
            self._raw.seek(0)
            binary = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
        else:
            self._raw.seek(0)
        # surrogateescape, as for contract files: a message with bytes that are not
        # UTF-8 is rejected as such, not loaded with its text silently changed.
        return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape")

    def rows(self) -> Iterator[RawRow]:
        text = self._open()
        try:
            stream = JsonStream(text, self.path.name)
            yield from self._chat(stream, _Chat(""), top=True)
        finally:
            text.close()
            if self._raw is not None:
                self._raw.close()

    def _seen(self, name: Any, peer: Any) -> None:
        if isinstance(name, str) and name and isinstance(peer, str):
            self._names.setdefault(name, set()).add(peer)

    def _chat(self, stream: JsonStream, chat: _Chat, top: bool = False) -> Iterator[RawRow]:
        for key in stream.members():
            if key == "messages":
                chat.settle()
                if chat.peer is not None and not chat.peer.startswith("dialog"):
                    self._seen(chat.meta.get("name"), chat.peer)
                    self._ordinal += 1
                    yield ItemRow(
                        self._ordinal, dict(chat.meta), chat.where or "chat", ("chat", chat)
                    )
                yield from self._messages(stream, chat)
            elif top and key in ("chats", "left_chats"):
                for inner in stream.members():
                    if inner != "list":
                        stream.value()
                        continue
                    for chat_rows in self._chat_list(stream, f"{key}.list"):
                        yield from chat_rows
            elif key in ("name", "type", "id"):
                value, _, problem = stream.value()
                if isinstance(value, str) and _UNENCODABLE.search(value):
                    value = value.encode("utf-8", "replace").decode()  # a chat's name: kept
                if problem is None:
                    chat.meta[key] = value
            else:
                stream.value()

    def _chat_list(self, stream: JsonStream, where: str) -> Iterator[Iterator[RawRow]]:
        stream.expect("[")
        index = 0
        if stream.peek() == "]":
            stream.pos += 1
            return
        while True:
            if stream.peek() == "{":
                yield self._chat(stream, _Chat(f"{where}[{index}]"))
            else:
                stream.value()
            index += 1
            following = stream.peek()
            stream.pos += 1
            if following == "]":
                return
            if following != ",":
                raise stream._fail("expected ',' or ']' in the chat list")

    def _messages(self, stream: JsonStream, chat: _Chat) -> Iterator[RawRow]:
        base = f"{chat.where}.messages" if chat.where else "messages"
        for index, (value, text, problem) in enumerate(stream.elements()):
            where = f"{base}[{index}]"
            if problem is None and isinstance(value, dict):
                if value.get("type") == "service":
                    self.skipped["service messages"] += 1
                    continue
                self._seen(value.get("from"), value.get("from_id"))
            self._ordinal += 1
            reason = problem.reason if problem else None
            if reason is None and has_bad_utf8(text):
                reason, value = "invalid UTF-8", None
                text = printable(text)
            elif reason is None and surrogate_key(text, value) is not None:
                # JSON may spell a lone surrogate as an escape; no driver can send it.
                reason, value = "invalid Unicode: a lone surrogate escape (\\udXXX)", None
            if reason is None and not isinstance(value, dict):
                reason = f"expected a message object, got {type(value).__name__}"
            context = ("message", chat.peer, self._origins(value) if reason is None else None)
            yield ItemRow(self._ordinal, value, where, context, text=text, problem=reason)

    def _origins(self, msg: dict[str, Any]) -> frozenset[str] | None:
        """The peers a forward's display name names when it is read: what its origin is
        resolved by, whenever the message is validated (the column path validates some
        later, when more names have been seen)."""
        name = msg.get("forwarded_from")
        if isinstance(name, bool | int | float):
            name = str(name)  # as parse_text reads it
        if msg.get("forwarded_from_id") is not None or not isinstance(name, str) or not name:
            return None
        return frozenset(self._names.get(name, ()))

    def validate(self, raw: RawRow) -> Any:
        if isinstance(raw, ItemRow) and raw.problem is not None:
            raw.column = raw.where
        return super().validate(raw)

    # mapping --------------------------------------------------------------------------

    def record(self, row: ItemRow) -> Record:
        if row.context[0] == "chat":
            return self._page(row.item, row.context[1])
        _, peer, origins = row.context
        return self._message(row.item, peer, origins)

    def _page(self, meta: dict[str, Any], chat: _Chat) -> Record:
        assert chat.peer is not None
        props: dict[str, Any] = {"platform": PLATFORM}
        name = optional(meta, "name", parse_text)
        if name is not None:
            props["name"] = name
        if isinstance(meta.get("type"), str):
            props["category"] = parsed("type", parse_text, meta["type"])
        return Record("pages", f"page:{chat.peer}", {"id": chat.peer, "props": props})

    def _message(
        self, msg: dict[str, Any], peer: str | None, origins: frozenset[str] | None
    ) -> Record:
        message_id = required(msg, "id", text_id)
        created_at = required(msg, "date_unixtime", parse_timestamp)
        sender = msg.get("from_id")
        if sender is None and peer and peer.startswith("channel"):
            sender = peer  # channel posts of older exports name no sender
        author = parsed("from_id", text_id, sender) if sender is not None else None
        if author is None:
            raise Reject("from_id", "missing required field 'from_id'")
        label = _peer_label(author)
        chat_peer = peer or "chat"
        post_id = f"{chat_peer}/{message_id}"
        text, urls, tags = _text(msg.get("text"))
        props: dict[str, Any] = {"platform": PLATFORM}
        for field, prop in (("reply_to_message_id", "reply_to_id"),):
            if msg.get(field) is not None:
                props[prop] = f"{chat_peer}/{parsed(field, text_id, msg[field])}"
        edited = msg.get("edited_unixtime")
        if edited is not None:
            props["edited_at"] = parsed("edited_unixtime", parse_timestamp, edited)
        for field in ("photo", "file", "thumbnail"):
            ref = msg.get(field)
            if isinstance(ref, str) and ref and not ref.startswith(_NOT_FILES):
                props["image" if field == "photo" else f"{field}_ref"] = parsed(
                    field, parse_text, ref
                )
        if isinstance(msg.get("media_type"), str):
            props["media_type"] = parsed("media_type", parse_text, msg["media_type"])
        elif "photo" in msg:
            props["media_type"] = "photo"
        author_props: dict[str, Any] = {"platform": PLATFORM}
        if isinstance(msg.get("from"), str) and msg["from"]:
            author_props["display_name" if label == "account" else "name"] = parsed(
                "from", parse_text, msg["from"]
            )
        row = post_row(post_id, author, created_at, text=text or None, urls=urls, hashtags=tags)
        row["props"].update(props)
        row["author_props"] = author_props
        origin = msg.get("forwarded_from")
        if origin is None and msg.get("forwarded_from_id") is None:
            return Record(f"posts_by_{label}", f"post:{post_id}", row)
        return self._forward(msg, row, label, text, origins)

    def _forward(
        self,
        msg: dict[str, Any],
        row: dict[str, Any],
        label: str,
        text: str,
        origins: frozenset[str] | None,
    ) -> Record:
        name = msg.get("forwarded_from")
        name = parsed("forwarded_from", parse_text, name) if name is not None else None
        origin: str | None = None
        if msg.get("forwarded_from_id") is not None:
            origin = parsed("forwarded_from_id", text_id, msg["forwarded_from_id"])
            _peer_label(origin)
            row["props"]["forward_resolved_by"] = "id"
        elif name:
            peers = origins or frozenset()
            if len(peers) == 1:
                origin = next(iter(peers))
                row["props"]["forward_resolved_by"] = "name"
                self.notes["forwards whose origin was resolved by display name"] += 1
            else:
                why = "ambiguous" if peers else "unknown"
                self.notes[f"forwards from an {why} display name (kept by name only)"] += 1
        if name:
            row["props"]["forwarded_from"] = name
        fingerprint = text_hash(text) if text else None
        origin_key = origin or (f"name:{name}" if name else None)
        row["origin_id"] = origin
        row["origin_is_page"] = origin is not None and _peer_label(origin) == "page"
        if fingerprint is not None and origin_key is not None:
            # The original message's id is not in the export: the same origin and the
            # same text are the same original.
            row["shared_post_id"] = f"{origin_key}/forward:{fingerprint}"
        key = f"post:{row['id']}"
        return Record(f"forwards_by_{label}", key, row)


def _text(value: Any) -> tuple[str, list[str], list[str]]:
    """Plain text, links and hashtags of a message's ``text`` (string or entity list)."""
    if value is None:
        return "", [], []
    if isinstance(value, str):
        return parsed("text", parse_text, value), [], []
    parts: list[str] = []
    urls: list[str] = []
    tags: list[str] = []
    for index, piece in enumerate(array(value, "text")):
        column = f"text[{index}]"
        if isinstance(piece, str):
            parts.append(piece)
            continue
        if not isinstance(piece, dict):
            raise Reject(column, f"expected text or an entity, got {type(piece).__name__}")
        shown = piece.get("text", "")
        if not isinstance(shown, str):
            raise Reject(f"{column}.text", f"expected text, got {type(shown).__name__}")
        parts.append(shown)
        kind = piece.get("type")
        link: Any = None
        if kind == "link":
            link = shown if "://" in shown else f"https://{shown}"
        elif kind == "text_link":
            link = piece.get("href")
        elif kind == "hashtag":
            tag = normalise_tag(shown)
            if tag and tag not in tags and len(tag) <= 200:
                tags.append(tag)
        if link is not None:
            url = parsed(f"{column}.href" if kind == "text_link" else column, parse_url, link)
            if url not in urls:
                urls.append(url)
    return parsed("text", parse_text, "".join(parts)), urls, tags
