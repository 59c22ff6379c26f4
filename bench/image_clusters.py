"""What grouping near-equal image hashes costs, by number of distinct hashes and distance.

graph/pairs/image_clusters.py's rule (pigeonhole chunks joined in DuckDB, an XOR bit
count, union-find) on ``--sizes`` distinct random 64-bit hashes, with 1 % of them the
re-encoded copies of others (scenario/tactics.near_copy). The cost of the join grows
with the hashes that share a chunk by chance: n^2 / 2^(64 / (distance + 1)) a chunk.
Each cell is the median of ``--repeat`` runs in one process (distance 0 is no join at
all, so there is no baseline to divide by: the figures are the stage's added cost).
No database: the hashes are generated in memory.

    python bench/image_clusters.py --sizes 10000,100000,1000000 --distances 2,3,4,5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from cibgraph.graph.pairs.image_clusters import HASH_SCHEMA, ImageClusterParams, near_equal_groups
from cibgraph.scenario.tactics import near_copy

RESULTS = Path(__file__).resolve().parent / "results"


def hashes(size: int, seed: int) -> pa.Table:
    rng = random.Random(seed)
    originals = [f"{rng.getrandbits(64):016x}" for _ in range(size - size // 100)]
    copies = [near_copy(rng, rng.choice(originals)) for _ in range(size // 100)]
    names = sorted(set(originals + copies))
    values = pa.array([int(h, 16) for h in names], pa.uint64())
    return pa.table([names, values], schema=HASH_SCHEMA)


def measure(table: pa.Table, distance: int, repeat: int) -> dict[str, Any]:
    params = ImageClusterParams(max_distance=distance)
    seconds, groups = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        groups = near_equal_groups(table, params, {"memory_limit": "2GB"})
        seconds.append(time.perf_counter() - started)
    return {
        "distance": distance,
        "hashes": table.num_rows,
        "seconds_median": round(statistics.median(seconds), 3),
        "seconds": [round(s, 3) for s in seconds],
        "grouped_hashes": len(groups),
        "groups": len(set(groups.values())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--distances", default="2,3,4,5")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--name", default="image-clusters")
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        table = hashes(size, args.seed)
        for distance in (int(d) for d in args.distances.split(",")):
            row = measure(table, distance, args.repeat)
            rows.append(row)
            print(json.dumps(row))
    RESULTS.mkdir(exist_ok=True)
    record = {"load_average": os.getloadavg(), "seed": args.seed, "rows": rows}
    (RESULTS / f"{args.name}.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
