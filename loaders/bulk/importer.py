"""The bulk load itself: validate into the sink, stop the server, import, start it,
apply the schema, replay, write the ledger; and put things right when any of it fails
or is interrupted (Ctrl-C included): the database is left empty and running, the run
``failed`` in the graph and in ``ledger.json``, and the temporary CSVs removed.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cibgraph.core.batches import chunked
from cibgraph.core.errors import CibError, UsageError
from cibgraph.core.runner import Params
from cibgraph.graph.connection import Database
from cibgraph.graph.runs import Clock
from cibgraph.graph.schema import apply_schema
from cibgraph.graph.server import admin, process
from cibgraph.graph.server.instance import load_settings
from cibgraph.graph.server.paths import InstancePaths, instance_paths
from cibgraph.loaders.bulk.sink import CsvSink
from cibgraph.loaders.discover import LoadPlan
from cibgraph.loaders.ledger import LedgerStore, LoadLedger
from cibgraph.loaders.load import LoadOptions, LoadProgress, load, new_ledger
from cibgraph.loaders.statements import STATEMENTS

PhaseCallback = Callable[[str], None]
# A restart after a failed import waits as long as `cib db start --timeout` would
# allow on a busy machine; the default 120 s was seen to be too short under load.
RECOVERY_START_TIMEOUT = 300.0

AUTHOR_PROPS = {
    "Account": "MATCH (n:Account {id: $id}) SET n += $props",
    "Page": "MATCH (n:Page {id: $id}) SET n += $props",
}


class DatabaseNotEmpty(CibError):
    """A bulk import writes a new store, so it needs an empty database."""

    exit_code = 2


class BulkImportFailed(CibError):
    """neo4j-admin could not import the CSVs; the database was left empty."""

    exit_code = 1


@dataclass
class BulkLoad:
    ledger: LoadLedger
    timings: dict[str, float] = field(default_factory=dict)
    nodes: int = 0
    relationships: int = 0
    replayed: int = 0
    folder: Path | None = None


def _require_local(db: Database, paths: InstancePaths) -> None:
    settings = load_settings(paths)
    rest = db.settings.uri.split("://", 1)[-1].rstrip("/")
    if rest not in {f"{h}:{settings.bolt_port}" for h in ("127.0.0.1", "localhost", "[::1]")}:
        raise UsageError(
            f"--bulk writes the local server's store directly; {db.settings.uri} is not "
            f"the local server in {paths.root}.",
            "run without --bulk for a remote server, or set CIBGRAPH_HOME to the instance",
        )


# The ledgers of earlier loads (a failed or interrupted bulk load leaves its own) are
# not data: they are carried over into the imported store.
LEDGER_RECORDS = """
MATCH (r:LoadRun) OPTIONAL MATCH (r)-[:READ]->(f:LoadFile)
RETURN properties(r) AS run, collect(properties(f)) AS files
"""
RESTORE_LEDGER = """
UNWIND $records AS rec
MERGE (r:LoadRun {id: rec.run.id}) SET r += rec.run
WITH r, rec
UNWIND rec.files AS file
MERGE (f:LoadFile {id: file.id}) SET f += file
MERGE (r)-[:READ]->(f)
"""


def _restore_ledgers(db: Database, records: list[dict[str, Any]]) -> None:
    if records:
        db.write(RESTORE_LEDGER, {"records": records})


def require_empty(db: Database) -> None:
    rows = db.read("MATCH (n) WHERE NOT n:LoadRun AND NOT n:LoadFile RETURN count(n) AS nodes")
    nodes = int(rows[0]["nodes"]) if rows else 0
    if nodes:
        raise DatabaseNotEmpty(
            f"The database holds {nodes:,} nodes; a bulk import replaces the whole store, "
            "so it only loads into an empty database.",
            "load without --bulk to add to it, or empty it first with `cib db reset --yes`",
        )


def _replay(db: Database, sink: CsvSink, batch_size: int) -> None:
    for batch in chunked(sink.replays(), batch_size):
        statements: list[tuple[str, Params]] = []
        for name, row in batch:
            if name == "author_props":
                params = {"id": row["id"], "props": row["props"]}
                statements.append((AUTHOR_PROPS[row["label"]], params))
            else:
                statements.append((STATEMENTS[name], {"rows": [row]}))
        db.write_all(statements)


def _bulk_props(result: BulkLoad) -> dict[str, Any]:
    return {
        "timings": result.timings,
        "nodes": result.nodes,
        "relationships": result.relationships,
        "replayed": result.replayed,
    }


def _save_ledger(db: Database | None, ledger: LoadLedger, result: BulkLoad) -> None:
    """The ledger into the graph (``db`` given) and ``ledger.json``, marked as bulk."""
    store = LedgerStore(db, Path(ledger.rejects_dir))
    bulk = _bulk_props(result)
    if db is not None:
        store.start_run(ledger)
        for entry in ledger.files:
            store.save_file(ledger, entry)
    store.finish_run(ledger)
    if db is not None:
        db.write(
            "MATCH (r:LoadRun {id: $id}) SET r.mode = 'bulk', r.bulk = $bulk",
            {"id": ledger.id, "bulk": json.dumps(bulk)},
        )
    path = Path(ledger.rejects_dir) / "ledger.json"
    document = json.loads(path.read_text())
    document.update({"mode": "bulk", "bulk": bulk})
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def _restart_empty(paths: InstancePaths, db: Database, earlier: list[dict[str, Any]]) -> None:
    """Whatever state the store is in (half imported, a stopped or half-started server):
    stopped, wiped, started empty with the schema and the earlier ledgers."""
    process.stop(paths, once_stores_closed=True)  # the store is wiped next
    admin.wipe_store(paths)
    process.start(paths, timeout=RECOVERY_START_TIMEOUT)
    db.read("RETURN 1")  # a managed read: drops the pool's connections to the old server
    apply_schema(db)
    _restore_ledgers(db, earlier)


def _fail(ledger: LoadLedger, error: str) -> None:
    """Nothing of a failed bulk load stays in the database: no file wrote anything."""
    ledger.status, ledger.error = "failed", error
    for entry in ledger.files:
        entry.written = entry.created = 0
        if entry.status in ("complete", "running"):
            entry.status, entry.error = "failed", error


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Recovery must finish: a second Ctrl-C would leave the store half wiped."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals go elsewhere anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _reason(exc: BaseException, phase: str) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted (Ctrl-C) during {phase}"
    if isinstance(exc, admin.AdminToolFailed):
        return f"neo4j-admin import failed: {exc.message.splitlines()[0]}"
    if isinstance(exc, CibError):
        return f"{phase}: {exc.message.splitlines()[0]}"
    return f"unexpected {type(exc).__name__} during {phase}: see the command's output"


def bulk_load(
    db: Database | None,
    plan: LoadPlan,
    options: LoadOptions | None = None,
    progress: LoadProgress | None = None,
    on_phase: PhaseCallback | None = None,
    *,
    paths: InstancePaths | None = None,
    keep_files: bool = False,
) -> BulkLoad:
    """Validate ``plan`` into import CSVs, import them into the empty local database.

    Raises ``DatabaseNotEmpty`` before touching anything when the database holds nodes,
    and ``UsageError`` when ``db`` is not the local server of ``paths``. On any failure
    after that (Ctrl-C included) the database is left empty and running, the run failed.
    """
    options = (options or LoadOptions()).checked()
    if options.dry_run:  # nothing is written either way: the incremental dry run
        return BulkLoad(load(None, plan, options, progress))
    if db is None:
        raise UsageError("A load that writes needs a database connection.")
    paths = paths or instance_paths()
    _require_local(db, paths)
    require_empty(db)
    clock = Clock(on_phase)
    paths.work.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bulk-", dir=paths.work))
    ledger = new_ledger(plan, options)
    result = BulkLoad(ledger, folder=folder)
    sink = CsvSink(folder)
    phase = "validate"
    store_touched = False  # from stopping the server on, the store may be half replaced
    earlier = [dict(row) for row in db.read(LEDGER_RECORDS)]
    try:
        clock.phase(phase)
        load(sink, plan, options, progress, ledger=ledger)
        clock.phase(phase := "write_csv")
        sources = sink.finish()
        result.replayed = sink.replayed
        if sources:
            clock.phase(phase := "stop")
            store_touched = True
            process.stop(paths, once_stores_closed=True)  # the import replaces the store
            clock.phase(phase := "import")
            imported = admin.import_full(
                paths, sources, folder / "import.report", multiline_files=sink.multiline_files()
            )
            (folder / "import.log").write_text(imported.output)
            result.nodes, result.relationships = imported.nodes, imported.relationships
            clock.phase(phase := "start")
            process.start(paths)
            db.read("RETURN 1")  # a managed read: drops the pool's connections to the old server
        clock.phase(phase := "schema")
        apply_schema(db)
        if store_touched:
            _restore_ledgers(db, earlier)
        if sink.replayed:
            clock.phase(phase := "replay")
            _replay(db, sink, options.batch_size)
        clock.phase(phase := "ledger")
        clock.stop()
        result.timings = clock.timings
        _save_ledger(db, ledger, result)
    except BaseException as exc:
        sink.close()
        touched = earlier if store_touched else None
        kept = _recover(exc, phase, touched, db, paths, result, clock, keep_files)
        if isinstance(exc, admin.AdminToolFailed):
            raise BulkImportFailed(
                exc.message, f"the CSVs and import.report are kept in {kept}"
            ) from None
        raise
    finally:
        sink.close()
    if not keep_files:
        shutil.rmtree(folder, ignore_errors=True)
        result.folder = None
    return result


def _recover(
    exc: BaseException,
    phase: str,
    earlier: list[dict[str, Any]] | None,
    db: Database,
    paths: InstancePaths,
    result: BulkLoad,
    clock: Clock,
    keep_files: bool,
) -> Path | None:
    """Leave the database empty (but for earlier ledgers) and running, and the run failed;
    the folder kept, if any. ``earlier`` is None while the store was never touched."""
    ledger = result.ledger
    error = _reason(exc, phase)
    with _no_interrupts():
        clock.phase("recover")
        reachable = True
        try:
            if earlier is not None:  # the store was touched: start again from empty
                _restart_empty(paths, db, earlier)
        except (CibError, OSError) as problem:
            reachable = False
            message = getattr(problem, "message", str(problem)).splitlines()[0]
            error += (
                f"; the server could not be restarted empty ({message}): run `cib db reset --yes`"
            )
        clock.stop()
        result.timings = clock.timings
        _fail(ledger, error)
        try:
            _save_ledger(db if reachable else None, ledger, result)
        except CibError:
            _save_ledger(None, ledger, result)
        # A failed import's CSVs and report explain it; an interrupted load's are only
        # a second copy of the input, and can be large.
        keep = keep_files or isinstance(exc, admin.AdminToolFailed)
        if result.folder is not None and not keep:
            shutil.rmtree(result.folder, ignore_errors=True)
            result.folder = None
    return result.folder
