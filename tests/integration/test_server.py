"""The real local server: GDS, APOC, Browser, schema, auth, loopback."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from cibgraph.graph.schema import SCHEMA, apply_schema, existing
from cibgraph.graph.server.instance import load_settings
from cibgraph.graph.server.paths import instance_paths
from tests.conftest import wait_for_login

pytestmark = pytest.mark.integration


def test_gds_answers(db: Database) -> None:
    version = db.read("RETURN gds.version() AS v")[0]["v"]
    assert version.startswith("2.13.")


def test_apoc_answers(db: Database) -> None:
    row = db.read("RETURN apoc.version() AS v, apoc.text.join(['a', 'b'], '-') AS joined")[0]
    assert row["v"].startswith("5.26.")
    assert row["joined"] == "a-b"


def test_wcc_on_a_projected_five_node_graph(clean_db: Database) -> None:
    clean_db.write(
        "UNWIND range(1, 5) AS i CREATE (:WccProbe {i: i}) "
        "WITH count(*) AS _ "
        "MATCH (a:WccProbe {i: 1}), (b:WccProbe {i: 2}), (c:WccProbe {i: 3}), (d:WccProbe {i: 4}) "
        "CREATE (a)-[:LINK]->(b), (c)-[:LINK]->(d)"
    )
    clean_db.write(
        "MATCH (s:WccProbe) OPTIONAL MATCH (s)-[:LINK]->(t:WccProbe) "
        "WITH gds.graph.project('wcc_probe', s, t) AS g RETURN g.nodeCount AS n"
    )
    try:
        rows = clean_db.read(
            "CALL gds.wcc.stream('wcc_probe', {concurrency: 1}) YIELD nodeId, componentId "
            "RETURN gds.util.asNode(nodeId).i AS i, componentId ORDER BY i"
        )
    finally:
        clean_db.write("CALL gds.graph.drop('wcc_probe') YIELD graphName RETURN graphName")
    component = {row["i"]: row["componentId"] for row in rows}
    assert component[1] == component[2]
    assert component[3] == component[4]
    assert len({component[1], component[3], component[5]}) == 3


def test_browser_is_served_on_loopback() -> None:
    settings = load_settings(instance_paths())
    with urllib.request.urlopen(settings.browser_url, timeout=10) as response:  # noqa: S310
        assert response.status == 200
        assert b"<html" in response.read(4096).lower()


def test_schema_apply_is_idempotent(db: Database) -> None:
    apply_schema(db)
    first = existing(db)
    created = apply_schema(db)
    assert created == []
    assert existing(db) == first
    names = {row["name"] for row in first}
    assert {item.name for item in SCHEMA} <= names


def test_wrong_password_is_refused(db: Database) -> None:
    with neo4j.GraphDatabase.driver(db.settings.uri, auth=("neo4j", "wrong-password")) as driver:
        assert driver.verify_authentication() is False
    wait_for_login(db)


def test_default_credentials_are_refused(db: Database) -> None:
    with neo4j.GraphDatabase.driver(db.settings.uri, auth=("neo4j", "neo4j")) as driver:
        assert driver.verify_authentication() is False
    wait_for_login(db)


def _listening(port: int) -> set[str]:
    """Local addresses listening on ``port``, from /proc/net/tcp{,6}."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_server_listens_on_loopback_only() -> None:
    settings = load_settings(instance_paths())
    # 127.0.0.1, ::1, and ::ffff:127.0.0.1 (Java's dual-stack socket bound to 127.0.0.1)
    loopback = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}
    for port in (settings.bolt_port, settings.http_port):
        addresses = _listening(port)
        assert addresses, f"nothing listens on {port}"
        assert addresses <= loopback, f"port {port} listens on {addresses}"


def test_status_json_reports_running_versions() -> None:
    result = CliRunner().invoke(app, ["db", "status", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["running"] is True
    assert info["versions_source"] == "server"
    assert info["versions"]["neo4j"].startswith("5.26.")
    assert info["versions"]["gds"].startswith("2.13.")
    assert info["versions"]["apoc"].startswith("5.26.")
    assert info["data_bytes"] > 0
