"""apply_schema: every item once, the plain indexes in one transaction before the
constraints (the server fills them while the constraints are built), then a wait."""

from __future__ import annotations

from cibgraph.graph.schema import SCHEMA, SCHEMA_STATEMENTS, apply_schema
from tests.fakes import RecordingRunner


def test_indexes_go_first_in_one_transaction_then_constraints_then_the_wait() -> None:
    runner = RecordingRunner()
    apply_schema(runner)
    schema_calls = [c for c in runner.calls if c.query in SCHEMA_STATEMENTS]
    assert sorted(c.query for c in schema_calls) == sorted(SCHEMA_STATEMENTS)
    indexes = [item.statement for item in SCHEMA if item.kind != "constraint"]
    constraints = [item.statement for item in SCHEMA if item.kind == "constraint"]
    assert [c.query for c in schema_calls] == indexes + constraints
    assert {c.mode for c in schema_calls[: len(indexes)]} == {"write"}  # write_all: one transaction
    assert {c.mode for c in schema_calls[len(indexes) :]} == {"auto"}
    assert "awaitIndexes" in runner.calls[-1].query
