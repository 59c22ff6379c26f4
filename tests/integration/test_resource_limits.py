"""Resource limits through the CLI: a runaway query is stopped by the server, a detection
that would not fit the heap is refused before anything is projected.

tests/integration/test_query_library.py checks how Neo4j reports a timeout and
tests/integration/test_detect.py the library-level memory refusal; these run the
same limits end to end, as a user meets them: the command, its message, its exit
code, and what is left on the server afterwards.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cibgraph.cli import query as query_cli
from cibgraph.cli.main import app
from cibgraph.core.errors import InsufficientMemory
from cibgraph.graph.connection import Database
from cibgraph.graph.gds import Gds, HeapInfo
from cibgraph.queries.registry import Library, QueryTimedOut, parse_query
from tests.throwaway import Throwaway, write_coordinated_group

pytestmark = pytest.mark.integration

# A library query that would count to a billion: only its timeout ends it.
RUNAWAY = """// name: runaway
// title: Counts for ever
// category: exploration
// description: A deliberately slow query for the timeout test.
// parameters:
//   n: {default: 1000000000, description: "how far to count"}
// revision: 1

UNWIND range(1, $n) AS x WITH x WHERE x % 7 = 99 RETURN count(*) AS c LIMIT 1
"""


def _still_running(db: Database) -> list[str]:
    rows = db.read(
        "SHOW TRANSACTIONS YIELD currentQuery, status "
        "WHERE currentQuery CONTAINS 'UNWIND range(1, $n)' AND NOT currentQuery STARTS WITH 'SHOW' "
        "RETURN currentQuery"
    )
    return [str(r["currentQuery"]) for r in rows]


def test_a_runaway_library_query_is_stopped_by_the_server(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library((parse_query(RUNAWAY, "runaway.cypher"),))
    monkeypatch.setattr(query_cli, "load_library", lambda: library)
    started = time.monotonic()
    result = CliRunner().invoke(app, ["query", "run", "runaway", "--timeout", "1"])
    took = time.monotonic() - started
    assert result.exit_code == QueryTimedOut.exit_code, result.output
    assert "did not finish within 1 s and was stopped" in result.stderr
    assert "--timeout" in result.stderr and "Traceback" not in result.output
    assert took < 30, took
    # Stopped on the server, not just abandoned by the client.
    assert _still_running(db) == []
    print(f"\nrunaway query: stopped by the server after --timeout 1, cib returned in {took:.1f} s")


def test_detection_that_would_not_fit_is_refused_before_projecting(
    fresh_throwaway: Throwaway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = fresh_throwaway
    group = write_coordinated_group(tmp_path / "group", [f"m{i}" for i in range(6)])
    loaded = server.cib("load", str(group), "--quiet", "--rejects-dir", str(tmp_path / "rj"))
    assert loaded.returncode == 0, loaded.stderr
    tiny = HeapInfo(
        max_bytes=1024, free_bytes=512, total_bytes=1024, available_bytes=1024, available_cpus=2
    )
    monkeypatch.setattr(Gds, "heap", lambda self: tiny)
    env = {"CIBGRAPH_HOME": str(server.home), "NEO4J_URI": None, "NEO4J_PASSWORD": None}
    runner = CliRunner()
    result = runner.invoke(app, ["detect", "--window", "60"], env=env)
    assert result.exit_code == InsufficientMemory.exit_code, result.output
    assert "needs up to" in result.stderr and "--heap" in result.stderr
    assert "Traceback" not in result.output
    listed = runner.invoke(app, ["runs", "list", "--json"], env=env)
    (run,) = json.loads(listed.stdout)
    assert run["status"] == "failed" and "needs up to" in run["error"]
    with server.connect() as db:
        assert db.read("CALL gds.graph.list() YIELD graphName RETURN graphName") == []
