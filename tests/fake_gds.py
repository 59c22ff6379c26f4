"""A recording query runner for the graphdatascience client: the real client, no server.

``GraphDataScience`` accepts any implementation of its ``QueryRunner``; this one
records each procedure call, function call and Cypher statement the client makes, and
answers with canned rows, so unit tests see exactly what ``Gds`` asks GDS for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import neo4j
from graphdatascience import GraphDataScience, ServerVersion
from graphdatascience.call_parameters import CallParameters
from graphdatascience.query_runner.query_mode import QueryMode
from graphdatascience.query_runner.query_runner import QueryRunner
from graphdatascience.query_runner.query_type import QueryType
from pandas import DataFrame

from cibgraph.graph.gds import Gds

Answer = list[dict[str, Any]] | Callable[[dict[str, Any]], Any] | Any


@dataclass
class GdsCall:
    kind: str  # "procedure", "function" or "cypher"
    target: str  # the endpoint ("gds.leiden.mutate") or the Cypher text
    params: dict[str, Any]


@dataclass
class RecordingGdsRunner(QueryRunner):
    """``answers`` maps a substring of an endpoint or query to rows (or a function of the
    parameters giving them, or raising); unmatched calls answer no rows."""

    answers: dict[str, Answer] = field(default_factory=dict)
    calls: list[GdsCall] = field(default_factory=list)
    version: str = "2.13.9"

    def _answer(self, kind: str, target: str, params: dict[str, Any] | None) -> Any:
        sent = dict(params or {})
        self.calls.append(GdsCall(kind, target, sent))
        for needle, answer in self.answers.items():
            if needle in target:
                return answer(sent) if callable(answer) else answer
        return []

    def _frame(self, kind: str, target: str, params: dict[str, Any] | None) -> DataFrame:
        return DataFrame(self._answer(kind, target, params))

    def call_procedure(
        self,
        endpoint: str,
        query_type: QueryType = QueryType.USER_TRANSPILED,
        params: CallParameters | None = None,
        yields: list[str] | None = None,
        database: str | None = None,
        mode: QueryMode = QueryMode.READ,
        logging: bool = False,
        retryable: bool = False,
        custom_error: bool = True,
    ) -> DataFrame:
        return self._frame("procedure", endpoint, params)

    def call_function(
        self,
        endpoint: str,
        query_type: QueryType = QueryType.USER_TRANSPILED,
        params: CallParameters | None = None,
    ) -> Any:
        return self._answer("function", endpoint, params)

    def run_cypher(
        self,
        query: str,
        query_type: QueryType,
        params: dict[str, Any] | None = None,
        database: str | None = None,
        mode: QueryMode | None = None,
        custom_error: bool = True,
    ) -> DataFrame:
        return self._frame("cypher", query, params)

    def run_retryable_cypher(
        self,
        query: str,
        query_type: QueryType,
        params: dict[str, Any] | None = None,
        database: str | None = None,
        mode: QueryMode | None = None,
        custom_error: bool = True,
    ) -> DataFrame:
        return self._frame("cypher", query, params)

    def server_version(self) -> ServerVersion:
        return ServerVersion.from_string(self.version)

    def driver_config(self) -> dict[str, Any]:
        return {}

    def db_driver(self) -> neo4j.Driver:
        raise NotImplementedError("no driver in unit tests")

    def encrypted(self) -> bool:
        return False

    def set_database(self, database: str) -> None:
        pass

    def set_bookmarks(self, bookmarks: neo4j.Bookmarks | None) -> None:
        pass

    def database(self) -> str | None:
        return "neo4j"

    def bookmarks(self) -> neo4j.Bookmarks | None:
        return None

    def last_bookmarks(self) -> neo4j.Bookmarks | None:
        return None

    def set_show_progress(self, show_progress: bool) -> None:
        pass

    def cloneWithoutRouting(self, host: str, port: int) -> QueryRunner:
        return self

    def read_connection_info(self) -> neo4j.Address:
        return neo4j.Address(("127.0.0.1", 7687))

    def targets(self, kind: str | None = None) -> list[str]:
        return [c.target for c in self.calls if kind is None or c.kind == kind]


def recording_gds(runner: RecordingGdsRunner) -> Gds:
    """A ``Gds`` over the real client, over ``runner``."""
    return Gds(GraphDataScience(runner, arrow=False, show_progress=False), where="the fake")
