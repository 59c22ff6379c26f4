"""The field's formats end to end: load a small coordinated example, detect it.

Each fixture (tests/data/formats/, see tests/unit/test_loader_formats.py for the
schema documents they follow) plants three actors that share the same three links
seconds apart, in three pushes two hours apart, among organic actors sharing the
same links hours later. `cib load FILE` recognises the format by content and
`cib detect` must find exactly the three as one network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from tests.conftest import REPO
from tests.integration.test_loaders import evidence_counts

pytestmark = pytest.mark.integration

DATA = REPO / "tests" / "data" / "formats"
CASES = {
    "telegram": (
        DATA / "telegram" / "result.json",
        {"page:channel1001", "page:channel1002", "page:channel1003"},
    ),
    "bluesky": (
        DATA / "bluesky" / "jetstream.jsonl",
        {
            "account:did:plc:p1aaaaaaaaaaaaaaaaaaaaaa",
            "account:did:plc:p2bbbbbbbbbbbbbbbbbbbbbb",
            "account:did:plc:p3cccccccccccccccccccccc",
        },
    ),
    "twitter-v2": (
        DATA / "twitter-v2" / "search.jsonl",
        {f"account:150000000000000000{k}" for k in (1, 2, 3)},
    ),
    "meta-content-library": (
        DATA / "meta-content-library" / "content_library_export.csv",
        {"page:122100000000000001", "page:122100000000000002", "account:100087000000000003"},
    ),
}


def _cli(*args: str) -> Any:
    """The command's --json output (nested, so typed as Any like any parsed JSON)."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", list(CASES))
def test_a_coordinated_example_loads_and_is_detected(
    fmt: str, clean_db: Database, tmp_path: Path
) -> None:
    path, planted = CASES[fmt]
    ledger = _cli("load", str(path), "--json", "--quiet", "--rejects-dir", str(tmp_path))
    [entry] = ledger["files"]
    assert entry["format"] == fmt and ledger["status"] == "complete" and ledger["reconciles"]
    assert entry["read"] == entry["written"] + entry["rejected"]
    counts = evidence_counts(clean_db)
    again = _cli("load", str(path), "--json", "--quiet", "--rejects-dir", str(tmp_path))
    assert again["reconciles"] and evidence_counts(clean_db) == counts  # a re-load adds nothing
    run = _cli("detect", "--window", "60", "--json", "--quiet")
    networks = clean_db.read(
        "MATCH (a:Actor)-[:MEMBER_OF]->(n:Network)-[:DETECTED_IN]->(:DetectionRun {id: $run}) "
        "RETURN n.id AS id, n.flagged AS flagged, collect(a.key) AS members",
        {"run": run["run_id"]},
    )
    found = [n for n in networks if planted <= set(n["members"])]
    assert len(found) == 1, networks
    assert set(found[0]["members"]) == planted  # no organic actor drawn in
    if fmt == "twitter-v2":
        # new accounts created minutes apart, with a handful of followers: the account cues
        assert found[0]["flagged"] is True


def test_what_each_format_keeps_beyond_posts(clean_db: Database, tmp_path: Path) -> None:
    for fmt in ("telegram", "bluesky"):
        _cli("load", str(CASES[fmt][0]), "--json", "--quiet", "--rejects-dir", str(tmp_path))
    [origin] = clean_db.read(
        "MATCH (o:Page {id: 'channel2000'})-[:POSTED]->(orig:Post)<-[:SHARES]-(f:Post) "
        "RETURN orig.id AS id, count(f) AS forwards, "
        "collect(DISTINCT f.forward_resolved_by) AS how"
    )
    assert origin["forwards"] == 3 and origin["how"] == ["name"]
    deleted = clean_db.read(
        "MATCH (a:Account)-[:POSTED]->(p:Post) WHERE p.deleted_at IS NOT NULL "
        "RETURN a.id AS account, p.created_at IS NOT NULL AS had_content, "
        "duration.inSeconds(p.created_at, p.deleted_at).seconds AS lived ORDER BY account"
    )
    assert [(d["had_content"], d["lived"]) for d in deleted] == [
        (True, 600),
        (True, 595),
        (True, 591),
    ]
    handles = clean_db.read(
        "MATCH (a:Account {id: $did})-[r:HAD_HANDLE]->(h:Handle) "
        "RETURN h.handle AS handle, a.handle AS current ORDER BY r.at",
        {"did": "did:plc:p1aaaaaaaaaaaaaaaaaaaaaa"},
    )
    assert [h["handle"] for h in handles] == ["user0-x7q.bsky.social", "freshname0.bsky.social"]
    assert {h["current"] for h in handles} == {"freshname0.bsky.social"}
    [status] = clean_db.read(
        "MATCH (a:Account {id: $did}) RETURN a.active AS active, a.status AS status",
        {"did": "did:plc:o2eeeeeeeeeeeeeeeeeeeeee"},
    )
    assert status == {"active": False, "status": "deactivated"}
