"""The pair-signal stage of a run: shares to Parquet, co-share on the chosen engine.

With engine "duckdb" or "spark" the run extracts the share table into its working
folder (stage "shares"), then the engine computes the co-share passes (stage
"signals", with the Cypher-only signals). With engine "cypher" the library's own
co_share_pairs runs inside the server, as before the engines existed. Before either,
when co_similar_text is on, the posts' texts are clustered (stage "text_clusters",
graph/pairs/text_clusters.py), and when co_image is on, near-equal image hashes are
grouped (stage "image_clusters", graph/pairs/image_clusters.py): every engine, Cypher
included, reads them from ``Post.text_cluster`` and ``Post.image_cluster``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.signals import CoordinationPairs, collect_pairs
from cibgraph.graph.pairs.definition import CoShareParams
from cibgraph.graph.pairs.engines import open_engine
from cibgraph.graph.pairs.image_clusters import cluster_images
from cibgraph.graph.pairs.shares import extract_shares
from cibgraph.graph.pairs.text_clusters import cluster_texts
from cibgraph.graph.server.paths import instance_root
from cibgraph.queries.registry import Library

Stage = Callable[[str], AbstractContextManager[None]]


@dataclass
class PairStage:
    pairs: CoordinationPairs
    # What the engine did, recorded on the run: engine, limit, seconds per pass.
    engine: dict[str, Any] = field(default_factory=dict)


def run_folder(run_id: str) -> Path:
    """A run's working folder: its share table and the engine's spill files."""
    return instance_root() / "runs" / run_id.replace(":", "-")


def _label(pass_: CoShareParams) -> str:
    return "slow_co_share" if pass_.exclude_within >= 0 else "co_share"


def pair_signals(
    runner: QueryRunner,
    params: DetectParams,
    library: Library,
    stage: Stage,
    work_dir: Path,
) -> PairStage:
    """Every pair signal of a run, co-share on ``params.engine``."""
    clusters: dict[str, Any] = {}
    if "co_similar_text" in params.object_signals:
        with stage("text_clusters"):
            found = cluster_texts(runner, work_dir, params.text_clusters(), params.engine_memory)
        clusters["text_clusters"] = asdict(found)
    if "co_image" in params.object_signals:
        with stage("image_clusters"):
            images = cluster_images(runner, work_dir, params.image_clusters(), params.engine_memory)
        clusters["image_clusters"] = asdict(images)
    if params.engine == "cypher":
        with stage("signals"):
            pairs = collect_pairs(runner, params, library)
        return PairStage(pairs, {"engine": "cypher", **clusters})
    with stage("shares"):
        table = extract_shares(runner, work_dir / "shares.parquet")
    with stage("signals"):
        engine = open_engine(
            params.engine, table.path, work_dir, params.engine_memory, params.spark_master
        )
        try:

            def co_share(
                pass_: CoShareParams, signal: str = "co_share"
            ) -> Iterable[dict[str, Any]]:
                label = _label(pass_) if signal == "co_share" else signal
                rows: Iterator[dict[str, Any]] = engine.co_share(pass_, label, signal)
                return rows

            pairs = collect_pairs(runner, params, library, co_share=co_share)
        finally:
            engine.close()
    pairs.counts["shares"] = table.rows
    details: dict[str, Any] = {
        "engine": engine.name,
        "memory_limit": params.engine_memory,
        "shares_path": str(table.path),
        "shares": table.rows,
        "shares_seconds": table.seconds,
        "seconds": dict(engine.seconds),
        **clusters,
    }
    if params.engine == "spark":
        details["spark_master"] = params.spark_master
    return PairStage(pairs, details)
