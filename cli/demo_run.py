"""`cib demo run`: the main job end to end on the local server.

Server (install + start if needed) -> generate the seeded scenario -> load ->
detect -> evaluate against the planted truth -> report -> where to look next.
Re-running is safe: generation is deterministic, loading is idempotent, and each
detection is a new recorded run.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from cibgraph.cli.common import JsonOpt, QuietOpt, err, out, print_json
from cibgraph.cli.detect import _table as detection_table
from cibgraph.cli.next_steps import after_detection, next_line
from cibgraph.core.errors import UsageError
from cibgraph.graph.connection import Database, open_database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import detect
from cibgraph.graph.server import process
from cibgraph.graph.server.install import ensure_build
from cibgraph.graph.server.instance import init_instance, load_settings
from cibgraph.graph.server.paths import instance_paths
from cibgraph.graph.settings import resolve_settings
from cibgraph.graph.wipe import wipe_database
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.truth import evaluate_files
from cibgraph.scenario import generate as generate_scenario

FOREIGN_DATA = """
MATCH (f:LoadFile) WHERE NOT f.path STARTS WITH $folder
RETURN count(f) AS foreign
"""


def _step(message: str, quiet: bool) -> None:
    if not quiet:
        err.print(f"[bold cyan]==>[/] {message}")


def _ensure_server(quiet: bool) -> None:
    paths = instance_paths()
    if not paths.settings.is_file() or not (process.running_pid(paths) or _built()):
        _step("installing the local Neo4j (first time: Maven downloads ~200 MB)", quiet)
        init_instance(paths, ensure_build().paths)
    if process.running_pid(paths) is None:
        _step("starting Neo4j", quiet)
        process.start(paths)


def _built() -> bool:
    from cibgraph.graph.server.install import is_built
    from cibgraph.graph.server.paths import build_paths

    return is_built(build_paths())


def _check_foreign_data(db: Database, folder: Path, reset: bool) -> None:
    foreign = db.read(FOREIGN_DATA, {"folder": str(folder.resolve())})[0]["foreign"]
    if not foreign:
        return
    if not reset:
        raise UsageError(
            "The local database already holds data loaded from elsewhere; "
            "the demo would mix with it.",
            "pass --reset to wipe it first, or run the demo on a separate instance: "
            "CIBGRAPH_HOME=~/.local/share/cibgraph-demo cib demo run",
        )
    wipe_database(db)


def demo_run_command(
    scale: Annotated[
        float, typer.Option("--scale", help="Scenario scale (1 = the reference case's size).")
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Scenario seed; same seed, same files.")] = 7,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Working folder (default: $CIBGRAPH_HOME/work/demo-s<scale>-<seed>).",
            show_default=False,
        ),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Wipe a database that holds other data first.")
    ] = False,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run the main job end to end: server, scenario, load, detect, evaluate, report.

    Starts the local Neo4j if needed, generates the seeded April-2019-like scenario,
    loads it, detects networks, scores them against the planted truth, writes the
    report, and prints where everything is and how to open Neo4j Browser on it.
    Safe to re-run.
    """
    started = time.monotonic()
    _ensure_server(quiet)
    folder = (folder or instance_paths().work / f"demo-s{scale:g}-{seed}").resolve()
    with open_database(resolve_settings()) as db:
        _check_foreign_data(db, folder, reset)
        _step(f"generating the scenario (scale {scale:g}, seed {seed}) in {folder}", quiet)
        generate_scenario(folder, scale=scale, seed=seed, force=True)
        _step("loading it", quiet)
        ledger = load(db, plan_load([folder]), LoadOptions(rejects_dir=folder / "loads"))
        _step("detecting networks", quiet)
        result = detect(db, DetectParams())
        _step("evaluating against the planted truth", quiet)
        decoys = folder / "decoys.csv"
        evaluation = evaluate_files(
            db,
            folder / "truth.csv",
            run_id=result.run_id,
            decoys=decoys if decoys.exists() else None,
        )
        report_dir = _report(db, result.run_id, folder / "report", quiet)
    settings = load_settings(instance_paths())
    summary: dict[str, Any] = {
        "folder": str(folder),
        "load": {"id": ledger.id, "status": ledger.status, **ledger.to_dict()["totals"]},
        "run_id": result.run_id,
        "window": result.params.window,
        "networks": len(result.networks),
        "flagged": [n.id for n in result.flagged],
        "evaluation": {k: evaluation.to_dict()[k] for k in ("precision", "recall", "f1", "ari")},
        "report": None if report_dir is None else str(report_dir),
        "browser_url": settings.browser_url,
        "seconds": round(time.monotonic() - started, 1),
    }
    if json_:
        print_json(summary)
        return
    if quiet:
        return
    out.print(detection_table(result, 10))
    e = summary["evaluation"]
    out.print(
        f"Against the planted truth: precision {e['precision']:.3f}, recall {e['recall']:.3f}, "
        f"F1 {e['f1']:.3f}, ARI {e['ari']:.3f}   (cib evaluate --truth {folder / 'truth.csv'})"
    )
    out.print(f"Scenario files: {folder}")
    if report_dir is not None:
        out.print(f"Report: {report_dir / 'report.html'}")
    out.print(
        f"Neo4j Browser: {settings.browser_login_url}  (user neo4j, password: "
        "`cib db password`; "
        "`cib browser` shows how to load the style and the guide)"
    )
    out.print(next_line(after_detection(result)), markup=False, highlight=False)
    out.print(f"Done in {summary['seconds']:.0f}s.")


def _report(db: Database, run_id: str, out_dir: Path, quiet: bool) -> Path | None:
    """Write the report when the report module is available (it ships with `cib report`)."""
    try:
        report = importlib.import_module("cibgraph.graph.report")
    except ImportError:
        return None
    _step("writing the report", quiet)
    report.write_report(db, run_id, out_dir, force=True)
    return out_dir
