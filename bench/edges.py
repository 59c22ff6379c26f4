"""Benchmark the edges stage's write: where a COORDINATED_WITH relationship's time goes.

Not a test. On the bench instance, which must hold a loaded scenario (its actors are
matched by key), ``--edges`` synthetic edges between random actors are written with the
detection's own statement (``graph/detect/edges.WRITE_EDGES``, batches of 5,000), then
with parts of it taken away: the same actors matched and nothing written, a relationship
with no evidence, and one with the scalar evidence but none of the three lists
(``shared_admins``, ``shared_identifiers``, ``sample_objects``). Variants interleave,
``--repeat`` times; medians, in microseconds an edge, of wall time, this process's CPU
and the server's CPU. Every run's edges are deleted after it.

    .venv/bin/python bench/edges.py --edges 60000 --repeat 3

Writes bench/results/edges.json and edges.md (or --name).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.edges import EDGE_PROPERTIES, WRITE_EDGES
from cibgraph.graph.server.paths import InstancePaths

BATCH = 5000
_MATCH = "UNWIND $rows AS row MATCH (a:Actor {key: row[0]}) MATCH (b:Actor {key: row[1]})"
_LISTS = {"shared_admins", "shared_identifiers", "sample_objects"}
_SCALARS = ", ".join(
    f"{name}: row[{i}]" for i, name in enumerate(EDGE_PROPERTIES, 2) if name not in _LISTS
)
VARIANTS = {
    "the detection's statement": WRITE_EDGES,
    "scalar evidence, no lists": (
        f"{_MATCH} CREATE (a)-[:COORDINATED_WITH {{run_id: $run_id, {_SCALARS}}}]->(b)"
    ),
    "a relationship, no evidence": (
        f"{_MATCH} CREATE (a)-[:COORDINATED_WITH {{run_id: $run_id}}]->(b)"
    ),
    "the actors matched only": f"{_MATCH} RETURN count(*) AS matched",
}
DELETE = "MATCH ()-[r:COORDINATED_WITH]->() WHERE r.run_id STARTS WITH 'bench-edges-' DELETE r"


def _rows(keys: list[str], count: int) -> list[list[Any]]:
    """Edges shaped as a co-share pair's: scalars, two empty lists, two sample objects."""
    rng = random.Random(1)
    rows = []
    for i in range(count):
        a, b = rng.sample(keys, 2)
        values: dict[str, Any] = {name: 0.0 for name in EDGE_PROPERTIES}
        values.update(weight=2.5, co_share=2.5, co_share_objects=3, urls=2, reshares=1)
        values.update(texts=0, min_gap=12, shared_admins=[], shared_identifiers=[])
        values["sample_objects"] = [f"url:https://news{i % 997}.example/s-{i}", f"post:p{i}"]
        for name in ("slow_co_share_objects", "co_hashtag_objects", "co_image_objects"):
            values[name] = 0
        values["co_similar_text_objects"] = 0
        rows.append([a, b, *(values[name] for name in EDGE_PROPERTIES)])
    return rows


def _one(db: Database, paths: InstancePaths, query: str, rows: list[list[Any]]) -> dict[str, float]:
    run_id = f"bench-edges-{time.monotonic_ns()}"
    server = harness.server_cpu_seconds(paths) or 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(rows), BATCH):
        db.write(query, {"rows": rows[start : start + BATCH], "run_id": run_id})
    out = {
        "wall": time.perf_counter() - wall,
        "client_cpu": time.process_time() - cpu,
        "server_cpu": (harness.server_cpu_seconds(paths) or 0.0) - server,
    }
    db.write(DELETE)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--name", default="edges")
    args = parser.parse_args()
    paths = harness.bench_paths()
    db = harness.connect()
    keys = [r["k"] for r in db.read("MATCH (a:Actor) RETURN a.key AS k LIMIT 50000")]
    if len(keys) < 2:
        raise SystemExit("the bench instance holds no actors: load a scenario first")
    rows = _rows(keys, args.edges)
    machine = harness.machine()
    db.write(DELETE)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    for _ in range(args.repeat):
        for name, query in VARIANTS.items():
            harness.log(f"{name}")
            runs[name].append(_one(db, paths, query, rows))
    per_edge = {
        name: {
            key: round(harness.median([r[key] for r in found]) / args.edges * 1e6, 1)
            for key in ("wall", "client_cpu", "server_cpu")
        }
        for name, found in runs.items()
    }
    table = harness.markdown(
        ["statement", "µs an edge (wall)", "client CPU", "server CPU"],
        [[n, v["wall"], v["client_cpu"], v["server_cpu"]] for n, v in per_edge.items()],
    )
    document = {
        "benchmark": "COORDINATED_WITH writes, by part of the statement",
        "command": " ".join(["python", *sys.argv]),
        "machine": machine,
        "server": harness.server_info(paths),
        "edges": args.edges,
        "batch": BATCH,
        "repeat": args.repeat,
        "us_per_edge_median": per_edge,
        "runs": runs,
    }
    harness.save(args.name, document, table)
    print(table)


if __name__ == "__main__":
    main()
