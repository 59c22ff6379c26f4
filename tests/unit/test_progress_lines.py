"""Off a terminal, long waits print lines (issue 19.13); --quiet prints nothing."""

from __future__ import annotations

import pytest

from cibgraph.cli import common


def test_lines_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert not common.err.is_terminal  # pytest captures stderr: not a terminal
    with common.progress_lines("Starting Neo4j") as update:
        update("launched (pid 7); waiting for Bolt and GDS")
        update("still waiting, 5s (ServiceUnavailable)")
    assert capsys.readouterr().err.splitlines() == [
        "Starting Neo4j...",
        "Starting Neo4j: launched (pid 7); waiting for Bolt and GDS",
        "Starting Neo4j: still waiting, 5s (ServiceUnavailable)",
    ]


def test_quiet_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with common.progress_lines("Starting Neo4j", quiet=True) as update:
        update("anything")
    assert capsys.readouterr().err == ""
