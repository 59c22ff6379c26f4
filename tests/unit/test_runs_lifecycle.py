"""The shared run lifecycle (graph/runs.py) against a recording runner: both kinds of run
get the same records, the same interrupted-run rule and one answer to "which run"."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest

from cibgraph.core.errors import RunNotReady
from cibgraph.graph import runs
from cibgraph.loaders.bulk import CsvSink
from cibgraph.loaders.ledger import PROGRESS
from tests.fakes import RecordingRunner

DEAD = 2**22 + 1  # above the kernel's pid_max: never a live process


def test_one_id_scheme_for_both_kinds() -> None:
    for prefix in ("load", "run"):
        assert re.fullmatch(rf"{prefix}-\d{{8}}T\d{{6}}Z-[0-9a-f]{{6}}", runs.new_run_id(prefix))


@pytest.mark.parametrize(("kind", "label"), [("load", "LoadRun"), ("detection", "DetectionRun")])
def test_start_finish_and_fail_write_the_same_record_for_both_kinds(
    kind: runs.Kind, label: str
) -> None:
    runner = RecordingRunner()
    runs.start_run(runner, kind, "x-1", {"seed": 7})
    runs.finish_run(runner, kind, "x-1", {"networks": 2})
    runs.fail_run(runner, kind, "x-1", "boom " * 1000)
    assert {c.query for c in runner.calls} == {f"MERGE (r:{label} {{id: $id}}) SET r += $props"}
    started, finished, failed = (c.params["props"] for c in runner.calls)
    assert started["status"] == "running" and started["pid"] == os.getpid()
    assert started["host"] == socket.gethostname() and started["seed"] == 7
    assert started["started_at"].tzinfo is not None
    assert finished["status"] == "complete" and finished["networks"] == 2
    assert failed["status"] == "failed" and len(failed["error"]) == 2000


def test_interrupted_runs_of_this_host_only_are_failed() -> None:
    here = socket.gethostname()
    rows = [
        {"id": "dead", "host": here, "pid": DEAD},
        {"id": "alive", "host": here, "pid": os.getpid()},
        {"id": "elsewhere", "host": "another-host", "pid": DEAD},
    ]
    runner = RecordingRunner(answers={"{status: 'running'}": rows})
    assert runs.mark_interrupted(runner, "load") == ["dead"]
    (marked,) = [c for c in runner.calls if "SET r.status = 'failed'" in c.query]
    assert marked.params["ids"] == ["dead"] and "interrupted" in marked.params["error"]
    # Live means: a live process here, or any process elsewhere (it cannot be checked).
    assert [r.id for r in runs.live_runs(runner, ("load",))] == ["alive", "elsewhere"]


def test_one_ordering_of_newest_undated_runs_last() -> None:
    for query in (runs.LATEST_RUN, runs.LIST_RUNS):
        assert "ORDER BY r.started_at IS NULL, r.started_at DESC, r.id DESC" in query


@pytest.mark.parametrize("status", ["running", "failed"])
def test_a_named_run_that_is_not_complete_is_refused_unless_asked(status: str) -> None:
    runner = RecordingRunner(answers={runs.RUN_BY_ID: [{"props": {"id": "r", "status": status}}]})
    with pytest.raises(RunNotReady, match=status.replace("running", "still running")):
        runs.resolve_run(runner, "r")
    assert runs.resolve_run(runner, "r", complete=False).status == status


def test_clock_times_phases_and_stages() -> None:
    seen: list[str] = []
    clock = runs.Clock(seen.append)
    clock.phase("a")
    with clock.stage("b"):
        pass
    clock.stop()
    assert seen == ["a", "b"] and set(clock.timings) == {"a", "b"}


def test_the_bulk_sink_ignores_the_progress_statement(tmp_path: Path) -> None:
    sink = CsvSink(tmp_path / "sink")
    try:
        assert sink.write_all([(PROGRESS, {"file": "f", "counts": {}})]) == [[]]
    finally:
        sink.close()
