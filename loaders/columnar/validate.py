"""Validating a contract file by columns: each block's columns checked at once
(``cells.py``), rows built from the checked columns, and every row with a cell the
column checks cannot vouch for validated by the row path, exactly as before.

What comes out is what ``validate_row`` gives, row for row, in file order: the same
``Record`` (statement, key, row) or the same ``Rejection``; a test runs the fuzz
corpus through both paths and compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.columnar.blocks import Block, ColumnarCsv
from cibgraph.loaders.columnar.cells import Checked, check_column, text_of
from cibgraph.loaders.contract import CONTRACT, FileSpec
from cibgraph.loaders.fingerprints import text_hash
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.urls import keep_given_url
from cibgraph.loaders.validate import BUILDERS, ValidationContext
from cibgraph.loaders.values import BadValue

Result = Record | Rejection
RowCheck = Callable[[RawRow], Result]
# (the row, when one was read or had to be made; its result)
Item = tuple[RawRow | None, Result]


def serves(spec: FileSpec, header: list[str], ctx: ValidationContext) -> bool:
    """Headers the column path serves: every required column present, and no extra
    column to keep (``--keep-extra`` rows are rare enough for the row path)."""
    if any(name not in header for name in spec.required):
        return False
    return not (ctx.keep_extra and any(name not in spec.names for name in header))


def checked_columns(spec: FileSpec, block: Block, ctx: ValidationContext) -> dict[str, Checked]:
    out: dict[str, Checked] = {}
    for column in spec.columns:
        if column.name in block.table.column_names:
            array = block.table.column(column.name).combine_chunks()
            out[column.name] = check_column(column, array, assume_utc=ctx.assume_utc)
    return out


def _sure(block: Block, columns: dict[str, Checked]) -> list[bool]:
    sure: pa.BooleanArray = pa.array([True] * block.rows, pa.bool_())
    for checked in columns.values():
        sure = pc.and_(sure, checked.sure)
    return sure.to_pylist()  # type: ignore[no-any-return]


def _values(spec: FileSpec, block: Block, columns: dict[str, Checked]) -> dict[str, list[Any]]:
    absent = [None] * block.rows
    return {c.name: columns[c.name].values if c.name in columns else absent for c in spec.columns}


def _posts(
    block: Block, v: dict[str, list[Any]], sure: list[bool], ctx: ValidationContext
) -> Iterator[Record | None]:
    """Posts, the big file, built without a dict of values per row: as
    ``validate._post`` / ``post_row`` build them."""
    hashes = text_of(v["text"], text_hash)
    # The URL as written, for url_given (keep_given_url, as validate_row does).
    given = (
        block.table.column("url").to_pylist()
        if "url" in block.table.column_names
        else [None] * block.rows
    )
    rows = zip(
        sure,
        v["post_id"],
        v["author_id"],
        v["author_type"],
        v["created_at"],
        v["text"],
        hashes,
        v["url"],
        v["hashtags"],
        v["shared_post_id"],
        v["image_hash"],
        given,
        strict=True,
    )
    for (
        ok,
        post_id,
        author_id,
        author_type,
        created_at,
        text,
        digest,
        url,
        tags,
        shared,
        image,
        url_as_given,
    ) in rows:
        if not ok:
            yield None
            continue
        props: dict[str, Any] = {"created_at": created_at}
        if image is not None:
            props["image_hash"] = image
        if text is not None:
            props["text"] = text
            if digest is not None:
                props["text_hash"] = digest
        row = {
            "id": post_id,
            "author_id": author_id,
            "props": props,
            "author_props": {},
            "urls": [url] if url else [],
            "hashtags": list(tags) if tags else [],
            "shared_post_id": shared,
        }
        keep_given_url(row, url, url_as_given)
        yield Record(f"posts_by_{author_type}", post_id, row)


def _generic(
    kind: str, block: Block, v: dict[str, list[Any]], sure: list[bool], ctx: ValidationContext
) -> Iterator[Record | None]:
    build = BUILDERS[kind]
    names = list(v)
    for index, ok in enumerate(sure):
        if not ok:
            yield None
            continue
        try:
            yield build({name: v[name][index] for name in names}, ctx)
        except BadValue:  # the identifier's value: the row path says why, with its column
            yield None


def block_results(
    kind: str, block: Block, ctx: ValidationContext, by_row: RowCheck
) -> Iterator[Item]:
    """Every record of the block, in order, with its result."""
    spec = CONTRACT[kind]
    columns = checked_columns(spec, block, ctx)
    sure = _sure(block, columns)
    values = _values(spec, block, columns)
    if kind == "posts":
        built = _posts(block, values, sure, ctx)
    else:
        built = _generic(kind, block, values, sure, ctx)
    for index, record in enumerate(built):
        if record is None:
            raw = block.raw_row(index)
            yield raw, by_row(raw)
        else:
            yield None, record


def columnar_results(
    kind: str, source: ColumnarCsv, ctx: ValidationContext, by_row: RowCheck
) -> Iterator[Item]:
    """The file's results: blocks by columns, the rest (if any) by rows."""
    spec = CONTRACT[kind]
    for item in source.items(lambda header: serves(spec, header, ctx)):
        if isinstance(item, RawRow):
            yield item, by_row(item)
            continue
        try:
            results = list(block_results(kind, item, ctx, by_row))
        except (ValueError, TypeError, ArithmeticError, pa.ArrowException):
            # A block the column checks trip over: its rows by the row path, each.
            results = [(raw, by_row(raw)) for raw in map(item.raw_row, range(item.rows))]
        yield from results
