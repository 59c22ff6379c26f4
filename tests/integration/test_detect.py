"""Detection on a real server: planted networks found, runs recorded and reproducible."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.core.errors import InsufficientMemory
from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import detect
from cibgraph.graph.gds import Gds
from cibgraph.graph.gds.models import HeapInfo
from cibgraph.loaders.truth import evaluate_files
from tests.conftest import DetectedScenario

pytestmark = pytest.mark.integration


def memberships(db: Database, run_id: str) -> set[frozenset[str]]:
    rows = db.read(
        "MATCH (a:Actor)-[:MEMBER_OF]->(n:Network {run_id: $run}) "
        "RETURN n.id AS n, collect(a.key) AS keys",
        {"run": run_id},
    )
    return {frozenset(r["keys"]) for r in rows}


def run_props(db: Database, run_id: str) -> dict[str, Any]:
    return dict(
        db.read("MATCH (r:DetectionRun {id: $id}) RETURN properties(r) AS p", {"id": run_id})[0][
            "p"
        ]
    )


def test_planted_networks_are_found_and_flagged(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    result = evaluate_files(db, detected_scenario.truth, run_id=detected_scenario.run_id)
    assert result.f1 >= 0.95
    planted = {p.label: p for p in result.planted}
    assert set(planted) == {"it_cell_1", "it_firm_1"}
    for match in planted.values():
        assert match.flagged, match
    assert planted["it_cell_1"].recall >= 0.95 and planted["it_cell_1"].precision >= 0.95


def test_the_run_is_recorded_for_reproduction(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    props = run_props(db, detected_scenario.run_id)
    assert props["status"] == "complete"
    assert props["window_source"] == "auto" and props["window"] >= 1
    assert props["seed"] == 42 and props["concurrency"] == 1 and props["algorithm"] == "leiden"
    assert len(props["data_fingerprint"]) == 16
    assert props["gds_version"].startswith("2.13")
    timings = json.loads(props["timings"])
    assert {"signals", "projection", "communities", "scoring", "write_back"} <= set(timings)
    assert json.loads(props["gds_config"])["randomSeed"] == 42
    assert props["compute_millis"] >= 0


def test_same_data_and_parameters_give_the_same_networks(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    again = detect(db, DetectParams(window=detected_scenario.result.params.window))
    assert memberships(db, again.run_id) == memberships(db, detected_scenario.run_id)
    first = {
        frozenset(n.members): n.score.score for n in detected_scenario.result.networks if n.score
    }
    second = {frozenset(n.members): n.score.score for n in again.networks if n.score}
    assert first == second
    assert (
        run_props(db, again.run_id)["data_fingerprint"]
        == run_props(db, detected_scenario.run_id)["data_fingerprint"]
    )


def test_every_network_has_evidence_and_attribution(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    flagged = detected_scenario.result.flagged
    rows = db.read(
        "MATCH (n:Network {run_id: $run, flagged: true}) "
        "RETURN n.id AS id, COUNT { (n)<-[:MEMBER_OF]-() } AS members, "
        "COUNT { (:Actor)-[:MEMBER_OF]->(n)<-[:MEMBER_OF]-(:Actor) } AS pairs, "
        "[(n)-[r:ATTRIBUTED_TO]->(o) | o.kind] AS kinds",
        {"run": detected_scenario.run_id},
    )
    assert len(rows) == len(flagged) >= 2
    by_kind = {kind for row in rows for kind in row["kinds"]}
    assert {"it_cell", "party", "it_firm"} <= by_kind  # the cell is attributed up to its party
    edges = db.read(
        "MATCH ()-[e:COORDINATED_WITH {run_id: $run}]->() "
        "RETURN count(e) AS n, sum(e.co_share) AS co_share",
        {"run": detected_scenario.run_id},
    )[0]
    assert edges["n"] > 0 and edges["co_share"] > 0


def test_a_failing_run_is_marked_failed_and_the_next_is_unaffected(
    db: Database, detected_scenario: DetectedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Gds, *args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash in the community step")

    monkeypatch.setattr(Gds, "leiden", boom)
    with pytest.raises(RuntimeError):
        detect(db, DetectParams(window=60), run_id="run-test-failing")
    props = run_props(db, "run-test-failing")
    assert props["status"] == "failed"
    assert "simulated crash" in props["error"]
    # Nothing of the failed run stays to be read as evidence (issue 13, item 7).
    left = db.read(
        "MATCH ()-[e:COORDINATED_WITH {run_id: 'run-test-failing'}]->() RETURN count(e) AS n"
    )
    assert left == [{"n": 0}]
    assert (
        db.read("CALL gds.graph.list() YIELD graphName RETURN collect(graphName) AS g")[0]["g"]
        == []
    )
    monkeypatch.undo()
    ok = detect(db, DetectParams(window=60))
    assert run_props(db, ok.run_id)["status"] == "complete"
    latest = CliRunner().invoke(app, ["runs", "show", "--json"])
    assert (
        json.loads(latest.stdout)["id"] == ok.run_id
    )  # the newest complete run, not the failed one


def test_detection_that_would_not_fit_the_heap_is_refused(
    db: Database, detected_scenario: DetectedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = HeapInfo(
        max_bytes=1024, free_bytes=512, total_bytes=1024, available_bytes=1024, available_cpus=2
    )
    monkeypatch.setattr(Gds, "heap", lambda self: tiny)
    with pytest.raises(InsufficientMemory) as info:
        detect(db, DetectParams(window=60), run_id="run-test-heap")
    assert "--heap" in (info.value.hint or "")
    assert run_props(db, "run-test-heap")["status"] == "failed"


def test_cli_detect_explain_and_networks(db: Database, detected_scenario: DetectedScenario) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["detect", "--window", "60", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["window_source"] == "given" and payload["window"] == 60
    flagged = [n for n in payload["networks"] if n["flagged"]]
    assert flagged
    listed = runner.invoke(
        app, ["networks", "list", "--run", payload["run_id"], "--flagged", "--json"]
    )
    assert [r["network"] for r in json.loads(listed.stdout)] == [n["id"] for n in flagged]
    explained = runner.invoke(app, ["explain", flagged[0]["id"], "--json"])
    assert explained.exit_code == 0, explained.output
    explanation = json.loads(explained.stdout)
    assert {row["section"] for row in explanation["evidence"]} >= {"coordination", "attribution"}
    assert ":param network_id =>" in explanation["browser_script"]
    shown = runner.invoke(app, ["networks", "show", flagged[0]["id"], "--json"])
    assert json.loads(shown.stdout)["flagged"] is True
