"""Reading input files record by record: CSV or JSONL, plain or gzip, with or without BOM.

The reader never stops at a bad record: a record it cannot split into columns comes
back with a ``problem`` (and its original text), so the caller can reject it with the
file, line and reason and go on. Memory is bounded by one record: a physical line longer
than ``LINE_LIMIT`` characters is never held whole (it is read in bounded pieces,
skipped, and its record rejected), plain or gzip, CSV or JSONL.
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

import orjson

# Fields larger than this are refused by the csv module; the row is rejected, not the file.
CSV_FIELD_LIMIT = 1_000_000
csv.field_size_limit(CSV_FIELD_LIMIT)

GZIP_MAGIC = b"\x1f\x8b"
# A physical line longer than this is rejected unread: no valid record comes near it (a
# text is at most 100,000 characters, a CSV field at most CSV_FIELD_LIMIT), and reading
# it whole would let one line of a small gzip decide how much memory a load takes.
LINE_LIMIT = 2 * CSV_FIELD_LIMIT
# JSON nested deeper than this is no contract value (the deepest is a list of hashtags);
# deeper input reaches Python's recursion limit inside json and the checks after it.
JSON_DEPTH_LIMIT = 32
JSONL_KEYS_LIMIT = 1_000


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
    # ASCII text holds no surrogate; isascii() is a flag read, the search a scan.
    return not text.isascii() and _BAD_UTF8.search(text) is not None


_has_bad_utf8 = has_bad_utf8


_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON line can only decode to a lone surrogate through an escape such as \ud800.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _surrogate_key(line: str, value: dict[str, Any]) -> str | None:
    """The first key whose name or value holds a lone surrogate, or None.

    JSON may spell one as an escape (``"\\ud800"``): it decodes to a str that cannot be
    encoded as UTF-8, so neither the driver nor the rejects file could write it.
    """
    if "\\u" not in line or not _SURROGATE_ESCAPE.search(line):
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
    """('csv' | 'tsv' | 'jsonl', compressed) from the file name, and gzip also from its
    magic bytes. ``.tsv`` is tab-separated, read like CSV otherwise (quotes included:
    the ``excel-tab`` dialect spreadsheets write)."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] in (".gz", ".gzip")
    if not compressed and path.is_file():
        with path.open("rb") as handle:
            compressed = handle.read(2) == GZIP_MAGIC
    body = [s for s in suffixes if s not in (".gz", ".gzip")]
    fmt = "csv"
    if body and body[-1] in (".jsonl", ".ndjson", ".json"):
        fmt = "jsonl"
    elif body and body[-1] == ".tsv":
        fmt = "tsv"
    return fmt, compressed


def _json_depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (a scalar is 0), without recursing:
    one level at a time, keeping only the containers (an X API page is thousands of
    scalars in a few levels)."""
    depth = 0
    level = [value] if isinstance(value, dict | list) else []
    while level:
        depth += 1
        if depth > JSON_DEPTH_LIMIT:
            return depth
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
    return depth


_NOT_FAST = object()
# orjson reads an integer outside 64 bits (above 2^64 - 1, below -2^63) as a float where
# json keeps it exact: a line with 20 digits in a row anywhere, or a minus sign and 19
# (in a string too: a run is found with C calls, not a scan in Python), is json's.
# Digits become "0". 19 digits alone always fit (X API ids, in strings, are 19 digits).
_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_RUN = b"0" * 19
_LONG_RUN = b"0" * 20
_LONG_NEGATIVE = b"-" + b"0" * 19


def orjson_agrees(data: bytes) -> bool:
    """Whether orjson, where it reads this text at all, reads it as json does."""
    zeros = data.translate(_DIGITS)
    # Either shape holds a run of 19: one search on most lines, three on the rest.
    return not (_RUN in zeros and (_LONG_RUN in zeros or _LONG_NEGATIVE in zeros))


def _fast_json(line: str) -> Any:
    """orjson's value of the line when it reads one (the value json gives: the same
    types, the last of a repeated key), else ``_NOT_FAST``: a line orjson refuses (NaN,
    1e400, a lone surrogate, nesting past 1,024) or might read otherwise is json's,
    with json's reason."""
    try:
        data = line.encode("utf-8")
        return orjson.loads(data) if orjson_agrees(data) else _NOT_FAST
    except ValueError:  # orjson.JSONDecodeError, UnicodeEncodeError (a lone surrogate)
        return _NOT_FAST


def decode_json_line(line: str) -> tuple[Any, str | None]:
    """The line's JSON value, or (None, the reason it cannot be one).

    Beyond syntax errors, json raises ValueError for an integer of more than 4,300 digits
    (CPython's int/str conversion limit) and RecursionError for deep nesting: one line's
    value, so one row's rejection, never the load's end.
    """
    value = _fast_json(line)
    if value is _NOT_FAST:
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            return None, f"invalid JSON: {exc.msg} at column {exc.colno}"
        except RecursionError:
            return None, f"invalid JSON: nested deeper than {JSON_DEPTH_LIMIT} levels"
        except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string ..."
            return None, f"invalid JSON: {str(exc).split(';')[0]}"
    # A value cannot nest deeper than the brackets its line opens: most lines open fewer
    # than the limit, and counting them is C work where walking the value is Python's.
    if line.count("{") + line.count("[") <= JSON_DEPTH_LIMIT:
        return value, None
    if _json_depth(value) > JSON_DEPTH_LIMIT:
        return None, f"invalid JSON: nested deeper than {JSON_DEPTH_LIMIT} levels"
    return value, None


def bounded_lines(text: IO[str], limit: int = LINE_LIMIT) -> Iterator[tuple[str, int | None]]:
    """The file's physical lines, each at most ``limit`` characters.

    A longer line comes back as ``(its first 31,000 characters, its full length)``, the
    rest of it read in ``limit``-sized pieces and dropped, so the memory a line takes is
    bounded whatever its length. Other lines: ``(line, None)``.
    """
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit:
            yield line, None
            continue
        length = len(line)
        # Short enough that printable() keeps it whole, with the full length after it.
        head = line[: REJECT_RECORD_LIMIT - 1000]
        ended = line.endswith(("\n", "\r"))
        del line
        while not ended:
            piece = text.readline(limit)
            length += len(piece)
            ended = not piece or piece.endswith(("\n", "\r"))
        yield head, length


def overlong_reason(length: int) -> str:
    return f"line of {length:,} characters, longer than the {LINE_LIMIT:,} a record may be"


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
        raw = self._raw
        if raw is None or raw.closed:
            return self.size
        try:
            return raw.tell()
        except (OSError, ValueError):  # closed meanwhile by a thread reading ahead
            return self.size

    def _open_text(self) -> io.TextIOWrapper:
        self._raw = self.path.open("rb")
        binary: IO[bytes] = self._raw
        if self.compressed:
            binary = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
        # utf-8-sig drops a BOM; surrogateescape keeps bad bytes so one row, not the
        # file, is rejected; newline="" lets csv see embedded and mixed newlines.
        newline = None if self.format == "jsonl" else ""
        return io.TextIOWrapper(
            binary, encoding="utf-8-sig", errors="surrogateescape", newline=newline
        )

    def rows(self) -> Iterator[RawRow]:
        text = self._open_text()
        try:
            if self.format == "jsonl":
                yield from self._jsonl_rows(text)
            else:
                yield from self._csv_rows(text, "\t" if self.format == "tsv" else ",")
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise FileProblem(f"cannot read {self.path.name}: {exc}") from None
        finally:
            text.close()
            if self._raw is not None:
                self._raw.close()

    def continue_csv(self, text: IO[str], header: list[str], line_base: int) -> Iterator[RawRow]:
        """The records of ``text``, the rest of this file after line ``line_base``: the
        column path (loaders/columnar) hands a file over here at its first block it cannot
        vouch for, so the row path reads the rest exactly as it reads a whole file."""
        delimiter = "\t" if self.format == "tsv" else ","
        try:
            yield from self._csv_rows(text, delimiter, header, line_base)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise FileProblem(f"cannot read {self.path.name}: {exc}") from None

    def _csv_rows(
        self,
        text: IO[str],
        delimiter: str,
        known_header: list[str] | None = None,
        line_base: int = 0,
    ) -> Iterator[RawRow]:
        consumed: list[str] = []
        overlong: list[int] = []  # lengths of the over-long lines in the current record

        def lines() -> Iterator[str]:
            for line, length in bounded_lines(text):
                if length is None:
                    consumed.append(line)
                    yield line
                    continue
                # csv gets a line break in its place: outside quotes it ends the record
                # (a blank line), inside them the record goes on; either way the record
                # holding it is rejected below, and the line is never held whole.
                overlong.append(length)
                consumed.append(f"{line}... [cut: {length:,} characters in all]\n")
                yield "\n"

        # strict: a stray quote or an unterminated quoted field is an error, not data.
        reader = csv.reader(lines(), strict=True, delimiter=delimiter)
        line_no = line_base
        if known_header is not None:
            self.header = known_header
        else:
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
            if overlong:
                self.header_problem = f"unreadable header: {overlong_reason(overlong[0])}"
                overlong.clear()
            self.header = [h.strip() for h in header]
            self.header_problem = self.header_problem or self._check_header(self.header)
        width = len(self.header)
        while True:
            start = line_no + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line_no = line_base + reader.line_num
                raw = "".join(consumed)
                consumed.clear()
                problem = (
                    overlong_reason(max(overlong)) if overlong else f"broken CSV record: {exc}"
                )
                overlong.clear()
                yield RawRow(start, line_no, raw, problem=problem)
                continue
            line_no = line_base + reader.line_num
            raw = "".join(consumed)
            consumed.clear()
            if overlong:
                yield RawRow(start, line_no, raw, problem=overlong_reason(max(overlong)))
                overlong.clear()
                continue
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
        for line_no, (line, length) in enumerate(bounded_lines(text), start=1):
            if length is not None:
                shown = f"{line}... [cut: {length:,} characters in all]"
                yield RawRow(line_no, line_no, shown, problem=overlong_reason(length))
                continue
            if not line.strip():
                continue
            if _has_bad_utf8(line):
                yield RawRow(line_no, line_no, line, problem="invalid UTF-8")
                continue
            value, problem = decode_json_line(line)
            if problem is None and type(value) is dict:
                surrogate = _surrogate_key(line, value)
                if surrogate is None:
                    # The keys seen, for callers that check columns; capped so that rows
                    # of ever-new keys cannot grow it without end. Most lines add none.
                    if len(keys) < JSONL_KEYS_LIMIT and not keys.keys() >= value.keys():
                        for key in value:
                            if len(keys) < JSONL_KEYS_LIMIT:
                                keys.setdefault(str(key), None)
                    yield RawRow(line_no, line_no, line, value)
                    continue
                problem = "invalid Unicode: a lone surrogate escape (\\udXXX)"
                yield RawRow(
                    line_no, line_no, line, problem=problem,
                    column=_SURROGATE.sub("\ufffd", surrogate),
                )  # fmt: skip
                continue
            if problem is None:
                problem = f"expected a JSON object, got {type(value).__name__}"
            yield RawRow(line_no, line_no, line, problem=problem)
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
