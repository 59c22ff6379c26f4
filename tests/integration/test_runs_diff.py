"""`cib runs diff` on two real runs over slightly different data: after the first run,
one small candidate network's members are silenced (posts and links removed), a few
members of the strongest network lose their posts, and a new coordinated group is
loaded; the second run must show the strong network persisting, the silenced one gone
and the new group appearing."""

from __future__ import annotations

import csv
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import detect
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from tests.conftest import DetectedScenario

# two_runs deletes posts of run A's networks and loads a new group before run B.
pytestmark = [pytest.mark.integration, pytest.mark.changes_scenario]

GROUP_SIZE = 6
SHARED_URLS = 5


@dataclass(frozen=True)
class TwoRuns:
    run_a: str
    run_b: str
    silenced_network: str  # in A; its members' posts, admin and identifier links removed
    thinned: list[str]  # members of A's strongest network whose posts were deleted
    new_group: list[str]  # keys of the accounts loaded between the runs


def _write_group(folder: Path, tag: str) -> list[str]:
    """A new, openly coordinated group: each account shares the same links seconds apart."""
    folder.mkdir(parents=True, exist_ok=True)
    accounts = [f"diff{tag}a{i}" for i in range(GROUP_SIZE)]
    with open(folder / "accounts.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "handle", "created_at", "followers"])
        for i, account in enumerate(accounts):
            writer.writerow([account, f"user{tag}{i}0000", "2019-03-01T00:00:00+00:00", 3])
    start = datetime(2019, 3, 20, 12, 0, tzinfo=UTC)
    with open(folder / "posts.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["post_id", "author_id", "author_type", "created_at", "text", "url"])
        for u in range(SHARED_URLS):
            moment = start + timedelta(hours=u)
            for i, account in enumerate(accounts):
                writer.writerow(
                    [
                        f"diff{tag}p{u}x{i}",
                        account,
                        "account",
                        (moment + timedelta(seconds=3 * i)).isoformat(),
                        f"push {tag} {u}",
                        f"https://diff-{tag}.example/story/{u}",
                    ]
                )
    return [f"account:{a}" for a in accounts]


@pytest.fixture(scope="module")
def two_runs(
    db: Database, detected_scenario: DetectedScenario, tmp_path_factory: pytest.TempPathFactory
) -> TwoRuns:
    run_a = detected_scenario.run_id
    networks = db.read(
        "MATCH (:DetectionRun {id: $id})<-[:DETECTED_IN]-(n:Network) "
        "OPTIONAL MATCH (a:Actor)-[:MEMBER_OF]->(n) "
        "RETURN n.id AS id, n.rank AS rank, n.flagged AS flagged, collect(a.key) AS members "
        "ORDER BY rank",
        {"id": run_a},
    )
    strongest = networks[0]
    small = [n for n in networks if not n["flagged"] and len(n["members"]) <= 10]
    assert small, "the scenario has small unflagged candidate networks"
    silenced = small[-1]
    # The actors stay (run A's record of them must stay readable); everything that could
    # link them again goes.
    db.write(
        "MATCH (a:Actor)-[:POSTED]->(p:Post) WHERE a.key IN $keys DETACH DELETE p",
        {"keys": silenced["members"]},
    )
    db.write(
        "MATCH (a:Actor)-[r:ADMINISTERS|USES]-() WHERE a.key IN $keys DELETE r",
        {"keys": silenced["members"]},
    )
    thinned = sorted(k for k in strongest["members"] if k.startswith("account:"))[:3]
    db.write(
        "MATCH (a:Actor)-[:POSTED]->(p:Post) WHERE a.key IN $keys DETACH DELETE p",
        {"keys": thinned},
    )
    folder = tmp_path_factory.mktemp("diff-group")
    group = _write_group(folder, uuid.uuid4().hex[:6])
    load(db, plan_load([folder]), LoadOptions(rejects_dir=folder / "rejects"))
    run_b = detect(db, DetectParams()).run_id
    return TwoRuns(run_a, run_b, silenced["id"], thinned, group)


def test_diff_shows_persisting_appearing_and_disappearing_networks(two_runs: TwoRuns) -> None:
    result = CliRunner().invoke(app, ["runs", "diff", two_runs.run_a, two_runs.run_b, "--json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert (diff["run_a"], diff["run_b"]) == (two_runs.run_a, two_runs.run_b)

    persisted = {m["a"]["network"]: m for m in diff["persisted"]}
    strongest = f"{two_runs.run_a}:n0001"
    assert strongest in persisted, "the strongest network comes back"
    match = persisted[strongest]
    assert match["overlap"] >= 0.3 and match["b"]["flagged"]
    assert match["left"] == len(match["left_members"])

    gone = {n["network"] for n in diff["disappeared"]}
    assert two_runs.silenced_network in gone

    appeared = diff["appeared"]
    assert appeared, "the new group is a new network"
    counts = diff["counts"]
    assert counts == {
        "persisted": len(diff["persisted"]),
        "appeared": len(appeared),
        "disappeared": len(diff["disappeared"]),
    }


def test_new_group_is_one_of_the_appeared_networks(db: Database, two_runs: TwoRuns) -> None:
    rows = db.read(
        "MATCH (a:Actor)-[:MEMBER_OF {run_id: $run}]->(n:Network) WHERE a.key IN $keys "
        "RETURN DISTINCT n.id AS network",
        {"run": two_runs.run_b, "keys": two_runs.new_group},
    )
    assert len(rows) == 1, "the group forms one network in run B"
    result = CliRunner().invoke(app, ["runs", "diff", two_runs.run_a, two_runs.run_b, "--json"])
    appeared = {n["network"] for n in json.loads(result.stdout)["appeared"]}
    assert rows[0]["network"] in appeared


def test_diff_table_and_errors(two_runs: TwoRuns) -> None:
    table = CliRunner().invoke(app, ["runs", "diff", two_runs.run_a, two_runs.run_b])
    assert table.exit_code == 0, table.output
    assert "Persisting networks" in table.output and "Appeared in B" in table.output
    assert "Disappeared from A" in table.output
    same = CliRunner().invoke(app, ["runs", "diff", two_runs.run_a, two_runs.run_a])
    assert same.exit_code == 2 and "two different runs" in same.output
    bad = CliRunner().invoke(
        app, ["runs", "diff", two_runs.run_a, two_runs.run_b, "--min-overlap", "0"]
    )
    assert bad.exit_code == 2
