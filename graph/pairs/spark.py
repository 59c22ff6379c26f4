"""The co-share signal on Apache Spark: the same SQL, transpiled, for data past one machine.

Shares come from the run's Parquet file (on a cluster: a path every executor can read,
such as HDFS or S3, given with ``shares``), or straight from Neo4j through the Neo4j
Connector for Apache Spark (README, "Pair signals on Spark"). pyspark is the optional
``spark`` extra; it is imported only when this engine is chosen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cibgraph.core.errors import UsageError
from cibgraph.graph.pairs.definition import (
    OBJECT_SIGNALS,
    CoShareParams,
    co_share_sql,
    pair_row,
)
from cibgraph.graph.pairs.limits import spark_size

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Few partitions for the shuffles: the default 200 costs seconds of task overhead per
# stage on a small input; a cluster run overrides it with --conf.
SHUFFLE_PARTITIONS = 8


def spark_session(master: str, memory: str, app: str = "cibgraph-pairs") -> SparkSession:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError(
            "--engine spark needs pyspark, which is not installed.",
            "pip install 'cibgraph[spark]' (pyspark 3.5), or use --engine duckdb",
        ) from None
    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.driver.memory", spark_size(memory))
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Pair keys and objects are strings compared byte by byte, as DuckDB does.
        .config("spark.sql.session.timeZone", "UTC")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Runs co_share.sql (Spark dialect) over a ``shares`` temporary view."""

    name = "spark"

    def __init__(self, session: SparkSession, shares: Path | str, stop: bool = True) -> None:
        self.session = session
        self.stop = stop
        frame = session.read.parquet(str(shares))
        frame.createOrReplaceTempView("shares")
        for signal in OBJECT_SIGNALS.values():
            frame.where(frame.kind.isin(list(signal.kinds))).createOrReplaceTempView(signal.view)
        self.seconds: dict[str, float] = {}

    def co_share(
        self, params: CoShareParams, label: str = "co_share", signal: str = "co_share"
    ) -> Iterator[dict[str, Any]]:
        started = time.perf_counter()
        view = OBJECT_SIGNALS[signal].view
        frame = self.session.sql(co_share_sql(params, "spark", view))
        # collect(), not toLocalIterator(): pyspark 3.5's iterator leaves its socket
        # open (a ResourceWarning), and the pairs are held by the caller anyway.
        for row in frame.collect():
            yield pair_row(tuple(row))
        self.seconds[label] = round(time.perf_counter() - started, 3)

    def close(self) -> None:
        self.session.catalog.dropTempView("shares")
        for signal in OBJECT_SIGNALS.values():
            self.session.catalog.dropTempView(signal.view)
        if self.stop:
            self.session.stop()

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
