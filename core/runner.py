"""The one seam between cibgraph and Neo4j: something that runs Cypher with parameters.

Library code takes a ``QueryRunner`` and never a driver, so unit tests can pass a
recording fake and check the exact Cypher and parameters emitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

Params = Mapping[str, Any]
Row = dict[str, Any]


class QueryRunner(Protocol):
    database: str

    def read(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        """Run in a managed read transaction (retried on transient errors)."""
        ...

    def write(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        """Run in a managed write transaction (retried on transient errors)."""
        ...

    def write_all(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        """Run several statements in one managed write transaction (all or nothing)."""
        ...

    def auto(self, query: str, params: Params | None = None) -> list[Row]:
        """Run in an auto-commit transaction (schema commands, CALL ... IN TRANSACTIONS)."""
        ...
