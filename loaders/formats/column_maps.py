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

from cibgraph.loaders.formats import columns
from cibgraph.loaders.formats.bluesky_columns import map_bluesky
from cibgraph.loaders.formats.columns import Mapper, Result, format_results
from cibgraph.loaders.formats.common import FormatReader
from cibgraph.loaders.formats.meta_columns import map_meta
from cibgraph.loaders.formats.telegram_columns import map_telegram
from cibgraph.loaders.formats.twitter_columns import map_twitter

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
