"""What validation produces: a record to write, or a rejection with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rejection:
    line: int
    column: str | None
    reason: str
    raw: str


@dataclass(frozen=True)
class Record:
    statement: str  # a key of loaders.statements.STATEMENTS, never user input
    key: str  # identity within the file, for in-batch de-duplication (last wins)
    row: dict[str, Any]  # one UNWIND row
    # Optional values left out of the row because they were bad (the row is kept);
    # each is counted in the ledger and written to the rejects file.
    warnings: tuple[Rejection, ...] = ()
