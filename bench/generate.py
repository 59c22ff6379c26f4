"""Benchmark the demo scenario generator: time, peak memory and output size per scale.

Not a test. Each run happens in a fresh child process, so its peak resident memory
is its own and not the high-water mark of an earlier, larger run; the child imports
only the generator (not the CLI and its Neo4j driver).

    .venv/bin/python bench/generate.py --scale 1,10 --repeat 3
    .venv/bin/python bench/generate.py --scale 100 --compress

Results are merged into bench/results/generate.json (one entry per scale and
compression) and printed as a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "generate.json"


def peak_rss_bytes() -> int:
    """This process's peak resident memory: getrusage on Unix, psutil on Windows."""
    try:
        import resource
    except ImportError:
        import psutil

        return int(psutil.Process().memory_info().peak_wset)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return int(peak if sys.platform == "darwin" else peak * 1024)


def child(scale: float, seed: int, compress: bool, out: Path) -> None:
    """One generation, reported as JSON on stdout."""
    from cibgraph.scenario import generate

    summary = generate(out, scale, seed, compress)
    report = {
        "seconds": summary.seconds,
        "peak_rss_bytes": peak_rss_bytes(),
        "files": {f.kind: {"rows": f.rows, "bytes": f.bytes} for f in summary.files},
    }
    sys.stdout.write(json.dumps(report) + "\n")


def run_once(scale: float, seed: int, compress: bool, keep: Path | None) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"cib-bench-{scale:g}-"))
    try:
        argv = [sys.executable, __file__, "--child", f"{scale:g}", "--seed", str(seed)]
        if compress:
            argv.append("--compress")
        argv += ["--child-out", str(folder / "out")]
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        result: dict[str, Any] = json.loads(done.stdout)
        if keep is not None:
            target = keep / f"scale-{scale:g}"
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(str(folder / "out"), target)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(
    scale: float, seed: int, compress: bool, repeat: int, keep: Path | None
) -> dict[str, Any]:
    runs = []
    for i in range(repeat):
        print(f"scale {scale:g}: run {i + 1}/{repeat} ...", file=sys.stderr, flush=True)
        runs.append(run_once(scale, seed, compress, keep))
    files = runs[0]["files"]
    return {
        "scale": scale,
        "seed": seed,
        "compressed": compress,
        "repeat": repeat,
        "seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
        "seconds_all": [round(r["seconds"], 2) for r in runs],
        "peak_rss_mib_median": round(
            statistics.median(r["peak_rss_bytes"] for r in runs) / 2**20, 1
        ),
        "rows": {kind: f["rows"] for kind, f in files.items()},
        "bytes": {kind: f["bytes"] for kind, f in files.items()},
        "total_rows": sum(f["rows"] for f in files.values()),
        "total_mb": round(sum(f["bytes"] for f in files.values()) / 1e6, 1),
    }


def table(entries: list[dict[str, Any]]) -> str:
    lines = [
        "| scale | gz | accounts | pages | posts | all rows | size MB | time s (median) "
        "| peak RSS MiB |",
        "| ---: | :-: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in sorted(entries, key=lambda e: (e["compressed"], e["scale"])):
        rows = e["rows"]
        lines.append(
            f"| {e['scale']:g} | {'yes' if e['compressed'] else 'no'} | {rows['accounts']:,} "
            f"| {rows['pages']:,} | {rows['posts']:,} | {e['total_rows']:,} | {e['total_mb']:,} "
            f"| {e['seconds_median']} (n={e['repeat']}) | {e['peak_rss_mib_median']} |"
        )
    return "\n".join(lines)


def save(new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge into the results file: a new measurement replaces the same scale's."""
    previous: list[dict[str, Any]] = []
    if RESULTS.exists():
        previous = json.loads(RESULTS.read_text()).get("results", [])
    replaced = {(e["scale"], e["compressed"]) for e in new}
    merged = [e for e in previous if (e["scale"], e["compressed"]) not in replaced] + new
    merged.sort(key=lambda e: (e["compressed"], e["scale"]))
    document = {
        "benchmark": "cib demo generate (cibgraph.scenario.generate)",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": merged,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1,10", help="comma-separated scales, e.g. 1,10,100")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scale; the median is kept")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--compress", action="store_true", help="write .csv.gz")
    parser.add_argument("--keep", type=Path, help="keep the last run's files under this folder")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.seed, args.compress, args.child_out)
        return
    scales = [float(s) for s in args.scale.split(",") if s.strip()]
    new = [measure(s, args.seed, args.compress, args.repeat, args.keep) for s in scales]
    merged = save(new)
    print(table(merged))
    print(f"\nwritten: {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
