"""Benchmark the pair stage alone: co-share on DuckDB vs coordination-network-toolkit.

Not a test. Per scale, the generated scenario's posts.csv is turned straight into the
share table detection extracts from Neo4j (actor key, object key, kind, epoch seconds;
built here without a database, so scale 100 needs no 10M-post load) and into the
toolkit's CSV layout. Then, each in a child process (its own peak RSS), ``--repeat``
times:

- **toolkit-equivalent**: one pass, window 60 s, min_weight 2, no viral cap - what
  ``coordination_network_toolkit compute`` co_retweet + co_link + co_tweet computes
  on the same posts (its compute time, preprocess apart);
- **detection defaults**: the fast pass (60 s, cap 1,000) and the slow pass (1 day,
  cap 30, disjoint objects), i.e. the co-share part of a ``cib detect`` signals stage.

    .venv/bin/python bench/pairs.py --scale 10 --repeat 3
    .venv/bin/python bench/pairs.py --scale 100 --repeat 1 --no-toolkit --memory 2GB

Writes bench/results/pairs.json and pairs.md (or --name).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import pyarrow as pa
import pyarrow.parquet as pq
from peers import scenario_cnt, toolkit

from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.pairs.definition import CoShareParams
from cibgraph.graph.pairs.limits import memory_bytes
from cibgraph.graph.pairs.shares import SCHEMA

NO_CAP = 10**9
TOOLKIT_NETWORKS = ("co_retweet", "co_link", "co_tweet")


POSTS = """
SELECT author_type || ':' || author_id AS actor,
       CAST(epoch(strptime(created_at, '%Y-%m-%dT%H:%M:%S%z')) AS BIGINT) AS t,
       text, url, shared_post_id
FROM read_csv(?, header = true, all_varchar = true)
"""


def _objects(chunk: list[tuple[Any, ...]]) -> list[tuple[str, str, str, int, None]]:
    """Share rows of a chunk of posts, keyed as the loader stores them (in a worker)."""
    from cibgraph.loaders.fingerprints import text_hash
    from cibgraph.loaders.values import normalise_url

    out = []
    for actor, t, text, url, shared in chunk:
        if url:
            out.append((actor, f"url:{normalise_url(url)}", "url", t, None))
        if shared:
            out.append((actor, f"post:{shared}", "post", t, None))
        fingerprint = text_hash(text) if text else None
        if fingerprint is not None:
            out.append((actor, f"text:{fingerprint}", "text", t, None))
    return out


def build_shares(folder: Path, target: Path) -> dict[str, Any]:
    """The share table from the scenario's posts.csv, keyed as the loader would store it.

    DuckDB parses the CSV and the timestamps; the loader's own URL normalisation and
    text fingerprint run in two worker processes (the fingerprint is most of the cost).
    """
    import multiprocessing

    import duckdb

    started = time.perf_counter()
    rows = 0
    cursor = duckdb.connect().execute(POSTS, [str(folder / "posts.csv")])

    def chunks() -> Any:
        while batch := cursor.fetchmany(100_000):
            yield batch

    with (
        multiprocessing.get_context("fork").Pool(2) as pool,
        pq.ParquetWriter(target, SCHEMA, compression="zstd") as writer,
    ):
        for shares in pool.imap(_objects, chunks()):
            columns = [list(c) for c in zip(*shares, strict=True)] if shares else [[]] * 5
            writer.write_batch(pa.record_batch(columns, schema=SCHEMA))
            rows += len(shares)
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}


def passes(config: str) -> list[tuple[str, CoShareParams]]:
    d = DetectParams(window=60)
    if config == "toolkit-equivalent":
        return [("co_share", CoShareParams(60, 2, NO_CAP))]
    return [
        ("co_share", CoShareParams(60, d.min_weight, d.max_object_shares)),
        ("slow_co_share", CoShareParams(d.slow_window, d.slow_min_weight, 30, exclude_within=60)),
    ]


def child(shares: Path, config: str, memory: str, work: Path) -> None:
    from cibgraph.graph.pairs.duck import DuckDbEngine

    out: dict[str, Any] = {"passes": {}}
    started = time.perf_counter()
    with DuckDbEngine(shares, work, memory) as engine:
        for label, pass_ in passes(config):
            count = sum(1 for _ in engine.co_share(pass_, label))
            out["passes"][label] = {"pairs": count, "seconds": engine.seconds[label]}
    out["seconds"] = time.perf_counter() - started
    out["cpu_seconds"] = harness.cpu_seconds()
    out["peak_rss_bytes"] = harness.peak_rss_bytes()
    sys.stdout.write(json.dumps(out) + "\n")


def ours(shares: Path, config: str, memory: str, repeat: int, work: Path) -> dict[str, Any]:
    runs = []
    for _ in range(repeat):
        argv = [sys.executable, __file__, "--child", str(shares), config, memory, str(work)]
        done = subprocess.run(argv, check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"pair stage failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "seconds": harness.median([r["seconds"] for r in runs]),
        "all": [round(r["seconds"], 2) for r in runs],
        "cpu_seconds": harness.median([r["cpu_seconds"] for r in runs]),
        "pairs": {k: v["pairs"] for k, v in runs[0]["passes"].items()},
        "pass_seconds": {
            k: harness.median([r["passes"][k]["seconds"] for r in runs]) for k in runs[0]["passes"]
        },
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
    }


def measure(scale: float, repeat: int, memory: str, with_toolkit: bool) -> dict[str, Any]:
    folder = harness.scenario(scale)
    work = harness.DATA / f"pairs-{scale:g}"
    work.mkdir(parents=True, exist_ok=True)
    shares = work / "shares.parquet"
    harness.log(f"scale {scale:g}: share table from posts.csv")
    built = build_shares(folder, shares)
    result: dict[str, Any] = {"scale": scale, "shares": built, "memory_limit": memory}
    for config in ("toolkit-equivalent", "detection defaults"):
        harness.log(f"  DuckDB, {config}")
        result[config] = ours(shares, config, memory, repeat, work)
    if with_toolkit:
        harness.log("  coordination-network-toolkit compute")
        cnt = scenario_cnt(folder, work / "scenario_cnt.csv")
        result["toolkit"] = toolkit(cnt, TOOLKIT_NETWORKS, repeat, work)
    return result


def tables(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        eq, d = r["toolkit-equivalent"], r["detection defaults"]
        tk = r.get("toolkit")
        limit = memory_bytes(r["memory_limit"]) / 2**30
        rows.append(
            [
                f"{r['scale']:g}",
                f"{r['shares']['rows']:,}",
                f"{eq['seconds']:.2f} s, CPU {eq['cpu_seconds']:.1f} s ({eq['pairs']['co_share']:,} pairs)",
                f"{tk['compute_seconds']:.2f} s" if tk else "not run",
                f"{tk['compute_seconds'] / eq['seconds']:.2f}" if tk else "",
                f"{d['seconds']:.2f} s, CPU {d['cpu_seconds']:.1f} s (fast {d['pairs']['co_share']:,}, slow {d['pairs']['slow_co_share']:,} pairs)",
                f"{max(eq['peak_rss_bytes'], d['peak_rss_bytes']) / 2**30:.2f} GiB (limit {limit:.2f} GiB)",
            ]
        )
    return harness.markdown(
        [
            "scale",
            "share rows",
            "DuckDB, toolkit-equivalent",
            "toolkit compute",
            "toolkit / DuckDB",
            "DuckDB, detection defaults (both passes)",
            "peak RSS",
        ],
        rows,
    )


def main() -> None:
    if "--child" in sys.argv:
        shares, config, memory, work = sys.argv[sys.argv.index("--child") + 1 :][:4]
        child(Path(shares), config, memory, Path(work))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10", help="comma-separated scales")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", default=DetectParams().engine_memory)
    parser.add_argument("--no-toolkit", action="store_true", help="skip the toolkit")
    parser.add_argument("--name", default="pairs")
    args = parser.parse_args()
    started = harness.machine()
    results = [
        measure(float(s), args.repeat, args.memory, not args.no_toolkit)
        for s in args.scale.split(",")
    ]
    document = {
        "benchmark": "co-share pair stage: DuckDB vs coordination-network-toolkit compute",
        "command": " ".join(["python", "bench/pairs.py", *sys.argv[1:]]),
        "machine": started,
        "finished": harness.machine()["date"],
        "load_average": list(__import__("os").getloadavg()),
        "results": results,
    }
    harness.save(args.name, document, tables(results))
    print(tables(results))


if __name__ == "__main__":
    main()
