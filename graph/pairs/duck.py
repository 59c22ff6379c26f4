"""The co-share signal on DuckDB, embedded: bounded memory, spilling to the run's folder.

DuckDB reads the share table's Parquet file directly (it never passes through Python),
runs co_share.sql under a ``memory_limit`` that leaves room for the rest of the
process within ``--engine-memory`` (limits.DUCKDB_SHARE), and spills its sorts and joins to
``temp_directory`` beyond that; the pair rows come back in batches.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from cibgraph.core.errors import InsufficientMemory
from cibgraph.graph.pairs.definition import (
    OBJECT_SIGNALS,
    CoShareParams,
    co_share_sql,
    pair_row,
)
from cibgraph.graph.pairs.limits import duckdb_config, spill_dir

FETCH_ROWS = 50_000


class DuckDbEngine:
    """One DuckDB connection per run, reading ``shares`` from a Parquet file."""

    name = "duckdb"

    def __init__(
        self, shares: Path, work_dir: Path, memory_limit: str, threads: int | None = None
    ) -> None:
        self.spill = spill_dir(work_dir)
        self.budget = memory_limit
        config = duckdb_config(memory_limit, work_dir)
        self.memory_limit = config["memory_limit"]
        if threads is not None:
            config["threads"] = threads
        self.connection = duckdb.connect(":memory:", config=config)
        # A view over the file (the relation API: no path inside a SQL string).
        table = self.connection.read_parquet(str(shares))
        table.create_view("shares")
        for signal in OBJECT_SIGNALS.values():
            # The kinds are code constants (definition.OBJECT_SIGNALS), never input.
            kinds = ", ".join(f"'{kind}'" for kind in signal.kinds)
            table.filter(f"kind IN ({kinds})").create_view(signal.view)
        self.seconds: dict[str, float] = {}

    def co_share(
        self, params: CoShareParams, label: str = "co_share", signal: str = "co_share"
    ) -> Iterator[dict[str, Any]]:
        started = time.perf_counter()
        view = OBJECT_SIGNALS[signal].view
        try:
            cursor = self.connection.execute(co_share_sql(params, "duckdb", view))
            while batch := cursor.fetchmany(FETCH_ROWS):
                for values in batch:
                    yield pair_row(values)
        except duckdb.OutOfMemoryException as exc:
            raise self._out_of_memory(label, exc) from None
        self.seconds[label] = round(time.perf_counter() - started, 3)

    def _out_of_memory(self, label: str, exc: Exception) -> InsufficientMemory:
        # Sorts and joins spill, but the window operators keep a working set in memory:
        # at scale 100 (14.7M shares) a 1.4 GB DuckDB limit was too small, 2 GB enough.
        return InsufficientMemory(
            f"The pair engine ran out of memory in {label} "
            f"(DuckDB limit {self.memory_limit} of --engine-memory {self.budget}): "
            f"{str(exc).splitlines()[0]}",
            "give it more, e.g. cib detect --engine-memory 6GB; or --engine spark",
        )

    def close(self) -> None:
        self.connection.close()
        shutil.rmtree(self.spill, ignore_errors=True)

    def __enter__(self) -> DuckDbEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
