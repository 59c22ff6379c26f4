"""Benchmark the loaders: rows/s for posts, incremental by batch size vs naive vs bulk.

Not a test. For each size (the first N posts of a generated scenario: scale 1 for
100k, scale 10 for 1M) and each repeat, every mode runs on a freshly reset database
(stop, wipe the store, start, schema), modes interleaved so the machine's noise falls
on all of them alike:

- ``batch-B``: ``loaders.load.load`` with ``--batch-size B``; the scenario's accounts
  and pages are loaded first, untimed, so posts find their authors;
- ``naive``: the same statements, one transaction per row, on the first
  ``--naive-rows`` posts (a whole 1M-row naive run would take hours);
- ``bulk``: ``loaders.bulk.bulk_load`` of the same posts file into the empty database
  (authors become stubs), end to end: validation, CSVs, stop, neo4j-admin import,
  start, schema, ledger; the import step's own rate is reported too;
- ``rows-batch-B`` and ``rows-bulk``: the same with the row path (every row read and
  validated one at a time, as before the column path), the baseline in the same run;
- ``records-bulk``: bulk with the column checks but a record per post routed through
  the sink row by row (before loaders/columnar/columns_load.py); ``bulk`` is the column
  path, posts written to the importer's files as Arrow columns.

Every run reports CPU seconds beside wall seconds (this process and its children: the
importer's JVM in a bulk run; the server's own CPU is not counted). ``--modes`` keeps
only the named modes.

``--validate-only``: no database; validation alone on the same posts, modes interleaved:
``rows`` (the row path: SourceFile + validate_row), ``columns`` (the column path, records
built: what an incremental load consumes), ``columns-checks`` (blocks read and every cell
checked, no record built) and ``dry-run`` (``cib load --dry-run``'s path: blocks checked as
Arrow columns, loaders/columnar/columns_load.py, no record built, the ledger kept); ``sink``
(a bulk load's validate and write_csv phases, the importer's files written, no database)
and ``sink-serial`` (the same with the blocks checked on the main thread and the file
hashed in line, as before ``core/batches.read_ahead`` and ``BackgroundDigests``).

    .venv/bin/python bench/load.py --rows 100000,1000000 --repeat 3
    .venv/bin/python bench/load.py --rows 1000000 --validate-only --repeat 5 --name validate
    .venv/bin/python bench/load.py --rows 1000000 --validate-only --modes sink-serial,sink \
        --repeat 3 --name validate-sink
    .venv/bin/python bench/load.py --rows 1000000 --modes bulk,records-bulk,rows-bulk \
        --name load-columns

Writes bench/results/load.json and load.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

import cibgraph.loaders.load as load_module
from cibgraph.core.host import file_sha256
from cibgraph.graph.connection import Database
from cibgraph.loaders.bulk import bulk_load
from cibgraph.loaders.bulk.sink import CsvSink
from cibgraph.loaders.columnar import columns_load
from cibgraph.loaders.columnar.blocks import Block, ColumnarCsv
from cibgraph.loaders.columnar.validate import checked_columns, columnar_results, serves
from cibgraph.loaders.contract import CONTRACT
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import DEFAULT_BATCH_SIZE, LoadOptions, load
from cibgraph.loaders.records import Record
from cibgraph.loaders.sources import SourceFile
from cibgraph.loaders.statements import STATEMENTS
from cibgraph.loaders.validate import ValidationContext, validate_row

PRELOAD_BATCH = 5000


@contextlib.contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Wall and CPU seconds (user + system, this process and its finished children)."""
    box: dict[str, float] = {}
    before = os.times()
    started = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - started
        after = os.times()
        spent = [a - b for a, b in zip(after, before, strict=True)]
        box["cpu_seconds"] = sum(spent[:4])  # user, system, children's user and system


def posts_file(rows: int) -> tuple[Path, Path]:
    """The first ``rows`` posts of the smallest scenario that has them, and its folder."""
    scale = 1.0 if rows <= 120_000 else 10.0 if rows <= 1_150_000 else 100.0
    folder = harness.scenario(scale)
    target = harness.DATA / f"posts-{rows}.csv"
    if not target.is_file():
        # Streamed (at scale 100 the head is 10M lines) and renamed when whole, so an
        # interrupted copy is never mistaken for the input of a later run.
        partial = target.with_suffix(".partial")
        with (
            (folder / "posts.csv").open(encoding="utf-8", newline="") as src,
            partial.open("w", encoding="utf-8", newline="") as out,
        ):
            out.writelines(islice(src, rows + 1))
        partial.replace(target)
    return target, folder


def preload(db: Database, folder: Path, tmp: Path) -> None:
    plan = plan_load([folder / "accounts.csv", folder / "pages.csv"])
    load(db, plan, LoadOptions(batch_size=PRELOAD_BATCH, rejects_dir=tmp))


def run_batched(db: Database, source: Path, batch: int, tmp: Path) -> dict[str, Any]:
    plan = plan_load([source], kind="posts")
    with timed() as t:
        ledger = load(db, plan, LoadOptions(batch_size=batch, rejects_dir=tmp))
    assert ledger.status == "complete" and ledger.reconciles(), ledger.error
    return {
        "rows": ledger.total("written"),
        "seconds": t["seconds"],
        "cpu_seconds": t["cpu_seconds"],
    }


def run_naive(db: Database, source: Path, rows: int) -> dict[str, Any]:
    """One managed transaction per row, same statements and validation."""
    ctx = ValidationContext()
    written = 0
    with timed() as t:
        for raw in SourceFile(source).rows():
            if written >= rows:
                break
            record = validate_row("posts", raw, ctx)
            assert isinstance(record, Record), record
            db.write_all([(STATEMENTS[record.statement], {"rows": [record.row]})])
            written += 1
    return {"rows": written, "seconds": t["seconds"], "cpu_seconds": t["cpu_seconds"]}


def run_bulk(db: Database, source: Path, tmp: Path) -> dict[str, Any]:
    plan = plan_load([source], kind="posts")
    with timed() as t:
        result = bulk_load(db, plan, LoadOptions(rejects_dir=tmp))
    ledger = result.ledger
    assert ledger.status == "complete" and ledger.reconciles(), ledger.error
    return {
        "rows": ledger.total("written"),
        "seconds": t["seconds"],
        "cpu_seconds": t["cpu_seconds"],
        "phases": result.timings,
        "nodes": result.nodes,
        "relationships": result.relationships,
    }


def run_validation(source: Path, mode: str) -> dict[str, Any]:
    ctx = ValidationContext()

    def by_row(raw: Any) -> Any:
        return validate_row("posts", raw, ctx)

    count = 0
    with timed() as t:
        if mode == "rows":
            for raw in SourceFile(source).rows():
                by_row(raw)
                count += 1
        elif mode == "columns":
            for _ in columnar_results("posts", ColumnarCsv(source), ctx, by_row):
                count += 1
        elif mode in ("sink", "sink-serial"):
            count = _into_sink(source, serial=mode == "sink-serial")
        elif mode == "dry-run":
            plan = plan_load([source], kind="posts")
            options = LoadOptions(dry_run=True, rejects_dir=harness.DATA / "load-rejects")
            count = load(None, plan, options).total("valid")
        else:  # columns-checks: read and check every cell, build nothing per row
            spec = CONTRACT["posts"]
            for item in ColumnarCsv(source).items(lambda header: serves(spec, header, ctx)):
                assert isinstance(item, Block), "a clean file goes by columns"
                checked_columns(spec, item, ctx)
                count += item.rows
    return {"rows": count, "seconds": t["seconds"], "cpu_seconds": t["cpu_seconds"]}


class _SerialDigests:
    """The file hashes as before the load hashed them beside its reading: in line."""

    def __init__(self, paths: Any) -> None:
        pass

    def digest(self, path: Path, *, wait: bool = True) -> str:
        return file_sha256(path)

    def close(self) -> None:
        pass


def _into_sink(source: Path, serial: bool) -> int:
    """The bulk load's validate and write_csv phases, without a database: the posts
    validated into the importer's files. ``serial``: no read-ahead thread for the
    blocks and the file hashed in line, as before both (the baseline in the same run)."""
    plan = plan_load([source], kind="posts")
    folder = Path(tempfile.mkdtemp(prefix="sink-", dir=harness.DATA))
    names = vars(load_module)  # the load's own name for the hasher, swapped for the baseline
    saved = columns_load.READ_AHEAD, names["BackgroundDigests"]
    if serial:
        columns_load.READ_AHEAD, names["BackgroundDigests"] = 0, _SerialDigests
    try:
        sink = CsvSink(folder)
        options = LoadOptions(rejects_dir=harness.DATA / "load-rejects")
        ledger = load(sink, plan, options)
        sink.finish()
        sink.close()
        assert ledger.status == "complete" and ledger.reconciles(), ledger.error
        return ledger.total("written")
    finally:
        columns_load.READ_AHEAD, names["BackgroundDigests"] = saved
        shutil.rmtree(folder, ignore_errors=True)


VALIDATION_MODES = ("rows", "columns", "columns-checks", "dry-run", "sink-serial", "sink")


def _validation_baseline(only: set[str] | None) -> str:
    """The row path, or (``--modes`` without it) the first mode named."""
    return next(m for m in VALIDATION_MODES if not only or m in only)


def measure_validation(
    rows: int,
    repeat: int,
    on_run: Callable[[dict[str, Any]], None] = lambda entry: None,
    only: set[str] | None = None,
) -> dict[str, Any]:
    source, _ = posts_file(rows)
    modes = [m for m in VALIDATION_MODES if not only or m in only]
    baseline = _validation_baseline(only)
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    for r in range(repeat):
        for mode in modes:
            harness.log(f"{rows:,} rows, repeat {r + 1}/{repeat}: validate by {mode}")
            result = run_validation(source, mode)
            result["rows_per_s"] = result["rows"] / result["seconds"]
            harness.log(f"  {result['rows']:,} rows in {result['seconds']:.1f}s")
            runs[mode].append(result)
            on_run(summarize(rows, source, repeat, runs, baseline=baseline))
    return summarize(rows, source, repeat, runs, baseline=baseline)


def measure(
    rows: int,
    batches: list[int],
    repeat: int,
    naive_rows: int,
    with_bulk: bool,
    tmp: Path,
    on_run: Callable[[dict[str, Any]], None] = lambda entry: None,
    only: set[str] | None = None,
) -> dict[str, Any]:
    paths = harness.bench_paths()
    source, folder = posts_file(rows)
    modes = ["naive", *(f"batch-{b}" for b in batches)] + (["bulk"] if with_bulk else [])
    modes += [f"rows-batch-{b}" for b in batches if b == DEFAULT_BATCH_SIZE]
    modes += ["records-bulk", "rows-bulk"] if with_bulk else []
    modes = [m for m in modes if not only or m in only]
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    for r in range(repeat):
        for mode in modes:
            harness.log(f"{rows:,} rows, repeat {r + 1}/{repeat}: {mode}")
            db = harness.reset(paths)
            load_module.BY_COLUMNS = not mode.startswith("rows-")
            columns_load.ENABLED = not mode.startswith("records-")
            try:
                if mode.endswith("bulk"):
                    result = run_bulk(db, source, tmp)
                else:
                    preload(db, folder, tmp)
                    if mode == "naive":
                        result = run_naive(db, source, naive_rows)
                    else:
                        result = run_batched(db, source, int(mode.split("-")[-1]), tmp)
            finally:
                load_module.BY_COLUMNS = True
                columns_load.ENABLED = True
                db.close()
            result["rows_per_s"] = result["rows"] / result["seconds"]
            harness.log(f"  {result['rows']:,} rows in {result['seconds']:.1f}s")
            runs[mode].append(result)
            on_run(summarize(rows, source, repeat, runs, _baseline(modes)))
    return summarize(rows, source, repeat, runs, _baseline(modes))


def _baseline(modes: list[str]) -> str:
    """naive, or (``--modes`` without it) the row path's bulk load."""
    return "naive" if "naive" in modes or "rows-bulk" not in modes else "rows-bulk"


def summarize(
    rows: int,
    source: Path,
    repeat: int,
    runs: dict[str, list[dict[str, Any]]],
    baseline: str = "naive",
) -> dict[str, Any]:
    """Medians so far (a partial run is saved after every measurement)."""
    summary: dict[str, Any] = {}
    for mode, results in runs.items():
        if not results:
            continue
        entry: dict[str, Any] = {
            "rows": results[0]["rows"],
            "rows_per_s_median": round(harness.median([x["rows_per_s"] for x in results])),
            "rows_per_s_all": [round(x["rows_per_s"]) for x in results],
            "seconds_median": round(harness.median([x["seconds"] for x in results]), 2),
            "cpu_seconds_median": round(
                harness.median([x.get("cpu_seconds", 0.0) for x in results]), 2
            ),
        }
        if mode.endswith("bulk"):
            phases = {
                k: harness.median([x["phases"][k] for x in results]) for k in results[0]["phases"]
            }
            entry["phases_median_s"] = {k: round(v, 2) for k, v in phases.items()}
            entry["import_rows_per_s"] = round(rows / phases["import"])
            entry["nodes"] = results[0]["nodes"]
            entry["relationships"] = results[0]["relationships"]
        summary[mode] = entry
    base = summary[baseline]["rows_per_s_median"] if baseline in summary else None
    for entry in summary.values():
        entry["x_naive"] = round(entry["rows_per_s_median"] / base, 1) if base else None
    if baseline != "naive":
        for entry in summary.values():
            entry[f"x_{baseline}"] = entry.pop("x_naive")
    done = min(len(r) for r in runs.values())
    return {
        "rows": rows,
        "source": str(source),
        "repeat": repeat,
        "complete_repeats": done,
        "modes": summary,
        "runs": runs,
    }


def best_batch(entry: dict[str, Any]) -> int | None:
    batched = {
        int(m.split("-")[1]): e["rows_per_s_median"]
        for m, e in entry["modes"].items()
        if m.startswith("batch-")
    }
    return max(batched, key=lambda b: batched[b]) if batched else None


def table(results: list[dict[str, Any]], baseline: str = "naive") -> str:
    rows = []
    for entry in results:
        for mode, e in entry["modes"].items():
            note = ""
            if mode.startswith("sink"):
                note = "no read-ahead, file hashed in line" if mode == "sink-serial" else ""
            elif baseline != "naive" and not mode.endswith("bulk"):
                note = "the row path (baseline)" if mode == "rows" else ""
            elif mode == "naive":
                note = f"first {e['rows']:,} rows"
            elif mode.endswith("bulk"):
                p = e["phases_median_s"]
                note = (
                    f"{'Arrow columns; ' if mode == 'bulk' else 'a record per post; '}"
                    f"import {p['import']:.0f}s = {e['import_rows_per_s']:,} rows/s; "
                    f"validate+CSV {p['validate'] + p['write_csv']:.0f}s, "
                    f"stop+start {p['stop'] + p['start']:.0f}s, schema {p['schema']:.0f}s"
                )
            elif mode.startswith("rows-"):
                note = "the row path, as before the column path"
            elif mode == "dry-run":
                note = "posts as Arrow columns, no record per row"
            elif int(mode.split("-")[1]) == DEFAULT_BATCH_SIZE:
                note = "current default"
            rows.append(
                [
                    f"{entry['rows']:,}",
                    mode,
                    f"{e['rows_per_s_median']:,}",
                    ", ".join(f"{v:,}" for v in e["rows_per_s_all"]),
                    f"{e['seconds_median']:,.1f}",
                    f"{e.get('cpu_seconds_median', 0):,.1f}",
                    f"{e[f'x_{baseline}']}x",
                    note,
                ]
            )
    headers = ["posts", "mode", "rows/s (median)", "runs", "wall s", "CPU s", f"vs {baseline}"]
    headers.append("note")
    return harness.markdown(headers, rows, right=2).replace("| ---: |\n", "| --- |\n", 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--batch-sizes", default="500,1000,2000,5000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--no-bulk", action="store_true")
    parser.add_argument("--validate-only", action="store_true", help="no database: validation")
    parser.add_argument("--name", default="load", help="results file name under bench/results")
    parser.add_argument("--modes", default="", help="only these modes (comma-separated)")
    args = parser.parse_args()
    only = {m for m in args.modes.split(",") if m} or None
    if args.validate_only:
        baseline = _validation_baseline(only)
    else:
        baseline = _baseline(sorted(only or {"naive"}))
    server = {} if args.validate_only else harness.server_info(harness.bench_paths())
    started = harness.machine()
    tmp = harness.DATA / "load-rejects"
    path = harness.RESULTS / f"{args.name}.json"
    # Sizes measured by earlier commands stay; a new measurement of a size replaces it.
    old: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results: list[dict[str, Any]] = old.get("results", [])
    commands: list[str] = old.get("commands") or ([old["command"]] if "command" in old else [])
    commands.append(" ".join(["python", "bench/load.py", *sys.argv[1:]]))

    def save(entry: dict[str, Any]) -> None:
        nonlocal results
        results = sorted(
            [e for e in results if e["rows"] != entry["rows"]] + [entry], key=lambda e: e["rows"]
        )
        document = {
            "benchmark": "posts rows/s: validation alone, row path vs column path"
            if args.validate_only
            else "posts rows/s: incremental by batch size, naive, bulk; row path vs columns",
            "commands": commands,
            "machine": started,
            "server": server,
            "finished": harness.machine()["date"],
            "results": results,
        }
        if not args.validate_only:
            document["best_batch_size"] = {str(e["rows"]): best_batch(e) for e in results}
        harness.save(args.name, document, table(results, baseline))

    for rows in (int(r) for r in args.rows.split(",")):
        batches = [int(b) for b in args.batch_sizes.split(",")]
        if args.validate_only:
            save(measure_validation(rows, args.repeat, save, only))
        else:
            entry = measure(
                rows, batches, args.repeat, args.naive_rows, not args.no_bulk, tmp, save, only
            )
            save(entry)
    print(table(results, baseline))


if __name__ == "__main__":
    main()
