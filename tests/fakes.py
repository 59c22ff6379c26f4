"""A recording query runner: what unit tests use instead of Neo4j to check emitted Cypher."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cibgraph.core.runner import Params, Row


@dataclass
class Call:
    mode: str
    query: str
    params: dict[str, Any]
    timeout: float | None = None


@dataclass
class RecordingRunner:
    """Records every query and its parameters; answers with canned rows.

    ``answers`` maps a substring of a query to the rows (or a function of the
    parameters returning rows) to give back; unmatched queries return [].
    """

    database: str = "neo4j"
    answers: dict[str, list[Row] | Callable[[dict[str, Any]], list[Row]]] = field(
        default_factory=dict
    )
    calls: list[Call] = field(default_factory=list)

    def _answer(
        self, mode: str, query: str, params: Params | None, timeout: float | None
    ) -> list[Row]:
        params_dict = dict(params or {})
        self.calls.append(Call(mode, query, params_dict, timeout))
        for needle, rows in self.answers.items():
            if needle in query:
                return rows(params_dict) if callable(rows) else list(rows)
        return []

    def read(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        return self._answer("read", query, params, timeout)

    def write(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        return self._answer("write", query, params, timeout)

    def write_all(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        return [self._answer("write", query, params, None) for query, params in statements]

    def auto(self, query: str, params: Params | None = None) -> list[Row]:
        return self._answer("auto", query, params, None)

    def queries(self, mode: str | None = None) -> list[str]:
        return [c.query for c in self.calls if mode is None or c.mode == mode]
