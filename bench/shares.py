"""Benchmark a read of every post from Neo4j against an earlier version of it.

Two stages read every post: the share-table extraction (``--stage shares``,
graph/pairs/shares.py) and the text clustering's band keys (``--stage texts``,
graph/pairs/text_clusters.py's ``write_bands``). Not a test. Reads whatever the bench
database holds (load a scenario first, e.g. with ``bench/detect.py --scale 10 --repeat
1``), ``--repeat`` times, alternating this checkout's module with the same module as it
was at ``--baseline-rev`` (taken from git, so the comparison runs in one process on one
machine state), and checks both write the same rows. Wall time, this process's CPU and
the server's CPU.

    .venv/bin/python bench/shares.py --repeat 3 --baseline-rev 7c0d2e1
    .venv/bin/python bench/shares.py --stage texts --repeat 3 --baseline-rev 7c0d2e1

Writes bench/results/shares.json and shares.md (or --name).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import pyarrow.parquet as pq

from cibgraph.graph.pairs import shares, text_clusters

ROOT = Path(__file__).resolve().parent.parent
STAGES = {"shares": shares, "texts": text_clusters}


def baseline_module(rev: str, folder: Path, current: ModuleType) -> ModuleType:
    """``current``'s file as it was at ``rev``, importable beside the current one."""
    source = Path(current.__file__ or "").resolve().relative_to(ROOT.resolve()).as_posix()
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{source}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    name = f"{Path(source).stem}_baseline"
    path = folder / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _read(module: ModuleType, db: Any, target: Path) -> tuple[int, int]:
    """(rows written, posts they came from) of one read by ``module``."""
    if hasattr(module, "extract_shares"):
        table = module.extract_shares(db, target)
        return table.rows, table.posts
    texts = module.write_bands(db, target, module.TextClusterParams())
    return pq.read_metadata(target).num_rows, texts


def one_run(module: ModuleType, target: Path) -> dict[str, Any]:
    paths = harness.bench_paths()
    with harness.connect() as db:
        server = harness.server_cpu_seconds(paths)
        cpu, started = harness.cpu_seconds(), time.perf_counter()
        rows, posts = _read(module, db, target)
        seconds = time.perf_counter() - started
        after = harness.server_cpu_seconds(paths)
    return {
        "seconds": round(seconds, 2),
        "client_cpu_seconds": round(harness.cpu_seconds() - cpu, 2),
        "server_cpu_seconds": None if server is None or after is None else round(after - server, 2),
        "rows": rows,
        "posts": posts,
    }


def sorted_rows(module: ModuleType, path: Path) -> list[tuple[Any, ...]]:
    """The rows written, in one form for both layouts of the text bands: a row per post
    and band, or a row per text and band beside a file of each text's posts."""
    table = pq.read_table(path)
    if hasattr(module, "posts_path"):
        posts = pq.read_table(module.posts_path(path))
        table = posts.join(table, "text_hash").select(
            ["post", "text_hash", "band", "key", "signature"]
        )
    columns = [table.column(c).to_pylist() for c in table.column_names]
    return sorted(zip(*columns, strict=True), key=str)


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": runs, "rows": runs[0]["rows"], "posts": runs[0]["posts"]}
    for key in ("seconds", "client_cpu_seconds", "server_cpu_seconds"):
        values = [r[key] for r in runs if r[key] is not None]
        out[f"{key}_median"] = round(harness.median(values), 2) if values else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=sorted(STAGES), default="shares")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-rev", required=True, help="git revision to compare with")
    parser.add_argument("--name", default="shares")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cib-shares-") as tmp:
        folder = Path(tmp)
        modules = {
            "this checkout": STAGES[args.stage],
            f"at {args.baseline_rev}": baseline_module(
                args.baseline_rev, folder, STAGES[args.stage]
            ),
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in modules}
        for r in range(args.repeat):
            for name, module in modules.items():
                harness.log(f"{name} {r + 1}/{args.repeat}")
                runs[name].append(one_run(module, folder / f"{len(runs[name])}-{id(module)}.pq"))
                harness.log(f"  {runs[name][-1]}")
        first = [(m, folder / f"0-{id(m)}.pq") for m in modules.values()]
        same = sorted_rows(*first[0]) == sorted_rows(*first[1])
    results = {name: summary(v) for name, v in runs.items()}
    base = results[f"at {args.baseline_rev}"]["seconds_median"]
    rows = [
        [
            name,
            f"{r['posts']:,}",
            f"{r['rows']:,}",
            r["seconds_median"],
            r["client_cpu_seconds_median"],
            r["server_cpu_seconds_median"],
            f"{base / r['seconds_median']:.2f}x",
        ]
        for name, r in results.items()
    ]
    counted = ["posts", "shares"] if args.stage == "shares" else ["texts to cluster", "band rows"]
    headers = ["read", *counted, "wall s", "CPU s (here)", "CPU s (server)", "speed"]
    load = harness.machine()["loadavg_at_start"]
    table = harness.markdown(headers, rows) + f"\n\nSame rows: {'yes' if same else 'NO'}. "
    table += f"Median of {args.repeat}; load average {load}."
    harness.save(args.name, {"machine": harness.machine(), "results": results, "same": same}, table)
    print(table)
    if not same:
        raise SystemExit("the two extractions wrote different rows")


if __name__ == "__main__":
    main()
