"""Parsing one cell of the contract into a typed value, or saying precisely why not.

Each parser takes the raw value (a string from CSV, or any JSON value from JSONL)
and returns the normalised value, or raises ``BadValue`` with a reason a user can
act on. Empty strings and JSON nulls mean "missing" and are handled by the caller.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cibgraph.loaders.contract import MAX_ID_LENGTH, MAX_TEXT_LENGTH, Column, FieldType
from cibgraph.loaders.urls import canonical_url

# Epoch seconds outside 1990..2100 are almost always milliseconds or garbage.
MIN_EPOCH = 631_152_000  # 1990-01-01
MAX_EPOCH = 4_102_444_800  # 2100-01-01
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Ids are keys people copy between files and tools: no control character of any kind
# (tab, CR and LF included, C1 too) and no line or paragraph separator.
_ID_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_TAG_SPLIT = re.compile(r"[;,\s]+")
_EPOCH = re.compile(r"\s*-?\d+(\.\d+)?\s*")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


class BadValue(ValueError):
    """A cell that does not fit its column; the message is the rejection reason."""


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    raise BadValue(f"expected text, got {type(value).__name__}")


def parse_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadValue(f"expected an id, got {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise BadValue("empty id")
    if len(text) > MAX_ID_LENGTH:
        raise BadValue(f"id longer than {MAX_ID_LENGTH} characters ({len(text)})")
    if _ID_FORBIDDEN.search(text):
        raise BadValue("id contains control characters")
    return text


def parse_text(value: Any) -> str:
    text = _as_text(value)
    if "\x00" in text:
        raise BadValue("NUL byte in text")
    if len(text) > MAX_TEXT_LENGTH:
        raise BadValue(f"text longer than {MAX_TEXT_LENGTH} characters ({len(text)})")
    return text


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise BadValue("expected a number, got a boolean")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # a JSON integer of hundreds of digits: no float holds it
            raise BadValue("number out of range") from None
    else:
        text = _as_text(value).strip().replace("_", "")
        try:
            number = float(text)
        except ValueError:
            raise BadValue(f"not a number: {text[:40]!r}") from None
    if math.isnan(number) or math.isinf(number):
        raise BadValue("not a finite number")
    return number


def parse_int(value: Any) -> int:
    number = _number(value)
    if number != int(number):
        raise BadValue(f"expected a whole number, got {number}")
    if number < 0:
        raise BadValue(f"expected a non-negative number, got {int(number)}")
    if number > 2**62:
        raise BadValue("number out of range")
    return int(number)


def parse_float(value: Any) -> float:
    number = _number(value)
    if number < 0:
        raise BadValue(f"expected a non-negative number, got {number}")
    return number


def parse_confidence(value: Any) -> float:
    number = _number(value)
    if not 0.0 <= number <= 1.0:
        raise BadValue(f"confidence must be between 0 and 1, got {number}")
    return number


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(f"expected true/false, got {text[:20]!r}")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_timestamp(value: Any, *, assume_utc: bool = False, allow_date: bool = False) -> datetime:
    """ISO 8601 with an offset, or epoch seconds; always returned in UTC.

    A timestamp without an offset is refused: it is ambiguous (local time of whom?),
    unless the user says its times are UTC (``assume_utc``, `cib load --assume-utc`).
    ``allow_date``: a plain ``YYYY-MM-DD`` is that day, 00:00 UTC (date-like columns).
    """
    if isinstance(value, bool):
        raise BadValue("expected a timestamp, got a boolean")
    if isinstance(value, int | float) or (isinstance(value, str) and _EPOCH.fullmatch(value)):
        seconds = _number(value)
        if not MIN_EPOCH <= seconds <= MAX_EPOCH:
            raise BadValue(
                f"epoch seconds {seconds:.0f} outside 1990-2100 (milliseconds? divide by 1000)"
            )
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = _as_text(value).strip()
    # CPython's fromisoformat stops reading at a NUL: '...Z\x00junk' would parse.
    if _CONTROL.search(text):
        raise BadValue("timestamp contains control characters")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    is_date = _ISO_DATE.fullmatch(text) is not None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"not an ISO 8601 timestamp: {text[:40]!r}") from None
    if is_date and allow_date:
        parsed = parsed.replace(tzinfo=UTC)
    elif is_date:
        raise BadValue(f"a date is not a time: {text[:40]!r} (give a time with an offset)")
    elif parsed.tzinfo is None and assume_utc:
        parsed = parsed.replace(tzinfo=UTC)
    elif parsed.tzinfo is None:
        raise BadValue(
            f"timestamp without offset is ambiguous: {text[:40]!r} "
            "(add Z or +hh:mm, or load with --assume-utc if the times are UTC)"
        )
    if not 1990 <= parsed.year < 2100:
        raise BadValue(f"timestamp year {parsed.year} outside 1990-2100")
    return parsed.astimezone(UTC)


def parse_enum(value: Any, choices: tuple[str, ...]) -> str:
    text = _as_text(value).strip().lower()
    if text not in choices:
        raise BadValue(f"{text[:30]!r} is not one of {', '.join(choices)}")
    return text


def parse_currency(value: Any) -> str:
    text = _as_text(value).strip().upper()
    if not _CURRENCY.match(text):
        raise BadValue(f"currency must be a 3-letter ISO 4217 code, got {text[:10]!r}")
    return text


def parse_country(value: Any) -> str:
    text = _as_text(value).strip().upper()
    if not _COUNTRY.match(text):
        raise BadValue(f"country must be a 2-letter ISO 3166 code, got {text[:10]!r}")
    return text


def normalise_tag(tag: str) -> str:
    return tag.strip().lstrip("#").lower()


def parse_tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _TAG_SPLIT.split(_as_text(value))
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise BadValue("hashtags must be strings")
        tag = normalise_tag(item)
        if not tag:
            continue
        if len(tag) > 200 or _CONTROL.search(tag):
            raise BadValue(f"bad hashtag {tag[:20]!r}")
        if tag not in tags:
            tags.append(tag)
    return tags


def parse_url(value: Any) -> str:
    text = _as_text(value).strip()
    if len(text) > 4096:
        raise BadValue("URL longer than 4096 characters")
    # Checked before urlsplit, which silently deletes tab, CR and LF from a URL.
    if _CONTROL.search(text) or any(c in text for c in " \t\r\n"):
        raise BadValue("URL contains spaces or control characters")
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # an unbalanced [IPv6] bracket, a host NFKC would change
        raise BadValue(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BadValue(f"not an absolute http(s) URL: {text[:60]!r}")
    return canonical_url(text)


def normalise_url(url: str) -> str:
    """The canonical form (loaders/urls.py): the same link shared twice must match."""
    return canonical_url(url)


def parse(column: Column, value: Any, *, assume_utc: bool = False) -> Any:
    """Parse one non-missing cell according to its column."""
    match column.type:
        case FieldType.ID:
            return parse_id(value)
        case FieldType.TEXT:
            return parse_text(value)
        case FieldType.INT:
            return parse_int(value)
        case FieldType.FLOAT:
            return parse_float(value)
        case FieldType.BOOL:
            return parse_bool(value)
        case FieldType.TIMESTAMP:
            return parse_timestamp(value, assume_utc=assume_utc, allow_date=column.takes_date)
        case FieldType.ENUM:
            return parse_enum(value, column.choices)
        case FieldType.CONFIDENCE:
            return parse_confidence(value)
        case FieldType.CURRENCY:
            return parse_currency(value)
        case FieldType.COUNTRY:
            return parse_country(value)
        case FieldType.TAGS:
            return parse_tags(value)
        case FieldType.URL:
            return parse_url(value)
    raise AssertionError(f"unhandled field type {column.type}")  # pragma: no cover
