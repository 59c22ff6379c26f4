"""One column of a block, checked at once: the values of the cells whose check is
certain, and a mask of the cells the exact per-value parsers must see.

Each column type has a *fast* form: a shape (a regular expression run by Arrow over the
whole column) inside which the vectorised value is, by construction, the one
``loaders/values.py`` would return; anything outside the shape is not judged here. The
row holding such a cell goes through the row path (``validate_row``) whole, so its
rejection or warning is the row path's, word for word. Columns whose values repeat
(URLs, hashtags, numbers, enums, booleans, codes) are parsed once per distinct value by
the very parsers of ``loaders/values.py``: no second implementation to drift (URL
normalisation, in particular, stays one function).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.contract import MAX_ID_LENGTH, MAX_TEXT_LENGTH, Column, FieldType
from cibgraph.loaders.values import MAX_EPOCH, MIN_EPOCH, BadValue, is_missing, parse

# Every character str.isspace() calls whitespace (tests/unit/test_columnar.py checks the
# list against Python's): a text holding any other character is not "missing".
_SPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
# An id needing neither strip() nor a control-character check: no whitespace, no C0/C1.
_PLAIN_ID = rf"^[^\x00-\x20\x7f-\x{{a0}}{_SPACE}]+$"
_HAS_CONTENT = rf"[^{_SPACE}]"
# ISO 8601 as datetime.fromisoformat reads it, with an explicit offset; the fields'
# ranges here, the day of the month below. Anything else (dates, naive times, 'z',
# padding, odd fractions) goes to parse_timestamp.
_ISO = (
    r"^(?:199\d|20\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[T ]"
    r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3}|\.\d{6})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
_EPOCH_DIGITS = r"^[1-9]\d{8,9}$"
_EPOCH0 = datetime(1970, 1, 1, tzinfo=UTC)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass
class Checked:
    """A column's values (None where missing or not judged) and which cells are sure."""

    values: list[Any]
    sure: pa.BooleanArray


def _mask(array: pa.Array, pattern: str) -> pa.BooleanArray:
    return pc.match_substring_regex(array, pattern)


def _empty(array: pa.Array) -> pa.BooleanArray:
    return pc.equal(pc.binary_length(array), 0)


def _or_missing(sure: pa.BooleanArray, array: pa.Array, column: Column) -> pa.BooleanArray:
    """An empty cell of an optional column is sure too (missing); of a required one, not."""
    if column.required:
        return pc.and_(sure, pc.invert(_empty(array)))
    return pc.or_(sure, _empty(array))


def _kept(array: pa.Array, sure: pa.BooleanArray) -> list[Any]:
    """The cells that are sure and not empty as themselves, the rest None."""
    keep = pc.and_(sure, pc.invert(_empty(array)))
    return pc.if_else(keep, array, pa.scalar(None, pa.string())).to_pylist()  # type: ignore[no-any-return]


def _ids(array: pa.Array, column: Column) -> Checked:
    plain = pc.and_(_mask(array, _PLAIN_ID), pc.less_equal(pc.utf8_length(array), MAX_ID_LENGTH))
    sure = _or_missing(plain, array, column)
    return Checked(_kept(array, sure), sure)


def _texts(array: pa.Array, column: Column) -> Checked:
    fits = pc.and_(
        pc.invert(pc.match_substring(array, "\x00")),
        pc.less_equal(pc.utf8_length(array), MAX_TEXT_LENGTH),
    )
    sure = _or_missing(pc.and_(fits, _mask(array, _HAS_CONTENT)), array, column)
    return Checked(_kept(array, sure), sure)


def _valid_days(array: pa.Array) -> pa.BooleanArray:
    """The day exists in its month (Arrow's cast would refuse the whole column if not)."""
    year = pc.cast(pc.utf8_slice_codeunits(array, 0, 4), pa.int32())
    month = pc.cast(pc.utf8_slice_codeunits(array, 5, 7), pa.int32())
    day = pc.cast(pc.utf8_slice_codeunits(array, 8, 10), pa.int32())
    longest = pc.take(pa.array(_DAYS, pa.int32()), pc.subtract(month, 1))
    # Years are 1990-2099 here (the pattern), where every fourth year is a leap year.
    leap = pc.equal(pc.bit_wise_and(year, 3), 0)
    february = pc.and_(pc.equal(month, 2), pc.invert(leap))
    limit = pc.if_else(february, 28, longest)
    return pc.less_equal(day, limit)


def _from_micros(micros: list[int | None]) -> list[datetime | None]:
    # datetime.UTC, as parse_timestamp returns it: the driver sends a fixed offset for it
    # (a ZoneInfo, which Arrow's own conversion gives, would be stored as a named zone).
    return [None if m is None else _EPOCH0 + timedelta(microseconds=m) for m in micros]


def timestamp_micros(array: pa.Array, column: Column) -> tuple[pa.Array, pa.BooleanArray]:
    """Microseconds since the epoch (UTC) of the cells the column checks can vouch for
    (NULL for the rest), and which cells those are."""
    iso = _mask(array, _ISO)
    filler = pa.scalar("2000-01-01T00:00:00+00:00")
    iso = pc.and_(iso, _valid_days(pc.if_else(iso, array, filler)))
    moments = pc.cast(pc.if_else(iso, array, filler), pa.timestamp("us", tz="UTC"))
    micros = pc.cast(moments, pa.int64())
    digits = _mask(array, _EPOCH_DIGITS)
    seconds = pc.cast(pc.if_else(digits, array, pa.scalar("0")), pa.int64())
    epoch = pc.and_(
        digits,
        pc.and_(pc.greater_equal(seconds, MIN_EPOCH), pc.less_equal(seconds, MAX_EPOCH)),
    )
    micros = pc.if_else(epoch, pc.multiply(seconds, 1_000_000), micros)
    fast = pc.or_(iso, epoch)
    sure = _or_missing(fast, array, column)
    return pc.if_else(fast, micros, pa.scalar(None, pa.int64())), sure


def _timestamps(array: pa.Array, column: Column) -> Checked:
    micros, sure = timestamp_micros(array, column)
    values = _from_micros(micros.to_pylist())
    return Checked(values, sure)


def _enums(array: pa.Array, column: Column) -> Checked:
    sure = _or_missing(pc.is_in(array, pa.array(column.choices, pa.string())), array, column)
    return Checked(_kept(array, sure), sure)


def _distinct(array: pa.Array, column: Column, assume_utc: bool) -> Checked:
    """The exact parser once per distinct value: for columns whose values repeat."""
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
    indices = encoded.indices.to_pylist()
    sure = pc.take(pa.array(sure_of, pa.bool_()), encoded.indices)
    return Checked([results[i] for i in indices], sure)


_VECTORISED: dict[FieldType, Callable[[pa.Array, Column], Checked]] = {
    FieldType.ID: _ids,
    FieldType.TEXT: _texts,
    FieldType.TIMESTAMP: _timestamps,
    FieldType.ENUM: _enums,
}


def check_column(column: Column, array: pa.Array, *, assume_utc: bool = False) -> Checked:
    """The column's sure values; every other cell is left to the row path."""
    vectorised = _VECTORISED.get(column.type)
    if vectorised is None:
        return _distinct(array, column, assume_utc)
    return vectorised(array, column)


def text_of(values: list[Any], hasher: Callable[[str], Any]) -> list[Any]:
    """``hasher`` once per distinct text (copied texts are the point of hashing them)."""
    seen: dict[str, Any] = {}
    out: list[Any] = []
    for text in values:
        if text is None:
            out.append(None)
            continue
        found = seen.get(text, seen)
        if found is seen:
            found = seen[text] = hasher(text)
        out.append(found)
    return out
