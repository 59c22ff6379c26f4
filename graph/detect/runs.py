"""The DetectionRun node: what was run, on which data, how long each stage took, and
whether it finished. A run is 'running' until it completes; any failure marks it
'failed', and a run whose process died is marked failed by the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from datetime import UTC, datetime
from typing import Any

from cibgraph.core.errors import UsageError
from cibgraph.core.host import pid_alive
from cibgraph.core.runner import QueryRunner, Row
from cibgraph.graph.gds.cypher import DROP as DROP_GRAPH

FINGERPRINT = """
CALL () {
  MATCH (n) WHERE NOT n:LoadRun AND NOT n:LoadFile AND NOT n:DetectionRun AND NOT n:Network
  UNWIND labels(n) AS label
  RETURN 'node:' + label AS item, count(*) AS n
  UNION ALL
  MATCH ()-[r]->()
  WHERE NOT type(r) IN ['READ', 'COORDINATED_WITH', 'MEMBER_OF', 'DETECTED_IN', 'ATTRIBUTED_TO']
  RETURN 'rel:' + type(r) AS item, count(*) AS n
}
RETURN item, n ORDER BY item
"""


def now() -> datetime:
    return datetime.now(UTC)


def new_run_id() -> str:
    return f"run-{now().strftime('%Y%m%dT%H%M%SZ')}-{os.urandom(3).hex()}"


def data_fingerprint(runner: QueryRunner) -> str:
    """A hash of the evidence graph's label and relationship counts.

    Two runs with the same fingerprint and parameters ran on the same data (as far
    as counts can tell); the counts themselves go into the run for reading.
    """
    rows = runner.read(FINGERPRINT)
    payload = json.dumps([[r["item"], r["n"]] for r in rows], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def start_run(runner: QueryRunner, run_id: str, props: dict[str, Any]) -> None:
    runner.write(
        "CREATE (r:DetectionRun {id: $id}) SET r += $props, r.status = 'running', "
        "r.started_at = datetime(), r.host = $host, r.pid = $pid",
        {"id": run_id, "props": props, "host": socket.gethostname(), "pid": os.getpid()},
    )


def finish_run(runner: QueryRunner, run_id: str, props: dict[str, Any]) -> None:
    runner.write(
        "MATCH (r:DetectionRun {id: $id}) "
        "SET r += $props, r.status = 'complete', r.finished_at = datetime()",
        {"id": run_id, "props": props},
    )


def fail_run(
    runner: QueryRunner, run_id: str, error: str, props: dict[str, Any] | None = None
) -> None:
    runner.write(
        "MATCH (r:DetectionRun {id: $id}) SET r += $props, r.status = 'failed', r.error = $error, "
        "r.finished_at = datetime()",
        {"id": run_id, "error": error[:2000], "props": props or {}},
    )


# The pipeline projects each run's coordination graph as f"cib-{run_id}".
PROJECTION_PREFIX = "cib-"


def drop_orphaned_projections(runner: QueryRunner) -> list[str]:
    """Drop the in-memory graphs of runs that are no longer running; their names.

    A run killed while its graph was projected (SIGKILL, a power cut of the client)
    leaves the graph in the server's heap until the server restarts; each such crash
    would shrink the heap left for the next runs.
    """
    rows = runner.read(
        "CALL gds.graph.list() YIELD graphName WHERE graphName STARTS WITH $prefix "
        "OPTIONAL MATCH (r:DetectionRun {id: substring(graphName, size($prefix))}) "
        "WITH graphName, r WHERE r IS NULL OR r.status <> 'running' "
        "RETURN graphName",
        {"prefix": PROJECTION_PREFIX},
    )
    names = [str(row["graphName"]) for row in rows]
    # Plain Cypher on the runner, not the client: this sweep runs before a run has a GDS
    # connection, on whatever QueryRunner the caller has.
    for name in names:
        runner.auto(DROP_GRAPH, {"graph_name": name, "fail_if_missing": False})
    return names


def mark_interrupted_runs(runner: QueryRunner) -> int:
    """Runs left 'running' on this host by a process that no longer exists become 'failed',
    and the in-memory graphs of runs no longer running are dropped."""
    rows = runner.read(
        "MATCH (r:DetectionRun {status: 'running', host: $host}) RETURN r.id AS id, r.pid AS pid",
        {"host": socket.gethostname()},
    )
    stale = [r["id"] for r in rows if r["pid"] is None or not pid_alive(int(r["pid"]))]
    if stale:
        runner.write(
            "MATCH (r:DetectionRun) WHERE r.id IN $ids SET r.status = 'failed', "
            "r.error = 'interrupted: the detecting process ended before finishing', "
            "r.finished_at = datetime()",
            {"ids": stale},
        )
    drop_orphaned_projections(runner)
    return len(stale)


RUN_FIELDS = (
    "r.id AS id, r.status AS status, r.started_at AS started_at, r.finished_at AS finished_at, "
    "r.algorithm AS algorithm, r.window AS window, r.window_source AS window_source, "
    "r.seed AS seed, "
    "r.concurrency AS concurrency, r.networks AS networks, r.flagged AS flagged, "
    "r.data_fingerprint AS data_fingerprint, r.error AS error"
)


def list_runs(runner: QueryRunner, limit: int = 20) -> list[Row]:
    return runner.read(
        f"MATCH (r:DetectionRun) RETURN {RUN_FIELDS} ORDER BY r.started_at DESC LIMIT $limit",
        {"limit": limit},
    )


def get_run(runner: QueryRunner, run_id: str | None = None) -> Row:
    """The run with this id, or the newest complete run; a clear error otherwise."""
    if run_id is None:
        rows = runner.read(
            "MATCH (r:DetectionRun {status: 'complete'}) "
            f"RETURN {RUN_FIELDS}, properties(r) AS props "
            "ORDER BY r.started_at DESC LIMIT 1"
        )
        if not rows:
            raise UsageError("There is no complete detection run yet.", "run `cib detect` first")
        return rows[0]
    rows = runner.read(
        f"MATCH (r:DetectionRun {{id: $id}}) RETURN {RUN_FIELDS}, properties(r) AS props",
        {"id": run_id},
    )
    if not rows:
        raise UsageError(f"No detection run {run_id!r}.", "`cib runs list` shows the runs")
    return rows[0]
