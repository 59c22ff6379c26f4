"""Streaming CSV writers, plain or gzip, that give byte-identical files for equal rows.

Gzip normally stamps the current time and the file name into its header; both are
fixed here (mtime 0, no name) so that compressed output is as reproducible as the
plain CSV. Files are written under a temporary name and renamed when complete, so an
interrupted run never leaves a truncated file that looks finished.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO

# Level 6 is zlib's default trade-off; 9 costs about twice the time for a few percent.
GZIP_LEVEL = 6
BATCH_ROWS = 2_000


def file_name(kind: str, compress: bool) -> str:
    return f"{kind}.csv.gz" if compress else f"{kind}.csv"


class TableWriter:
    """One contract file: a header, then rows, streamed to disk."""

    def __init__(self, path: Path, header: Sequence[str], compress: bool) -> None:
        self.path = path
        self._partial = path.with_name(path.name + ".partial")
        self._raw: IO[bytes] = open(self._partial, "wb")  # noqa: SIM115 - closed in close()
        self._gzip: gzip.GzipFile | None = None
        self._text: io.TextIOBase
        if compress:
            self._gzip = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._raw, compresslevel=GZIP_LEVEL, mtime=0
            )
            self._text = io.TextIOWrapper(self._gzip, encoding="utf-8", newline="")
        else:
            self._text = io.TextIOWrapper(self._raw, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text)
        self._csv.writerow(header)
        self._pending: list[Sequence[str]] = []
        self.rows = 0

    def write(self, row: Sequence[str]) -> None:
        self._pending.append(row)
        if len(self._pending) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        self._csv.writerows(self._pending)
        self.rows += len(self._pending)
        self._pending.clear()

    def close(self) -> int:
        """Finish the file, move it into place, and return its size in bytes."""
        self._flush()
        self._text.flush()
        self._text.detach()
        if self._gzip is not None:
            self._gzip.close()
        self._raw.close()
        os.replace(self._partial, self.path)
        return self.path.stat().st_size

    def abandon(self) -> None:
        """Drop a half-written file after a failure."""
        with contextlib.suppress(ValueError):  # already detached by a failed close()
            self._text.detach()
        if self._gzip is not None:
            self._gzip.close()
        self._raw.close()
        self._partial.unlink(missing_ok=True)
