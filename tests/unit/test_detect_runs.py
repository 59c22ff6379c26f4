"""DetectionRun bookkeeping against a recording runner: interrupted runs and what they leave."""

from __future__ import annotations

import os
import socket

from cibgraph.graph.detect import runs
from tests.fakes import RecordingRunner


def test_interrupted_runs_are_failed_and_their_projections_dropped() -> None:
    # A `cib detect` killed while its coordination graph was projected left the graph in
    # the server's heap until a restart (found by tests/integration/test_crash_recovery).
    dead_pid = 2**22 + 1  # above the kernel's pid_max, so never a live process
    runner = RecordingRunner(
        answers={
            "DetectionRun {status: 'running'": [
                {"id": "run-dead", "host": socket.gethostname(), "pid": dead_pid}
            ],
            "gds.graph.list": [{"graphName": "cib-run-dead"}],
            "gds.graph.drop": [{"graphName": "cib-run-dead"}],
        }
    )
    assert runs.mark_interrupted_runs(runner) == 1
    failed = next(c for c in runner.calls if "SET r.status = 'failed'" in c.query)
    assert failed.params["ids"] == ["run-dead"]
    drops = [c for c in runner.calls if "gds.graph.drop" in c.query]
    assert [c.params["graph_name"] for c in drops] == ["cib-run-dead"]


def test_a_live_run_keeps_its_projection() -> None:
    # The listing query itself leaves out graphs of runs still running; nothing to drop.
    runner = RecordingRunner(
        answers={
            "DetectionRun {status: 'running'": [
                {"id": "run-live", "host": socket.gethostname(), "pid": os.getpid()}
            ]
        }
    )
    assert runs.mark_interrupted_runs(runner) == 0
    listing = next(c for c in runner.calls if "gds.graph.list" in c.query)
    assert "r.status <> 'running'" in listing.query
    assert listing.params == {"prefix": runs.PROJECTION_PREFIX}
    assert not [c for c in runner.calls if "gds.graph.drop" in c.query]
