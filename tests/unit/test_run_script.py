"""`./run test`: the fast lane (lint, unit tests) runs before the slow installs, the two
lanes together are the whole suite, and a failing test fails the command (and CI)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

RUN = (REPO / "run").read_text(encoding="utf-8")


def _function(name: str) -> str:
    match = re.search(rf"^{name}\(\) \{{\n(.*?)^\}}\n", RUN, flags=re.M | re.S)
    assert match, f"no function {name} in ./run"
    return match.group(0)


def _steps(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines()[1:-1] if line.strip()]


def test_lint_and_unit_tests_come_before_the_slow_setup() -> None:
    steps = _steps(_function("cmd_test"))
    position = {s.split()[0]: i for i, s in enumerate(steps)}
    unit = next(i for i, s in enumerate(steps) if "tests/unit" in s and "--ignore" not in s)
    for slow in ("ensure_system_server", "ensure_browser_test_tools", "start_test_server"):
        assert position["lint"] < unit < position[slow], steps
    # The fast lane needs no JDK, Maven, Chromium or Node: only Python and .venv.
    assert "ensure_system " not in " ".join(steps[:unit]) + " "
    assert "java" not in _function("ensure_system_python")


def test_the_two_lanes_are_the_whole_suite() -> None:
    lanes = [s for s in _steps(_function("cmd_test")) if s.startswith("pytest_lane")]
    assert lanes == [
        'pytest_lane "$ROOT/tests/unit" "$@"',
        'pytest_lane "$ROOT/tests" --ignore="$ROOT/tests/unit" "$@"',
    ]


def test_ci_runs_exactly_readmes_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "./run test\n" in quick_start
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in ci.splitlines() if line and not line.startswith("#")]
    assert commands[-1] == "./run test"
    assert "set -euo pipefail" in commands


@pytest.mark.parametrize(("pytest_exit", "lane_exit"), [(0, 0), (1, 1), (2, 2), (5, 0)])
def test_a_failing_lane_fails_the_command(tmp_path: Path, pytest_exit: int, lane_exit: int) -> None:
    # The real function from ./run, with a stand-in python that exits as pytest would.
    fake = tmp_path / "venv" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text(f"#!/bin/sh\nexit {pytest_exit}\n")
    fake.chmod(0o755)
    script = f"set -euo pipefail\nVENV={tmp_path / 'venv'}\n{_function('pytest_lane')}\n"
    script += 'pytest_lane tests/unit\necho "lane passed"\n'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == lane_exit
    assert ("lane passed" in done.stdout) == (lane_exit == 0)
