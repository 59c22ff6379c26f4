"""Spark in local mode gives the DuckDB engine's pairs, every column, from the same shares.

One SQL definition (graph/pairs/co_share.sql), transpiled by SQLGlot for Spark: this
test is what proves the transpiled statement means the same. The share table is the
one detection extracts from Neo4j for the scenario; both passes are compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.signals import co_share_passes
from cibgraph.graph.pairs.duck import DuckDbEngine
from cibgraph.graph.pairs.shares import extract_shares
from cibgraph.graph.pairs.spark import SparkEngine, spark_session
from tests.conftest import DetectedScenario

pytestmark = pytest.mark.integration


# pyspark 3.5 leaves the sockets it reads results through to the garbage collector
# (py4j's _load_from_socket); their ResourceWarning is pyspark's, not a leak of ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spark_pairs_equal_duckdb_pairs(
    db: Database, detected_scenario: DetectedScenario, tmp_path: Path
) -> None:
    window = detected_scenario.result.params.window
    table = extract_shares(db, tmp_path / "shares.parquet")
    fast, slow = co_share_passes(DetectParams(window=window))
    assert slow is not None
    with DuckDbEngine(table.path, tmp_path, "1GB") as duck:
        expected = {p: sorted(duck.co_share(p), key=str) for p in (fast, slow)}
    session = spark_session("local[2]", "1GB")
    # ANSI mode (Spark 4's default) raises where 3.5's default returns NULL, as on an
    # index past a list's end: the stricter mode proves the SQL is right in both.
    session.conf.set("spark.sql.ansi.enabled", "true")
    with SparkEngine(session, table.path) as spark:
        for pass_, rows in expected.items():
            assert len(rows) > 50
            assert sorted(spark.co_share(pass_), key=str) == rows, pass_
