"""Choosing and opening the engine a detection run computes co-share pairs with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from cibgraph.graph.pairs.definition import CoShareParams


class PairEngine(Protocol):
    name: str
    # Seconds per pass, by label ("co_share", "slow_co_share", "co_hashtag", ...), once
    # a pass is read; ``signal`` picks the object kinds (definition.OBJECT_SIGNALS).
    seconds: dict[str, float]

    def co_share(
        self, params: CoShareParams, label: str = "co_share", signal: str = "co_share"
    ) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...


def open_engine(
    engine: str, shares: Path, work_dir: Path, memory: str, spark_master: str
) -> PairEngine:
    """``engine`` over the share table at ``shares``; the caller closes it."""
    if engine == "duckdb":
        from cibgraph.graph.pairs.duck import DuckDbEngine

        return DuckDbEngine(shares, work_dir, memory)
    if engine == "spark":
        from cibgraph.graph.pairs.spark import SparkEngine, spark_session

        return SparkEngine(spark_session(spark_master, memory), shares)
    raise ValueError(f"no columnar engine {engine!r}")
