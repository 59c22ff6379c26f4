"""`cib export` against a real detected scenario: every format read back and counted
against the database; formula payloads escaped; a failed run refused; no overwrite."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from cibgraph.graph.exports import csv_export, graph_export, json_export
from cibgraph.graph.exports.bundle import read_bundle
from cibgraph.graph.exports.output import OutputDir
from tests.conftest import DetectedScenario

pytestmark = pytest.mark.integration

PAGE_PAYLOAD = '=HYPERLINK("http://x")'
ACCOUNT_PAYLOAD = "@SUM(1+1)*cmd|' /C calc'!A0"

COUNTS = """
MATCH (run:DetectionRun {id: $run_id})<-[:DETECTED_IN]-(n:Network)
WHERE NOT $flagged_only OR n.flagged
CALL (n) {
  OPTIONAL MATCH (a:Actor)-[:MEMBER_OF]->(n)
  RETURN count(a) AS members
}
CALL (n) {
  OPTIONAL MATCH (n)-[r:ATTRIBUTED_TO]->(:Organization)
  RETURN count(r) AS attributions
}
RETURN count(n) AS networks, sum(members) AS members, sum(attributions) AS attribution
"""

EDGE_COUNT = """
MATCH (a:Actor)-[e:COORDINATED_WITH {run_id: $run_id}]->(b:Actor)
WHERE EXISTS {
        MATCH (a)-[:MEMBER_OF {run_id: $run_id}]->(n:Network) WHERE NOT $flagged_only OR n.flagged
      }
  AND EXISTS {
        MATCH (b)-[:MEMBER_OF {run_id: $run_id}]->(n:Network) WHERE NOT $flagged_only OR n.flagged
      }
RETURN count(e) AS edges
"""


@dataclass(frozen=True)
class Planted:
    scenario: DetectedScenario
    page: str  # key of the flagged page renamed to a formula
    account: str


@pytest.fixture(scope="module")
def planted(db: Database, detected_scenario: DetectedScenario) -> Iterator[Planted]:
    """The scenario with a formula-injection name on one page and one account of a
    flagged network: the kind of name an operation would pick on purpose. The names are
    put back afterwards, as other modules may reuse the scenario."""
    rows = db.read(
        "MATCH (n:Network {run_id: $run_id, flagged: true})<-[:MEMBER_OF]-(a:Actor) "
        "WITH a ORDER BY a.key RETURN collect(CASE WHEN a:Page THEN a.key END)[0] AS page, "
        "collect(CASE WHEN a:Account THEN a.key END)[0] AS account",
        {"run_id": detected_scenario.run_id},
    )
    page, account = rows[0]["page"], rows[0]["account"]
    assert page and account, "a flagged network has pages and accounts"
    original = db.read(
        "MATCH (p:Actor {key: $page}), (a:Actor {key: $account}) "
        "RETURN p.name AS page_name, a.display_name AS account_name",
        {"page": page, "account": account},
    )[0]
    db.write(
        "MATCH (p:Actor {key: $page}) SET p.name = $page_name "
        "WITH 1 AS done MATCH (a:Actor {key: $account}) SET a.display_name = $account_name",
        {
            "page": page,
            "account": account,
            "page_name": PAGE_PAYLOAD,
            "account_name": ACCOUNT_PAYLOAD,
        },
    )
    yield Planted(detected_scenario, page, account)
    db.write(
        "MATCH (p:Actor {key: $page}) SET p.name = $page_name "
        "WITH 1 AS done MATCH (a:Actor {key: $account}) SET a.display_name = $account_name",
        {"page": page, "account": account, **original},
    )


def db_counts(db: Database, run_id: str, flagged_only: bool) -> dict[str, int]:
    params = {"run_id": run_id, "flagged_only": flagged_only}
    counts = dict(db.read(COUNTS, params)[0])
    counts["edges"] = db.read(EDGE_COUNT, params)[0]["edges"]
    return {k: int(v) for k, v in counts.items()}


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_export_via_the_cli_round_trips_and_escapes(
    db: Database, planted: Planted, tmp_path: Path
) -> None:
    run_id = planted.scenario.run_id
    result = CliRunner().invoke(
        app, ["export", "--run", run_id, "--format", "csv", "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    expected = db_counts(db, run_id, flagged_only=False)
    assert summary["run_id"] == run_id
    for key in ("networks", "members", "edges", "attribution"):
        assert summary["counts"][key] == expected[key], key
    rows = {name: _csv(tmp_path / name) for name in csv_export.FILES}
    assert len(rows["networks.csv"]) == expected["networks"]
    assert len(rows["members.csv"]) == expected["members"]
    assert len(rows["edges.csv"]) == expected["edges"]
    assert len(rows["attribution.csv"]) == expected["attribution"]
    members = {m["key"]: m for m in rows["members.csv"]}
    assert members[planted.page]["name"] == "'" + PAGE_PAYLOAD
    assert members[planted.account]["name"] == "'" + ACCOUNT_PAYLOAD
    raw = (tmp_path / "members.csv").read_text(encoding="utf-8")
    assert '"=HYPERLINK' not in raw and ",=HYPERLINK" not in raw


def test_existing_files_are_not_overwritten_without_force(planted: Planted, tmp_path: Path) -> None:
    (tmp_path / "export.json").write_text("analyst notes")
    args = ["export", "--run", planted.scenario.run_id, "--format", "json", "--out", str(tmp_path)]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    assert "Not overwriting" in refused.output and "--force" in refused.output
    assert (tmp_path / "export.json").read_text() == "analyst notes"
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert (
        json.loads((tmp_path / "export.json").read_text())["run"]["id"] == planted.scenario.run_id
    )


@pytest.fixture()
def failed_run(db: Database) -> Iterator[str]:
    run_id = f"run-test-failed-{uuid.uuid4().hex[:8]}"
    db.write(
        "CREATE (:DetectionRun {id: $id, status: 'failed', started_at: datetime(), error: 'test'})",
        {"id": run_id},
    )
    yield run_id
    db.write("MATCH (r:DetectionRun {id: $id}) DETACH DELETE r", {"id": run_id})


def test_failed_runs_are_refused_and_the_default_is_the_newest_complete(
    db: Database, planted: Planted, failed_run: str, tmp_path: Path
) -> None:
    refused = CliRunner().invoke(
        app, ["export", "--run", failed_run, "--format", "json", "--out", str(tmp_path)]
    )
    assert refused.exit_code == 2 and "failed, not complete" in refused.output
    # The failed run is the newest of all; the default must skip it.
    newest_complete = db.read(
        "MATCH (r:DetectionRun {status: 'complete'}) RETURN r.id AS id "
        "ORDER BY r.started_at DESC LIMIT 1"
    )[0]["id"]
    default = CliRunner().invoke(
        app, ["export", "--format", "json", "--out", str(tmp_path / "d"), "--json"]
    )
    assert default.exit_code == 0, default.output
    assert json.loads(default.stdout)["run_id"] == newest_complete != failed_run


@pytest.mark.parametrize("flagged_only", [False, True])
def test_json_graphml_gexf_round_trip(
    db: Database, planted: Planted, tmp_path: Path, flagged_only: bool
) -> None:
    run_id = planted.scenario.run_id
    expected = db_counts(db, run_id, flagged_only)
    bundle = read_bundle(db, run_id, flagged_only=flagged_only)
    out = OutputDir(tmp_path)
    json_export.write_json_export(bundle, out)
    graph_export.write_graphml(bundle, out)
    graph_export.write_gexf(bundle, out)

    doc: dict[str, Any] = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    for key in ("networks", "members", "edges", "attribution"):
        assert len(doc[key]) == expected[key] == doc["counts"][key], key
    if flagged_only:
        assert all(n["flagged"] for n in doc["networks"])

    for graph in (
        nx.read_graphml(tmp_path / "network.graphml"),
        nx.read_gexf(tmp_path / "network.gexf", version="1.3"),
    ):
        assert graph.number_of_nodes() == expected["members"]
        assert graph.number_of_edges() == expected["edges"]
        networks = {data["network"] for _, data in graph.nodes(data=True)}
        assert len(networks) == expected["networks"]
        if planted.page in graph:
            assert PAGE_PAYLOAD in (
                graph.nodes[planted.page].get("name"),
                graph.nodes[planted.page].get("label"),
            )
        weights = [data["weight"] for _, _, data in graph.edges(data=True)]
        assert all(w > 0 for w in weights)
