"""The edges stage's writers (graph/detect/edges.py): two batches in flight, every edge
written once, and on a failure nothing still running once the error is raised."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from cibgraph.core.errors import QueryFailed
from cibgraph.graph.detect.edges import WRITE_EDGES, write_edges
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.signals import CoordinationPairs
from tests.fakes import RecordingRunner


def _pairs(count: int) -> CoordinationPairs:
    pairs = CoordinationPairs()
    for i in range(count):
        evidence = pairs.get(f"account:{i:03d}", f"account:{i + 1:03d}")
        evidence.co_share_objects, evidence.co_share_score, evidence.min_gap = 2, 1.5, 7
    return pairs


class SlowRunner(RecordingRunner):
    """Writes take a while; counts how many run at once, and can fail one batch."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.running = self.most = self.started = self.finished = 0
        self.fail_at = fail_at

    def write(self, query: str, params: Any = None, *, timeout: float | None = None) -> Any:
        with self.lock:
            self.started += 1
            number = self.started
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)
            if number == self.fail_at:
                raise QueryFailed("the server went away", "Neo.TransientError.Test")
            return super().write(query, params, timeout=timeout)
        finally:
            with self.lock:
                self.running -= 1
                self.finished += 1


def test_every_edge_is_written_once_with_two_batches_in_flight() -> None:
    runner = SlowRunner()
    written = write_edges(runner, "run-1", _pairs(47), DetectParams(window=60), batch_size=5)
    assert written == 47
    calls = [c for c in runner.calls if c.query == WRITE_EDGES]
    assert len(calls) == 10 and all(c.params["run_id"] == "run-1" for c in calls)
    keys = sorted((row[0], row[1]) for c in calls for row in c.params["rows"])
    assert keys == sorted(_pairs(47).pairs) and len(set(keys)) == 47
    assert runner.most == 2  # two writers, never more


def test_one_writer_writes_in_order() -> None:
    runner = SlowRunner()
    write_edges(runner, "run-1", _pairs(12), DetectParams(window=60), batch_size=5, writers=1)
    firsts = [c.params["rows"][0][0] for c in runner.calls]
    assert firsts == ["account:000", "account:005", "account:010"] and runner.most == 1


def test_a_failed_batch_raises_after_the_running_ones_finish_and_stops_the_rest() -> None:
    runner = SlowRunner(fail_at=3)
    with pytest.raises(QueryFailed):
        write_edges(runner, "run-1", _pairs(100), DetectParams(window=60), batch_size=5)
    # Nothing is still writing once the error is out (the run's cleanup comes next),
    # and the batches not yet started were dropped.
    assert runner.running == 0 and runner.started == runner.finished
    assert runner.started < 20
