"""`cib db reset --yes` wipes data, restarts, and leaves the schema applied."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from cibgraph.graph.schema import SCHEMA, existing
from cibgraph.graph.server import process
from cibgraph.graph.server.paths import instance_paths

pytestmark = pytest.mark.integration


def test_reset_wipes_data_and_keeps_schema_and_password(db: Database) -> None:
    db.write("CREATE (:ResetProbe {n: 1})")
    password_before = instance_paths().password.read_text()
    result = CliRunner().invoke(app, ["db", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    # Not a terminal here: progress comes as lines, not half a minute of silence.
    lines = result.stderr.splitlines()
    for step in ("stopping the server", "deleting the data", "starting the server"):
        assert f"Resetting Neo4j: {step}" in lines, lines
    assert any(line.startswith("Resetting Neo4j: launched (pid ") for line in lines), lines
    assert "Resetting Neo4j: applying the schema" in lines
    assert process.running_pid(instance_paths()) is not None
    assert db.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    assert {item.name for item in SCHEMA} <= {row["name"] for row in existing(db)}
    assert instance_paths().password.read_text() == password_before


def test_reset_without_yes_refuses_in_a_script() -> None:
    result = CliRunner().invoke(app, ["db", "reset"], input="")
    assert result.exit_code == 2
    assert "--yes" in result.output
