"""Time-ordering of posts that are generated in overlapping batches."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from itertools import count

from cibgraph.scenario.model import Post


def in_time_order(batches: Iterable[list[Post]]) -> Iterator[Post]:
    """Posts of all batches, oldest first, holding only batches still in progress.

    Batches must arrive by non-decreasing earliest post (a campaign's first post
    comes before every later campaign's). A pending post can then be released as soon
    as a new batch starts after it: nothing still to come can be older.
    """
    pending: list[tuple[int, int, Post]] = []
    order = count()
    for batch in batches:
        if not batch:
            continue
        start = min(post[0] for post in batch)
        while pending and pending[0][0] <= start:
            yield heapq.heappop(pending)[2]
        for post in batch:
            heapq.heappush(pending, (post[0], next(order), post))
    while pending:
        yield heapq.heappop(pending)[2]
