"""The importer's CSV files: which columns each node and relationship file has, with
their neo4j-admin types, and how a property value becomes a cell (or does not fit)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cibgraph.loaders.contract import CONTRACT, FieldType

_IMPORT_TYPE = {
    FieldType.TIMESTAMP: "datetime",
    FieldType.INT: "long",
    FieldType.FLOAT: "double",
    FieldType.CONFIDENCE: "double",
    FieldType.BOOL: "boolean",
}


# -- CSV columns -----------------------------------------------------------------------


def _contract_columns(kind: str, *names: str) -> tuple[tuple[str, str], ...]:
    spec = CONTRACT[kind]
    return tuple((n, _IMPORT_TYPE.get(spec.column(n).type, "string")) for n in names)


ACCOUNT = _contract_columns(
    "accounts", "platform", "handle", "display_name", "created_at", "followers", "country",
    "verified",
)  # fmt: skip
PAGE = _contract_columns(
    "pages", "platform", "name", "category", "created_at", "followers", "country"
)
ORGANIZATION = _contract_columns("organizations", "name", "kind", "country")
AD = _contract_columns("ads", "spend", "currency", "started_at", "ended_at", "paid_for_by")
# Contract posts, plus what the peer layouts add (loaders/peers.py).
POST = (
    *_contract_columns("posts", "created_at", "text"),
    ("text_hash", "string"),
    ("image_hash", "string"),
    ("url_given", "string"),
    ("domain", "string"),
    ("surrogate_id", "boolean"),
    ("reply_to_id", "string"),
)
ADMINISTERS = _contract_columns("page_admins", "role", "since")
AFFILIATED_WITH = _contract_columns("affiliations", "source", "confidence", "evidence", "disclosed")
USES = _contract_columns("identifiers", "first_seen", "last_seen")


def fits(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "long":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "double":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


_KNOWN: dict[int, frozenset[str]] = {}


def cells_of(columns: Sequence[tuple[str, str]], props: dict[str, Any]) -> list[str] | None:
    """The props as CSV cells in column order; None if a key or a type does not fit."""
    known = _KNOWN.get(id(columns))
    if known is None:  # the column tuples are module constants: one set each
        known = _KNOWN[id(columns)] = frozenset(name for name, _ in columns)
    if not known.issuperset(props):
        return None
    cells = []
    for name, kind in columns:
        value = props.get(name)
        if value is None:
            cells.append("")
        elif kind == "string" and type(value) is str:  # the common case, without calls
            cells.append(value)
        elif not fits(kind, value):
            return None
        else:
            cells.append(_cell(value))
    return cells


def header_of(columns: Sequence[tuple[str, str]]) -> list[str]:
    return [name if kind == "string" else f"{name}:{kind}" for name, kind in columns]


class CsvFile:
    """One importer input file, written as rows arrive."""

    def __init__(
        self, path: Path, header: Sequence[str] | None, kind: str, labels: tuple[str, ...]
    ) -> None:
        self.path = path
        self.kind = kind  # "nodes", "relationships", or "spool" (rewritten before import)
        self.labels = labels
        self._handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        # CRLF: csv.writer quotes a cell holding a line break only if the break is in
        # its lineterminator, and a bare CR left unquoted ends the row for csv.reader
        # (the actors' spool is read back) and for the importer.
        self._writer = csv.writer(self._handle, lineterminator="\r\n")
        if header is not None:
            self._writer.writerow(header)
        self.rows = 0
        self.multiline = False

    def write(self, cells: list[str]) -> None:
        if not self.multiline:
            joined = "".join(cells)
            self.multiline = "\n" in joined or "\r" in joined
        self._writer.writerow(cells)
        self.rows += 1

    def write_rows(self, rows: Iterable[Sequence[str | None]], multiline: bool) -> int:
        """Many rows at once (None: an empty cell); ``multiline``: some cell holds a line
        break. The number of rows written."""
        self.multiline = self.multiline or multiline
        before = self.rows
        for row in rows:  # writerows would not count them
            self._writer.writerow(row)
            self.rows += 1
        return self.rows - before

    def close(self) -> None:
        self._handle.close()
