"""Telegram Desktop exports for the column path (``columns.py``): ``telegram.py``'s
mapping, field for field, with ids, texts, timestamps and URLs handed to ``Cells``."""

from __future__ import annotations

from typing import Any

from cibgraph.loaders.formats import telegram
from cibgraph.loaders.formats.column_fields import Decline, ident, post_row
from cibgraph.loaders.formats.columns import Cells
from cibgraph.loaders.formats.common import ItemRow
from cibgraph.loaders.records import Record
from cibgraph.loaders.values import normalise_tag


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
    message_id = ident(cells, msg.get("id"))
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
        props["reply_to_id"] = f"{chat_peer}/{ident(cells, msg['reply_to_message_id'])}"
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
    record = post_row(post_id, author, props, text or None, cells, author_props, hashtags=tags)
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
