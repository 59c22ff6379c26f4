"""`cib schema ...`: constraints and indexes of the data model."""

from __future__ import annotations

from rich.table import Table

from cibgraph.cli.common import JsonOpt, QuietOpt, err, new_app, out, print_json, with_database
from cibgraph.graph.connection import Database
from cibgraph.graph.schema import apply_schema, existing

app = new_app("Constraints and indexes. Apply before loading; applying twice changes nothing.")


@app.command()
@with_database
def apply(db: Database, quiet: QuietOpt = False) -> None:
    """Create every uniqueness constraint and index the data model needs (idempotent)."""
    created = apply_schema(db)
    if not quiet:
        err.print(f"Schema applied: {len(created)} created, the rest already present.")


@app.command()
@with_database
def show(db: Database, json_: JsonOpt = False) -> None:
    """List the constraints and indexes in the database."""
    rows = existing(db)
    if json_:
        print_json(rows)
        return
    table = Table("kind", "name", "labels", "properties", "state")
    for row in rows:
        table.add_row(
            row["kind"],
            row["name"],
            ",".join(row["labels"] or []),
            ",".join(row["properties"] or []),
            row["state"],
        )
    out.print(table)
