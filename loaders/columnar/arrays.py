"""A block's posts as Arrow columns, for the rows ``cells.py`` is sure of, with no
Python object per row: the values ``validate._post`` would put in a row, as the
importer's CSV cells (``bulk/columns.py``'s ``_cell``) would show them.

The sure mask is ``cells.py``'s, cell for cell (the same shapes, the same exact parser
once per distinct URL and hashtag cell); only the values stay in Arrow: timestamps as
microseconds and their ``datetime.isoformat()`` text, texts as they are, their
``text_hash`` (``hashes.py``), the URL's canonical form and, where canonicalising
changed it, the URL as given (``urls.keep_given_url``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.columnar import cells
from cibgraph.loaders.columnar.blocks import Block
from cibgraph.loaders.columnar.hashes import text_hashes
from cibgraph.loaders.contract import CONTRACT, MAX_ID_LENGTH, MAX_TEXT_LENGTH, Column, FieldType
from cibgraph.loaders.validate import ValidationContext
from cibgraph.loaders.values import MAX_EPOCH, MIN_EPOCH, BadValue, is_missing, parse

_NULL = pa.scalar(None, pa.string())
# The parser's result types of the columns parsed once per distinct value.
_DISTINCT_TYPES = {FieldType.URL: pa.string(), FieldType.TAGS: pa.list_(pa.string())}


@dataclass
class ArrowChecked:
    values: pa.Array  # null where missing or not sure
    sure: pa.BooleanArray


def _kept(array: pa.Array, sure: pa.BooleanArray) -> pa.Array:
    keep = pc.and_(sure, pc.invert(cells._empty(array)))
    return pc.if_else(keep, array, _NULL)


def _ids(array: pa.Array, column: Column) -> ArrowChecked:
    plain = pc.and_(
        cells._mask(array, cells._PLAIN_ID),
        pc.less_equal(pc.utf8_length(array), MAX_ID_LENGTH),
    )
    sure = cells._or_missing(plain, array, column)
    return ArrowChecked(_kept(array, sure), sure)


def _texts(array: pa.Array, column: Column) -> ArrowChecked:
    fits = pc.and_(
        pc.invert(pc.match_substring(array, "\x00")),
        pc.less_equal(pc.utf8_length(array), MAX_TEXT_LENGTH),
    )
    sure = cells._or_missing(pc.and_(fits, cells._mask(array, cells._HAS_CONTENT)), array, column)
    return ArrowChecked(_kept(array, sure), sure)


def _enums(array: pa.Array, column: Column) -> ArrowChecked:
    choices = pa.array(column.choices, pa.string())
    sure = cells._or_missing(pc.is_in(array, choices), array, column)
    return ArrowChecked(_kept(array, sure), sure)


def _timestamps(array: pa.Array, column: Column) -> ArrowChecked:
    """Microseconds since the epoch (UTC), as ``cells._timestamps`` computes them."""
    iso = cells._mask(array, cells._ISO)
    filler = pa.scalar("2000-01-01T00:00:00+00:00")
    iso = pc.and_(iso, cells._valid_days(pc.if_else(iso, array, filler)))
    moments = pc.cast(pc.if_else(iso, array, filler), pa.timestamp("us", tz="UTC"))
    micros = pc.cast(moments, pa.int64())
    digits = cells._mask(array, cells._EPOCH_DIGITS)
    seconds = pc.cast(pc.if_else(digits, array, pa.scalar("0")), pa.int64())
    epoch = pc.and_(
        digits,
        pc.and_(pc.greater_equal(seconds, MIN_EPOCH), pc.less_equal(seconds, MAX_EPOCH)),
    )
    micros = pc.if_else(epoch, pc.multiply(seconds, 1_000_000), micros)
    fast = pc.or_(iso, epoch)
    sure = cells._or_missing(fast, array, column)
    return ArrowChecked(pc.if_else(fast, micros, pa.scalar(None, pa.int64())), sure)


def _distinct(array: pa.Array, column: Column, assume_utc: bool) -> ArrowChecked:
    """The exact parser once per distinct value, as ``cells._distinct``; values in Arrow."""
    encoded = pc.dictionary_encode(array)
    results: list[Any] = []
    sure_of: list[bool] = []
    for cell in encoded.dictionary.to_pylist():
        if is_missing(cell):
            results.append(None)
            sure_of.append(not column.required and cell == "")
            continue
        try:
            results.append(parse(column, cell, assume_utc=assume_utc))
            sure_of.append(True)
        except BadValue:
            results.append(None)
            sure_of.append(False)
    kind = _DISTINCT_TYPES[column.type]
    values = pc.take(pa.array(results, kind), encoded.indices)
    sure = pc.take(pa.array(sure_of, pa.bool_()), encoded.indices)
    return ArrowChecked(values, sure)


def check_arrow(column: Column, array: pa.Array, *, assume_utc: bool = False) -> ArrowChecked:
    if column.type == FieldType.ID:
        return _ids(array, column)
    if column.type == FieldType.TEXT:
        return _texts(array, column)
    if column.type == FieldType.ENUM:
        return _enums(array, column)
    if column.type == FieldType.TIMESTAMP:
        return _timestamps(array, column)
    return _distinct(array, column, assume_utc)


def iso_text(micros: pa.Array) -> pa.Array:
    """``datetime.isoformat()`` of UTC moments: seconds, ``.ffffff`` unless zero, +00:00."""
    seconds = pc.divide(micros, 1_000_000)  # integer division: the moments are after 1990
    fraction = pc.subtract(micros, pc.multiply(seconds, 1_000_000))
    whole = pc.strftime(pc.cast(seconds, pa.timestamp("s", tz="UTC")), format="%Y-%m-%dT%H:%M:%S")
    digits = pc.utf8_lpad(pc.cast(fraction, pa.string()), width=6, padding="0")
    dotted = pc.if_else(
        pc.equal(fraction, 0), pa.scalar(""), pc.binary_join_element_wise(".", digits, "")
    )
    return pc.binary_join_element_wise(whole, dotted, "+00:00", "")


# The posts table: what a post row holds, by the names the bulk files use.
POST_FIELDS = (
    "id",
    "author_id",
    "author_type",
    "created_at",  # microseconds (int64)
    "created_text",  # as the importer's cell
    "text",
    "text_hash",
    "image_hash",
    "url",
    "url_given",
    "hashtags",
    "shared_post_id",
)


@dataclass
class PostColumns:
    sure: pa.BooleanArray  # the rows the column path vouches for
    table: pa.Table  # POST_FIELDS; only the sure rows' values are meaningful


def _urls(array: pa.Array, column: Column) -> tuple[ArrowChecked, pa.Array]:
    """The URL column as ``_distinct`` checks it, and ``keep_given_url``'s url_given: the
    stripped cell where canonicalising changed it (Python's own ``strip``), once per
    distinct cell."""
    encoded = pc.dictionary_encode(array)
    results: list[str | None] = []
    given: list[str | None] = []
    sure_of: list[bool] = []
    for cell in encoded.dictionary.to_pylist():
        canonical = None
        if is_missing(cell):
            sure_of.append(not column.required and cell == "")
        else:
            try:
                canonical = parse(column, cell)
                sure_of.append(True)
            except BadValue:
                sure_of.append(False)
        results.append(canonical)
        text = cell.strip()
        given.append(text if canonical is not None and text != canonical else None)
    values = pc.take(pa.array(results, pa.string()), encoded.indices)
    sure = pc.take(pa.array(sure_of, pa.bool_()), encoded.indices)
    return ArrowChecked(values, sure), pc.take(pa.array(given, pa.string()), encoded.indices)


def post_columns(block: Block, ctx: ValidationContext) -> PostColumns:
    """The block's posts; ``sure`` is ``validate._sure`` of the same block."""
    spec = CONTRACT["posts"]
    checked: dict[str, ArrowChecked] = {}
    given = pa.nulls(block.rows, pa.string())
    for column in spec.columns:
        if column.name not in block.table.column_names:
            continue
        array = block.table.column(column.name).combine_chunks()
        if column.type == FieldType.URL:
            checked[column.name], given = _urls(array, column)
        else:
            checked[column.name] = check_arrow(column, array, assume_utc=ctx.assume_utc)
    sure: pa.BooleanArray = pa.array([True] * block.rows, pa.bool_())
    for found in checked.values():
        sure = pc.and_(sure, found.sure)

    def value(name: str, kind: pa.DataType | None = None) -> pa.Array:
        found = checked.get(name)
        return pa.nulls(block.rows, kind or pa.string()) if found is None else found.values

    micros = value("created_at", pa.int64())
    text = value("text")
    url = value("url")
    columns = [
        value("post_id"),
        value("author_id"),
        value("author_type"),
        micros,
        iso_text(micros),
        text,
        text_hashes(text),
        value("image_hash"),
        url,
        given,
        value("hashtags", pa.list_(pa.string())),
        value("shared_post_id"),
    ]
    return PostColumns(sure, pa.table(columns, names=list(POST_FIELDS)))
