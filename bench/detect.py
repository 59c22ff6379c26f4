"""Benchmark detection: time per stage, peak memory, and how each stage grows with scale.

Not a test. Per scale: a fresh database, the generated scenario loaded with
``cib load --bulk`` (timed, reported apart), then ``--repeat`` detection runs with
the default parameters, each in a child process (so its peak RSS is its own) while
this process samples the server's heap over JMX. Stage times are the ones the
DetectionRun node records. The growth exponent of a stage is the slope of
log(time) against log(scale) through the medians (1 = linear, 2 = quadratic).

    .venv/bin/python bench/detect.py --scale 1,10 --repeat 3
    .venv/bin/python bench/detect.py --scale 100 --repeat 1     # ~1M accounts, 11.7M posts
    .venv/bin/python bench/detect.py --scale 100 --repeat 1 --reuse-loaded   # skip the load
    .venv/bin/python bench/detect.py --scale 10 --repeat 3 --baseline '{"engine": "cypher"}'
    .venv/bin/python bench/detect.py --scale 1,10 --repeat 3 --tactics --name detect-tactics \
        --baseline '{"object_signals": []}'     # what the hashtag and image signals cost

Writes bench/results/detect.json and detect.md.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.loaders.bulk import bulk_load
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions

STAGES = (
    "prepare",
    "window",
    "text_clusters",
    "image_clusters",
    "shares",
    "signals",
    "edges",
    "projection",
    "communities",
    "scoring",
    "amplified",
    "attribution",
    "write_back",
)


def child(overrides: dict[str, Any]) -> None:
    """One detection run (the defaults, but for ``overrides``); a JSON line on stdout."""
    from cibgraph.graph.detect.pipeline import detect

    with harness.connect() as db:
        started = time.perf_counter()
        result = detect(db, DetectParams(**overrides))
        seconds = time.perf_counter() - started
    report = {
        "run_id": result.run_id,
        "seconds": seconds,
        "peak_rss_bytes": harness.peak_rss_bytes(),
        "counts": result.counts,
        "window": result.params.window,
    }
    sys.stdout.write(json.dumps(report) + "\n")


def load_scenario(db: Database, folder: Path) -> dict[str, Any]:
    plan = plan_load([folder])
    with harness.timed() as t:
        result = bulk_load(db, plan, LoadOptions(rejects_dir=harness.DATA / "detect-rejects"))
    ledger = result.ledger
    assert ledger.status == "complete" and ledger.reconciles(), ledger.error
    return {
        "seconds": round(t["seconds"], 1),
        "rows": ledger.total("written"),
        "phases": result.timings,
        # The load runs in this process, before any detection child: its peak is the load's.
        "python_peak_rss_mib": round(harness.peak_rss_bytes() / 2**20),
        "nodes": result.nodes,
        "relationships": result.relationships,
    }


def run_detection(db: Database, overrides: dict[str, Any]) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", "--params", json.dumps(overrides)]
    paths = harness.bench_paths()
    # CPU seconds beside wall time: on a shared machine other load inflates wall time,
    # not the CPU a run needs (its own process, DuckDB inside it, and the server).
    client_cpu, server_cpu = harness.children_cpu_seconds(), harness.server_cpu_seconds(paths)
    with harness.HeapSampler(db) as heap:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    client_cpu = harness.children_cpu_seconds() - client_cpu
    server_after = harness.server_cpu_seconds(paths)
    if done.returncode != 0:
        raise SystemExit(f"detection failed:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    row = db.read(
        "MATCH (r:DetectionRun {id: $id}) "
        "RETURN r.timings AS timings, r.status AS status, r.engine AS engine",
        {"id": report["run_id"]},
    )[0]
    assert row["status"] == "complete", row
    report["stages"] = json.loads(row["timings"])
    # Each signal's own pass inside the signals stage (the engine times each pass).
    report["passes"] = json.loads(row["engine"] or "{}").get("seconds", {})
    report["client_cpu_seconds"] = round(client_cpu, 2)
    report["server_cpu_seconds"] = (
        round(server_after - server_cpu, 2)
        if server_cpu is not None and server_after is not None
        else None
    )
    report["heap_peak_used_bytes"] = heap.peak_used
    report["heap_peak_committed_bytes"] = heap.peak_committed
    report["heap_samples"] = heap.samples
    return report


def load_record(scale: float, tactics: bool = False) -> Path:
    return harness.DATA / f"loaded-scale-{scale:g}{'-tactics' if tactics else ''}.json"


def post_count(db: Database) -> int:
    return int(db.read("MATCH (p:Post) RETURN count(p) AS n")[0]["n"])


def fresh_load(scale: float, tactics: bool = False) -> tuple[Database, dict[str, Any]]:
    """Wipe the bench database, bulk-load the scenario, and record the load."""
    folder = harness.scenario(scale, tactics=tactics)
    harness.log(f"scale {scale:g}: fresh database, bulk load of {folder}")
    db = harness.reset(harness.bench_paths())
    loaded = load_scenario(db, folder)
    loaded["posts"] = post_count(db)
    # Kept apart, so a detection that fails afterwards can be rerun with --reuse-loaded
    # instead of paying for the load again (25 minutes at scale 100).
    load_record(scale, tactics).write_text(json.dumps(loaded, indent=2))
    harness.log(f"  loaded {loaded['rows']:,} rows in {loaded['seconds']}s")
    return db, loaded


def reused_load(scale: float, tactics: bool = False) -> tuple[Database, dict[str, Any]]:
    """The database as the last fresh load at this scale left it."""
    record = load_record(scale, tactics)
    if not record.is_file():
        raise SystemExit(f"--reuse-loaded: no load recorded at scale {scale:g} ({record})")
    loaded: dict[str, Any] = json.loads(record.read_text())
    db = harness.connect()
    posts = post_count(db)
    # Detection adds run and network nodes, never posts: the post count identifies the load.
    expected = loaded.get("posts")
    if not posts or (expected is not None and posts != expected):
        raise SystemExit(
            f"--reuse-loaded: the bench database holds {posts} posts, not scale {scale:g}"
        )
    harness.log(f"scale {scale:g}: reusing the loaded database ({posts:,} posts)")
    return db, {**loaded, "reused": True}


def cpu_medians(runs: list[dict[str, Any]]) -> dict[str, float | None]:
    """Median CPU seconds of the detecting process and of the server, per run."""
    out: dict[str, float | None] = {}
    for side in ("client", "server"):
        values = [
            r[f"{side}_cpu_seconds"] for r in runs if r.get(f"{side}_cpu_seconds") is not None
        ]
        out[f"{side}_cpu_median_s"] = round(harness.median(values), 2) if values else None
    return out


def summary(runs: list[dict[str, Any]], overrides: dict[str, Any]) -> dict[str, Any]:
    return {
        "params": overrides,
        "seconds_median": round(harness.median([r["seconds"] for r in runs]), 2),
        **cpu_medians(runs),
        "stages_median_s": {
            s: round(harness.median([r["stages"].get(s, 0.0) for r in runs]), 3) for s in STAGES
        },
        "heap_peak_used_mib": round(max(r["heap_peak_used_bytes"] for r in runs) / 2**20),
        "python_peak_rss_mib": round(max(r["peak_rss_bytes"] for r in runs) / 2**20),
        "counts": runs[0]["counts"],
        "runs": runs,
    }


def measure(
    scale: float,
    repeat: int,
    overrides: dict[str, Any],
    reuse_loaded: bool = False,
    baseline: dict[str, Any] | None = None,
    tactics: bool = False,
) -> dict[str, Any]:
    db, loaded = reused_load(scale, tactics) if reuse_loaded else fresh_load(scale, tactics)
    base_runs: list[dict[str, Any]] = []
    try:
        runs = []
        for r in range(repeat):
            # Baseline and measured runs alternate, so the machine's load hits both alike.
            if baseline is not None:
                harness.log(f"scale {scale:g}: baseline {baseline} {r + 1}/{repeat}")
                base_runs.append(run_detection(db, baseline))
                harness.log(f"  {base_runs[-1]['seconds']:.1f}s {base_runs[-1]['stages']}")
            harness.log(f"scale {scale:g}: detection {r + 1}/{repeat}")
            runs.append(run_detection(db, overrides))
            harness.log(f"  {runs[-1]['seconds']:.1f}s {runs[-1]['stages']}")
    finally:
        db.close()
    stages = {s: round(harness.median([r["stages"].get(s, 0.0) for r in runs]), 3) for s in STAGES}
    passes = {
        p: round(harness.median([r["passes"].get(p, 0.0) for r in runs]), 3)
        for p in sorted({p for r in runs for p in r["passes"]})
    }
    extra: dict[str, Any] = {}
    if baseline is not None:
        extra["baseline"] = summary(base_runs, baseline)
        extra["speedup_vs_baseline"] = round(
            extra["baseline"]["seconds_median"] / harness.median([r["seconds"] for r in runs]), 2
        )
    return {
        **extra,
        "scale": scale,
        "repeat": repeat,
        "load": loaded,
        "seconds_median": round(harness.median([r["seconds"] for r in runs]), 2),
        **cpu_medians(runs),
        "stages_median_s": stages,
        "passes_median_s": passes,
        "heap_peak_used_mib": round(max(r["heap_peak_used_bytes"] for r in runs) / 2**20),
        "python_peak_rss_mib": round(max(r["peak_rss_bytes"] for r in runs) / 2**20),
        "counts": runs[0]["counts"],
        "window": runs[0]["window"],
        "params": overrides,
        "runs": runs,
    }


def exponents(results: list[dict[str, Any]]) -> dict[str, float | None]:
    """Least-squares slope of log(time) on log(scale) per stage, and for the whole run."""
    points = sorted(results, key=lambda e: e["scale"])
    if len(points) < 2:
        return {}
    series = {s: [e["stages_median_s"].get(s, 0.0) for e in points] for s in STAGES}
    series["total"] = [e["seconds_median"] for e in points]
    xs = [math.log(e["scale"]) for e in points]
    slopes: dict[str, float | None] = {}
    for name, ys in series.items():
        if min(ys) <= 0.01:  # too small to measure: no honest slope
            slopes[name] = None
            continue
        ly = [math.log(y) for y in ys]
        mx, my = sum(xs) / len(xs), sum(ly) / len(ly)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ly, strict=True)) / sum(
            (x - mx) ** 2 for x in xs
        )
        slopes[name] = round(slope, 2)
    return slopes


def table(results: list[dict[str, Any]], slopes: dict[str, float | None]) -> str:
    points = sorted(results, key=lambda e: e["scale"])
    headers = ["stage", *(f"scale {e['scale']:g} (s)" for e in points), "exponent"]
    rows: list[list[Any]] = []
    for stage in STAGES:
        slope = slopes.get(stage)
        rows.append(
            [
                stage,
                *(f"{e['stages_median_s'].get(stage, 0.0):.2f}" for e in points),
                "-" if slope is None else slope,
            ]
        )
        if stage == "signals":
            for name in sorted({p for e in points for p in e.get("passes_median_s", {})}):
                rows.append(
                    [
                        f"signals: {name} pass",
                        *(f"{e.get('passes_median_s', {}).get(name, 0.0):.2f}" for e in points),
                        "",
                    ]
                )
    total = slopes.get("total")
    rows.append(
        [
            "**detection, end to end**",
            *(f"**{e['seconds_median']:.1f}**" for e in points),
            "-" if total is None else total,
        ]
    )
    if all("baseline" in e for e in points):
        label = json.dumps(points[0]["baseline"]["params"])
        for stage in ("shares", "signals"):
            rows.append(
                [
                    f"baseline {label}: {stage}",
                    *(f"{e['baseline']['stages_median_s'].get(stage, 0.0):.2f}" for e in points),
                    "",
                ]
            )
        rows.append(
            [
                f"baseline {label}: end to end",
                *(f"{e['baseline']['seconds_median']:.1f}" for e in points),
                "",
            ]
        )
        rows.append(
            ["baseline / measured, end to end", *(e["speedup_vs_baseline"] for e in points), ""]
        )
    rows.append(["server heap, peak used (MiB)", *(e["heap_peak_used_mib"] for e in points), ""])
    rows.append(["Python peak RSS (MiB)", *(e["python_peak_rss_mib"] for e in points), ""])
    rows.append(["coordination edges", *(f"{e['counts'].get('edges', 0):,}" for e in points), ""])
    rows.append(
        ["bulk load of the scenario (s)", *(f"{e['load']['seconds']:.0f}" for e in points), ""]
    )
    rows.append(["runs (median of)", *(e["repeat"] for e in points), ""])
    return harness.markdown(headers, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1,10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--name", default="detect")
    parser.add_argument(
        "--reuse-loaded",
        action="store_true",
        help="skip the load: detect on what the last fresh load at this scale left",
    )
    parser.add_argument(
        "--params",
        default="{}",
        help='detection parameters other than the defaults, as JSON: {"engine": "cypher"}',
    )
    parser.add_argument(
        "--baseline",
        default=None,
        help="parameters of a baseline run alternated with each measured one, as JSON: "
        '{"engine": "cypher"} (its medians and the ratio go beside the results)',
    )
    parser.add_argument(
        "--tactics",
        action="store_true",
        help="the extended scenario (tactic networks and look-alikes: scenario/tactics.py)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    overrides: dict[str, Any] = json.loads(args.params)
    DetectParams(**overrides).checked()  # a typo fails now, not after the load
    if args.child:
        child(overrides)
        return
    paths = harness.bench_paths()
    started = harness.machine()
    previous: list[dict[str, Any]] = []
    path = harness.RESULTS / f"{args.name}.json"
    if path.exists():  # other scales measured earlier stay; a new measurement replaces
        previous = json.loads(path.read_text()).get("results", [])
    results = previous
    for scale in (float(s) for s in args.scale.split(",")):
        baseline = json.loads(args.baseline) if args.baseline else None
        entry = measure(scale, args.repeat, overrides, args.reuse_loaded, baseline, args.tactics)
        results = [e for e in results if e["scale"] != scale] + [entry]
        slopes = exponents(results)
        document = {
            "benchmark": "detection per stage, memory, growth with scale",
            "command": " ".join(["python", "bench/detect.py", *sys.argv[1:]]),
            "machine": started,
            "server": harness.server_info(paths),
            "finished": harness.machine()["date"],
            "results": sorted(results, key=lambda e: e["scale"]),
            "exponents": slopes,
        }
        harness.save(args.name, document, table(results, slopes))
    print(table(results, exponents(results)))


if __name__ == "__main__":
    main()
