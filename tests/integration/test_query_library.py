"""Every library query against the real server: it plans, it runs, it cannot be injected into.

The tiny graph here is tagged with a per-test marker instead of wiping the database,
so these tests neither need nor disturb an empty server.
"""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j.warnings import Neo4jWarning
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.core.errors import QueryFailed
from cibgraph.graph.connection import Database
from cibgraph.queries.registry import LibraryQuery, is_timeout, load_library

pytestmark = pytest.mark.integration

LIBRARY = load_library()
runner = CliRunner()


def _unrecognized(warning: Neo4jWarning) -> bool:
    """An "unknown label/type/key" notification; the 5.x driver calls its kind a category,
    the 6.x driver (a GQL status object) a classification."""
    notification = warning.notification
    kind = getattr(notification, "classification", None) or getattr(notification, "category", None)
    # Compared by value: the 6.x driver deprecates NotificationCategory itself.
    return bool(getattr(kind, "value", kind) == "UNRECOGNIZED")


@pytest.mark.parametrize("query", LIBRARY.queries, ids=lambda q: q.name)
def test_every_query_plans_with_its_defaults(db: Database, query: LibraryQuery) -> None:
    """EXPLAIN compiles and plans without running: syntax, types and deprecations are caught."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        db.read("EXPLAIN " + query.cypher, query.bind(), timeout=60)
    # Labels, types and keys the database has not seen yet depend on what was loaded,
    # not on the query; anything else the server says (deprecations, ...) is a defect.
    serious = [
        str(w.message)
        for w in caught
        if not (isinstance(w.message, Neo4jWarning) and _unrecognized(w.message))
    ]
    assert serious == []


def test_the_explain_test_covers_every_packaged_file() -> None:
    from importlib import resources

    files = {
        f.name for f in resources.files("cibgraph.queries").iterdir() if f.name.endswith(".cypher")
    }
    assert {f"{q.name}.cypher" for q in LIBRARY} == files


TINY_GRAPH = """
CREATE (a1:Account:Admin:Actor {id: $p + 'a1', key: 'account:' + $p + 'a1', marker: $m})
CREATE (a2:Account:Admin:Actor {id: $p + 'a2', key: 'account:' + $p + 'a2', marker: $m})
CREATE (a3:Account:Actor {id: $p + 'a3', key: 'account:' + $p + 'a3', marker: $m})
CREATE (page:Page:Actor {id: $p + 'p1', key: 'page:' + $p + 'p1', name: '=HYPERLINK(1)',
                         followers: 1200, marker: $m})
CREATE (cell:Organization {id: $p + 'cell', name: 'IT cell', kind: 'it_cell', marker: $m})
CREATE (party:Organization {id: $p + 'party', name: 'Party', kind: 'party', marker: $m})
CREATE (ip:Identifier {id: $p + 'ip', kind: 'ip', marker: $m})
CREATE (url:Url {url: 'https://example.org/' + $p, marker: $m})
CREATE (post1:Post {id: $p + 'post1', created_at: datetime('2019-04-01T10:00:00Z'), marker: $m})
CREATE (post2:Post {id: $p + 'post2', created_at: datetime('2019-04-01T10:00:30Z'), marker: $m})
CREATE (run:LoadRun {id: $p + 'run', status: 'complete', started_at: datetime(),
                     finished_at: datetime(), marker: $m})
CREATE (file:LoadFile {id: $p + 'file', kind: 'pages', path: 'pages.csv', status: 'complete',
                       read: 3, written: 2, rejected: 1, marker: $m})
CREATE (a1)-[:ADMINISTERS]->(page), (a2)-[:ADMINISTERS]->(page)
CREATE (cell)-[:PART_OF]->(party), (run)-[:READ]->(file)
CREATE (a1)-[:AFFILIATED_WITH]->(cell), (page)-[:AFFILIATED_WITH]->(cell)
CREATE (a1)-[:USES]->(ip), (a3)-[:USES]->(ip)
CREATE (a1)-[:POSTED]->(post1)-[:LINKS_TO]->(url), (a3)-[:POSTED]->(post2)-[:LINKS_TO]->(url)
"""


@pytest.fixture()
def tiny(db: Database) -> Iterator[str]:
    """A two-admin page under an IT cell of a party, a shared IP and a co-posted URL."""
    marker = uuid.uuid4().hex[:12]
    prefix = f"qlib-{marker}-"
    db.write(TINY_GRAPH, {"p": prefix, "m": marker})
    try:
        yield prefix
    finally:
        db.write("MATCH (n {marker: $m}) DETACH DELETE n", {"m": marker})


def _marked(db: Database, prefix: str) -> int:
    marker = prefix.split("-")[1]
    rows = db.read("MATCH (n {marker: $m}) RETURN count(n) AS n", {"m": marker})
    return int(rows[0]["n"])


def _run_json(*args: str) -> Any:
    result = runner.invoke(app, ["query", "run", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_actor_neighbourhood_end_to_end(tiny: str) -> None:
    rows = _run_json("actor_neighbourhood", "--param", f"actor_key=account:{tiny}a1")
    by_section: dict[str, list[Any]] = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row["path"])
    assert set(by_section) == {"administers", "affiliation", "shared identifier", "co-posted url"}
    # Paths arrive as [node, TYPE, node, ...] with node properties.
    (admin_path,) = by_section["administers"]
    assert admin_path[0]["id"] == f"{tiny}a1"
    assert admin_path[1] == "ADMINISTERS"
    assert admin_path[2]["id"] == f"{tiny}p1"
    (chain,) = by_section["affiliation"]
    assert [step for step in chain if isinstance(step, str)] == ["AFFILIATED_WITH", "PART_OF"]
    assert chain[-1]["id"] == f"{tiny}party"
    (shared,) = by_section["shared identifier"]
    assert shared[-1]["id"] == f"{tiny}a3"
    (co_post,) = by_section["co-posted url"]
    assert co_post[-1]["id"] == f"{tiny}a3"
    # Temporal values become ISO strings.
    assert co_post[2]["created_at"].startswith("2019-04-01T10:00:00")


def test_actor_neighbourhood_of_a_page_shows_its_admins_affiliations(tiny: str) -> None:
    rows = _run_json("actor_neighbourhood", "-p", f"actor_key=page:{tiny}p1")
    sections = sorted(row["section"] for row in rows)
    assert sections == sorted(["administers", "administers", "admin affiliation", "affiliation"])


def test_pages_by_organization_follows_part_of_to_the_parent(tiny: str) -> None:
    (row,) = _run_json("pages_by_organization", "-p", f"org_id={tiny}party")
    assert row["page_id"] == f"{tiny}p1"
    assert sorted(row["via"]) == ["admin affiliated", "page affiliated"]
    assert row["admins"] == [f"{tiny}a1"]
    assert 1 <= len(row["evidence"]) <= 3


def test_load_runs_shows_the_ledger(tiny: str) -> None:
    rows = _run_json("load_runs", "-p", "runs=1000", "-p", "limit=1000")
    (mine,) = [r for r in rows if r["run_id"] == f"{tiny}run"]
    assert (mine["read"], mine["written"], mine["rejected"], mine["balanced"]) == (3, 2, 1, True)
    assert isinstance(mine["started_at"], str)


def test_csv_output_from_the_server_is_spreadsheet_safe(tiny: str) -> None:
    result = runner.invoke(
        app,
        ["query", "run", "pages_by_organization", "-p", f"org_id={tiny}cell", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert '"\'=HYPERLINK(1)"' in result.stdout


INJECTIONS = [
    "x' }) MATCH (n) DETACH DELETE n //",
    'x" }) MATCH (n) DETACH DELETE n //',
    "x'}) WITH 1 AS x MATCH (n) DETACH DELETE n RETURN 1 AS section, null AS path //",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_through_a_parameter_does_nothing(db: Database, tiny: str, payload: str) -> None:
    before = _marked(db, tiny)
    assert before > 0
    assert _run_json("actor_neighbourhood", "--param", f"actor_key={payload}") == []
    assert _run_json("pages_by_organization", "--param", f"org_id={payload}") == []
    assert _marked(db, tiny) == before


def test_injection_into_a_number_parameter_is_refused(db: Database, tiny: str) -> None:
    before = _marked(db, tiny)
    result = runner.invoke(
        app, ["query", "run", "load_runs", "-p", "limit=1 MATCH (n) DETACH DELETE n"]
    )
    assert result.exit_code == 2
    assert "expects a whole number" in result.stderr
    assert _marked(db, tiny) == before


def test_injection_through_the_query_name_is_refused(db: Database, tiny: str) -> None:
    before = _marked(db, tiny)
    result = runner.invoke(app, ["query", "run", "load_runs MATCH (n) DETACH DELETE n"])
    assert result.exit_code == 2
    assert "No query named" in result.stderr
    assert _marked(db, tiny) == before


def test_server_timeouts_are_recognised(db: Database) -> None:
    """The contract `cib query run --timeout` relies on: how Neo4j reports a timeout."""
    slow = "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 99 RETURN count(*) AS c"
    with pytest.raises(QueryFailed) as info:
        db.read(slow, timeout=0.5)
    assert is_timeout(info.value), (info.value.message, info.value.hint)
