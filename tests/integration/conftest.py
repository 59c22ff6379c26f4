"""Integration fixtures beyond the shared test server: a throwaway server to break.

Crash, concurrency, secrets and personal-data tests kill, restart and fill a server on
purpose, so they share one throwaway instance (``tests/throwaway.py``) for the whole
session instead of the shared test server; it is stopped and removed at the end.

The lane runs the tests that read the detected scenario first, back to back, so the
scenario is built once; tests that wipe the server or change its data come after.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.throwaway import Scenario, Throwaway, create_throwaway, make_scenario


def _order(item: pytest.Item) -> int:
    """0: reads the detected scenario; 1: changes it; 2: the tactics scenario; 3: the rest."""
    uses = getattr(item, "fixturenames", ())
    if "detected_scenario" in uses:
        return 1 if item.get_closest_marker("changes_scenario") else 0
    return 2 if "tactics_scenario" in uses else 3


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A scenario takes 30-65 s to build (tests/conftest.py) and is built again after any
    # test that wiped or changed the server's data: in file order the lane built the
    # detected one six times (267 s of setup). The sort is stable: each group keeps the
    # files' order.
    items.sort(key=_order)


@pytest.fixture(scope="session")
def throwaway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Throwaway]:
    server = create_throwaway(tmp_path_factory.mktemp("throwaway-home"))
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture()
def fresh_throwaway(throwaway: Throwaway) -> Throwaway:
    """The throwaway server, running (an earlier test may have killed it) and empty."""
    throwaway.ensure_running()
    throwaway.wipe()
    return throwaway


@pytest.fixture(scope="session")
def small_scenario(throwaway: Throwaway, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Seed 11 at scale 0.05: the planted networks at full size (they keep it at any
    scale) and 23,600 posts, enough to be interrupted mid-load; loaded once for reference."""
    return make_scenario(throwaway, tmp_path_factory.mktemp("small") / "data", 0.05)


@pytest.fixture(scope="session")
def large_scenario(throwaway: Throwaway, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Seed 11 at scale 1 (160,000 rows, 124,552 posts), for the slow tests."""
    return make_scenario(throwaway, tmp_path_factory.mktemp("large") / "data", 1.0)
