"""What the bulk sink's compact post-id set costs: asking about a batch, then adding it.

``loaders/bulk/post_files.take_posts`` asks the set whether any id of a batch is in it
and then adds the batch; every later batch asks again. This fills a set with ``--ids``
ids in batches of ``--batch`` that way, then asks about 1M ids it does not hold (the
common case: a post id seen once). CPU seconds of this process, not wall time, since the
machine is shared; medians of ``--repeat`` fills. No database.

    python bench/id_set.py --ids 6000000 --repeat 3
    PYTHONPATH=/path/to/other/checkout/.typecheck python bench/id_set.py   # A/B
"""

from __future__ import annotations

import argparse
import statistics
import time

from cibgraph.loaders.bulk import id_set
from cibgraph.loaders.bulk.id_set import CompactIds


def batches(start: int, stop: int, size: int) -> list[list[str]]:
    return [[f"post-{i}" for i in range(b, min(b + size, stop))] for b in range(start, stop, size)]


def fill(ids: CompactIds, chunks: list[list[str]]) -> float:
    started = time.process_time()
    for batch in chunks:
        ids.any_of(batch)
        ids.update(batch)
    return time.process_time() - started


def ask(ids: CompactIds, chunks: list[list[str]]) -> float:
    started = time.process_time()
    for batch in chunks:
        ids.which(batch)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=6_000_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    filled, asked = [], []
    for _ in range(args.repeat):
        ids = CompactIds()
        filled.append(fill(ids, batches(0, args.ids, args.batch)))
        asked.append(ask(ids, batches(args.ids, args.ids + 1_000_000, args.batch)))
    print(
        f"{id_set.__file__}: fill {args.ids:,} ids (ask, then add) "
        f"{statistics.median(filled):.2f} CPU s; ask 1,000,000 absent ids "
        f"{statistics.median(asked):.2f} CPU s (medians of {args.repeat})"
    )


if __name__ == "__main__":
    main()
