"""Seeded randomness: one independent stream per component, and a few distributions.

Each component draws from its own ``random.Random`` whose seed is a SHA-256 of the
scenario seed and the component's name, so adding draws to one component never
shifts another's output, and the same seed gives the same bytes on every run.
Python's ``hash()`` is salted per process and is never used.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

_MASK64 = (1 << 64) - 1


def component_rng(seed: int, *name: object) -> random.Random:
    """The random stream of one named component of the scenario."""
    key = ":".join([str(seed), *map(str, name)]).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))  # noqa: S311


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fixed bijection on 64-bit integers.

    Turns a counter into a well-spread number where a salted ``hash()`` would
    differ between processes.
    """
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def zipf_cumulative(n: int, exponent: float) -> list[float]:
    """Cumulative weights of ranks 1..n under a Zipf law, for ``bisect`` sampling."""
    return list(accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


def pick_cumulative(rng: random.Random, cumulative: Sequence[float]) -> int:
    """Index drawn with probability proportional to the weights behind ``cumulative``."""
    return bisect_right(cumulative, rng.random() * cumulative[-1])


def lognormal_int(rng: random.Random, median: float, sigma: float, cap: int) -> int:
    return min(cap, int(rng.lognormvariate(math.log(median), sigma)))


def pareto_weight(rng: random.Random, alpha: float, cap: float) -> float:
    """Heavy-tailed activity: most actors near 1, a few very active ones (capped)."""
    return min(cap, rng.paretovariate(alpha))


def split_total(rng: random.Random, total: float, parts: int, sigma: float) -> list[float]:
    """``total`` split into ``parts`` log-normally sized shares that sum to it."""
    if parts <= 0:
        return []
    weights = [rng.lognormvariate(0.0, sigma) for _ in range(parts)]
    scale = total / sum(weights)
    return [w * scale for w in weights]


def split_count(rng: random.Random, total: int, parts: int, jitter: float) -> list[int]:
    """``total`` items split into ``parts`` near-equal integer sizes that sum to it."""
    if parts <= 0:
        return []
    weights = [1.0 + rng.uniform(-jitter, jitter) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes
