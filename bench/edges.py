"""Benchmark the edges stage's write: where a COORDINATED_WITH relationship's time goes.

Not a test. On the bench instance, which must hold a loaded scenario (its actors are
matched by key), ``--edges`` synthetic edges between random actors are written with the
detection's own statement and rows (``graph/detect/edges``: ``WRITE_EDGES`` and
``edge_rows``, batches of 5,000), then with parts of it taken away: the same actors
matched and nothing written, a relationship with no evidence, and one with every piece
of evidence but its one list (``sample_objects``). Variants interleave,
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
from cibgraph.graph.detect.edges import EDGE_PROPERTIES, WRITE_EDGES, _positional, edge_rows
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.signals import CoordinationPairs
from cibgraph.graph.server.paths import InstancePaths

BATCH = 5000
_MATCH = "UNWIND $rows AS row MATCH (a:Actor {key: row[0]}) MATCH (b:Actor {key: row[1]})"
_SCALARS = ", ".join(
    f"{name}: row[{i}]" for i, name in enumerate(EDGE_PROPERTIES, 2) if name != "sample_objects"
)
VARIANTS = {
    "the detection's statement": WRITE_EDGES,
    "evidence without sample_objects": (
        f"{_MATCH} CREATE (a)-[:COORDINATED_WITH {{run_id: $run_id, {_SCALARS}}}]->(b)"
    ),
    "a relationship, no evidence": (
        f"{_MATCH} CREATE (a)-[:COORDINATED_WITH {{run_id: $run_id}}]->(b)"
    ),
    "the actors matched only": f"{_MATCH} RETURN count(*) AS matched",
}
DELETE = "MATCH ()-[r:COORDINATED_WITH]->() WHERE r.run_id STARTS WITH 'bench-edges-' DELETE r"


def _rows(keys: list[str], count: int) -> list[list[Any]]:
    """Edges as the detection writes a co-share pair's, between random actors, sorted."""
    rng = random.Random(1)
    pairs = CoordinationPairs()
    for i in range(count):
        evidence = pairs.get(*rng.sample(keys, 2))
        evidence.co_share_objects, evidence.co_share_score, evidence.min_gap = 3, 2.5, 12
        evidence.urls, evidence.reshares = 2, 1
        evidence.sample_objects = [f"url:https://news{i % 997}.example/s-{i}", f"post:p{i}"]
    return [_positional(row) for row in edge_rows(pairs, DetectParams(window=60))]


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
            key: round(harness.median([r[key] for r in found]) / len(rows) * 1e6, 1)
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
        "edges": len(rows),  # random pairs drawn twice are one edge
        "batch": BATCH,
        "repeat": args.repeat,
        "us_per_edge_median": per_edge,
        "runs": runs,
    }
    harness.save(args.name, document, table)
    print(table)


if __name__ == "__main__":
    main()
