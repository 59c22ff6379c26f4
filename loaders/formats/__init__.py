"""The formats investigators hold now, each read into the contract's records.

``cib load FILE --format NAME`` (or recognised by content, ``loaders/formats/sniff.py``):
one module per format, each a ``FormatReader`` that turns its file into items and
each item into one record or one rejection, so validation, stubs, hashing, the
ledger and the rejects files work as for contract files.
"""

from __future__ import annotations

from pathlib import Path

from cibgraph.loaders.formats.bluesky import BlueskyReader
from cibgraph.loaders.formats.common import FormatReader
from cibgraph.loaders.formats.meta_content_library import MetaContentLibraryReader
from cibgraph.loaders.formats.telegram import TelegramReader
from cibgraph.loaders.formats.twitter_v2 import TwitterV2Reader
from cibgraph.loaders.validate import ValidationContext

READERS: dict[str, type[FormatReader]] = {
    reader.name: reader
    for reader in (TelegramReader, BlueskyReader, TwitterV2Reader, MetaContentLibraryReader)
}
FORMAT_NAMES = tuple(READERS)
__all__ = ["FORMAT_NAMES", "READERS", "FormatReader", "open_reader"]


def open_reader(fmt: str, path: Path, ctx: ValidationContext) -> FormatReader:
    return READERS[fmt](path, ctx)
