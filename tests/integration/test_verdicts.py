"""Verdict tiers stored on the Network nodes of a real run, and shown by every reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import detect
from cibgraph.graph.detect.scoring import (
    TIER_DISCLOSED,
    TIER_INAUTHENTIC,
    TIER_UNASSESSABLE,
    TIERS,
)
from cibgraph.graph.exports.bundle import read_bundle
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.truth import evaluate_files, read_decoys
from cibgraph.queries.registry import load_library
from cibgraph.scenario import generate
from cibgraph.scenario.behaviour_only import SHARES_FILE, behaviour_only
from tests.conftest import DetectedScenario, wipe

pytestmark = pytest.mark.integration

NETWORKS = """
MATCH (n:Network {run_id: $run})
RETURN n.id AS id, n.rank AS rank, n.tier AS tier, n.flagged AS flagged, n.score AS score,
       n.coverage AS coverage, n.unknown_cues AS unknown
ORDER BY n.rank
"""


def _networks_of(db: Database, run_id: str) -> list[dict[str, object]]:
    return [dict(r) for r in db.read(NETWORKS, {"run": run_id})]


def _tier_of_group(db: Database, run_id: str, keys: list[str]) -> str:
    rows = db.read(
        "UNWIND $keys AS key MATCH (:Actor {key: key})-[:MEMBER_OF]->(n:Network {run_id: $run}) "
        "RETURN n.tier AS tier, count(*) AS members ORDER BY members DESC LIMIT 1",
        {"keys": keys, "run": run_id},
    )
    return str(rows[0]["tier"]) if rows else ""


def test_every_network_stores_its_tier_coverage_and_unknown_cues(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    networks = _networks_of(db, detected_scenario.run_id)
    assert networks
    for n in networks:
        assert n["tier"] in TIERS
        assert n["flagged"] == (n["tier"] == TIER_INAUTHENTIC)
        assert isinstance(n["coverage"], float) and 0.0 <= n["coverage"] <= 1.0
        assert isinstance(n["unknown"], list)
    order = [list(TIERS).index(str(n["tier"])) for n in networks]
    assert order == sorted(order), "ranked by tier first"


def test_planted_networks_are_flagged_and_disclosed_decoys_are_tiered_disclosed(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    run_id = detected_scenario.run_id
    decoys = detected_scenario.folder / "decoys.csv"
    result = evaluate_files(db, detected_scenario.truth, run_id=run_id, decoys=decoys)
    assert result.f1 >= 0.95
    assert not [d.label for d in result.decoys if d.flagged]
    groups = read_decoys(decoys).groups()
    for label in ("media_group_1", "syndicate_1"):
        keys = [a.key for a in groups[label]]
        assert _tier_of_group(db, run_id, keys) == TIER_DISCLOSED, label


def test_browser_queries_exports_and_the_bundle_show_the_tier(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    overview = load_library().get("networks_overview").run(db, {"limit": "5"})
    assert overview and all(row["tier"] in TIERS for row in overview)
    assert all("coverage" in row for row in overview)
    first = str(overview[0]["network"])
    drawn = load_library().get("network_members").run(db, {"network_id": first, "limit": "3"})
    assert drawn and drawn[0]["tier"] == overview[0]["tier"]
    bundle = read_bundle(db, detected_scenario.run_id, max_rank=3)
    assert [n.rank for n in bundle.networks] == [1, 2, 3]
    assert all(n.tier in TIERS for n in bundle.networks)


def test_behaviour_only_data_is_tiered_unassessable_and_nothing_is_flagged(
    db: Database, tmp_path: Path
) -> None:
    wipe(db)
    full, shares = tmp_path / "full", tmp_path / "shares"
    generate(full, scale=0.2, seed=3)
    behaviour_only(full, shares)
    load(
        db,
        plan_load([shares / SHARES_FILE], fmt="coortweet"),
        LoadOptions(rejects_dir=tmp_path / "r"),
    )
    result = detect(db, DetectParams())
    assert result.networks and not result.flagged
    networks = _networks_of(db, result.run_id)
    assert {n["tier"] for n in networks} == {TIER_UNASSESSABLE}
    for n in networks:
        unknown = n["unknown"]
        assert isinstance(unknown, list)
        assert "burst_created" in unknown and "identifier_reuse" in unknown
    evaluation = evaluate_files(db, shares / "truth.csv", run_id=result.run_id)
    ranks = {n["id"]: n["rank"] for n in networks}
    for planted in evaluation.planted:
        assert planted.network_id in ranks, planted.label
