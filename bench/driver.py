"""Benchmark the Neo4j driver lines and the Rust encoder: rows sent and received per second.

Not a test. The two things the driver's encoding decides in cibgraph: sending batches
of positional rows (the edges stage writes COORDINATED_WITH rows so) and receiving
many small rows (the signal queries). Each interpreter given with ``--python`` (a
virtualenv with one driver version, with or without ``neo4j-rust-ext``) runs the same
child workload in turn, rounds interleaved so a load spike hits every one alike;
medians per interpreter and the ratio to the first (the baseline), all in one run.

The queries touch no data (``UNWIND $rows ... RETURN count(*)`` and a generated
``UNWIND range(...)``), so any server will do; the connection is the usual one
(``CIBGRAPH_HOME``'s server, or NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD), handed to
the children in their environment, never on the command line.

    .venv/bin/python bench/driver.py --python /tmp/drv/n5/bin/python \\
        --python /tmp/drv/n5r/bin/python --python /tmp/drv/n6/bin/python \\
        --python /tmp/drv/n6r/bin/python --rows 200000 --repeat 5

Writes bench/results/driver.json and driver.md. The children need only ``neo4j``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
BATCH = 10_000

# One positional row as the edges stage sends it: keys, weight, per-signal evidence.
SEND = "UNWIND $rows AS r RETURN count(r) AS n"
RECEIVE = """
UNWIND range(1, $n) AS i
RETURN 'account:a' + toString(i) AS a, 'account:b' + toString(i) AS b,
       toFloat(i) / 3.0 AS weight, i % 7 AS co_share, [i, i + 1, i + 2] AS sample
"""


def child(rows: int) -> None:
    """One round in this interpreter; a JSON line on stdout."""
    import importlib.util

    import neo4j

    rust = any(
        importlib.util.find_spec(m) is not None
        for m in ("neo4j._rust", "neo4j._codec.packstream._rust")
    )
    auth = (os.environ["NEO4J_USERNAME"], os.environ["NEO4J_PASSWORD"])
    batch = [
        [f"account:a{i}", f"account:b{i}", i / 3, i % 7, 0, 1, [f"url:{i}", f"url:{i + 1}"]]
        for i in range(BATCH)
    ]
    with neo4j.GraphDatabase.driver(os.environ["NEO4J_URI"], auth=auth) as driver:
        driver.verify_connectivity()
        with driver.session(database=os.environ.get("NEO4J_DATABASE", "neo4j")) as session:
            session.run("RETURN 1").consume()  # warm the connection
            started = time.perf_counter()
            for _ in range(rows // BATCH):
                session.run(SEND, {"rows": batch}).single(strict=True)
            send = time.perf_counter() - started
            started = time.perf_counter()
            got = sum(1 for _ in session.run(RECEIVE, {"n": rows}))
            receive = time.perf_counter() - started
    assert got == rows
    report = {
        "driver": neo4j.__version__,
        "rust": rust,
        "send_rows_per_s": rows // BATCH * BATCH / send,
        "receive_rows_per_s": rows / receive,
    }
    sys.stdout.write(json.dumps(report) + "\n")


def connection_env() -> dict[str, str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cibgraph.graph.settings import resolve_settings

    settings = resolve_settings()
    return {
        "NEO4J_URI": settings.uri,
        "NEO4J_USERNAME": settings.user,
        "NEO4J_PASSWORD": settings.password,
        "NEO4J_DATABASE": settings.database,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", default=[], help="an interpreter")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.rows)
        return
    if not args.python:
        parser.error("give at least one --python")
    env = {**os.environ, **connection_env()}
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in args.python}
    for _ in range(args.repeat):
        for python in args.python:
            done = subprocess.run(
                [python, __file__, "--child", "--rows", str(args.rows)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"{python} failed:\n{done.stderr[-2000:]}")
            runs[python].append(json.loads(done.stdout.strip().splitlines()[-1]))
    base = args.python[0]
    results = []
    for python, reports in runs.items():
        send = statistics.median(r["send_rows_per_s"] for r in reports)
        receive = statistics.median(r["receive_rows_per_s"] for r in reports)
        results.append(
            {
                "python": python,
                "driver": reports[0]["driver"],
                "rust": reports[0]["rust"],
                "send_rows_per_s": round(send),
                "receive_rows_per_s": round(receive),
                "all": reports,
            }
        )
    first = results[0]
    lines = [
        f"Rows {args.rows:,}, batches of {BATCH:,}, median of {args.repeat}; "
        f"load average {os.getloadavg()[0]:.1f}; baseline {base}.",
        "",
        "| driver | Rust encoder | sent rows/s | ratio | received rows/s | ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['driver']} | {'yes' if r['rust'] else 'no'} | {r['send_rows_per_s']:,} | "
            f"{r['send_rows_per_s'] / first['send_rows_per_s']:.2f} | "
            f"{r['receive_rows_per_s']:,} | "
            f"{r['receive_rows_per_s'] / first['receive_rows_per_s']:.2f} |"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "driver.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "driver.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
