"""Shared pieces of the benchmarks: the bench server, resets, medians, results files.

Every benchmark runs against its own Neo4j instance, never the shared test server:
``CIBGRAPH_HOME`` defaults to ``<repo>/.cibgraph-bench`` (Bolt 7689), installed with

    export CIBGRAPH_HOME=$PWD/.cibgraph-bench
    .venv/bin/cib db install --bolt-port 7689 --http-port 7476 --heap 6g --pagecache 4g
    .venv/bin/cib db start

Results are JSON in ``bench/results/`` plus a markdown table; figures are medians of
repeated runs, and ratios compare against a baseline measured in the same run.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import resource
import statistics
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
BENCH_HOME = REPO / ".cibgraph-bench"
DATA = Path(os.environ.get("CIBGRAPH_BENCH_DATA", "/tmp/cibbench"))
# The real datasets the project ships (tests/data/coortweet/PROVENANCE.md); the same
# CIBGRAPH_DATASETS override as the tests' conftest.
DATASETS = Path(os.environ.get("CIBGRAPH_DATASETS", REPO / "tests" / "data"))
SEED = 2019
# The shared test server: a benchmark must never stop, wipe or load into it.
FORBIDDEN_HOMES = (REPO / ".cibgraph-test",)
FORBIDDEN_PORTS = (7688,)

os.environ.setdefault("CIBGRAPH_HOME", str(BENCH_HOME))
# Server notifications (unknown property keys on an empty database) are noise here.
logging.getLogger("neo4j").setLevel(logging.ERROR)

from cibgraph.graph.connection import Database, open_database  # noqa: E402
from cibgraph.graph.schema import apply_schema  # noqa: E402
from cibgraph.graph.server import admin, process  # noqa: E402
from cibgraph.graph.server.instance import load_settings  # noqa: E402
from cibgraph.graph.server.paths import InstancePaths, instance_paths  # noqa: E402
from cibgraph.graph.settings import resolve_settings  # noqa: E402


def bench_paths() -> InstancePaths:
    """The bench instance; refuses the shared test server."""
    paths = instance_paths()
    root = paths.root.resolve()
    settings = load_settings(paths)
    if root in {h.resolve() for h in FORBIDDEN_HOMES} or settings.bolt_port in FORBIDDEN_PORTS:
        raise SystemExit(f"refusing to benchmark against the shared test server ({root})")
    return paths


def connect() -> Database:
    return open_database(resolve_settings())


def reset(paths: InstancePaths) -> Database:
    """A freshly wiped database: stop, delete the store, start, apply the schema."""
    process.stop(paths, once_stores_closed=True)  # the store is wiped next
    admin.wipe_store(paths)
    process.start(paths, timeout=600)
    db = connect()
    apply_schema(db)
    return db


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def rss_bytes() -> int:
    """This process's resident memory now (Linux /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def cpu_seconds() -> float:
    """User + system CPU time of this process so far: on a shared machine, the cost that
    other load does not inflate the way it inflates wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu_seconds() -> float:
    """User + system CPU time of this process's finished children (waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(paths: InstancePaths) -> float | None:
    """User + system CPU time the running server has used so far (from /proc), or None."""
    pid = process.running_pid(paths)
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5); the split starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, Any]:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(mem / 2**30, 1),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "note": "shared machine: other engineers' tests run at the same time",
    }


def server_info(paths: InstancePaths) -> dict[str, Any]:
    settings = load_settings(paths)
    return {"home": str(paths.root), "heap": settings.heap, "pagecache": settings.pagecache}


@dataclass
class HeapSampler:
    """Samples the server's heap (JMX java.lang:type=Memory) on a thread; keeps the peak."""

    db: Database
    interval: float = 0.5
    peak_used: int = 0
    peak_committed: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    QUERY = (
        "CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes "
        "RETURN attributes.HeapMemoryUsage.value.properties AS heap"
    )

    def sample(self) -> None:
        try:
            heap = self.db.read(self.QUERY)[0]["heap"]
        except Exception:
            return
        self.peak_used = max(self.peak_used, int(heap["used"]))
        self.peak_committed = max(self.peak_committed, int(heap["committed"]))
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> HeapSampler:
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    box: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - started


def save(name: str, document: dict[str, Any], table: str) -> Path:
    """Write bench/results/NAME.json and NAME.md; return the JSON path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str) + "\n")
    tmp.replace(path)
    (RESULTS / f"{name}.md").write_text(table + "\n")
    return path


def markdown(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: int = 1) -> str:
    """A markdown table; columns from ``right`` on are right-aligned."""
    align = ["---" if i < right else "---:" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def scenario(scale: float, seed: int = SEED, tactics: bool = False) -> Path:
    """The generated scenario at this scale under DATA (generated once, reused);
    ``tactics`` adds the tactic networks and their look-alikes (scenario/tactics.py)."""
    from cibgraph.scenario import generate

    folder = DATA / (f"scale-{scale:g}" + ("-tactics" if tactics else ""))
    if not (folder / "posts.csv").is_file():
        log(f"generating scale {scale:g} into {folder}")
        generate(folder, scale, seed, force=True, tactics=tactics)
    return folder
