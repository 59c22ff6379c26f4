"""The "Next:" line after a detection: commands that work on the run just made.

Built as argument lists, so the line printed and the commands a test runs are the same
(tests/integration/test_next_steps.py runs every one of them).
"""

from __future__ import annotations

import shlex

from cibgraph.graph.detect.pipeline import DetectionResult

REPORT_DIR = "report/"


def after_detection(result: DetectionResult) -> list[list[str]]:
    """What to run next: explain the strongest network (flagged first), list, report."""
    steps: list[list[str]] = []
    # Networks are ranked strongest first; with none flagged, the strongest candidate.
    strongest = result.flagged or result.networks
    if strongest:
        steps.append(["cib", "explain", strongest[0].id])
    steps.append(["cib", "networks", "list", "--run", result.run_id])
    steps.append(["cib", "report", "--run", result.run_id, "--out", REPORT_DIR])
    return steps


def next_line(steps: list[list[str]]) -> str:
    return "Next: " + " | ".join(shlex.join(step) for step in steps)
