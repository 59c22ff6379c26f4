"""Loading into the real server: contract files, stubs, idempotence, hashing, peer data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import DEFAULT_BATCH_SIZE, LoadOptions, load
from tests.conftest import DATASETS, REPO, load_dataset

pytestmark = pytest.mark.integration

CONTRACT = REPO / "tests" / "data" / "contract"
RAW_IDENTIFIERS = (
    "dev-7f3a9c01",
    "DEV-7F3A9C01",
    "98765",
    "9876543210",
    "Meena.S@mail.example",
    "meena.s@mail.example",
)


def evidence_counts(db: Database) -> dict[str, int]:
    """Node and relationship counts, ledger excluded (each load adds its own ledger)."""
    nodes = db.read(
        "MATCH (n) WHERE NOT n:LoadRun AND NOT n:LoadFile "
        "UNWIND labels(n) AS label RETURN label, count(*) AS n"
    )
    rels = db.read(
        "MATCH ()-[r]->() WHERE type(r) <> 'READ' RETURN type(r) AS label, count(*) AS n"
    )
    return {row["label"]: row["n"] for row in nodes + rels}


def _load(
    db: Database,
    tmp_path: Path,
    *paths: Path,
    fmt: str = "contract",
    kind: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_error: str = "skip",
) -> Any:
    """The ledger as its JSON document (nested, so typed as Any like any parsed JSON)."""
    plan = plan_load(list(paths), fmt=fmt, kind=kind)
    options = LoadOptions(batch_size=batch_size, on_error=on_error, rejects_dir=tmp_path)
    return load(db, plan, options).to_dict()


def test_contract_folder_loads_in_dependency_order(clean_db: Database, tmp_path: Path) -> None:
    result = _load(clean_db, tmp_path, CONTRACT)
    assert result["status"] == "complete" and result["reconciles"]
    kinds = [f["kind"] for f in result["files"]]
    assert kinds == [
        "organizations",
        "accounts",
        "pages",
        "page_admins",
        "affiliations",
        "posts",
        "ads",
        "identifiers",
    ]
    counts = evidence_counts(clean_db)
    assert counts["Account"] == 6  # five loaded + a1099, seen only as a post's author
    assert counts["Page"] == 3 and counts["Organization"] == 4 and counts["Admin"] == 3
    assert counts["Post"] == 4 and counts["Url"] == 1 and counts["Hashtag"] == 2
    assert counts["ADMINISTERS"] == 4 and counts["AFFILIATED_WITH"] == 2 and counts["PART_OF"] == 1
    assert counts["RAN_AD"] == 2 and counts["SHARES"] == 1 and counts["LINKS_TO"] == 2
    # device written two ways and phone written two ways are one identifier each
    assert counts["Identifier"] == 3 and counts["USES"] == 5
    stub = clean_db.read("MATCH (a:Account {id: 'a1099'}) RETURN a.stub AS stub, a.key AS key")[0]
    assert stub == {"stub": True, "key": "account:a1099"}
    ledger = clean_db.read(
        "MATCH (r:LoadRun {id: $id})-[:READ]->(f:LoadFile) "
        "RETURN r.status AS status, sum(f.read) AS read, sum(f.written) AS written, "
        "sum(f.rejected) AS rejected",
        {"id": result["id"]},
    )[0]
    assert ledger == {"status": "complete", "read": 29, "written": 29, "rejected": 0}


def test_loading_twice_changes_nothing(clean_db: Database, tmp_path: Path) -> None:
    _load(clean_db, tmp_path, CONTRACT)
    first = evidence_counts(clean_db)
    props = clean_db.read("MATCH (n:Account {id: 'a1004'}) RETURN properties(n) AS p")[0]["p"]
    _load(clean_db, tmp_path, CONTRACT)
    assert evidence_counts(clean_db) == first
    assert (
        clean_db.read("MATCH (n:Account {id: 'a1004'}) RETURN properties(n) AS p")[0]["p"] == props
    )


def test_stub_is_filled_in_by_a_later_accounts_file(clean_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "later"
    folder.mkdir()
    shutil.copy(CONTRACT / "posts.jsonl", folder / "posts.jsonl")
    _load(clean_db, tmp_path, folder / "posts.jsonl")
    assert clean_db.read("MATCH (a:Account {id: 'a1003'}) RETURN a.stub AS s")[0]["s"] is True
    _load(clean_db, tmp_path, CONTRACT / "accounts.csv")
    row = clean_db.read(
        "MATCH (a:Account {id: 'a1003'}) RETURN a.stub AS s, a.handle AS h, a.followers AS f"
    )[0]
    assert row == {"s": False, "h": "patriot_voice_4472", "f": 9}
    assert clean_db.read("MATCH (a:Account {id: 'a1003'}) RETURN count(a) AS n")[0]["n"] == 1


def test_dry_run_writes_nothing(clean_db: Database, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["load", str(CONTRACT), "--dry-run", "--json", "--rejects-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["valid"] == 29
    assert clean_db.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0


def test_identifier_values_never_reach_the_database(clean_db: Database, tmp_path: Path) -> None:
    _load(clean_db, tmp_path, CONTRACT)
    everything = clean_db.read(
        "MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p"
    )
    dump = json.dumps([row["p"] for row in everything], default=str)
    for raw in RAW_IDENTIFIERS:
        assert raw not in dump
    hashes = clean_db.read("MATCH (i:Identifier) RETURN i.hash AS h")
    assert all(len(row["h"]) == 64 for row in hashes)


def test_rejected_rows_in_a_real_load(clean_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(
        b"account_id,followers,created_at\na1,10,2019-01-01T00:00:00Z\n,3,\na3,x,\na4,1,2019-01-01\na5,\xff,\n"
    )
    result = _load(clean_db, tmp_path, path)
    entry = result["files"][0]
    # No id and bad UTF-8 reject their rows; a bad optional followers value is left out
    # (a3 kept, one warning); a plain date in created_at is that day (a4).
    assert (entry["read"], entry["written"], entry["rejected"], entry["warnings"]) == (5, 3, 2, 1)
    assert entry["reconciles"]
    rows = clean_db.read(
        "MATCH (a:Account) RETURN a.id AS id, a.followers AS followers, "
        "toString(a.created_at) AS created ORDER BY id"
    )
    assert rows == [
        {"id": "a1", "followers": 10, "created": "2019-01-01T00:00:00Z"},
        {"id": "a3", "followers": None, "created": None},
        {"id": "a4", "followers": 1, "created": "2019-01-01T00:00:00Z"},
    ]


def test_russian_coortweet_data(clean_db: Database, tmp_path: Path) -> None:
    path = DATASETS / "coortweet" / "russian_coord_tweets.csv.gz"
    result = CliRunner().invoke(
        app, ["load", str(path), "--format", "coortweet", "--json", "--rejects-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    ledger = json.loads(result.stdout)
    assert ledger["totals"]["read"] == 35125
    assert ledger["reconciles"] is True
    counts = evidence_counts(clean_db)
    assert counts["Account"] == 9509
    assert (
        clean_db.read("MATCH (p:Post)-[:SHARES]->(o:Post) RETURN count(DISTINCT o) AS n")[0]["n"]
        == 7285
    )
    again = CliRunner().invoke(
        app, ["load", str(path), "--format", "coortweet", "--json", "--rejects-dir", str(tmp_path)]
    )
    assert json.loads(again.stdout)["totals"]["created"] == 0
    assert evidence_counts(clean_db) == counts


def test_german_coortweet_data(clean_db: Database, tmp_path: Path) -> None:
    # load_dataset: test_pair_engines compares the pair engines on this same load next.
    result = load_dataset(
        clean_db, DATASETS / "coortweet" / "german_elections.csv.gz", tmp_path
    ).to_dict()
    assert result["totals"]["read"] == 218971
    assert result["reconciles"]
    assert evidence_counts(clean_db)["Account"] == 58317
