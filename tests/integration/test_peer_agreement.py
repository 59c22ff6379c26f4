"""co_share_pairs against coordination-network-toolkit's co-retweet network, same data.

Both link two accounts that reshared the same tweet within 60 s of each other, at
least twice. They differ in one documented way: coordination-network-toolkit counts
an account's *messages* (retweeting one tweet twice counts twice), cibgraph counts
distinct *objects* (two different tweets). So every cibgraph pair must be a toolkit
pair, and every toolkit pair cibgraph lacks must co-share fewer than two distinct
objects within the window.
"""

from __future__ import annotations

import csv
import gzip
import sqlite3
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from cibgraph.graph.connection import Database
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.peers import CNT_COLUMNS
from cibgraph.queries.registry import load_library
from tests.conftest import DATASETS, wipe

pytestmark = pytest.mark.integration

RUSSIAN = DATASETS / "coortweet" / "russian_coord_tweets.csv.gz"
WINDOW = 60


def _shares() -> list[dict[str, str]]:
    with gzip.open(RUSSIAN, "rt", newline="") as handle:
        return list(csv.DictReader(handle))


def _as_cnt_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CNT_COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    r["content_id"],
                    r["account_id"],
                    r["account_id"],
                    r["object_id"],
                    "",
                    "",
                    r["timestamp_share"],
                    "",
                ]
            )


def _toolkit_pairs(cnt_csv: Path, tmp: Path) -> set[tuple[str, str]]:
    db = tmp / "cnt.db"
    toolkit = [sys.executable, "-m", "coordination_network_toolkit", str(db)]
    subprocess.run(
        [*toolkit, "preprocess", "--format", "csv", str(cnt_csv)], check=True, capture_output=True
    )
    subprocess.run(
        [*toolkit, "compute", "co_retweet", "--time_window", str(WINDOW), "--min_edge_weight", "2"],
        check=True,
        capture_output=True,
    )
    with sqlite3.connect(db) as conn:
        edges = conn.execute(
            "SELECT user_1, user_2 FROM co_retweet_network WHERE user_1 <> user_2"
        ).fetchall()
    return {(min(a, b), max(a, b)) for a, b in edges}


def _distinct_objects_within_window(rows: list[dict[str, str]]) -> dict[tuple[str, str], set[str]]:
    by_object: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        by_object[r["object_id"]].append((int(r["timestamp_share"]), r["account_id"]))
    objects: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obj, shares in by_object.items():
        shares.sort()
        for i, (t_i, a) in enumerate(shares):
            for t_j, b in shares[i + 1 :]:
                if t_j - t_i > WINDOW:
                    break
                if a != b:
                    objects[(min(a, b), max(a, b))].add(obj)
    return objects


def _cibgraph_pairs(db: Database) -> set[tuple[str, str]]:
    query = load_library().get("co_share_pairs")
    params = query.bind(
        {
            "window": str(WINDOW),
            "min_weight": "2",
            "max_object_shares": "1000000000",
            "limit": "1000000000",
        }
    )
    rows = db.read(query.cypher, params)
    return {(r["a"].removeprefix("account:"), r["b"].removeprefix("account:")) for r in rows}


@pytest.mark.parametrize("fmt", ["coortweet", "cnt"])
def test_co_share_pairs_agree_with_coordination_network_toolkit(
    db: Database, tmp_path: Path, fmt: str
) -> None:
    rows = _shares()
    cnt_csv = tmp_path / "russian_cnt.csv"
    _as_cnt_csv(rows, cnt_csv)
    wipe(db)
    source = RUSSIAN if fmt == "coortweet" else cnt_csv
    ledger = load(db, plan_load([source], fmt=fmt), LoadOptions(rejects_dir=tmp_path / "rejects"))
    assert ledger.reconciles() and ledger.total("read") == 35125

    ours = _cibgraph_pairs(db)
    theirs = _toolkit_pairs(cnt_csv, tmp_path)
    objects = _distinct_objects_within_window(rows)
    brute_force = {pair for pair, objs in objects.items() if len(objs) >= 2}

    assert ours == brute_force
    assert ours <= theirs
    only_toolkit = theirs - ours
    assert all(len(objects.get(pair, set())) < 2 for pair in only_toolkit)
    # Recorded in README ("Agreement with coordination-network-toolkit").
    print(f"cibgraph {len(ours)} pairs, toolkit {len(theirs)}, toolkit-only {len(only_toolkit)}")
