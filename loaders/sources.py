"""Reading input files record by record: CSV or JSONL, plain or gzip, with or without BOM.

The reader never stops at a bad record: a record it cannot split into columns comes
back with a ``problem`` (and its original text), so the caller can reject it with the
file, line and reason and go on. Memory is bounded by one record.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# Fields larger than this are refused by the csv module; the row is rejected, not the file.
CSV_FIELD_LIMIT = 1_000_000
csv.field_size_limit(CSV_FIELD_LIMIT)

GZIP_MAGIC = b"\x1f\x8b"


class FileProblem(Exception):
    """The file as a whole cannot be read (not gzip, truncated, ...)."""


@dataclass
class RawRow:
    line: int  # physical line where the record starts (1-based; the header is line 1)
    end_line: int
    raw: str  # the record as it appeared, for the rejects file
    values: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # set when the record itself is malformed
    column: str | None = None


# Undecodable bytes arrive as lone surrogates (errors="surrogateescape"). One regex
# search, not a Python loop over characters: bench/formats.py measured the loop at
# over 40 % of the time to validate a JSONL line.
_BAD_UTF8 = re.compile("[\udc80-\udcff]")


def has_bad_utf8(text: str) -> bool:
    return _BAD_UTF8.search(text) is not None


_has_bad_utf8 = has_bad_utf8


_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON line can only decode to a lone surrogate through an escape such as \ud800.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _surrogate_key(line: str, value: dict[str, Any]) -> str | None:
    """The first key whose name or value holds a lone surrogate, or None.

    JSON may spell one as an escape (``"\\ud800"``): it decodes to a str that cannot be
    encoded as UTF-8, so neither the driver nor the rejects file could write it.
    """
    if not _SURROGATE_ESCAPE.search(line):
        return None

    def bad(item: Any) -> bool:
        if isinstance(item, str):
            return _SURROGATE.search(item) is not None
        if isinstance(item, list):
            return any(bad(x) for x in item)
        if isinstance(item, dict):
            return any(bad(k) or bad(v) for k, v in item.items())
        return False

    return next((key for key, item in value.items() if bad(key) or bad(item)), None)


surrogate_key = _surrogate_key


# A rejected record is copied into the rejects file for people and spreadsheets, which
# hold at most 32,767 characters in a cell; a 1 MB field (or a JSONL line of any size)
# is cut, with its full length said, instead of being copied whole.
REJECT_RECORD_LIMIT = 32_000


def printable(text: str) -> str:
    """The record text with undecodable bytes shown as U+FFFD, cut to
    ``REJECT_RECORD_LIMIT`` characters: safe to write out."""
    shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if len(shown) <= REJECT_RECORD_LIMIT:
        return shown
    return shown[:REJECT_RECORD_LIMIT] + f"... [cut: {len(shown):,} characters in all]"


def detect_format(path: Path) -> tuple[str, bool]:
    """('csv' | 'jsonl', compressed) from the file name, and gzip also from its magic bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] in (".gz", ".gzip")
    if not compressed and path.is_file():
        with path.open("rb") as handle:
            compressed = handle.read(2) == GZIP_MAGIC
    body = [s for s in suffixes if s not in (".gz", ".gzip")]
    fmt = "jsonl" if body and body[-1] in (".jsonl", ".ndjson", ".json") else "csv"
    return fmt, compressed


class SourceFile:
    """One input file; iterate ``rows()`` once. ``position()`` is for progress bars."""

    def __init__(self, path: Path, fmt: str | None = None, compressed: bool | None = None) -> None:
        self.path = path
        detected_fmt, detected_gz = detect_format(path)
        self.format = fmt or detected_fmt
        self.compressed = detected_gz if compressed is None else compressed
        self.size = path.stat().st_size
        self.header: list[str] = []
        self.header_problem: str | None = None
        self._raw: IO[bytes] | None = None

    def position(self) -> int:
        if self._raw is None or self._raw.closed:
            return self.size
        return self._raw.tell()

    def _open_text(self) -> io.TextIOWrapper:
        self._raw = self.path.open("rb")
        binary: IO[bytes] = self._raw
        if self.compressed:
            binary = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
        # utf-8-sig drops a BOM; surrogateescape keeps bad bytes so one row, not the
        # file, is rejected; newline="" lets csv see embedded and mixed newlines.
        newline = "" if self.format == "csv" else None
        return io.TextIOWrapper(
            binary, encoding="utf-8-sig", errors="surrogateescape", newline=newline
        )

    def rows(self) -> Iterator[RawRow]:
        text = self._open_text()
        try:
            if self.format == "jsonl":
                yield from self._jsonl_rows(text)
            else:
                yield from self._csv_rows(text)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise FileProblem(f"cannot read {self.path.name}: {exc}") from None
        finally:
            text.close()
            if self._raw is not None:
                self._raw.close()

    def _csv_rows(self, text: io.TextIOWrapper) -> Iterator[RawRow]:
        consumed: list[str] = []

        def lines() -> Iterator[str]:
            for line in text:
                consumed.append(line)
                yield line

        # strict: a stray quote or an unterminated quoted field is an error, not data.
        reader = csv.reader(lines(), strict=True)
        line_no = 0
        try:
            header = next(reader)
        except StopIteration:
            self.header_problem = "empty file: no header"
            return
        except csv.Error as exc:
            self.header_problem = f"unreadable header: {exc}"
            return
        line_no = reader.line_num
        consumed.clear()
        self.header = [h.strip() for h in header]
        self.header_problem = self._check_header(self.header)
        width = len(self.header)
        while True:
            start = line_no + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line_no = reader.line_num
                raw = "".join(consumed)
                consumed.clear()
                yield RawRow(start, line_no, raw, problem=f"broken CSV record: {exc}")
                continue
            line_no = reader.line_num
            raw = "".join(consumed)
            consumed.clear()
            if not record or (len(record) == 1 and record[0] == "" and not raw.strip()):
                continue  # a blank line is not a row
            row = RawRow(start, line_no, raw)
            if _has_bad_utf8(raw):
                row.problem = "invalid UTF-8"
            elif len(record) != width:
                span = (
                    f" (record spans lines {start}-{line_no}: unbalanced quote?)"
                    if line_no > start
                    else ""
                )
                row.problem = f"expected {width} columns, found {len(record)}{span}"
            else:
                row.values = dict(zip(self.header, record, strict=True))
            yield row

    def _jsonl_rows(self, text: io.TextIOWrapper) -> Iterator[RawRow]:
        keys: dict[str, None] = {}
        for line_no, line in enumerate(text, start=1):
            if not line.strip():
                continue
            row = RawRow(line_no, line_no, line)
            if _has_bad_utf8(line):
                row.problem = "invalid UTF-8"
            else:
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    row.problem = f"invalid JSON: {exc.msg} at column {exc.colno}"
                except RecursionError:
                    value, row.problem = None, "invalid JSON: nested too deeply"
                except ValueError as exc:  # an integer past Python's digit limit
                    value, row.problem = None, f"invalid JSON: {exc}"[:160]
                else:
                    if isinstance(value, dict):
                        surrogate = _surrogate_key(line, value)
                        if surrogate is not None:
                            row.problem = "invalid Unicode: a lone surrogate escape (\\udXXX)"
                            row.column = _SURROGATE.sub("\ufffd", surrogate)
                        else:
                            row.values = value
                            for key in value:
                                keys.setdefault(str(key), None)
                    else:
                        row.problem = f"expected a JSON object, got {type(value).__name__}"
            yield row
        self.header = list(keys)

    @staticmethod
    def _check_header(header: list[str]) -> str | None:
        seen: set[str] = set()
        for name in header:
            if not name:
                return "empty column name in header"
            if name in seen:
                return f"duplicate column {name!r} in header"
            seen.add(name)
        return None
