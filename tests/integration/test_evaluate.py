"""`cib evaluate` end to end against the real server, on a tiny hand-made run.

The server is shared: every node here carries ids unique to one test, and only those
nodes are deleted afterwards (the database is never wiped).
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from cibgraph.loaders.truth import evaluate_files

pytestmark = pytest.mark.integration

cli = CliRunner()

# N1 (flagged) = a1 a2 g1 o1 x1; N2 (not flagged) = a3 m1 m2; o2 o3 in no network.
# x1 is in the graph but not in the truth file; "ghost" is in the truth file only.
TINY_RUN = """
CREATE (run:DetectionRun {id: $run, status: 'complete', algorithm: 'louvain',
                          started_at: datetime('2019-04-01T09:30:00Z'),
                          finished_at: datetime('2019-04-01T09:31:00Z')})
CREATE (failed:DetectionRun {id: $failed, status: 'failed',
                             started_at: datetime('2019-04-01T10:00:00Z')})
CREATE (:Network {id: $p + 'N1', run_id: $run, size: 5, score: 0.91, flagged: true,
                  coordination_score: 0.8, inauthenticity_score: 0.7})-[:DETECTED_IN]->(run)
CREATE (:Network {id: $p + 'N2', run_id: $run, size: 3, score: 0.3, flagged: false,
                  coordination_score: 0.6, inauthenticity_score: 0.1})-[:DETECTED_IN]->(run)
"""
ACCOUNTS = "UNWIND $ids AS id CREATE (:Account:Actor {id: $p + id, key: 'account:' + $p + id})"
PAGES = "UNWIND $ids AS id CREATE (:Page:Actor {id: $p + id, key: 'page:' + $p + id})"
MEMBERS = """
UNWIND $members AS m
MATCH (a:Actor {key: m.key})
MATCH (n:Network {id: m.network})
CREATE (a)-[:MEMBER_OF {role: 'member'}]->(n)
"""

# (id, type, network in the run)
ACTORS = [
    ("a1", "account", "N1"),
    ("a2", "account", "N1"),
    ("g1", "page", "N1"),
    ("o1", "account", "N1"),
    ("x1", "account", "N1"),
    ("a3", "account", "N2"),
    ("m1", "account", "N2"),
    ("m2", "page", "N2"),
    ("o2", "account", None),
    ("o3", "page", None),
]

CLEANUP = """
MATCH (a:Actor) WHERE a.key STARTS WITH 'account:' + $p OR a.key STARTS WITH 'page:' + $p
DETACH DELETE a
WITH count(*) AS ignored
MATCH (n:Network) WHERE n.id IN [$p + 'N1', $p + 'N2']
DETACH DELETE n
WITH count(*) AS ignored
MATCH (r:DetectionRun) WHERE r.id IN [$run, $failed]
DETACH DELETE r
"""


@dataclass(frozen=True)
class TinyRun:
    prefix: str
    run: str
    failed: str
    truth: Path
    decoys: Path


@pytest.fixture()
def tiny_run(db: Database, tmp_path: Path) -> Iterator[TinyRun]:
    tag = uuid.uuid4().hex[:12]
    prefix = f"evaltest-{tag}-"
    params = {"p": prefix, "run": f"{prefix}run", "failed": f"{prefix}failed"}
    members = [
        {"key": f"{kind}:{prefix}{i}", "network": prefix + network}
        for i, kind, network in ACTORS
        if network
    ]
    db.write_all(
        [
            (TINY_RUN, params),
            (ACCOUNTS, {"p": prefix, "ids": [i for i, kind, _ in ACTORS if kind == "account"]}),
            (PAGES, {"p": prefix, "ids": [i for i, kind, _ in ACTORS if kind == "page"]}),
            (MEMBERS, {"members": members}),
        ]
    )
    truth = tmp_path / "truth.csv.gz"
    rows = [
        ("a1", "account", "P"),
        ("a2", "account", "P"),
        ("a3", "account", "P"),
        ("g1", "page", "P"),
        ("o1", "account", ""),
        ("o2", "account", ""),
        ("o3", "page", ""),
        ("m1", "account", ""),
        ("m2", "page", ""),
        ("ghost", "account", ""),
    ]
    with gzip.open(truth, "wt", encoding="utf-8") as handle:
        handle.write("actor_id,actor_type,network_label\n")
        handle.writelines(f"{prefix}{i},{t},{label}\n" for i, t, label in rows)
    decoys = tmp_path / "decoys.csv"
    decoys.write_text(
        "actor_id,actor_type,decoy_label\n"
        f"{prefix}m1,account,media\n{prefix}m2,page,media\n"
        f"{prefix}o1,account,fans\n{prefix}o2,account,fans\n"
    )
    try:
        yield TinyRun(prefix, params["run"], params["failed"], truth, decoys)
    finally:
        db.write(CLEANUP, params)


def _evaluate_json(*args: str) -> Any:
    result = cli.invoke(app, ["evaluate", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_json_exact_numbers(tiny_run: TinyRun) -> None:
    p = tiny_run.prefix
    data = _evaluate_json(
        "--truth", str(tiny_run.truth), "--decoys", str(tiny_run.decoys), "--run", tiny_run.run
    )
    assert data["run_id"] == tiny_run.run
    # Flagged: a1 a2 g1 (planted) and o1 (organic); a3 (planted) sits in the unflagged N2.
    assert (data["tp"], data["fp"], data["fn"], data["tn"]) == (3, 1, 1, 5)
    assert (data["precision"], data["recall"], data["f1"]) == (0.75, 0.75, 0.75)
    # Contingency P: N1=3 rest=1; organic: N1=1 rest=5 -> (13*45 - 21*21) * 2 / 1008 = 2/7.
    assert data["ari"] == pytest.approx(2 / 7)
    assert (data["networks"], data["flagged_networks"]) == (2, 1)
    assert data["unmatched_flagged_actors"] == 1  # x1
    assert data["actors"] == 10 and data["actors_not_in_graph"] == 1  # ghost
    assert data["planted"] == [
        {
            "label": "P",
            "size": 4,
            "accounts": 3,
            "pages": 1,
            "network_id": f"{p}N1",
            "overlap": 3,
            "precision": 0.75,
            "recall": 0.75,
            "jaccard": 0.6,
            "flagged": True,
            "score": 0.91,
            "network_size": 5,
        }
    ]
    assert data["decoys"] == [
        {
            "label": "fans",
            "size": 2,
            "accounts": 2,
            "pages": 0,
            "in_flagged": 1,
            "flagged": True,
            "networks": [{"id": f"{p}N1", "flagged": True, "members": 1}],
        },
        {
            "label": "media",
            "size": 2,
            "accounts": 1,
            "pages": 1,
            "in_flagged": 0,
            "flagged": False,
            "networks": [{"id": f"{p}N2", "flagged": False, "members": 2}],
        },
    ]
    assert data["run"] == {
        "status": "complete",
        "algorithm": "louvain",
        "started_at": "2019-04-01T09:30:00+00:00",
        "finished_at": "2019-04-01T09:31:00+00:00",
    }


def test_library_api_matches_the_cli(db: Database, tiny_run: TinyRun) -> None:
    result = evaluate_files(db, tiny_run.truth, run_id=tiny_run.run, decoys=tiny_run.decoys)
    assert result.to_dict() == _evaluate_json(
        "--truth", str(tiny_run.truth), "--decoys", str(tiny_run.decoys), "--run", tiny_run.run
    )


def test_table_output(tiny_run: TinyRun) -> None:
    result = cli.invoke(
        app,
        [
            "evaluate",
            "--truth",
            str(tiny_run.truth),
            "--decoys",
            str(tiny_run.decoys),
            "--run",
            tiny_run.run,
        ],
    )
    assert result.exit_code == 0, result.output
    for text in (tiny_run.run, "0.750", "0.286", f"{tiny_run.prefix}N1", "media", "fans"):
        assert text in result.stdout


def test_failed_run_is_refused(tiny_run: TinyRun) -> None:
    result = cli.invoke(app, ["evaluate", "--truth", str(tiny_run.truth), "--run", tiny_run.failed])
    assert result.exit_code == 2
    # One resolver (graph/runs.py) words it for every command.
    assert f"run '{tiny_run.failed}' is failed" in result.stderr
    assert "Hint:" in result.stderr


def test_truth_from_another_graph_is_refused(tiny_run: TinyRun, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text(f"actor_id,actor_type,network_label\n{uuid.uuid4().hex},account,P\n")
    result = cli.invoke(app, ["evaluate", "--truth", str(other), "--run", tiny_run.run])
    assert result.exit_code == 2
    assert "exists in the graph" in result.stderr
    assert "--database" in result.stderr
