"""Cypher-injection payloads against the real server: none executes, all are kept as data.

The payloads of tests/unit/test_injection.py go everywhere a user's text can reach
Neo4j, on the throwaway server: as ids and names in every contract file (a planted
coordinated group whose members are all payloads, so they also flow through
detection, explanation and exports), as ``cib query run --param`` values for every
library query, as detection parameters, run, network and actor names, export folders
and truth files. After each, the evidence graph is what the files describe (same
labels, same counts, payloads stored verbatim), no user was created, and the payloads
come back out unchanged (spreadsheet-escaped in CSV).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from cibgraph.queries.registry import load_library
from tests.throwaway import Throwaway, graph_digest
from tests.unit.test_injection import PAYLOADS

pytestmark = pytest.mark.integration

URLS = [f"https://news.example/story-{i}" for i in range(4)]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _hostile_scenario(folder: Path) -> Path:
    """Every payload is an account, a page, an organisation, a post's text and an id;
    the accounts were created in one burst and share the same four links within
    seconds, so detection finds them as one network."""
    folder.mkdir(parents=True)
    p = list(PAYLOADS)
    _write(folder / "organizations.csv", ["org_id", "name", "kind"], [[x, x, "it_firm"] for x in p])
    _write(
        folder / "accounts.csv",
        ["account_id", "handle", "display_name", "created_at"],
        [[x, x, x, f"2019-03-01T10:{i:02d}:00Z"] for i, x in enumerate(p)],
    )
    _write(folder / "pages.csv", ["page_id", "name", "category"], [[x, x, x] for x in p])
    _write(folder / "page_admins.csv", ["page_id", "account_id", "role"], [[x, x, x] for x in p])
    _write(
        folder / "affiliations.csv",
        ["subject_id", "subject_type", "org_id", "source", "evidence"],
        [[x, "account", x, x, x] for x in p],
    )
    posts = [
        [f"{x}#{j}", x, "account", f"2019-04-01T12:{j:02d}:{i:02d}Z", x, url, x, ""]
        for j, url in enumerate(URLS)
        for i, x in enumerate(p)
    ]
    _write(
        folder / "posts.csv",
        ["post_id", "author_id", "author_type", "created_at", "text", "url", "hashtags", "note"],
        posts,
    )
    _write(folder / "ads.csv", ["ad_id", "page_id", "paid_for_by"], [[x, x, x] for x in p])
    _write(
        folder / "identifiers.csv", ["account_id", "kind", "value"], [[x, "device", x] for x in p]
    )
    return folder


class Cib:
    """``cib`` in-process against the throwaway server; counts every payload it is given."""

    def __init__(self, server: Throwaway) -> None:
        self.runner = CliRunner()
        self.env: dict[str, str | None] = {
            "CIBGRAPH_HOME": str(server.home),
            "NEO4J_URI": None,
            "NEO4J_PASSWORD": None,
            "NEO4J_USERNAME": None,
            "CIBGRAPH_HASH_SECRET": None,
        }
        self.tried = 0

    def __call__(self, *args: str, payloads: int = 1) -> Result:
        self.tried += payloads
        return self.runner.invoke(app, list(args), env=self.env)


@pytest.fixture(scope="module")
def hostile(throwaway: Throwaway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = _hostile_scenario(tmp_path_factory.mktemp("hostile") / "data")
    throwaway.ensure_running()
    throwaway.wipe()
    yield folder


def _evidence(db: Database) -> dict[str, Any]:
    """What must not move: the evidence graph, the label set and the users."""
    labels = sorted(r["label"] for r in db.read("CALL db.labels() YIELD label RETURN label"))
    with db.driver.session(database="system") as session:
        users = sorted(r["user"] for r in session.run("SHOW USERS YIELD user RETURN user"))
    return {"graph": graph_digest(db), "labels": labels, "users": users}


def test_payloads_everywhere_change_nothing_and_come_back_verbatim(
    throwaway: Throwaway, hostile: Path, tmp_path: Path
) -> None:
    cib = Cib(throwaway)
    n = len(PAYLOADS)
    cells = 0
    for path in hostile.iterdir():
        with path.open(newline="", encoding="utf-8") as handle:
            cells += sum(c.split("#")[0] in PAYLOADS for row in csv.reader(handle) for c in row)
    loaded = cib("load", str(hostile), "--json", "--quiet", payloads=cells)
    assert loaded.exit_code == 0, loaded.output
    ledger = json.loads(loaded.stdout)
    assert ledger["status"] == "complete" and ledger["totals"]["rejected"] == 0

    with throwaway.connect() as db:
        stored = {r["id"] for r in db.read("MATCH (a:Account) RETURN a.id AS id")}
        assert stored == set(PAYLOADS)  # verbatim, one node each
        texts = {r["t"] for r in db.read("MATCH (p:Post) RETURN DISTINCT p.text AS t")}
        assert texts == set(PAYLOADS)
        names = {r["n"] for r in db.read("MATCH (o:Organization) RETURN o.name AS n")}
        assert names == set(PAYLOADS)
        before = _evidence(db)
    assert before["users"] == ["neo4j"]
    assert "Injected" not in before["labels"]
    assert before["graph"]["node:Account:Actor:Admin"][0] == n

    detected = cib("detect", "--window", "60", "--json", "--quiet")
    assert detected.exit_code == 0, detected.output
    run = json.loads(detected.stdout)
    # One coordinated group of all the payload accounts (Leiden may cut it in two).
    assert sum(x["size"] for x in run["networks"]) == n, run["networks"]
    network = max(run["networks"], key=lambda x: x["size"])

    def unchanged() -> None:
        with throwaway.connect() as db:
            assert _evidence(db) == before

    unchanged()

    # Every library query, every string (and map) parameter, every payload.
    for query in load_library():
        for param in query.parameters:
            if not isinstance(param.default, str | dict) and param.default is not None:
                continue
            for payload in PAYLOADS:
                value = json.dumps({"IN": payload}) if isinstance(param.default, dict) else payload
                result = cib("query", "run", query.name, "--param", f"{param.name}={value}")
                assert result.exit_code == 0, (query.name, payload, result.output)
    # Numbers refuse text; names that match nothing say so.
    for payload in PAYLOADS:
        for args in (
            ("query", "run", "co_share_pairs", "--param", f"window={payload}"),
            ("query", "run", payload),
            ("detect", "--window", payload),
            ("detect", "--algorithm", payload),
            ("networks", "show", payload),
            ("runs", "show", payload),
            ("export", "--run", payload, "--out", str(tmp_path / "refused")),
        ):
            result = cib(*args)
            assert result.exit_code == 2, (args, result.output)
            assert "Traceback" not in result.output
    unchanged()

    # Actors named by payloads are found, explained, and exported as data.
    for payload in PAYLOADS:
        explained = cib("explain", f"account:{payload}", f"account:{PAYLOADS[0]}", "--json")
        assert explained.exit_code == 0, (payload, explained.output)
    members = cib("networks", "show", network["id"], "--json")
    assert members.exit_code == 0, members.output
    unchanged()

    exported = 0
    for fmt in ("csv", "json", "graphml", "gexf"):
        for payload in PAYLOADS[:4]:  # quotes, backticks and slashes in the folder name
            out = tmp_path / "exports" / fmt / payload
            result = cib("export", "--run", run["run_id"], "--format", fmt, "--out", str(out))
            assert result.exit_code == 0, (fmt, payload, result.output)
            exported += 1
            assert out.resolve().is_relative_to(tmp_path.resolve())
    member_ids = _exported_members(tmp_path / "exports" / "json" / PAYLOADS[0] / "export.json")
    assert set(PAYLOADS) <= member_ids
    with (tmp_path / "exports" / "csv" / PAYLOADS[0] / "members.csv").open(newline="") as handle:
        written = {cell for row in csv.reader(handle) for cell in row}
    formula = next(p for p in PAYLOADS if p.startswith("="))
    assert formula not in written and ("'" + formula) in written  # escaped for spreadsheets
    unchanged()

    truth = tmp_path / "truth.csv"
    _write(
        truth,
        ["actor_id", "actor_type", "network_label"],
        [[p, "account", p] for p in PAYLOADS],
    )
    scored = cib("evaluate", "--truth", str(truth), "--json", payloads=2 * n)
    assert scored.exit_code == 0, scored.output
    unchanged()
    print(f"\ninjection: {cib.tried:,} payload uses ({n} payloads), none executed")


def _exported_members(path: Path) -> set[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("id", "actor_id") and isinstance(item, str):
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return found
