"""--engine-memory bounds the pair engine's whole process, not only DuckDB's buffers."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cibgraph.core.errors import InsufficientMemory, UsageError
from cibgraph.graph.pairs.definition import MAX_WINDOW, CoShareParams
from cibgraph.graph.pairs.duck import DuckDbEngine
from cibgraph.graph.pairs.limits import DUCKDB_SHARE, duckdb_limit, memory_bytes
from cibgraph.graph.pairs.shares import SCHEMA


@pytest.mark.parametrize(("setting", "expected"), [("2GB", "1400MB"), ("8GiB", "6012MB")])
def test_duckdb_gets_its_share_of_the_budget(setting: str, expected: str) -> None:
    assert duckdb_limit(setting) == expected
    assert memory_bytes(expected) <= memory_bytes(setting) * DUCKDB_SHARE


def test_a_malformed_budget_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--engine-memory"):
        duckdb_limit("two gigs")


def test_the_engine_runs_duckdb_under_the_reduced_limit(tmp_path: Path) -> None:
    shares = tmp_path / "shares.parquet"
    pq.write_table(pa.table({n: [] for n in SCHEMA.names}, schema=SCHEMA), shares)
    with DuckDbEngine(shares, tmp_path, "2GB") as engine:
        row = engine.connection.execute("SELECT current_setting('memory_limit')").fetchone()
    assert row is not None
    # DuckDB reports the limit in its own binary units (1400 MB = 1.3 GiB).
    assert row[0] == "1.3 GiB"


def test_running_out_of_memory_is_insufficient_memory_with_a_hint(tmp_path: Path) -> None:
    # 200 objects, each shared by 1,000 actors within a minute: about 10^8 pairs inside
    # the window, far past a 10 MB budget.
    n = 200_000
    table = pa.table(
        {
            "actor": [f"account:{i % 1000:04d}" for i in range(n)],
            "object": [f"url:https://example.org/{i // 1000}" for i in range(n)],
            "kind": ["url"] * n,
            "t": [1_700_000_000 + i % 60 for i in range(n)],
            "variant": [None] * n,
        },
        schema=SCHEMA,
    )
    shares = tmp_path / "shares.parquet"
    pq.write_table(table, shares)
    with (
        DuckDbEngine(shares, tmp_path, "10MB", threads=1) as engine,
        pytest.raises(InsufficientMemory) as info,
    ):
        list(engine.co_share(CoShareParams(60, 2, 10**9)))
    assert info.value.exit_code == 3
    assert "co_share" in info.value.message and "--engine-memory 10MB" in info.value.message
    assert info.value.hint is not None and "--engine-memory" in info.value.hint


def test_co_share_bindings_refuse_a_window_the_sample_key_cannot_hold() -> None:
    assert CoShareParams(MAX_WINDOW, 2, 30).bindings()["window"] == MAX_WINDOW
    with pytest.raises(ValueError, match="window"):
        CoShareParams(MAX_WINDOW + 1, 2, 30).bindings()
