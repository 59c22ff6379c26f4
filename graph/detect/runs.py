"""What is particular to detection runs: the data fingerprint, the in-memory graphs
and the output a run writes (edges, networks), removed when the run failed.

The lifecycle itself (ids, start / finish / fail, interrupted runs, which run) is
``graph/runs.py``, shared with load runs. A run is 'running' until it completes; any
failure marks it 'failed' and removes what it wrote; a run whose process died is
marked failed, and its output removed, by the next run.
"""

from __future__ import annotations

import hashlib
import json

from cibgraph.core.errors import CibError, UsageError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph import runs as lifecycle
from cibgraph.graph.detect.edges import delete_edges
from cibgraph.graph.gds.cypher import DROP as DROP_GRAPH
from cibgraph.graph.runs import RUN_BY_ID

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


def data_fingerprint(runner: QueryRunner) -> str:
    """A hash of the evidence graph's label and relationship counts.

    Two runs with the same fingerprint and parameters ran on the same data (as far
    as counts can tell); the counts themselves go into the run for reading.
    """
    rows = runner.read(FINGERPRINT)
    payload = json.dumps([[r["item"], r["n"]] for r in rows], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


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


# A failed run's output, removed in bounded transactions (a run writes up to millions
# of edges; one transaction for all of them would outgrow the transaction memory).
DELETE_RUN_NETWORKS = """
MATCH (n:Network {run_id: $run_id})
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 50 ROWS
"""
DELETE_RUN_NODE = "MATCH (r:DetectionRun {id: $run_id}) DETACH DELETE r"
# Failed runs whose output is still there (killed before they could remove it).
LEFT_OVER = """
MATCH (r:DetectionRun {status: 'failed'})
WHERE r.output_removed IS NULL
RETURN r.id AS id
"""
MARK_REMOVED = "MATCH (r:DetectionRun {id: $run_id}) SET r.output_removed = $now"


def remove_output(runner: QueryRunner, run_id: str) -> None:
    """Delete the run's coordination edges and networks (its node stays, as the record)."""
    delete_edges(runner, run_id)
    runner.auto(DELETE_RUN_NETWORKS, {"run_id": run_id})
    runner.write(MARK_REMOVED, {"run_id": run_id, "now": lifecycle.now()})


def mark_interrupted_runs(runner: QueryRunner) -> int:
    """Runs left 'running' on this host by a process that no longer exists become
    'failed'; the in-memory graphs of runs no longer running are dropped, and the edges
    and networks of failed runs removed."""
    stale = lifecycle.mark_interrupted(runner, "detection")
    drop_orphaned_projections(runner)
    for row in runner.read(LEFT_OVER):
        remove_output(runner, str(row["id"]))
    return len(stale)


def delete_run(runner: QueryRunner, run_id: str) -> None:
    """``cib runs delete``: the run, its networks and its edges; never a live run."""
    rows = runner.read(RUN_BY_ID, {"run_id": run_id})
    if not rows:
        raise lifecycle.RunNotFound(
            f"No detection run {run_id!r}.", "`cib runs list` shows the runs"
        )
    live = [r for r in lifecycle.live_runs(runner, ("detection",)) if r.id == run_id]
    if live:
        raise UsageError(
            f"Detection run {run_id} is still running ({live[0].describe()}).",
            "wait for it to finish or stop it first; a stopped run is marked failed",
        )
    remove_output(runner, run_id)
    runner.write(DELETE_RUN_NODE, {"run_id": run_id})


class DataChanged(CibError):
    """The evidence graph changed while a detection run read it."""

    exit_code = 1


# Loads that overlapped a run: still running, or started or finished after it began.
OVERLAPPING_LOADS = """
MATCH (l:LoadRun)
WHERE l.status = 'running' OR l.started_at >= $since OR l.finished_at >= $since
RETURN l.id AS id, l.status AS status
ORDER BY l.started_at
LIMIT 5
"""


def refuse_during_load(runner: QueryRunner) -> None:
    """Detection on a graph a load is writing would match neither the old data nor the new."""
    loads = lifecycle.live_runs(runner, ("load",))
    if loads:
        raise UsageError(
            f"A load is writing to this database: {loads[0].describe()}; a detection run "
            "now would read a graph that is changing under it.",
            "wait for the load to finish (`cib query run load_runs`), then detect",
        )


def check_unchanged(runner: QueryRunner, fingerprint: str, since: object) -> None:
    """Raise ``DataChanged`` when the data fingerprint moved since the run started, or a
    load overlapped the run (it may have changed values without changing counts)."""
    loads = [str(r["id"]) for r in runner.read(OVERLAPPING_LOADS, {"since": since})]
    after = data_fingerprint(runner)
    if after == fingerprint and not loads:
        return
    why = (
        f"the data fingerprint went from {fingerprint} to {after}"
        if after != fingerprint
        else f"a load ran meanwhile ({', '.join(loads)})"
    )
    raise DataChanged(
        f"The data changed while this detection run read it: {why}; its networks would "
        "match neither dataset.",
        "run detection again once no load is running",
    )
