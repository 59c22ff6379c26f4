"""Crash during a load or a detection run, on a throwaway server: recover by re-running.

A ``cib load`` subprocess is killed with SIGKILL mid-load (after some batches are
committed) - either the ``cib`` process itself, or the Neo4j server under it. After
the server is back, the same ``cib load`` is run again; the evidence graph must then
equal a clean load of the same files into an empty database, node for node and
property for property (``graph_digest``), and the interrupted LoadRun must end up
``failed``, never ``complete``. A killed ``cib detect`` is left ``failed`` by the next
run, which completes unaffected.

Fast tests (scale 0.05) run by default; the scale-1 tests and the server kill (which
waits out the driver's 30 s retry window) are slow:
``.venv/bin/pytest -m slow tests/integration/test_crash_recovery.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from cibgraph.graph.connection import Database
from tests.markers import slow
from tests.throwaway import (
    CIB,
    Scenario,
    Throwaway,
    counts,
    duplicate_keys,
    graph_digest,
    wait_until,
    write_coordinated_group,
)

pytestmark = pytest.mark.integration

# Small batches: many commits, so a kill lands mid-load with some batches committed.
BATCH = "250"


def _posts(db: Database) -> int:
    return int(db.read("MATCH (p:Post) RETURN count(p) AS n")[0]["n"])


def _load_run(db: Database, run_id: str) -> dict[str, Any]:
    # properties(): r.error may not exist yet, and naming it would draw a server warning.
    rows = db.read(
        "MATCH (r:LoadRun {id: $id}) OPTIONAL MATCH (r)-[:READ]->(f:LoadFile) "
        "RETURN properties(r) AS run, collect(f.status) AS files",
        {"id": run_id},
    )
    return {**rows[0]["run"], "files": rows[0]["files"]}


def _running_load(db: Database) -> str:
    rows = db.read("MATCH (r:LoadRun {status: 'running'}) RETURN r.id AS id")
    assert len(rows) == 1, rows
    return str(rows[0]["id"])


def _start_load(server: Throwaway, scenario: Scenario, tmp: Path) -> subprocess.Popen[bytes]:
    return server.spawn_cib(
        "load",
        str(scenario.folder),
        "--batch-size",
        BATCH,
        "--quiet",
        "--rejects-dir",
        str(tmp / "rejects-killed"),
        log=tmp / "killed-load.log",
    )


def _wait_for_batches(db: Database, proc: subprocess.Popen[bytes], scenario: Scenario) -> int:
    """Until a few post batches are committed (posts load after actors and pages)."""
    wanted = 4 * int(BATCH)
    wait_until("four batches of posts", lambda: _posts(db) >= wanted, 300, proc, every=0.05)
    posts = _posts(db)
    assert posts < scenario.posts, "the load finished before it could be interrupted"
    return posts


def _rerun(server: Throwaway, scenario: Scenario, tmp: Path) -> dict[str, Any]:
    again = server.cib(
        "load", str(scenario.folder), "--json", "--quiet", "--rejects-dir", str(tmp / "rerun")
    )
    assert again.returncode == 0, again.stderr
    ledger: dict[str, Any] = json.loads(again.stdout)
    assert ledger["status"] == "complete" and ledger["reconciles"] is True
    return ledger


def _assert_recovered(db: Database, scenario: Scenario, killed_run: str) -> None:
    digest = graph_digest(db)
    assert counts(digest) == counts(scenario.reference)
    assert digest == scenario.reference, "same counts, different content"
    assert duplicate_keys(db) == []
    run = _load_run(db, killed_run)
    assert run["status"] == "failed", run
    # The file being loaded when the process died is failed too; none is left running.
    assert "running" not in run["files"] and "failed" in run["files"], run


def _kill_cib_mid_load(server: Throwaway, scenario: Scenario, tmp: Path) -> None:
    proc = _start_load(server, scenario, tmp)
    try:
        with server.connect() as db:
            posts = _wait_for_batches(db, proc, scenario)
            killed_run = _running_load(db)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            # Nothing has noticed yet: the run still says running, half the posts are in.
            assert _load_run(db, killed_run)["status"] == "running"
            assert posts <= _posts(db) < scenario.posts
        _rerun(server, scenario, tmp)
        with server.connect() as db:
            _assert_recovered(db, scenario, killed_run)
            error = _load_run(db, killed_run)["error"]
            assert "interrupted" in error, error
        print(
            f"\ncib killed with {posts:,} of {scenario.posts:,} posts committed; "
            "rerun equals a clean load; killed run failed"
        )
    finally:
        if proc.poll() is None:
            proc.kill()


def test_killed_load_process_recovers_by_rerunning(
    throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    throwaway.ensure_running()
    throwaway.wipe()
    _kill_cib_mid_load(throwaway, small_scenario, tmp_path)


@slow
def test_killed_load_process_recovers_by_rerunning_at_scale_1(
    throwaway: Throwaway, large_scenario: Scenario, tmp_path: Path
) -> None:
    throwaway.ensure_running()
    throwaway.wipe()
    _kill_cib_mid_load(throwaway, large_scenario, tmp_path)


def _kill_server_mid_load(server: Throwaway, scenario: Scenario, tmp: Path) -> float:
    """SIGKILL Neo4j mid-load and keep it down until the loader gives up; the seconds
    the loader took to give up."""
    proc = _start_load(server, scenario, tmp)
    try:
        with server.connect() as db:
            _wait_for_batches(db, proc, scenario)
            killed_run = _running_load(db)
        server.kill()
        killed_at = time.monotonic()
        # The driver retries the batch for max_transaction_retry_time (30 s), then the
        # loader fails cleanly: exit code, no traceback, its own ledger says failed.
        code = proc.wait(timeout=180)
        gave_up = time.monotonic() - killed_at
        log = (tmp / "killed-load.log").read_text(errors="replace")
        assert code == 2, log
        assert "Cannot reach Neo4j" in log and "Traceback" not in log, log
        (local,) = (tmp / "rejects-killed").glob("*/ledger.json")
        saved = json.loads(local.read_text())
        assert saved["id"] == killed_run and saved["status"] == "failed", saved
        assert "failed" in [f["status"] for f in saved["files"]], saved

        server.start()  # crash recovery of the store happens here
        with server.connect() as db:
            # The server died under the loader, so only the next load can mark it.
            assert _load_run(db, killed_run)["status"] == "running"
        _rerun(server, scenario, tmp)
        with server.connect() as db:
            _assert_recovered(db, scenario, killed_run)
        return gave_up
    finally:
        if proc.poll() is None:
            proc.kill()
        server.ensure_running()


@slow
def test_killed_server_mid_load_recovers_by_restart_and_rerun(
    throwaway: Throwaway, large_scenario: Scenario, tmp_path: Path
) -> None:
    throwaway.ensure_running()
    throwaway.wipe()
    gave_up = _kill_server_mid_load(throwaway, large_scenario, tmp_path)
    assert 25 <= gave_up <= 150, gave_up  # the driver's retry window, then a clean exit
    print(f"\nserver killed mid-load: cib gave up cleanly after {gave_up:.0f} s")


# ---------------------------------------------------------------------------------------
# Detection


def _runs(server: Throwaway) -> list[dict[str, Any]]:
    listed = server.cib("runs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    runs: list[dict[str, Any]] = json.loads(listed.stdout)
    return runs


# A `cib detect` that stops for a minute once its coordination graph is projected, so
# the test can kill it at that exact point (the projection lives in the server's heap).
_PAUSED_DETECT = """
import time
from cibgraph.graph.gds import client
from cibgraph.cli.main import main

original = client.Gds.project

def project(self, *args, **kwargs):
    graph = original(self, *args, **kwargs)
    print("projected", flush=True)
    time.sleep(120)
    return graph

client.Gds.project = project
main()
"""


def test_killed_detection_is_marked_failed_and_the_next_run_completes(
    fresh_throwaway: Throwaway, tmp_path: Path
) -> None:
    throwaway = fresh_throwaway
    # A small coordinated group: the kill point is set by the pause, not by the data size.
    group = write_coordinated_group(tmp_path / "group", [f"m{i}" for i in range(12)])
    loaded = throwaway.cib("load", str(group), "--quiet", "--rejects-dir", str(tmp_path / "rj"))
    assert loaded.returncode == 0, loaded.stderr
    before = {r["id"] for r in _runs(throwaway)}
    log = tmp_path / "detect.log"
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            [CIB[0], "-c", _PAUSED_DETECT, "detect", "--window", "60", "--quiet"],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=throwaway.env(),
        )
    try:
        with throwaway.connect() as db:
            wait_until(
                "the coordination graph to be projected",
                lambda: b"projected" in log.read_bytes(),
                300,
                proc,
            )
            (killed,) = [r["id"] for r in _runs(throwaway) if r["id"] not in before]
            graphs = [r["name"] for r in db.read(_GRAPHS)]
            assert f"cib-{killed}" in graphs
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            assert _run_status(db, killed) == "running"
        nxt = throwaway.cib("detect", "--window", "60", "--json", "--quiet")
        assert nxt.returncode == 0, nxt.stderr
        next_id = json.loads(nxt.stdout)["run_id"]
        by_id = {r["id"]: r for r in _runs(throwaway)}
        assert by_id[killed]["status"] == "failed"
        assert "interrupted" in by_id[killed]["error"]
        assert by_id[next_id]["status"] == "complete"
        assert by_id[next_id]["flagged"] > 0
        with throwaway.connect() as db:
            # The killed run's projection held server heap; the next run released it.
            assert [r["name"] for r in db.read(_GRAPHS)] == []
            # ... and removed the killed run's coordination edges.
            left = db.read(
                "MATCH ()-[e:COORDINATED_WITH {run_id: $id}]->() RETURN count(e) AS n",
                {"id": killed},
            )
            assert left == [{"n": 0}]
    finally:
        if proc.poll() is None:
            proc.kill()


_GRAPHS = "CALL gds.graph.list() YIELD graphName RETURN graphName AS name"


def _run_status(db: Database, run_id: str) -> str:
    rows = db.read("MATCH (r:DetectionRun {id: $id}) RETURN r.status AS s", {"id": run_id})
    return str(rows[0]["s"])
