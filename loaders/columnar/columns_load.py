"""A contract file of posts, accounts, pages or identifiers into the bulk sink (or a dry
run) by columns, batch by batch.

The same batches as ``load._FileLoad`` makes (``batch_size`` records, in file order, a
rejected row in no batch), the same rejects and warnings (every row the column checks
cannot vouch for goes through the row path, exactly as in ``columnar/validate.py``), and
the same ledger counts. What changes is how a batch whose records are all column-built
reaches the sink: as Arrow columns (``bulk/post_files.py`` for posts,
``bulk/column_rows.py`` for the rest), when the sink says it can route them exactly;
any other batch is built into records and written as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from cibgraph.core.batches import read_ahead
from cibgraph.core.runner import QueryRunner
from cibgraph.loaders.bulk.column_rows import take_actors, take_identifiers
from cibgraph.loaders.bulk.post_files import take_posts
from cibgraph.loaders.bulk.sink import CsvSink
from cibgraph.loaders.columnar.arrays import BlockColumns, Parsed, post_columns
from cibgraph.loaders.columnar.blocks import Block, ColumnarCsv
from cibgraph.loaders.columnar.tables import (
    actor_columns,
    actor_records,
    identifier_columns,
    identifier_records,
)
from cibgraph.loaders.columnar.validate import serves
from cibgraph.loaders.contract import CONTRACT
from cibgraph.loaders.interrupts import BatchBoundary
from cibgraph.loaders.ledger import FileLedger
from cibgraph.loaders.load import LoadOptions, LoadProgress, Source, write_batch
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.validate import ValidationContext

# bench/load.py and tests/unit/test_column_bulk.py turn it off: the record path, same run.
ENABLED = True
# Blocks read and checked ahead of the one being routed: two keep the worker busy while
# the sink works, and bound memory at a few blocks. 0: no worker (bench/load.py's
# baseline).
READ_AHEAD = 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

RowCheck = Callable[[RawRow], Record | Rejection]
# A row-path result accounted for (read, rejected or warned about): its record, if any.
Account = Callable[[RawRow, Record | Rejection], Record | None]
WriteRecords = Callable[[list[Record]], None]


class FileLoad(Protocol):
    """What ``load._FileLoad`` lends this module for one file."""

    runner: QueryRunner | None
    entry: FileLedger
    options: LoadOptions
    ctx: ValidationContext
    progress: LoadProgress
    validate: RowCheck

    def account(
        self, source: Source, raw: RawRow | None, result: Record | Rejection, abort: bool
    ) -> Record | None: ...


def applies(kind: str, source: object, runner: object, dry_run: bool) -> bool:
    return (
        ENABLED and kind in KINDS and isinstance(source, ColumnarCsv)
        and (dry_run or isinstance(runner, CsvSink))
    )  # fmt: skip


def load_file(file: FileLoad, source: ColumnarCsv, interrupts: BatchBoundary | None) -> None:
    """``load._FileLoad.run``'s batches for a posts file, by columns."""
    runner = file.runner

    def write(batch: list[Record]) -> None:
        assert runner is not None
        write_batch(runner, batch, file.entry)

    def after_batch() -> None:
        file.progress.update(file.entry, source.position())
        if interrupts is not None:
            interrupts.check()  # a Ctrl-C waits for the batch in flight

    def account(raw: RawRow, result: Record | Rejection) -> Record | None:
        return file.account(source, raw, result, abort=False)

    sink = runner if isinstance(runner, CsvSink) and not file.options.dry_run else None
    kind = KINDS[file.entry.kind]
    loader = BatchesByColumns(kind, sink, file.entry, file.options.batch_size, write, after_batch)
    load_blocks(source, file.entry.kind, file.ctx, file.validate, account, loader)


def post_records(posts: pa.Table) -> list[Record]:
    """Column-built posts as the records ``columnar/validate._posts`` builds."""
    out: list[Record] = []
    for post in posts.to_pylist():
        props: dict[str, Any] = {"created_at": _EPOCH + timedelta(microseconds=post["created_at"])}
        if post["image_hash"] is not None:
            props["image_hash"] = post["image_hash"]
        if post["text"] is not None:
            props["text"] = post["text"]
            if post["text_hash"] is not None:
                props["text_hash"] = post["text_hash"]
        if post["url_given"] is not None:
            props["url_given"] = post["url_given"]
        url, tags = post["url"], post["hashtags"]
        row = {
            "id": post["id"],
            "author_id": post["author_id"],
            "props": props,
            "author_props": {},
            "urls": [url] if url else [],
            "hashtags": list(tags) if tags else [],
            "shared_post_id": post["shared_post_id"],
        }
        out.append(Record(f"posts_by_{post['author_type']}", post["id"], row))
    return out


Build = Callable[[Block, ValidationContext, dict[str, dict[str, Parsed]]], BlockColumns]


@dataclass(frozen=True)
class ColumnKind:
    """How a kind goes by columns: a block's table, a batch of it into the sink (None:
    not exactly, send its records), and its records."""

    build: Build
    take: Callable[[CsvSink, pa.Table], int | None]
    records: Callable[[pa.Table], list[Record]]


KINDS: dict[str, ColumnKind] = {
    "posts": ColumnKind(post_columns, take_posts, post_records),
    "accounts": ColumnKind(
        partial(actor_columns, "accounts"),
        partial(take_actors, label="Account"),
        partial(actor_records, "accounts"),
    ),
    "pages": ColumnKind(
        partial(actor_columns, "pages"),
        partial(take_actors, label="Page"),
        partial(actor_records, "pages"),
    ),
    "identifiers": ColumnKind(identifier_columns, take_identifiers, identifier_records),
}


@dataclass
class _Batch:
    """The records of the batch being filled: record objects, or runs of block rows."""

    parts: list[Record | pa.Table] = field(default_factory=list)
    size: int = 0


class BatchesByColumns:
    def __init__(
        self,
        kind: ColumnKind,
        sink: CsvSink | None,  # None: a dry run, nothing written
        entry: FileLedger,
        batch_size: int,
        write_records: WriteRecords,
        after_batch: Callable[[], None],
    ) -> None:
        self.kind = kind
        self.sink = sink
        self.entry = entry
        self.batch_size = batch_size
        self.write_records = write_records
        self.after_batch = after_batch
        self.batch = _Batch()

    def _flush(self) -> None:
        batch, self.batch = self.batch, _Batch()
        if self.sink is not None and batch.size:
            self._write(batch)
        self.after_batch()

    def _write(self, batch: _Batch) -> None:
        assert self.sink is not None
        if all(isinstance(part, pa.Table) for part in batch.parts):
            tables = [part for part in batch.parts if isinstance(part, pa.Table)]
            rows = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
            created = self.kind.take(self.sink, rows)
            if created is not None:  # written: write_batch's counts for such a batch
                self.entry.written += batch.size
                self.entry.created += created
                return
        records: list[Record] = []
        for part in batch.parts:
            records.extend(self.kind.records(part) if isinstance(part, pa.Table) else [part])
        self.write_records(records)

    def add_record(self, record: Record) -> None:
        self.batch.parts.append(record)
        self.batch.size += 1
        if self.batch.size == self.batch_size:
            self._flush()

    def add_rows(self, table: pa.Table, start: int, stop: int) -> None:
        """Sure rows ``start:stop`` of a block's table."""
        self.entry.read += stop - start
        self.entry.valid += stop - start
        while start < stop:
            take = min(stop - start, self.batch_size - self.batch.size)
            self.batch.parts.append(table.slice(start, take))
            self.batch.size += take
            start += take
            if self.batch.size == self.batch_size:
                self._flush()

    def finish(self) -> None:
        if self.batch.size:
            self._flush()
        if self.sink is not None and self.sink.post_files is not None:
            self.sink.post_files.flush()  # before the next file reads the sink's sets


def load_blocks(
    source: ColumnarCsv,
    kind: str,
    ctx: ValidationContext,
    by_row: RowCheck,
    account: Account,
    loader: BatchesByColumns,
) -> None:
    """Every row of the file read, validated and accounted for, in file order."""

    def one(raw: RawRow) -> None:
        record = account(raw, by_row(raw))
        if record is not None:
            loader.add_record(record)

    prepared = _prepared(source, kind, ctx)
    for item, columns in read_ahead(prepared, READ_AHEAD) if READ_AHEAD else prepared:
        if isinstance(item, RawRow):
            one(item)
            continue
        if columns is None:  # a block the column checks trip over: its rows by the row path
            for index in range(item.rows):
                one(item.raw_row(index))
            continue
        unsure = np.flatnonzero(~columns.sure.to_numpy(zero_copy_only=False))
        start = 0
        for index in [*unsure.tolist(), item.rows]:
            if start < index:
                loader.add_rows(columns.table, start, index)
            if index < item.rows:
                one(item.raw_row(index))
            start = index + 1
    loader.finish()


def _prepared(
    source: ColumnarCsv, kind: str, ctx: ValidationContext
) -> Iterator[tuple[Block | RawRow, BlockColumns | None]]:
    """Each block read and its columns checked: the Arrow and DuckDB work, which runs
    mostly outside the GIL, so ``read_ahead`` does it while the sink takes the last."""
    spec, build = CONTRACT[kind], KINDS[kind].build
    caches: dict[str, dict[str, Parsed]] = {}  # the worker's alone
    for item in source.items(lambda header: serves(spec, header, ctx)):
        yield item, None if isinstance(item, RawRow) else _columns(build, item, ctx, caches)


def _columns(
    build: Build, block: Block, ctx: ValidationContext, caches: dict[str, dict[str, Parsed]]
) -> BlockColumns | None:
    try:
        return build(block, ctx, caches)
    except (ValueError, TypeError, ArithmeticError, pa.ArrowException):
        return None
