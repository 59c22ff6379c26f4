"""What every format reader shares: items out of a file, fields read with a reason.

A format reader turns one input file into *items* (a Telegram message, a Jetstream
event, one tweet or user of an X API page, one CSV row), and each item into one
``Record`` or one ``Rejection``: the ledger's ``read = written + rejected`` counts
items. Items a format does not load on purpose (service messages, likes, follows)
are never read: they are counted by category in ``skipped`` and said in the ledger.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow, SourceFile
from cibgraph.loaders.validate import ValidationContext
from cibgraph.loaders.values import BadValue, is_missing, parse_id, parse_text, parse_timestamp


class Reject(Exception):
    """One item cannot be loaded: ``column`` locates the field, ``reason`` says why."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


_NO_VALUES: dict[str, Any] = {}


class ItemRow(RawRow):
    """One item of a format file. ``where`` locates it (``data[3]``, ``messages[17]``);
    its text for the rejects file is made only when it is rejected."""

    def __init__(
        self,
        line: int,
        item: Any,
        where: str,
        context: Any = None,
        text: str | None = None,
        problem: str | None = None,
    ) -> None:
        # Set directly, not through RawRow's generated __init__: one item per row read,
        # and bench/formats.py measured the dataclass path at a tenth of a JSONL line.
        self._text = text
        self.line = self.end_line = line
        self.values = _NO_VALUES
        self.problem = problem
        self.column = None
        self.item = item
        self.where = where
        self.context = context

    @property
    def raw(self) -> str:
        if self._text is None:
            try:
                self._text = json.dumps(self.item, ensure_ascii=False, default=str)
            except (ValueError, RecursionError):
                self._text = "[item could not be shown]"
        return self._text

    @raw.setter
    def raw(self, value: str) -> None:
        if value:
            self._text = value


class FormatReader:
    """Base of the readers: iterate ``rows()`` once, then ``validate`` each row."""

    name = ""

    def __init__(self, path: Path, ctx: ValidationContext) -> None:
        self.path = path
        self.ctx = ctx
        self.size = path.stat().st_size
        self.header_problem: str | None = None
        self.skipped: Counter[str] = Counter()  # category -> items not loaded on purpose
        self.notes: Counter[str] = Counter()  # category -> items loaded with a caveat

    def position(self) -> int:
        return self.size

    def rows(self) -> Iterator[RawRow]:
        raise NotImplementedError

    def record(self, row: ItemRow) -> Record:
        raise NotImplementedError

    def validate(self, raw: RawRow) -> Record | Rejection:
        if raw.problem is not None or not isinstance(raw, ItemRow):
            return Rejection(raw.line, raw.column, raw.problem or "unreadable item", raw.raw)
        try:
            return self.record(raw)
        except Reject as exc:
            column = (
                f"{raw.where}.{exc.column}"
                if raw.where and exc.column
                else (exc.column or raw.where or None)
            )
            return Rejection(raw.line, column, exc.reason, raw.raw)
        except (ValueError, TypeError, RecursionError, OverflowError) as exc:
            # A value of an unforeseen shape: this item is rejected, never the load.
            reason = f"unreadable item: {type(exc).__name__}"
            return Rejection(raw.line, raw.where or None, reason, raw.raw)

    def summary(self) -> str | None:
        """What the ledger says beyond the counts: skipped items and caveats, by category."""
        parts = [f"skipped {n:,} {what}" for what, n in sorted(self.skipped.items())]
        parts += [f"{n:,} {what}" for what, n in sorted(self.notes.items())]
        return "; ".join(parts) or None


class JsonlReader(FormatReader):
    """Formats written one JSON object per line (Jetstream, twarc2)."""

    def __init__(self, path: Path, ctx: ValidationContext) -> None:
        super().__init__(path, ctx)
        self.source = SourceFile(path, fmt="jsonl")

    def position(self) -> int:
        return self.source.position()

    def items(self, line: RawRow) -> Iterator[ItemRow]:
        raise NotImplementedError

    def rows(self) -> Iterator[RawRow]:
        for line in self.source.rows():
            if line.problem is not None:
                yield line
            else:
                yield from self.items(line)


# Field access --------------------------------------------------------------------


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Rejections of fields read inside an object name their path from the item."""
    try:
        yield
    except Reject as exc:
        raise Reject(f"{prefix}.{exc.column}" if exc.column else prefix, exc.reason) from None


def obj(value: Any, column: str, required: bool = False) -> dict[str, Any]:
    """An object field: {} when absent (unless required), a rejection when of another type."""
    if value is None:
        if required:
            raise Reject(column, f"missing required field {column!r}")
        return {}
    if not isinstance(value, dict):
        raise Reject(column, f"expected an object, got {type(value).__name__}")
    return value


def array(value: Any, column: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Reject(column, f"expected a list, got {type(value).__name__}")
    return value


def parsed(column: str, parser: Callable[[Any], Any], value: Any) -> Any:
    try:
        return parser(value)
    except BadValue as exc:
        raise Reject(column, str(exc)) from None


def required(values: dict[str, Any], column: str, parser: Callable[[Any], Any]) -> Any:
    value = values.get(column)
    if is_missing(value):
        raise Reject(
            column,
            f"missing required field {column!r}"
            if column not in values
            else f"missing required value for {column!r}",
        )
    return parsed(column, parser, value)


def optional(values: dict[str, Any], column: str, parser: Callable[[Any], Any]) -> Any:
    value = values.get(column)
    return None if is_missing(value) else parsed(column, parser, value)


def text_id(value: Any) -> str:
    """An id that must stay a string: ids above 2**53 lose digits as floats."""
    if isinstance(value, float):
        raise BadValue("id given as a floating-point number (digits may be lost)")
    return parse_id(value)


def epoch_micros(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"expected integer microseconds, got {type(value).__name__}")
    return parse_timestamp(value / 1_000_000)


def short_text(value: Any) -> str:
    return parse_text(value)
