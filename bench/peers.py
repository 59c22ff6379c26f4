"""Peers on the same input, measured in the same run.

Not a test. Two comparisons:

1. **Communities.** A scenario is loaded (``--bulk``) and detected with the defaults;
   that run's coordination graph (its ``COORDINATED_WITH`` edges, undirected, ``weight``)
   is exported once. GDS Louvain, Leiden and WCC (the wrappers detection uses,
   concurrency 1, projection timed apart) run against networkit (PLM, ParallelLeiden,
   connected components), igraph (multilevel, Leiden), leidenalg and networkx
   (``louvain_communities``) on that same edge list. Times are medians; modularity is
   computed for every partition by one function (igraph's, weighted, resolution 1).
2. **Co-share.** ``co_share_pairs`` (window 60 s, min_weight 2, no viral cap) against
   coordination-network-toolkit's ``compute`` on the same data in its CSV layout: the
   Russian CooRTweet dataset (co_retweet) and the generated scenario (co_retweet +
   co_link + co_tweet, the three object kinds ``co_share_pairs`` covers in one query).

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python bench/peers.py --scale 1 --repeat 3

Writes bench/results/peers.json and peers.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import PROJECT, detect
from cibgraph.graph.gds import Gds
from cibgraph.loaders.bulk import bulk_load
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.peers import CNT_COLUMNS
from cibgraph.queries.registry import load_library

RUSSIAN = harness.DATASETS / "coortweet" / "russian_coord_tweets.csv.gz"
WINDOW = 60
MIN_WEIGHT = 2
Edge = tuple[str, str, float]


def timed_median(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return harness.median(times), [round(t, 4) for t in times], result


# -- the coordination graph ----------------------------------------------------------


def detected(db: Database, folder: Path) -> str:
    result = bulk_load(
        db, plan_load([folder]), LoadOptions(rejects_dir=harness.DATA / "peers-rejects")
    )
    assert result.ledger.status == "complete"
    return detect(db, DetectParams()).run_id


def export_edges(db: Database, run_id: str) -> list[Edge]:
    rows = db.read(
        "MATCH (a:Actor)-[r:COORDINATED_WITH {run_id: $run_id}]->(b:Actor) "
        "RETURN a.key AS a, b.key AS b, r.weight AS w",
        {"run_id": run_id},
    )
    return [(r["a"], r["b"], float(r["w"])) for r in rows]


def gds_side(db: Database, run_id: str, repeat: int) -> dict[str, dict[str, Any]]:
    gds = Gds.connect(db)
    name = f"peers-{run_id}"
    out: dict[str, dict[str, Any]] = {}
    timings: dict[str, list[float]] = {"projection": [], "louvain": [], "leiden": [], "wcc": []}
    results: dict[str, Any] = {}
    compute: dict[str, list[int]] = {k: [] for k in ("louvain", "leiden", "wcc")}
    for r in range(repeat):
        gds.drop(name)
        started = time.perf_counter()
        gds.project(name, PROJECT, {"run_id": run_id})
        timings["projection"].append(time.perf_counter() - started)
        for algorithm in ("louvain", "leiden", "wcc"):
            call = getattr(gds, algorithm)
            started = time.perf_counter()
            results[algorithm] = call(name, concurrency=1, mutate_property=f"{algorithm}{r}")
            timings[algorithm].append(time.perf_counter() - started)
            compute[algorithm].append(results[algorithm].compute_millis)
        gds.drop(name)
    out["GDS projection (Cypher aggregation)"] = {
        "seconds": harness.median(timings["projection"]),
        "all": timings["projection"],
    }
    labels = {"louvain": "GDS Louvain", "leiden": "GDS Leiden", "wcc": "GDS WCC"}
    for algorithm, label in labels.items():
        out[label] = {
            "seconds": harness.median(timings[algorithm]),
            "all": [round(t, 4) for t in timings[algorithm]],
            "compute_ms_median": harness.median(compute[algorithm]),
            "membership": dict(results[algorithm].assignments),
        }
    return out


def python_side(edges: list[Edge], repeat: int) -> dict[str, dict[str, Any]]:
    import igraph as ig
    import leidenalg
    import networkit as nk
    import networkx as nx

    keys = sorted({a for a, _, _ in edges} | {b for _, b, _ in edges})
    index = {k: i for i, k in enumerate(keys)}
    pairs = [(index[a], index[b]) for a, b, _ in edges]
    weights = [w for _, _, w in edges]
    out: dict[str, dict[str, Any]] = {}

    def record(label: str, fn: Callable[[], list[int]], build: float | None = None) -> None:
        seconds, runs, membership = timed_median(fn, repeat)
        out[label] = {
            "seconds": seconds,
            "all": runs,
            "membership": {keys[i]: int(c) for i, c in enumerate(membership)},
        }
        if build is not None:
            out[label]["build_seconds"] = build

    def nk_graph() -> Any:
        graph = nk.Graph(len(keys), weighted=True, directed=False)
        for (u, v), w in zip(pairs, weights, strict=True):
            graph.addEdge(u, v, w)
        return graph

    build, _, nkg = timed_median(nk_graph, 1)
    for threads in (1, 2):
        nk.setNumberOfThreads(threads)
        record(
            f"networkit PLM ({threads} thread{'s' if threads > 1 else ''})",
            lambda: list(nk.community.PLM(nkg, refine=False).run().getPartition().getVector()),
            build,
        )
    nk.setNumberOfThreads(1)
    record(
        "networkit ParallelLeiden (1 thread)",
        lambda: list(nk.community.ParallelLeiden(nkg).run().getPartition().getVector()),
    )
    record(
        "networkit connected components",
        lambda: list(nk.components.ConnectedComponents(nkg).run().getPartition().getVector()),
    )

    def ig_graph() -> Any:
        return ig.Graph(n=len(keys), edges=pairs, edge_attrs={"weight": weights})

    build, _, igg = timed_median(ig_graph, 1)
    record(
        "igraph multilevel (Louvain)",
        lambda: igg.community_multilevel(weights="weight").membership,
        build,
    )
    record(
        "igraph Leiden (modularity)",
        lambda: (
            igg.community_leiden(
                objective_function="modularity", weights="weight", n_iterations=-1
            ).membership
        ),
    )
    record(
        "leidenalg (modularity, seed 42)",
        lambda: (
            leidenalg.find_partition(
                igg, leidenalg.ModularityVertexPartition, weights="weight", seed=42
            ).membership
        ),
    )
    record("igraph connected components", lambda: igg.connected_components().membership)

    def nx_graph() -> Any:
        graph: Any = nx.Graph()
        graph.add_nodes_from(range(len(keys)))
        graph.add_weighted_edges_from((u, v, w) for (u, v), w in zip(pairs, weights, strict=True))
        return graph

    build, _, nxg = timed_median(nx_graph, 1)

    def nx_louvain() -> list[int]:
        membership = [0] * len(keys)
        for c, nodes in enumerate(nx.community.louvain_communities(nxg, weight="weight", seed=42)):
            for n in nodes:
                membership[n] = c
        return membership

    record("networkx louvain_communities", nx_louvain, build)
    return out


def add_modularity(results: dict[str, dict[str, Any]], edges: list[Edge]) -> None:
    import igraph as ig

    keys = sorted({a for a, _, _ in edges} | {b for _, b, _ in edges})
    index = {k: i for i, k in enumerate(keys)}
    graph: Any = ig.Graph(
        n=len(keys),
        edges=[(index[a], index[b]) for a, b, _ in edges],
        edge_attrs={"weight": [w for _, _, w in edges]},
    )
    for entry in results.values():
        membership = entry.pop("membership", None)
        if membership is None:
            continue
        vector = [membership[k] for k in keys]
        entry["communities"] = len(set(vector))
        entry["modularity"] = round(graph.modularity(vector, weights="weight"), 4)


# -- co-share --------------------------------------------------------------------------


def co_share_ours(db: Database, repeat: int) -> dict[str, Any]:
    query = load_library().get("co_share_pairs")
    params = query.bind(
        {
            "window": str(WINDOW),
            "min_weight": str(MIN_WEIGHT),
            "max_object_shares": "1000000000",
            "limit": "1000000000",
        }
    )
    seconds, runs, rows = timed_median(lambda: db.read(query.cypher, params), repeat)
    return {"seconds": seconds, "all": runs, "pairs": len(rows)}


def russian_cnt(target: Path) -> Path:
    with gzip.open(RUSSIAN, "rt", newline="") as src, target.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CNT_COLUMNS)
        for r in csv.DictReader(src):
            row = [r["content_id"], r["account_id"], r["account_id"], r["object_id"], "", ""]
            writer.writerow([*row, r["timestamp_share"], ""])
    return target


def scenario_cnt(folder: Path, target: Path) -> Path:
    """The scenario's posts in coordination-network-toolkit's CSV layout."""
    from cibgraph.loaders.values import parse_timestamp

    with (folder / "posts.csv").open(newline="") as src, target.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CNT_COLUMNS)
        for r in csv.DictReader(src):
            user = f"{r['author_type']}:{r['author_id']}"
            epoch = int(parse_timestamp(r["created_at"]).timestamp())
            writer.writerow(
                [r["post_id"], user, user, r["shared_post_id"], "", r["text"], epoch, r["url"]]
            )
    return target


def toolkit(cnt_csv: Path, networks: tuple[str, ...], repeat: int, work: Path) -> dict[str, Any]:
    db = work / f"{cnt_csv.stem}.db"
    db.unlink(missing_ok=True)
    base = [sys.executable, "-W", "ignore", "-m", "coordination_network_toolkit", str(db)]
    started = time.perf_counter()
    subprocess.run(
        [*base, "preprocess", "--format", "csv", str(cnt_csv)], check=True, capture_output=True
    )
    out: dict[str, Any] = {"preprocess_seconds": time.perf_counter() - started, "networks": {}}
    for network in networks:
        argv = [
            *base,
            "compute",
            network,
            "--time_window",
            str(WINDOW),
            "--min_edge_weight",
            str(MIN_WEIGHT),
        ]

        def compute(argv: list[str] = argv) -> None:
            subprocess.run(argv, check=True, capture_output=True)

        seconds, runs, _ = timed_median(compute, repeat)
        with sqlite3.connect(db) as conn:
            pairs = conn.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT min(user_1, user_2), max(user_1, user_2) "  # noqa: S608 - constant table names
                f"FROM {network}_network WHERE user_1 <> user_2)"
            ).fetchone()[0]
        out["networks"][network] = {"seconds": seconds, "all": runs, "pairs": pairs}
    out["compute_seconds"] = sum(n["seconds"] for n in out["networks"].values())
    return out


# -- the run ---------------------------------------------------------------------------


def measure(scale: float, repeat: int) -> dict[str, Any]:
    paths = harness.bench_paths()
    work = harness.DATA / "peers"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    folder = harness.scenario(scale)
    harness.log(f"scale {scale:g}: load + detect")
    db = harness.reset(paths)
    try:
        run_id = detected(db, folder)
        edges = export_edges(db, run_id)
        harness.log(f"  {len(edges):,} coordination edges; GDS")
        communities = gds_side(db, run_id, repeat)
        harness.log("  networkit / igraph / leidenalg / networkx")
        communities.update(python_side(edges, repeat))
        add_modularity(communities, edges)
        harness.log("  co-share on the scenario: ours")
        scenario_ours = co_share_ours(db, repeat)
    finally:
        db.close()
    harness.log("  co-share on the scenario: coordination-network-toolkit")
    cnt = scenario_cnt(folder, work / "scenario_cnt.csv")
    scenario_theirs = toolkit(cnt, ("co_retweet", "co_link", "co_tweet"), repeat, work)
    harness.log("Russian dataset: load, ours, toolkit")
    db = harness.reset(paths)
    try:
        plan = plan_load([RUSSIAN], fmt="coortweet")
        load(db, plan, LoadOptions(rejects_dir=harness.DATA / "peers-rejects"))
        russian_ours = co_share_ours(db, repeat)
    finally:
        db.close()
    russian_theirs = toolkit(russian_cnt(work / "russian_cnt.csv"), ("co_retweet",), repeat, work)
    return {
        "scale": scale,
        "repeat": repeat,
        "graph": {
            "run_id": run_id,
            "nodes": len({a for a, _, _ in edges} | {b for _, b, _ in edges}),
            "edges": len(edges),
        },
        "communities": communities,
        "co_share": {
            f"scenario scale {scale:g}": {"cibgraph": scenario_ours, "toolkit": scenario_theirs},
            "russian (CooRTweet)": {"cibgraph": russian_ours, "toolkit": russian_theirs},
        },
    }


def tables(result: dict[str, Any]) -> str:
    comm = result["communities"]
    base = comm["networkit PLM (1 thread)"]["seconds"]
    rows = []
    for label, e in comm.items():
        rows.append(
            [
                label,
                f"{e['seconds'] * 1000:,.0f}",
                f"{e['seconds'] / base:.2f}",
                e.get("communities", ""),
                e.get("modularity", ""),
                f"{e['build_seconds'] * 1000:,.0f}" if "build_seconds" in e else "",
            ]
        )
    g = result["graph"]
    first = (
        f"Coordination graph of a default detection run at scale {result['scale']:g}: "
        f"{g['nodes']:,} actors, {g['edges']:,} weighted edges (median of {result['repeat']}).\n\n"
        + harness.markdown(
            ["algorithm", "ms", "x networkit PLM", "communities", "modularity", "graph build ms"],
            rows,
        )
    )
    rows = []
    for dataset, e in result["co_share"].items():
        ours, theirs = e["cibgraph"], e["toolkit"]
        detail = ", ".join(
            f"{n} {v['seconds']:.2f}s/{v['pairs']:,} pairs" for n, v in theirs["networks"].items()
        )
        rows.append(
            [
                dataset,
                f"{ours['seconds']:.2f} s ({ours['pairs']:,} pairs)",
                f"{theirs['compute_seconds']:.2f} s ({detail}); preprocess {theirs['preprocess_seconds']:.1f} s",
                f"{theirs['compute_seconds'] / ours['seconds']:.2f}",
            ]
        )
    second = harness.markdown(
        ["data", "co_share_pairs", "coordination-network-toolkit compute", "toolkit / ours"],
        rows,
    )
    return first + "\n\n" + second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--name", default="peers")
    args = parser.parse_args()
    paths = harness.bench_paths()
    started = harness.machine()
    result = measure(args.scale, args.repeat)
    document = {
        "benchmark": "GDS vs networkit/igraph/leidenalg/networkx; co_share_pairs vs coordination-network-toolkit",
        "command": " ".join(["python", "bench/peers.py", *sys.argv[1:]]),
        "machine": started,
        "server": harness.server_info(paths),
        "finished": harness.machine()["date"],
        "result": result,
    }
    harness.save(args.name, document, tables(result))
    print(tables(result))


if __name__ == "__main__":
    main()
