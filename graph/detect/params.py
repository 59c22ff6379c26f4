"""Every knob of a detection run, with its default and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from cibgraph.core.errors import UsageError
from cibgraph.graph.pairs.definition import MAX_WINDOW
from cibgraph.graph.pairs.image_clusters import MAX_DISTANCE, ImageClusterParams
from cibgraph.graph.pairs.limits import check_memory_limit
from cibgraph.graph.pairs.text_clusters import TextClusterParams

ALGORITHMS = ("leiden", "louvain", "wcc")
ENGINES = ("duckdb", "spark", "cypher")


@dataclass(frozen=True)
class DetectParams:
    # Co-share window in seconds; None means "estimate it from the data" (--window auto).
    window: int | None = None
    # coordination-network-toolkit's absolute minimum: two distinct objects co-shared.
    min_weight: int = 2
    # Objects shared more often than this are viral, not evidence of coordination.
    max_object_shares: int = 1000
    # A second, slow co-share pass: operators who post on a shift, not in seconds. Only
    # rare objects count (a popular link shared within a day is chance) and a pair needs
    # more of them; 0 turns it off. Measured on the scale-10 scenario (README).
    slow_window: int = 86_400
    slow_max_object_shares: int = 30
    slow_min_weight: int = 3
    # Where the co-share signal runs (graph/pairs/): DuckDB embedded, with a memory
    # limit and spilling; Spark (spark_master) past one machine; or the Cypher query
    # inside the server (for comparison and small data: at scale 100 it outgrows the
    # transaction memory). Same pairs on all three (tests/integration/test_pair_engines).
    engine: str = "duckdb"
    # The pair engine's memory budget: DuckDB gets limits.DUCKDB_SHARE of it as its
    # memory_limit and spills to the run's folder beyond that; Spark's driver memory.
    # At scale 100 (14.7M shares) DuckDB's window operators needed more than 1.4 GB;
    # 3GB (DuckDB 2.1 GB) peaked at 2.4 GB for the whole process (README, Performance).
    engine_memory: str = "3GB"
    # Spark's master URL (local[2], spark://host:7077, yarn, ...), for engine "spark".
    spark_master: str = "local[*]"
    # The newer object signals (graph/pairs/definition.OBJECT_SIGNALS) run the fast
    # window only. A hashtag set is far more common than a link (organic posts reuse
    # a topic's tags), so it is a trend sooner: measured on the seeded scenarios
    # (README, "Signals").
    object_signals: tuple[str, ...] = ("co_hashtag", "co_image", "co_similar_text")
    hashtag_max_object_shares: int = 200
    # 3, not 2: on the default scenario, seed 4, organic accounts meeting on two
    # topical tag sets pulled 12 of them into planted networks (precision 0.983);
    # at 3 precision is 1.000 and the extended scenario still flags 6/6 (README).
    hashtag_min_weight: int = 3
    image_max_object_shares: int = 1000
    image_min_weight: int = 2
    # Hashes of 16 hex digits this many bits apart or fewer are one image (re-encoded or
    # resized copies; graph/pairs/image_clusters.py says why 4); 0 = equal hashes only.
    image_max_distance: int = 4
    # Near-duplicate text clusters (graph/pairs/text_clusters.py: the parameters and
    # why). A cluster is a template; one posted more than 500 times is a meme or an
    # organic phrase (the scenario's organic templates make clusters of thousands).
    similar_max_object_shares: int = 500
    similar_min_weight: int = 2
    similar_threshold: float = 0.6
    similar_shingle: int = 1
    similar_num_perm: int = 64
    similar_seed: int = 1
    similar_min_words: int = 8
    # Identifiers used by more accounts are shared infrastructure (public IPs, offices).
    max_accounts_per_identifier: int = 10
    # Chosen by measurement on the seeded scenarios (README, Detection quality).
    algorithm: str = "leiden"
    seed: int = 42
    # The open GDS build caps concurrency at 4; Louvain and Leiden are only reproducible
    # at 1 (measured: a fixed Leiden seed at concurrency 4 gave 25, 28, 29 communities).
    concurrency: int = 1
    # A "network" of two is a pair; takedowns are about groups.
    min_network_size: int = 3
    # score = sqrt(coordination * inauthenticity); see graph/detect/scoring.py.
    threshold: float = 0.2
    # Weights of the pair signals in the combined edge weight.
    co_share_weight: float = 1.0
    slow_co_share_weight: float = 0.5
    shared_admin_weight: float = 1.0
    shared_identifier_weight: float = 1.0
    co_hashtag_weight: float = 0.5
    co_image_weight: float = 1.0
    # Long texts nearly identical within seconds are as telling as identical ones
    # (co_text weighs 1 in co_share); identical copies never count here twice.
    co_similar_text_weight: float = 1.0

    def checked(self) -> DetectParams:
        if self.algorithm not in ALGORITHMS:
            raise UsageError(
                f"Unknown algorithm {self.algorithm!r}.", f"use one of: {', '.join(ALGORITHMS)}"
            )
        if self.slow_window < 0 or self.slow_min_weight < 1:
            raise UsageError("--slow-window must be >= 0 (0 = off) and --slow-min-weight >= 1.")
        if self.window is not None and self.window < 1:
            raise UsageError(f"--window must be at least 1 second (or 'auto'), not {self.window}.")
        if max(self.window or 0, self.slow_window) > MAX_WINDOW:
            raise UsageError(
                f"--window and --slow-window are at most {MAX_WINDOW:,} s (97 days).",
                "co-sharing months apart is not coordination; use a shorter window",
            )
        if not 1 <= self.concurrency <= 4:
            raise UsageError("--concurrency must be 1 to 4 (the open GDS build's limit).")
        unknown = set(self.object_signals) - {"co_hashtag", "co_image", "co_similar_text"}
        if unknown:
            raise UsageError(f"Unknown object signals: {', '.join(sorted(unknown))}.")
        if min(self.hashtag_min_weight, self.image_min_weight, self.similar_min_weight) < 1:
            raise UsageError("the object signals' minimum weights must be >= 1.")
        if not 0 <= self.image_max_distance <= MAX_DISTANCE:
            raise UsageError(
                f"--image-max-distance must be 0 to {MAX_DISTANCE} bits (0 = equal hashes only)."
            )
        if not 0.0 < self.similar_threshold <= 1.0 or self.similar_shingle < 1:
            raise UsageError("similar_threshold must be in (0, 1] and similar_shingle >= 1.")
        if self.similar_num_perm < 16 or self.similar_min_words < 1:
            raise UsageError("similar_num_perm must be >= 16 and similar_min_words >= 1.")
        if self.min_weight < 1 or self.min_network_size < 2:
            raise UsageError("--min-weight must be >= 1 and --min-size >= 2.")
        if self.engine not in ENGINES:
            raise UsageError(
                f"Unknown engine {self.engine!r}.", f"use one of: {', '.join(ENGINES)}"
            )
        check_memory_limit(self.engine_memory)
        if not 0.0 <= self.threshold <= 1.0:
            raise UsageError("--threshold must be between 0 and 1.")
        return self

    def text_clusters(self) -> TextClusterParams:
        return TextClusterParams(
            threshold=self.similar_threshold,
            shingle=self.similar_shingle,
            num_perm=self.similar_num_perm,
            seed=self.similar_seed,
            min_words=self.similar_min_words,
        )

    def image_clusters(self) -> ImageClusterParams:
        return ImageClusterParams(max_distance=self.image_max_distance)

    def with_window(self, window: int) -> DetectParams:
        return replace(self, window=window)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
