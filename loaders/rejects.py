"""The rejects file of one input file: every rejected row with its line and reason, capped.

``<dir>/<file>.rejects.csv`` holds at most ``REJECTS_MAX_ROWS`` rows and about
``REJECTS_MAX_BYTES`` bytes: a small gzip of millions of bad lines would otherwise write
a rejects file hundreds of times its size. Rows past the cap are still counted (the
ledger's ``rejected``, and ``rejects_dropped`` for those not in the file), so
``read = written + rejected`` holds whatever the cap.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from cibgraph.graph.exports.safe_csv import escape_cell
from cibgraph.loaders.records import Rejection

# Enough to see every kind of problem a file has many times over; a person fixes the
# first ones and reloads. Each record is already cut to REJECT_RECORD_LIMIT characters.
REJECTS_MAX_ROWS = 100_000
REJECTS_MAX_BYTES = 64 * 1024 * 1024


class _CountingText:
    """A text handle that counts the UTF-8 bytes written through it."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8", "replace"))
        return self.handle.write(text)


class RejectsWriter:
    """Appends rejected rows to ``<dir>/<file>.rejects.csv``, opened on the first one.

    ``outcome`` says what happened to the row: ``rejected`` (not written), or ``kept``
    (written without the bad optional value in ``column``).
    """

    HEADER = ("file", "line", "column", "reason", "outcome", "record")

    def __init__(
        self,
        directory: Path,
        source_name: str,
        max_rows: int | None = None,
        max_bytes: int | None = None,
        source: str | None = None,
    ) -> None:
        self.path = directory / f"{source_name}.rejects.csv"
        self._handle: IO[str] | None = None
        self._counter: _CountingText | None = None
        self._writer: Any = None
        # The input file as the user named it, never the rejects file's own name.
        self._source = source or source_name
        self.max_rows = REJECTS_MAX_ROWS if max_rows is None else max_rows
        self.max_bytes = REJECTS_MAX_BYTES if max_bytes is None else max_bytes
        self.count = 0  # rows in the file
        self.dropped = 0  # rejected rows past the cap: counted, not written

    def write(self, rejection: Rejection, record_text: str, outcome: str = "rejected") -> None:
        if self._counter is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8", newline="")
            self._counter = _CountingText(self._handle)
            self._writer = csv.writer(self._counter, quoting=csv.QUOTE_ALL)
            self._writer.writerow(self.HEADER)
        if self.count >= self.max_rows or self._counter.bytes >= self.max_bytes:
            self.dropped += 1
            return
        cells = (
            self._source,
            rejection.line,
            rejection.column or "",
            rejection.reason,
            outcome,
            record_text.rstrip("\r\n"),
        )
        self._writer.writerow([escape_cell(c) for c in cells])
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
