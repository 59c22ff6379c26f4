"""Pair signals, computed by the query library's own Cypher, combined per actor pair.

Detection runs the same `.cypher` files analysts run in Browser (co_share_pairs,
shared_admins, shared_identifiers), so every edge of the coordination graph can be
reproduced by hand. The per-signal contributions stay on each edge.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from cibgraph.core.errors import CibError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect.params import DetectParams
from cibgraph.queries.registry import Library, load_library

# Library queries cap their rows for Browser; detection wants every row.
NO_LIMIT = 2**62
# The co-share query holds every candidate pair of its pass in server memory. Measured:
# 11.7M posts (scale 100) outgrew a 6.3 GiB transaction pool in one pass; 1.2M (scale
# 10) fit in 4 GiB. One pass per this many posts keeps a pass near scale 10's size.
POSTS_PER_PASS = 2_000_000


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

    def contributions(self, params: DetectParams) -> dict[str, float]:
        """Each signal's share of the edge weight (before normalising)."""
        return {
            "co_share": params.co_share_weight * self.co_share_score,
            "slow_co_share": params.slow_co_share_weight * self.slow_co_share_score,
            # Diminishing returns: the third shared admin adds less than the first.
            "shared_admin": params.shared_admin_weight * math.log2(1 + self.shared_admins),
            "shared_identifier": params.shared_identifier_weight
            * math.log2(1 + self.shared_identifiers),
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


def co_share_passes(runner: QueryRunner, params: DetectParams) -> int:
    """The number of co-share passes: as asked, else one per ``POSTS_PER_PASS`` posts."""
    if params.co_share_passes is not None:
        return params.co_share_passes
    rows = runner.read("MATCH (p:Post) RETURN count(p) AS posts")
    posts = int(rows[0]["posts"]) if rows else 0
    return max(1, math.ceil(posts / POSTS_PER_PASS))


def pass_fractions(passes: int) -> list[float]:
    """Where to cut the sorted actor keys so each pass gets about as many pairs.

    A pair belongs to the pass of its smaller key; with partners spread evenly the
    smaller key of a pair falls below the fraction f of the keys with probability
    1 - (1 - f)^2, so the cuts sit where that equals 1/n, 2/n, ...
    """
    return [1.0 - math.sqrt(1.0 - i / passes) for i in range(1, passes)]


def key_ranges(runner: QueryRunner, passes: int) -> list[tuple[str, str]]:
    """``(from_key, to_key)`` per pass; ``""`` is an open end."""
    if passes <= 1:
        return [("", "")]
    rows = runner.read(
        "MATCH (a:Actor) WITH a.key AS key ORDER BY key "
        "WITH collect(key) AS keys "
        "UNWIND $fractions AS f "
        "RETURN keys[toInteger(floor(f * size(keys)))] AS cut",
        {"fractions": pass_fractions(passes)},
    )
    cuts = sorted({str(r["cut"]) for r in rows if r["cut"] is not None})
    bounds = ["", *cuts, ""]
    return list(pairwise(bounds))


def _co_share(
    runner: QueryRunner,
    library: Library,
    ranges: list[tuple[str, str]],
    window: int,
    min_weight: int,
    max_object_shares: int,
) -> Iterable[dict[str, Any]]:
    """co_share_pairs pass by pass; the ranges are disjoint, so no pair comes twice."""
    for from_key, to_key in ranges:
        yield from _run(
            runner,
            library,
            "co_share_pairs",
            {
                "window": window,
                "min_weight": min_weight,
                "max_object_shares": max_object_shares,
                "limit": NO_LIMIT,
                "from_key": from_key,
                "to_key": to_key,
            },
        )


def collect_pairs(
    runner: QueryRunner, params: DetectParams, library: Library | None = None
) -> CoordinationPairs:
    """Run the pair signals and merge them into one evidence record per actor pair."""
    if params.window is None:
        raise ValueError("resolve the window before collecting pairs")
    library = library or load_library()
    result = CoordinationPairs()
    ranges = key_ranges(runner, co_share_passes(runner, params))
    result.counts["co_share_passes"] = len(ranges)
    co_share = _co_share(
        runner, library, ranges, params.window, params.min_weight, params.max_object_shares
    )
    result.counts["co_share"] = 0
    for row in co_share:
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
    if params.slow_window > 0:
        slow = _co_share(
            runner,
            library,
            ranges,
            params.slow_window,
            params.slow_min_weight,
            params.slow_max_object_shares,
        )
        for row in slow:
            evidence = result.get(row["a"], row["b"])
            evidence.slow_co_share_objects = int(row["weight"])
            evidence.slow_co_share_score = float(row["score"])
            if not evidence.sample_objects:
                evidence.sample_objects = list(row["sample_objects"])
            result.counts["slow_co_share"] += 1
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
