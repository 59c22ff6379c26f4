"""The formats by columns load the graph the record path loads: each fixture in
tests/data/formats/ and each common shape of tests/unit/test_format_columns.py (where
the column path builds every record itself) loaded both ways into the real Neo4j,
nodes and relationships with every property compared, and the ledgers' counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cibgraph.graph.connection import Database
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.formats import columns
from cibgraph.loaders.load import LoadOptions, load
from tests.conftest import wipe
from tests.integration.test_bulk_load import graph_dump
from tests.unit.test_format_columns import FIXTURES, SHAPES

pytestmark = pytest.mark.integration


def _loaded(db: Database, path: Path, fmt: str, tmp: Path, by_columns: bool) -> Any:
    wipe(db)
    previous, columns.ENABLED = columns.ENABLED, by_columns
    try:
        ledger = load(db, plan_load([path], fmt=fmt), LoadOptions(rejects_dir=tmp))
    finally:
        columns.ENABLED = previous
    entry = ledger.files[0]
    counts = (entry.read, entry.written, entry.rejected, entry.skipped, entry.note)
    rejects = Path(entry.rejects_path).read_text() if entry.rejects_path else ""
    return graph_dump(db), counts, rejects


@pytest.mark.parametrize("fmt", list(FIXTURES))
def test_each_format_loads_the_same_graph_by_columns(
    fmt: str, clean_db: Database, tmp_path: Path
) -> None:
    name, write = SHAPES[fmt]
    write(tmp_path / name)
    for path in [*FIXTURES[fmt], tmp_path / name]:
        by_records = _loaded(clean_db, path, fmt, tmp_path / "records", by_columns=False)
        by_columns = _loaded(clean_db, path, fmt, tmp_path / "columns", by_columns=True)
        assert by_columns == by_records, path
        assert by_records[0][0], path  # a graph was loaded
