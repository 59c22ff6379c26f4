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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.columnar import cells
from cibgraph.loaders.columnar.blocks import Block
from cibgraph.loaders.columnar.hashes import text_hashes
from cibgraph.loaders.contract import CONTRACT, MAX_ID_LENGTH, MAX_TEXT_LENGTH, Column, FieldType
from cibgraph.loaders.validate import ValidationContext
from cibgraph.loaders.values import BadValue, is_missing, parse

_NULL = pa.scalar(None, pa.string())
# The parser's result types of the columns parsed once per distinct value.
_DISTINCT_TYPES = {
    FieldType.URL: pa.string(),
    FieldType.TAGS: pa.list_(pa.string()),
    FieldType.INT: pa.int64(),  # a larger one fails the block over to the row path
    FieldType.FLOAT: pa.float64(),
    FieldType.CONFIDENCE: pa.float64(),
    FieldType.BOOL: pa.bool_(),
    FieldType.COUNTRY: pa.string(),
    FieldType.CURRENCY: pa.string(),
}
# The types whose plain shapes Arrow rewrites (check_shaped) before the parser sees the rest.
_SHAPED = (FieldType.URL, FieldType.TAGS)


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
    return ArrowChecked(*cells.timestamp_micros(array, column))


Parsed = tuple[Any, bool, str | None]  # (value, sure, url_given) of one distinct cell
# Cells parsed once per load, not once per block (hashtags and links recur across the
# file); bounded, so memory stays flat in the file's size.
CACHE_LIMIT = 200_000


def _parsed(column: Column, cell: str, assume_utc: bool) -> Parsed:
    if is_missing(cell):
        return None, not column.required and cell == "", None
    try:
        value = parse(column, cell, assume_utc=assume_utc)
    except BadValue:
        return None, False, None
    given = None
    if column.type == FieldType.URL:  # keep_given_url, with Python's own strip()
        text = cell.strip()
        given = text if text != value else None
    return value, True, given


def _distinct(
    array: pa.Array, column: Column, assume_utc: bool, cache: dict[str, Parsed] | None = None
) -> tuple[ArrowChecked, pa.Array]:
    """The exact parser once per distinct value, as ``cells._distinct``; values in Arrow,
    and for a URL column its url_given."""
    cache = {} if cache is None else cache
    if len(cache) > CACHE_LIMIT:
        cache.clear()
    encoded = pc.dictionary_encode(array)
    parsed: list[Parsed] = []
    for cell in encoded.dictionary.to_pylist():
        found = cache.get(cell)
        if found is None:
            found = cache[cell] = _parsed(column, cell, assume_utc)
        parsed.append(found)
    values = pa.array([p[0] for p in parsed], _DISTINCT_TYPES[column.type])
    sure = pa.array([p[1] for p in parsed], pa.bool_())
    given = pa.array([p[2] for p in parsed], pa.string())
    take = encoded.indices
    checked = ArrowChecked(pc.take(values, take), pc.take(sure, take))
    return checked, pc.take(given, take)


# Shapes whose parse is a rewrite Arrow can do; every other cell goes to the parser.
# An http(s) URL with a lowercase host (no port, user or IPv6 bracket) and a plain path,
# no query or fragment: canonical_url only trims the path's trailing slashes ("/" if none).
_PLAIN_URL = r"^https?://[a-z0-9](?:[a-z0-9.-]{0,250}[a-z0-9])?(?:/[A-Za-z0-9._~%/-]{0,1000})?$"
# Lowercase word tags, one ";" between them: parse_tags splits them and changes nothing.
_PLAIN_TAGS = r"^[a-z0-9_]{1,200}(?:;[a-z0-9_]{1,200})*$"


def _plain_urls(array: pa.Array) -> tuple[pa.BooleanArray, pa.Array, pa.Array]:
    """(plain, canonical form, url_given) of the plain URLs."""
    plain = cells._mask(array, _PLAIN_URL)
    trimmed = pc.utf8_rtrim(pc.if_else(plain, array, _NULL), "/")
    no_path = pc.equal(pc.count_substring(trimmed, "/"), 2)  # only the two of "://"
    canonical = pc.if_else(no_path, pc.binary_join_element_wise(trimmed, "/", ""), trimmed)
    given = pc.if_else(pc.equal(canonical, array), _NULL, array)
    return plain, canonical, given


def _plain_tags(array: pa.Array) -> tuple[pa.BooleanArray, pa.Array]:
    """(plain, tags) of the plain hashtag cells that name no tag twice."""
    plain = cells._mask(array, _PLAIN_TAGS)
    tags = pc.split_pattern(pc.if_else(plain, array, _NULL), ";")
    parents = pc.list_parent_indices(tags)
    pairs = pa.table({"row": parents, "tag": pc.list_flatten(tags)})
    counted = pairs.group_by(["row", "tag"]).aggregate([([], "count_all")])
    twice = pc.filter(counted.column("row"), pc.greater(counted.column("count_all"), 1))
    if len(twice):  # parse_tags keeps the first of a repeated tag: the parser's case
        plain = pc.and_(plain, pc.invert(pc.is_in(pa.array(np.arange(len(array))), twice)))
    return plain, tags


def check_shaped(
    array: pa.Array, column: Column, assume_utc: bool, cache: dict[str, Parsed]
) -> tuple[ArrowChecked, pa.Array]:
    """A URL or hashtags column checked (``_distinct``), its plain shapes done in Arrow:
    the checked cells and, for URLs, each cell as given where it is not canonical."""
    if column.type == FieldType.URL:
        plain, values, given = _plain_urls(array)
    else:
        plain, values = _plain_tags(array)
        given = pa.nulls(len(array), pa.string())
    if pc.all(plain).as_py():
        return ArrowChecked(values, plain), given
    rest, rest_given = _distinct(pc.if_else(plain, pa.scalar(""), array), column, assume_utc, cache)
    checked = ArrowChecked(pc.if_else(plain, values, rest.values), pc.or_(plain, rest.sure))
    return checked, pc.if_else(plain, given, rest_given)


def check_arrow(
    column: Column,
    array: pa.Array,
    *,
    assume_utc: bool = False,
    cache: dict[str, Parsed] | None = None,
) -> ArrowChecked:
    """One column's values in Arrow; ``cache``: the parsed cells of a column parsed once
    per distinct value, kept by the caller from block to block."""
    if column.type == FieldType.ID:
        return _ids(array, column)
    if column.type == FieldType.TEXT:
        return _texts(array, column)
    if column.type == FieldType.ENUM:
        return _enums(array, column)
    if column.type == FieldType.TIMESTAMP:
        return _timestamps(array, column)
    return _distinct(array, column, assume_utc, cache)[0]


def iso_text(micros: pa.Array) -> pa.Array:
    """``datetime.isoformat()`` of UTC moments: seconds, ``.ffffff`` unless zero, +00:00."""
    seconds = pc.divide(micros, 1_000_000)  # integer division: the moments are after 1990
    fraction = pc.subtract(micros, pc.multiply(seconds, 1_000_000))
    # A naive timestamp's text ("YYYY-MM-DD HH:MM:SS", years 1990-2099 here) is 20x
    # faster than strftime or a zoned cast.
    naive = pc.cast(pc.cast(seconds, pa.timestamp("s")), pa.string())
    whole = pc.utf8_replace_slice(naive, start=10, stop=11, replacement="T")
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
class BlockColumns:
    sure: pa.BooleanArray  # the rows the column path vouches for
    table: pa.Table  # POST_FIELDS (tables.py: other kinds); only sure rows are meaningful


def post_columns(
    block: Block, ctx: ValidationContext, caches: dict[str, dict[str, Parsed]] | None = None
) -> BlockColumns:
    """The block's posts; ``sure`` is ``validate._sure`` of the same block. ``caches``:
    parsed cells by column, kept by the caller from block to block."""
    caches = {} if caches is None else caches
    spec = CONTRACT["posts"]
    checked: dict[str, ArrowChecked] = {}
    given = pa.nulls(block.rows, pa.string())
    for column in spec.columns:
        if column.name not in block.table.column_names:
            continue
        array = block.table.column(column.name).combine_chunks()
        if column.type in _SHAPED:
            cache = caches.setdefault(column.name, {})
            checked[column.name], url_given = check_shaped(array, column, ctx.assume_utc, cache)
            if column.type == FieldType.URL:
                given = url_given
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
    return BlockColumns(sure, pa.table(columns, names=list(POST_FIELDS)))
