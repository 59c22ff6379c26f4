"""A CSV file as blocks of columns, for as long as each block is one the row path
would read the same way; from the first block that is not, the row path reads the rest.

A block is a few megabytes of whole lines. It is taken as columns (Arrow's CSV reader)
only when nothing in it could make Python's ``csv`` module (strict, as
``loaders/sources.py`` uses it) read it differently or number its lines differently:
valid UTF-8, no CR, NUL or blank line, no line near the field-size limit, every line
well-formed CSV (plain fields without quotes, quoted fields with doubled quotes), and one
record per line. Then record *k* of the block is line ``first_line + k``, its cells are
the row path's cells, and its text is the line. Anything else (a stray quote, a record
over several lines, a wrong number of cells, bad bytes) is the row path's to read and
reject, so every reason and line number stays the one it has always been.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from cibgraph.loaders.sources import (
    CSV_FIELD_LIMIT,
    LINE_LIMIT,
    FileProblem,
    RawRow,
    SourceFile,
)

BLOCK_BYTES = 4 << 20  # ~30,000 posts: memory stays flat in the file's size
_BOM = b"\xef\xbb\xbf"


def _grammar(delimiter: str) -> str:
    d = "\\t" if delimiter == "\t" else delimiter
    field = rf'(?:[^"{d}\n]*|"(?:[^"]|"")*")'
    return rf"^{field}(?:{d}{field})*$"


@dataclass
class Block:
    """Whole lines of the file as string columns (header names), from ``first_line``."""

    first_line: int
    table: pa.Table
    lines: pa.StringArray  # the lines, without their line breaks
    final_newline: bool = True
    newline: str = "\n"  # or "\r\n": one of them throughout the block

    @property
    def rows(self) -> int:
        return int(self.table.num_rows)

    def raw_row(self, index: int) -> RawRow:
        """Record ``index`` as the row path would have read it."""
        line = self.lines[index].as_py()
        last = index == self.rows - 1
        raw = line if last and not self.final_newline else line + self.newline
        values = {name: self.table.column(name)[index].as_py() for name in self.table.column_names}
        number = self.first_line + index
        return RawRow(number, number, raw, values)


def _text(binary: IO[bytes]) -> io.TextIOWrapper:
    # As SourceFile opens a file, past its BOM.
    return io.TextIOWrapper(binary, encoding="utf-8", errors="surrogateescape", newline="")


def _runs_on(row: RawRow) -> bool:
    """The block ended inside a quoted field: the record goes on in the next block."""
    return row.problem is not None and "unexpected end of data" in row.problem


class _Chained(io.RawIOBase):
    """The bytes already read, then the rest of the stream: the row path's input."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _lines(data: bytes, newline: int) -> pa.StringArray | None:
    """The block's lines (each ends with a line break of ``newline`` bytes) as an Arrow
    array, sliced out of the bytes in place (a Python string per line was a third of a
    block's cost); None unless the bytes are valid UTF-8, as ``bytes.decode`` says."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A) + 1
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    buffers = [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)]
    whole = pa.Array.from_buffers(pa.large_binary(), len(ends), buffers)
    body = pc.binary_slice(whole, 0, -newline)
    try:
        return pc.cast(body, pa.large_string()).cast(pa.string())
    except pa.ArrowInvalid:
        return None


class ColumnarCsv:
    """A contract CSV (or TSV) file: ``items()`` yields ``Block``s, then ``RawRow``s."""

    def __init__(self, path: Path) -> None:
        self.rows_source = SourceFile(path)
        self.path = path
        self.format = self.rows_source.format
        self.delimiter = "\t" if self.format == "tsv" else ","
        self._pattern = _grammar(self.delimiter)
        self._raw: IO[bytes] | None = None
        self.whole_file_by_rows = False

    @property
    def header(self) -> list[str]:
        return self.rows_source.header

    @property
    def header_problem(self) -> str | None:
        return self.rows_source.header_problem

    def position(self) -> int:
        raw = self._raw
        if self.whole_file_by_rows or raw is None or raw.closed:
            return self.rows_source.position()
        try:
            return raw.tell()
        except (OSError, ValueError):  # closed meanwhile by the thread reading ahead
            return self.rows_source.size

    def rows(self) -> Iterator[RawRow]:
        """The row path, whole: for callers that want rows (``--on-error abort``)."""
        return self.rows_source.rows()

    def items(self, accepts: Callable[[list[str]], bool]) -> Iterator[Block | RawRow]:
        """``accepts``: whether columns are wanted for this header (one the column path
        cannot serve, such as one missing a required column, is read by rows)."""
        self._raw = self.path.open("rb")
        binary: IO[bytes] = self._raw
        if self.rows_source.compressed:
            binary = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
        try:
            yield from self._items(binary, accepts)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise FileProblem(f"cannot read {self.path.name}: {exc}") from None
        finally:
            binary.close()
            self._raw.close()

    def _header(self, binary: IO[bytes]) -> list[str] | None:
        first = binary.readline(LINE_LIMIT)
        first = first.removeprefix(_BOM)
        body = first.removesuffix(b"\r\n") if first.endswith(b"\r\n") else first[:-1]
        if not first.endswith(b"\n") or b"\r" in body or b"\x00" in first:
            return None
        try:
            line = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not pc.match_substring_regex(pa.array([line]), self._pattern)[0].as_py():
            return None
        header = [h.strip() for h in next(csv.reader([line], delimiter=self.delimiter))]
        if SourceFile._check_header(header) is not None:
            return None
        return header

    def _items(
        self, binary: IO[bytes], accepts: Callable[[list[str]], bool]
    ) -> Iterator[Block | RawRow]:
        header = self._header(binary)
        if header is None or not accepts(header):
            self.whole_file_by_rows = True
            yield from self.rows_source.rows()
            return
        self.rows_source.header = header
        line = 2
        while True:
            data = binary.read(BLOCK_BYTES)
            if not data:
                return
            final_newline = data.endswith(b"\n")
            if not final_newline:
                data += binary.readline(LINE_LIMIT)
                final_newline = data.endswith(b"\n")
            more = b"" if final_newline else binary.read(1)
            # A line with no break that is not the file's last: too long for a block.
            block = None if more else self._block(data, line, final_newline)
            if block is not None:
                yield block
                line += block.rows
                continue
            if not more:
                # The row path reads this block alone, unless a record runs past its end.
                alone = _text(io.BytesIO(data))
                rows = list(self.rows_source.continue_csv(alone, header, line - 1))
                if not rows or not _runs_on(rows[-1]):
                    yield from rows
                    line += data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
                    continue
            # From here on the row path reads the file, as it reads a whole file.
            rest = _text(io.BufferedReader(_Chained(data + more, binary)))
            yield from self.rows_source.continue_csv(rest, header, line - 1)
            return

    def _block(self, data: bytes, first_line: int, final_newline: bool) -> Block | None:
        # One line break throughout: LF, or CRLF (csv.writer's default) on every line.
        crlf = data.count(b"\r\n")
        newline = b"\r\n" if crlf else b"\n"
        if crlf and (crlf != data.count(b"\r") or crlf != data.count(b"\n")):
            return None
        # The file's last line without a line break (only at its very end) gets one.
        data_for_arrow = data if final_newline else data + newline
        if (
            (not crlf and b"\r" in data)
            or newline + newline in data_for_arrow
            or data.startswith(newline)
        ):
            return None
        lines = _lines(data_for_arrow, len(newline))
        if lines is None:
            return None
        longest = pc.max(pc.utf8_length(lines)).as_py() or 0
        if longest >= CSV_FIELD_LIMIT:
            return None
        if not pc.all(pc.match_substring_regex(lines, self._pattern)).as_py():
            return None
        header = self.rows_source.header
        try:
            table = pcsv.read_csv(
                io.BytesIO(data_for_arrow),
                read_options=pcsv.ReadOptions(column_names=header, block_size=len(data) + 2),
                parse_options=pcsv.ParseOptions(
                    delimiter=self.delimiter, newlines_in_values=False, ignore_empty_lines=False
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={name: pa.string() for name in header},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid:
            return None
        if table.num_rows != len(lines):
            return None
        return Block(first_line, table, lines, final_newline, newline.decode())
