"""``@slow``: a long-running test, run only when asked for with ``-m slow``.

pyproject's ``addopts`` deselects slow tests (``-m "not slow"``), so the default
``pytest tests`` run (CI) stays fast and lists them as deselected, not skipped;
``.venv/bin/pytest -m slow tests`` (a later ``-m`` wins) runs the long tests
(README, Reliability).
"""

from __future__ import annotations

import pytest

slow = pytest.mark.slow
