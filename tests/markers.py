"""``@slow``: a long-running test, run only when asked for with ``-m slow``.

The default ``pytest tests`` run (CI) stays fast; ``.venv/bin/pytest -m slow tests``
runs the long tests (README, Reliability). The test is both marked ``slow`` (so ``-m``
selects it) and skipped unless the marker expression asks for ``slow``: with no
``-m`` at all, pytest would otherwise run every marked test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

F = TypeVar("F", bound=Callable[..., object])

_ASKED = "'slow' in config.getoption('markexpr').replace('not slow', '')"
_SKIP_UNLESS_ASKED = pytest.mark.skipif(
    "not (" + _ASKED + ")", reason="long-running: run with .venv/bin/pytest -m slow tests"
)


def slow(test: F) -> F:
    marked: F = pytest.mark.slow(_SKIP_UNLESS_ASKED(test))
    return marked
