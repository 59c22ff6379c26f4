"""Which format a file holds, from its first bytes, when that is unambiguous.

Used by ``plan_load``: a file whose name is no contract kind is loaded in the format
its content shows, and a file given ``--format X`` that plainly holds another format
is refused with the right ``--format`` as the hint (loading a Telegram export as
Bluesky events would reject every row). Only signatures that no other format shares
count; anything else is "unknown" and the name or ``--format`` decides.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from pathlib import Path
from typing import Any

from cibgraph.loaders.sources import GZIP_MAGIC

HEAD = 1 << 16
_TELEGRAM = re.compile(r'"messages"\s*:\s*\[|"personal_information"\s*:|"chats"\s*:\s*\{\s*"about"')
_JETSTREAM_KINDS = {"commit", "identity", "account"}
_CSV_SIGNATURES = (
    ("meta-content-library", {"id", "creation_time", "post_owner.id"}),
    ("coortweet", {"account_id", "timestamp_share"}),
    ("cnt", {"message_id", "user_id", "repost_id", "timestamp"}),
)


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(HEAD)
        if data[:2] == GZIP_MAGIC:
            with gzip.open(path, "rb") as handle:
                data = handle.read(HEAD)
    except (OSError, EOFError, zlib.error):
        return ""
    return data.decode("utf-8-sig", errors="replace")


def _json_kind(value: dict[str, Any]) -> str | None:
    if value.get("kind") in _JETSTREAM_KINDS and isinstance(value.get("did"), str):
        return "bluesky"
    if "__twarc" in value or (
        isinstance(value.get("data"), list | dict) and ("includes" in value or "meta" in value)
    ):
        return "twitter-v2"
    if "messages" in value or "personal_information" in value:
        return "telegram"
    return None


def sniff(path: Path) -> str | None:
    """The format name (telegram, bluesky, twitter-v2, meta-content-library, coortweet,
    cnt) the file's start shows, or None when it shows none unambiguously."""
    head = _head(path).lstrip()
    if not head:
        return None
    if head.startswith("{"):
        first = head.split("\n", 1)[0]
        try:
            value = json.loads(first)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            return _json_kind(value)
        return "telegram" if _TELEGRAM.search(head) else None
    try:
        header = next(csv.reader(io.StringIO(head.split("\n", 1)[0])))
    except (csv.Error, StopIteration):
        return None
    columns = {h.strip() for h in header}
    for name, needed in _CSV_SIGNATURES:
        if needed <= columns:
            return name
    return None
