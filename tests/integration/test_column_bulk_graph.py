"""Bulk loads into the real Neo4j both ways, the record path (every post through
``CsvSink._post``) and the column path (loaders/columnar/posts_load.py): the same graph,
node for node and relationship for relationship with their properties, and the same
ledger and rejects. tests/unit/test_column_bulk.py compares the importer's input on the
fuzz corpus; this imports it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cibgraph.graph.connection import Database
from cibgraph.graph.server.paths import InstancePaths
from cibgraph.loaders.bulk import bulk_load
from cibgraph.loaders.columnar import posts_load
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions
from cibgraph.scenario.generate import generate
from tests.integration.test_bulk_load import _empty, bulk_instance, graph_dump
from tests.unit.test_column_bulk import COUNTS

pytestmark = pytest.mark.integration
__all__ = ["bulk_instance"]  # the throwaway server fixture, shared with test_bulk_load.py


def _bulk(
    db: Database, paths: InstancePaths, sources: list[Path], tmp: Path, by_columns: bool
) -> tuple[Any, ...]:
    _empty(db)
    saved, posts_load.ENABLED = posts_load.ENABLED, by_columns
    try:
        result = bulk_load(
            db,
            plan_load(sources),
            LoadOptions(batch_size=500, rejects_dir=tmp),
            paths=paths,
            keep_files=True,
        )
    finally:
        posts_load.ENABLED = saved
    ledger = result.ledger
    assert result.folder is not None
    by_arrow = result.folder / "Post.columns.csv"
    posts = len(by_arrow.read_text().splitlines()) - 1 if by_arrow.exists() else 0
    assert (posts > 10_000) == by_columns, posts
    shutil.rmtree(result.folder)
    files = [{k: getattr(f, k) for k in COUNTS} for f in ledger.files]
    rejects = [Path(f.rejects_path).read_text() if f.rejects_path else "" for f in ledger.files]
    return graph_dump(db), files, rejects, ledger.status, result.replayed


def test_a_scenario_with_repeats_is_the_same_graph_both_ways(
    bulk_instance: tuple[InstancePaths, Database], tmp_path: Path
) -> None:
    paths, db = bulk_instance
    folder = tmp_path / "scenario"
    generate(folder, scale=0.1, seed=5)
    lines = (folder / "posts.csv").read_text().splitlines(keepends=True)
    # A post again (last row wins, field by field), a bad row, one sharing a later post.
    extra = tmp_path / "more" / "posts.csv"
    extra.parent.mkdir()
    extra.write_text(
        lines[0]
        + lines[3].replace(",account,", ",page,", 1)
        + "p-new-1,a-new,account,not a time,x,,,\n"
        + "p-new-2,a-new,account,2024-01-01T00:00:00Z,four words in here,,tag,p-new-3\n"
        + "p-new-3,a-new,account,2024-01-01T00:00:01Z,,https://EX.example/a/?utm_x=1,,\n"
        + lines[5]
    )
    sources = [folder, extra]
    by_records = _bulk(db, paths, sources, tmp_path / "records", by_columns=False)
    by_columns = _bulk(db, paths, sources, tmp_path / "columns", by_columns=True)
    nodes, rels = by_columns[0]
    assert len(nodes) > 10_000 and len(rels) > 10_000
    assert by_columns[0] == by_records[0]
    assert by_columns[1:] == by_records[1:]
    assert by_columns[3] == "complete" and by_columns[4] > 0  # the repeats were replayed
