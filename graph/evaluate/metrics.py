"""Actor-level ratios and the adjusted Rand index, in integers up to the last division."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence


def ratio(numerator: int | float, denominator: int | float) -> float:
    """``numerator / denominator``, with 0/0 (and x/0) defined as 0.0."""
    return numerator / denominator if denominator else 0.0


def adjusted_rand_index(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labelings of the same items.

    1.0 for identical partitions (up to renaming), about 0.0 for chance agreement,
    negative for worse than chance. Computed from the contingency table, exactly in
    integers up to the final division.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"labelings differ in length: {len(truth)} vs {len(predicted)}")
    return ari_from_contingency(Counter(zip(truth, predicted, strict=True)))


def ari_from_contingency(cells: Mapping[tuple[Hashable, Hashable], int]) -> float:
    """ARI from a contingency table given as ``{(truth_cluster, predicted_cluster): n}``."""
    rows: Counter[Hashable] = Counter()
    cols: Counter[Hashable] = Counter()
    for (t, p), count in cells.items():
        rows[t] += count
        cols[p] += count
    n = sum(rows.values())
    index = sum(math.comb(c, 2) for c in cells.values())
    sum_rows = sum(math.comb(c, 2) for c in rows.values())
    sum_cols = sum(math.comb(c, 2) for c in cols.values())
    pairs = math.comb(n, 2)
    # max == expected only when both partitions are all-singletons or one cluster (or
    # n < 2): then they are identical, and ARI is 1.0 by the usual convention.
    numerator = index * pairs - sum_rows * sum_cols
    denominator = (sum_rows + sum_cols) * pairs - 2 * sum_rows * sum_cols
    if denominator == 0:
        return 1.0
    return 2 * numerator / denominator
