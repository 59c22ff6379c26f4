"""The formats by columns: each item mapped without a parser call, its cells checked a
batch at a time by the Arrow checks of ``loaders/columnar``, and every item those checks
cannot vouch for validated by the record path (``FormatReader.validate``), exactly as
before.

A format's column mapper (``loaders/formats/*_columns.py``) reads one item as its
record path does, but where the record path would call a parser it hands the raw cell
to ``Cells`` instead: an id, a text, a timestamp, a URL. It writes the record with the
cells' values as given; after the batch's checks, a sure id or text is what its parser
would have returned (ids and texts come back unchanged), and timestamps, canonical URLs
and text fingerprints are filled in. Whatever the mapper does not know how to map it
declines (``None``), and an item with any cell the checks are unsure of is declined too:
both go to the record path, which gives the same record or the rejection with its line,
column and reason. What comes out is the record path's results, item for item, in file
order (tests/unit/test_format_columns.py compares both paths on every fixture, seeded
mutations of them and the common shapes; bench/formats.py on its files).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.columnar.arrays import Parsed, check_arrow, check_shaped
from cibgraph.loaders.columnar.hashes import text_hashes
from cibgraph.loaders.contract import Column, FieldType
from cibgraph.loaders.formats.common import FormatReader, ItemRow
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import FileProblem, RawRow

# Turned off by bench/formats.py and the tests: the record path, in the same run.
ENABLED = True
BATCH = 4096  # items checked at once: Arrow's per-call cost is spread, memory stays flat

_ID = Column("id", FieldType.ID, required=True)
_TEXT = Column("text", FieldType.TEXT)
_TIME = Column("time", FieldType.TIMESTAMP, required=True)
_URL = Column("url", FieldType.URL, required=True)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# ``+hhmm`` as ``+hh:mm`` (Meta's creation_time): the form the timestamp check knows;
# ``datetime.fromisoformat`` reads both as the same moment.
_COMPACT_OFFSET = r"([+-]\d\d)(\d\d)$"


class Cells:
    """The cells of one batch of items, each with the item (``row``) it belongs to."""

    def __init__(self) -> None:
        self.row = 0
        self.ids: list[str] = []
        self.id_rows: list[int] = []
        self.texts: list[str] = []
        self.text_rows: list[int] = []
        # Texts that are fingerprinted: the props the fingerprint goes to, and for a
        # Telegram forward the row and origin its shared post id is made of.
        self.hashed: list[str] = []
        self.hash_rows: list[int] = []
        self.hash_into: list[tuple[dict[str, Any], Any]] = []
        self.times: list[str] = []
        self.time_rows: list[int] = []
        self.time_into: list[tuple[dict[str, Any], str]] = []
        self.urls: list[str] = []
        self.url_rows: list[int] = []
        self.url_into: list[list[str]] = []
        self.notes: dict[int, str] = {}  # a note the item's record path would count

    def id(self, value: str) -> str:
        self.ids.append(value)
        self.id_rows.append(self.row)
        return value

    def text(self, value: str) -> str:
        self.texts.append(value)
        self.text_rows.append(self.row)
        return value

    def hashed_text(self, value: str, props: dict[str, Any], forward: Any = None) -> None:
        """``props['text']`` (set by the mapper) gets its ``text_hash``; ``forward`` is
        (row, origin key) of a forward whose shared post id is made of it."""
        self.hashed.append(value)
        self.hash_rows.append(self.row)
        self.hash_into.append((props, forward))

    def time(self, value: str, into: dict[str, Any], key: str) -> None:
        self.times.append(value)
        self.time_rows.append(self.row)
        self.time_into.append((into, key))

    def url(self, value: str, into: list[str]) -> None:
        """The URL's canonical form is appended to ``into`` unless already there."""
        self.urls.append(value)
        self.url_rows.append(self.row)
        self.url_into.append(into)


def _unsure(rows: list[int], sure: pa.BooleanArray, unsure: npt.NDArray[np.bool_]) -> None:
    if rows:
        mask = ~sure.to_numpy(zero_copy_only=False)
        unsure[np.asarray(rows, dtype=np.int64)[mask]] = True


def settle(cells: Cells, count: int, url_cache: dict[str, Parsed], fill: bool = True) -> list[bool]:
    """Check the batch's cells and, with ``fill``, fill in the values of the items that
    are sure; returns which of the ``count`` items are not (their cells are not used).
    Without ``fill`` (a dry run: records counted, never written) the records keep their
    cells as given and no fingerprint is taken: the checks, which decide, are the same."""
    unsure = np.zeros(count, dtype=bool)
    if cells.ids:
        _unsure(cells.id_rows, check_arrow(_ID, pa.array(cells.ids, pa.string())).sure, unsure)
    if cells.texts:
        checked = check_arrow(_TEXT, pa.array(cells.texts, pa.string()))
        _unsure(cells.text_rows, checked.sure, unsure)
    if cells.hashed:
        texts = pa.array(cells.hashed, pa.string())
        _unsure(cells.hash_rows, check_arrow(_TEXT, texts).sure, unsure)
    if cells.times:
        times = pc.replace_substring_regex(
            pa.array(cells.times, pa.string()), _COMPACT_OFFSET, r"\1:\2"
        )
        micros = check_arrow(_TIME, times)
        _unsure(cells.time_rows, micros.sure, unsure)
    if cells.urls:
        canonical, _ = check_shaped(pa.array(cells.urls, pa.string()), _URL, False, url_cache)
        _unsure(cells.url_rows, canonical.sure, unsure)
    out: list[bool] = unsure.tolist()
    if not fill:
        return out
    if cells.times:
        for row, (into, key), m in zip(
            cells.time_rows, cells.time_into, micros.values.to_pylist(), strict=True
        ):
            if not out[row]:
                into[key] = _EPOCH + timedelta(microseconds=m)
    if cells.hashed:
        digests = text_hashes(texts).to_pylist()
        for row, (props, forward), digest in zip(
            cells.hash_rows, cells.hash_into, digests, strict=True
        ):
            if out[row] or digest is None:
                continue
            props["text_hash"] = digest
            if forward is not None:
                record_row, origin_key = forward
                record_row["shared_post_id"] = f"{origin_key}/forward:{digest}"
    if cells.urls:
        for row, urls, url in zip(
            cells.url_rows, cells.url_into, canonical.values.to_pylist(), strict=True
        ):
            if not out[row] and url not in urls:
                urls.append(url)
    return out


Mapper = Callable[[Any, ItemRow, Cells], Record | None]
Result = tuple[RawRow | None, Record | Rejection]


class _Batch:
    """The items read for one batch, their drafts (None: the record path's) and cells."""

    def __init__(self) -> None:
        self.items: list[RawRow] = []
        self.drafts: list[Record | None] = []
        self.cells = Cells()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while a batch is read, mapped and settled. Its items
    (decoded JSON: a dozen dicts and lists each) stay alive until then, so the collector
    would walk them again and again as they age (bench/formats.py measured it at a third
    of the JSON formats' time); they hold no cycles and are freed by their counts before
    it runs again. The collector runs as usual while the batch's results are used."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_batch(
    reader: FormatReader, rows: Iterator[RawRow], mapper: Mapper, batch: _Batch
) -> None:
    """Up to ``BATCH`` items into ``batch``, each mapped (a ``FileProblem`` is the
    caller's, with the items read before it in ``batch``)."""
    items, drafts, cells = batch.items, batch.drafts, batch.cells
    for raw in rows:
        cells.row = len(items)
        draft = None
        if raw.problem is None and isinstance(raw, ItemRow):
            try:
                draft = mapper(reader, raw, cells)
            except (ValueError, TypeError, RecursionError, OverflowError):
                draft = None  # the record path says what is wrong with it
        items.append(raw)
        drafts.append(draft)
        if len(items) == BATCH:
            break


def format_results(
    reader: FormatReader, mapper: Mapper, served: list[int] | None = None, fill: bool = True
) -> Iterator[Result]:
    """Every item of the reader's file with its result, in file order: (None, record)
    for a record the column path built (it is neither rejected nor warned about: no
    row text is needed, and the item is not kept), else (the item, the record path's
    result). ``served``, when given, counts [built by columns, by the record path];
    ``fill``: as ``settle``'s (False for a dry run only)."""
    served = [0, 0] if served is None else served
    url_cache: dict[str, Parsed] = {}

    def settled(batch: _Batch) -> list[Result]:
        unsure = settle(batch.cells, len(batch.items), url_cache, fill)
        notes = batch.cells.notes
        results: list[Result] = []
        for index, (raw, draft) in enumerate(zip(batch.items, batch.drafts, strict=True)):
            if draft is None or unsure[index]:
                served[1] += 1
                results.append((raw, reader.validate(raw)))
                continue
            served[0] += 1
            if notes:
                note = notes.get(index)
                if note is not None:
                    reader.notes[note] += 1
            results.append((None, draft))
        return results

    rows = reader.rows()
    while True:
        batch = _Batch()
        problem: FileProblem | None = None
        with _no_cycle_collection():
            try:
                _read_batch(reader, rows, mapper, batch)
            except FileProblem as exc:
                problem = exc  # raised once what was read before is accounted for
            results = settled(batch)
            done = problem is not None or len(batch.items) < BATCH
            del batch  # the items go before the collector runs again
        yield from results
        if problem is not None:
            raise problem  # the file stops here, as by the record path
        if done:
            return
