"""Pair signals, combined per actor pair.

Co-share comes from an engine (graph/pairs/: DuckDB by default, Spark, or the query
library's co_share_pairs itself), all with one definition that a test holds equal to
the Cypher query's; shared admins and shared identifiers are the library's Cypher
(cheap: a few thousand rows). Every edge can be reproduced by hand in Browser; the
per-signal contributions stay on each edge.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cibgraph.core.errors import CibError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.pairs.definition import OBJECT_SIGNALS, CoShareParams
from cibgraph.queries.registry import Library, load_library

# Library queries cap their rows for Browser; detection wants every row.
NO_LIMIT = 2**62


class WindowEstimateFailed(CibError):
    """--window auto found no usable window in the data."""

    exit_code = 2


@dataclass
class PairEvidence:
    """Everything that links two actors, signal by signal."""

    co_share_objects: int = 0
    co_share_score: float = 0.0
    min_gap: int | None = None
    urls: int = 0
    reshares: int = 0
    texts: int = 0
    sample_objects: list[str] = field(default_factory=list)
    slow_co_share_objects: int = 0
    slow_co_share_score: float = 0.0
    shared_admins: int = 0
    shared_identifiers: int = 0
    # The newer object signals: distinct objects co-shared and their rarity score.
    co_hashtag_objects: int = 0
    co_hashtag_score: float = 0.0
    co_image_objects: int = 0
    co_image_score: float = 0.0
    co_similar_text_objects: int = 0
    co_similar_text_score: float = 0.0

    def contributions(self, params: DetectParams) -> dict[str, float]:
        """Each signal's share of the edge weight (before normalising)."""
        return {
            "co_share": params.co_share_weight * self.co_share_score,
            "slow_co_share": params.slow_co_share_weight * self.slow_co_share_score,
            # Diminishing returns: the third shared admin adds less than the first.
            "shared_admin": params.shared_admin_weight * math.log2(1 + self.shared_admins),
            "shared_identifier": params.shared_identifier_weight
            * math.log2(1 + self.shared_identifiers),
            "co_hashtag": params.co_hashtag_weight * self.co_hashtag_score,
            "co_image": params.co_image_weight * self.co_image_score,
            "co_similar_text": params.co_similar_text_weight * self.co_similar_text_score,
        }

    def weight(self, params: DetectParams) -> float:
        return sum(self.contributions(params).values())


@dataclass
class CoordinationPairs:
    pairs: dict[tuple[str, str], PairEvidence] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def get(self, a: str, b: str) -> PairEvidence:
        key = (a, b) if a < b else (b, a)
        evidence = self.pairs.get(key)
        if evidence is None:
            evidence = self.pairs[key] = PairEvidence()
        return evidence

    def actors(self) -> set[str]:
        return {actor for pair in self.pairs for actor in pair}


def estimate_window(
    runner: QueryRunner, params: DetectParams, library: Library | None = None
) -> int:
    """CooRnet's window estimate, in whole seconds; refuses a degenerate one loudly."""
    query = (library or load_library()).get("window_estimate")
    rows = runner.read(
        query.cypher, query.bind({"max_object_shares": str(params.max_object_shares)})
    )
    window = rows[0]["window"] if rows else None
    if window is None:
        raise WindowEstimateFailed(
            "--window auto found no object shared twice, so there is no window to estimate.",
            "load posts with URLs, reshares or texts, or pass --window SECONDS",
        )
    if window < 1:
        raise WindowEstimateFailed(
            f"--window auto estimated {window:.2f} s: the fastest objects are shared in the same "
            "second, a degenerate window (CooRnet silently uses 1 s here).",
            "pass --window SECONDS explicitly (60 is coordination-network-toolkit's usual choice)",
        )
    return math.ceil(float(window))


def _run(
    runner: QueryRunner, library: Library, name: str, values: dict[str, Any]
) -> Iterable[dict[str, Any]]:
    query = library.get(name)
    return runner.read(query.cypher, query.bind({k: str(v) for k, v in values.items()}))


class CoShareSource(Protocol):
    """Computes one pass of an object signal (``signal``: a key of OBJECT_SIGNALS)."""

    def __call__(
        self, pass_: CoShareParams, signal: str = "co_share"
    ) -> Iterable[dict[str, Any]]: ...


def co_share_passes(params: DetectParams) -> tuple[CoShareParams, CoShareParams | None]:
    """The fast pass and the slow one (None when off), with disjoint objects.

    The slow pass skips every object its pair co-shared within the fast window, so
    ``slow_co_share_objects`` counts only objects co-shared more slowly than that:
    a pair's fast and slow counts never include the same object twice.
    """
    if params.window is None:
        raise ValueError("resolve the window before collecting pairs")
    fast = CoShareParams(params.window, params.min_weight, params.max_object_shares)
    if params.slow_window <= 0:
        return fast, None
    slow = CoShareParams(
        params.slow_window,
        params.slow_min_weight,
        params.slow_max_object_shares,
        exclude_within=params.window,
    )
    return fast, slow


def object_passes(params: DetectParams) -> dict[str, CoShareParams]:
    """The newer object signals' passes (fast window only), by signal name."""
    if params.window is None:
        raise ValueError("resolve the window before collecting pairs")
    every = {
        "co_hashtag": CoShareParams(
            params.window, params.hashtag_min_weight, params.hashtag_max_object_shares
        ),
        "co_image": CoShareParams(
            params.window, params.image_min_weight, params.image_max_object_shares
        ),
        "co_similar_text": CoShareParams(
            params.window, params.similar_min_weight, params.similar_max_object_shares
        ),
    }
    return {name: pass_ for name, pass_ in every.items() if name in params.object_signals}


def cypher_co_share(runner: QueryRunner, library: Library | None = None) -> CoShareSource:
    """The co-share signal by the query library's own co_share_pairs (in one transaction)."""
    library = library or load_library()

    def run(pass_: CoShareParams, signal: str = "co_share") -> Iterable[dict[str, Any]]:
        return _run(
            runner,
            library,
            OBJECT_SIGNALS[signal].query,
            {**pass_.bindings(), "limit": NO_LIMIT},
        )

    return run


def collect_pairs(
    runner: QueryRunner,
    params: DetectParams,
    library: Library | None = None,
    co_share: CoShareSource | None = None,
) -> CoordinationPairs:
    """Run the pair signals and merge them into one evidence record per actor pair.

    ``co_share`` computes the co-share passes (an engine's, graph/pairs/); by default
    the Cypher query does, inside the server.
    """
    library = library or load_library()
    co_share = co_share or cypher_co_share(runner, library)
    fast, slow = co_share_passes(params)
    result = CoordinationPairs()
    result.counts["co_share"] = 0
    for row in co_share(fast):
        evidence = result.get(row["a"], row["b"])
        evidence.co_share_objects = int(row["weight"])
        evidence.co_share_score = float(row["score"])
        evidence.min_gap = int(row["min_gap"])
        evidence.urls, evidence.reshares, evidence.texts = (
            int(row["urls"]),
            int(row["reshares"]),
            int(row["texts"]),
        )
        evidence.sample_objects = list(row["sample_objects"])
        result.counts["co_share"] += 1
    result.counts["slow_co_share"] = 0
    if slow is not None:
        for row in co_share(slow):
            evidence = result.get(row["a"], row["b"])
            evidence.slow_co_share_objects = int(row["weight"])
            evidence.slow_co_share_score = float(row["score"])
            if not evidence.sample_objects:
                evidence.sample_objects = list(row["sample_objects"])
            result.counts["slow_co_share"] += 1
    for name, pass_ in object_passes(params).items():
        result.counts[name] = 0
        for row in co_share(pass_, name):
            evidence = result.get(row["a"], row["b"])
            setattr(evidence, f"{name}_objects", int(row["weight"]))
            setattr(evidence, f"{name}_score", float(row["score"]))
            if not evidence.sample_objects:
                evidence.sample_objects = list(row["sample_objects"])
            result.counts[name] += 1
    admins = _run(runner, library, "shared_admins", {"min_shared": 1, "limit": NO_LIMIT})
    result.counts["shared_admin"] = 0
    for row in admins:
        result.get(row["a"], row["b"]).shared_admins = int(row["shared"])
        result.counts["shared_admin"] += 1
    identifiers = _run(
        runner,
        library,
        "shared_identifiers",
        {
            "min_shared": 1,
            "max_accounts_per_identifier": params.max_accounts_per_identifier,
            "limit": NO_LIMIT,
        },
    )
    result.counts["shared_identifier"] = 0
    for row in identifiers:
        result.get(row["a"], row["b"]).shared_identifiers = int(row["shared"])
        result.counts["shared_identifier"] += 1
    return result
