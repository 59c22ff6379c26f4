"""Shared fixtures. Integration tests talk to the real Neo4j that `./run test` starts.

Connection settings come from the environment (NEO4J_URI, ...) or the local instance
in CIBGRAPH_HOME, so the same tests run against any Neo4j with GDS and APOC.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import exceptions as neo

from cibgraph.core.errors import CibError
from cibgraph.graph.connection import Database, open_database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import DetectionResult, detect
from cibgraph.graph.detect.runs import data_fingerprint
from cibgraph.graph.schema import apply_schema
from cibgraph.graph.settings import resolve_settings
from cibgraph.graph.wipe import wipe_database
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.ledger import LoadLedger
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.scenario.generate import generate

REPO = Path(__file__).resolve().parent.parent
# The real CooRTweet datasets ship with the project (tests/data/coortweet/PROVENANCE.md),
# so a clone on its own passes; CIBGRAPH_DATASETS points the suite at another copy.
DATASETS = Path(os.environ.get("CIBGRAPH_DATASETS", REPO / "tests" / "data"))

# Server notifications (deprecations, performance warnings) become Python warnings,
# and pytest turns warnings into errors: suspicious Cypher fails the suite.
os.environ.setdefault("CIBGRAPH_WARN_NOTIFICATIONS", "WARNING")


@pytest.fixture(scope="session")
def db() -> Iterator[Database]:
    """An open connection to the test server; fails (never skips) when it is not up."""
    try:
        database = open_database(resolve_settings())
    except CibError as exc:
        pytest.fail(
            f"integration tests need a running Neo4j: {exc.message} "
            f"({exc.hint or 'run ./run test, which starts one'})",
            pytrace=False,
        )
    with database:
        apply_schema(database)
        yield database


def wait_for_login(db: Database, seconds: float = 15.0) -> None:
    """After a deliberate wrong password, wait until Neo4j's login lock (5 s) is over.

    A successful login resets Neo4j's failed-attempt counter, so tests that try wrong
    passwords do not lock the suite's own user out.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            if db.driver.verify_authentication():
                return
        except neo.ClientError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("the test user stayed locked out after wrong-password tests")
        time.sleep(0.5)


def wipe(db: Database) -> None:
    """Delete every node in bounded batches; constraints and indexes stay."""
    wipe_database(db)


@dataclass(frozen=True)
class DetectedScenario:
    """A small generated scenario, loaded and detected: for tests that need a real run."""

    folder: Path
    truth: Path
    run_id: str
    result: DetectionResult


def detect_scenario(
    db: Database, folder: Path, scale: float = 0.2, seed: int = 3, tactics: bool = False
) -> DetectedScenario:
    """Wipe the server, generate a scenario into ``folder``, load it and run detection."""
    wipe(db)
    generate(folder, scale=scale, seed=seed, tactics=tactics)
    load(db, plan_load([folder]), LoadOptions(rejects_dir=folder / "rejects"))
    result = detect(db, DetectParams())
    return DetectedScenario(folder, folder / "truth.csv", result.run_id, result)


_SCENARIO: dict[str, tuple[DetectedScenario, str]] = {}


def _still_there(db: Database, scenario: DetectedScenario, fingerprint: str) -> bool:
    runs = db.read("MATCH (r:DetectionRun {id: $id}) RETURN count(r) AS n", {"id": scenario.run_id})
    return bool(runs[0]["n"]) and data_fingerprint(db) == fingerprint


@pytest.fixture(scope="module")
def detected_scenario(db: Database, tmp_path_factory: pytest.TempPathFactory) -> DetectedScenario:
    """The scale-0.2 scenario (planted networks at full size, a fifth of the crowd), detected.

    Built once and reused while the server still holds exactly its data; a module
    after a test that wiped or changed the data gets a fresh one.
    """
    cached = _SCENARIO.get("scenario")
    if cached is not None and _still_there(db, *cached):
        return cached[0]
    scenario = detect_scenario(db, tmp_path_factory.mktemp("scenario"))
    _SCENARIO["scenario"] = (scenario, data_fingerprint(db))
    return scenario


@pytest.fixture(scope="module")
def tactics_scenario(db: Database, tmp_path_factory: pytest.TempPathFactory) -> DetectedScenario:
    """The scale-0.2 scenario with the tactic networks and look-alikes, detected."""
    cached = _SCENARIO.get("tactics")
    if cached is not None and _still_there(db, *cached):
        return cached[0]
    scenario = detect_scenario(db, tmp_path_factory.mktemp("tactics"), tactics=True)
    _SCENARIO["tactics"] = (scenario, data_fingerprint(db))
    return scenario


_DATASET: dict[str, tuple[Path, str, LoadLedger]] = {}


def load_dataset(db: Database, source: Path, rejects: Path) -> LoadLedger:
    """Wipe the server and load a CooRTweet dataset in batches of 5,000; its ledger.

    The German dataset takes about 45 s to load, and two modules read it one after the
    other (test_loaders, test_pair_engines): while the server still holds exactly what
    the last call loaded (the same file, the same counts), that load is reused.
    """
    held = _DATASET.get("last")
    if held is not None and held[0] == source and data_fingerprint(db) == held[1]:
        return held[2]
    wipe(db)
    options = LoadOptions(batch_size=5000, rejects_dir=rejects)
    ledger = load(db, plan_load([source], fmt="coortweet"), options)
    _DATASET["last"] = (source, data_fingerprint(db), ledger)
    return ledger


@pytest.fixture()
def clean_db(db: Database) -> Database:
    """The test server, emptied before the test."""
    wipe(db)
    return db
