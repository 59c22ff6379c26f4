"""The ledger of a load: per file, rows read / written / rejected, hashes and times.

It lives in Neo4j as ``(:LoadRun)-[:READ]->(:LoadFile)`` (unless ``--dry-run``) and on
disk as ``ledger.json`` beside the rejects files, so every row read can be traced to
the graph or to a rejects line with its reason.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cibgraph.core.errors import CibError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph import runs as lifecycle
from cibgraph.graph.runs import new_run_id, now

__all__ = ["new_run_id", "now"]  # the one clock and id scheme, for the loaders

# The counts a LoadFile carries; saved with every batch, so a killed load's record
# matches what it committed.
COUNTS = ("read", "valid", "written", "rejected", "created", "superseded")
# Checked in the same transaction as every batch: when the file's record is gone, the
# database was replaced under the load (`cib db reset`, a wiped store), and the batch
# is refused instead of landing in a database that knows nothing of this load.
REPLACED = "cibgraph: the database was replaced under this load"
PROGRESS = """
OPTIONAL MATCH (f:LoadFile {id: $file})
CALL apoc.util.validate(f IS NULL, $replaced, [])
SET f += $counts
"""


class DatabaseReplaced(CibError):
    """The database a load was writing to was wiped or replaced while it ran."""

    exit_code = 1

    def __init__(self, run_id: str) -> None:
        super().__init__(
            f"The database was replaced while load {run_id} ran (its ledger record is gone: "
            "`cib db reset` or a wiped store); the load stopped and is failed.",
            "load the files again into the new database",
        )


@dataclass
class FileLedger:
    id: str
    path: str
    name: str
    kind: str
    format: str
    size: int
    sha256: str
    started_at: datetime = field(default_factory=now)
    finished_at: datetime | None = None
    # rejected: every row read was rejected (nothing written): the wrong file or flag.
    status: str = "running"  # running | complete | rejected | failed | aborted | dry_run
    read: int = 0
    valid: int = 0  # passed validation (written, or would be in a dry run)
    written: int = 0
    rejected: int = 0
    created: int = 0  # rows whose node/relationship did not exist before
    superseded: int = 0  # duplicate ids in a batch: the last row won
    # Items a format does not load on purpose (Telegram service messages, Bluesky likes),
    # never read: by category in `note`.
    skipped: int = 0
    warnings: int = 0  # rows kept without a bad optional value (in the rejects file too)
    rejects_path: str | None = None
    rejects_dropped: int = 0  # rejected rows past the rejects file's cap (in ``rejected``)
    note: str | None = None
    error: str | None = None
    hint: str | None = None  # for an all-rejected file: the flag that fits its header
    missing_columns: list[str] = field(default_factory=list)  # required, not in the header
    reasons: dict[str, int] = field(default_factory=dict)  # reject reason -> rows
    warning_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def updated(self) -> int:
        return self.written - self.created

    def reconciles(self) -> bool:
        """read = written + rejected (in a dry run: valid + rejected, nothing written)."""
        if self.status == "dry_run":
            return self.read == self.valid + self.rejected and self.written == 0
        if self.status == "rejected":
            return self.read == self.rejected and self.valid == self.written == 0
        if self.status == "complete":
            return self.read == self.written + self.rejected and self.valid == self.written
        return self.read >= self.written + self.rejected

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["updated"] = self.updated
        data["reconciles"] = self.reconciles()
        return data


@dataclass
class LoadLedger:
    id: str
    batch_size: int
    on_error: str
    dry_run: bool
    rejects_dir: str
    started_at: datetime = field(default_factory=now)
    finished_at: datetime | None = None
    # rejected: some file had every row rejected (the others may have loaded).
    status: str = "running"  # running | complete | rejected | failed | dry_run
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    files: list[FileLedger] = field(default_factory=list)
    ignored: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    def reconciles(self) -> bool:
        return all(f.reconciles() for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "batch_size": self.batch_size,
            "on_error": self.on_error,
            "dry_run": self.dry_run,
            "host": self.host,
            "pid": self.pid,
            "rejects_dir": self.rejects_dir,
            "totals": {
                name: self.total(name)
                for name in (
                    "read",
                    "valid",
                    "written",
                    "rejected",
                    "created",
                    "updated",
                    "superseded",
                    "warnings",
                )
            },
            "reconciles": self.reconciles(),
            "files": [f.to_dict() for f in self.files],
            "ignored": self.ignored,
            "error": self.error,
        }


def _props(data: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        k: v
        for k, v in data.items()
        if v is not None and k not in drop and not isinstance(v, list | dict)
    }


def progress_params(entry: FileLedger, batch: int) -> dict[str, Any]:
    """``PROGRESS``'s parameters: the file's counts as they will be once the batch of
    ``batch`` rows commits."""
    counts = {name: int(getattr(entry, name)) for name in COUNTS}
    counts["written"] += batch
    return {"file": entry.id, "counts": counts, "replaced": REPLACED}


class LedgerStore:
    """Persists the ledger to Neo4j (``runner`` given) and to ``ledger.json``."""

    def __init__(self, runner: QueryRunner | None, directory: Path) -> None:
        self.runner = runner
        self.directory = directory

    def start_run(self, ledger: LoadLedger) -> None:
        self._write_local(ledger)
        if self.runner is None:
            return
        props = _props(ledger.to_dict(), drop=("id", "totals", "status", "host", "pid"))
        lifecycle.start_run(self.runner, "load", ledger.id, props)

    def present(self, ledger: LoadLedger) -> bool:
        """Whether the run's record is still in the database (it is not, once replaced)."""
        if self.runner is None:
            return True
        rows = self.runner.read(
            "MATCH (r:LoadRun {id: $id}) RETURN count(r) AS n", {"id": ledger.id}
        )
        # A database always answers the count; a runner that answers nothing (the bulk
        # load's CSV sink) has no database to lose.
        return not rows or bool(rows[0]["n"])

    def save_file(self, ledger: LoadLedger, entry: FileLedger) -> None:
        if self.runner is None:
            return
        self.runner.write(
            "MATCH (r:LoadRun {id: $run}) "
            "MERGE (f:LoadFile {id: $id}) SET f += $props "
            "MERGE (r)-[:READ]->(f)",
            {"run": ledger.id, "id": entry.id, "props": _props(entry.to_dict(), drop=("id",))},
        )

    def finish_run(self, ledger: LoadLedger) -> None:
        """The run's end, whatever its status; a failed run's files are saved with it,
        so none is left ``running``."""
        data = ledger.to_dict()
        if self.runner is not None:
            if ledger.status == "failed":
                for entry in ledger.files:
                    self.save_file(ledger, entry)
            props = _props(data, drop=("id", "totals", "status"))
            props.update({f"total_{k}": v for k, v in data["totals"].items()})
            lifecycle.finish_run(self.runner, "load", ledger.id, props, status=ledger.status)
        self._write_local(ledger)

    def _write_local(self, ledger: LoadLedger) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(ledger.to_dict(), indent=2, default=str) + "\n"
        (self.directory / "ledger.json").write_text(text)


# Files left 'running' under a run that is not: killed or crashed loads (and loads by
# versions that did not fail their files).
STALE_FILES = """
MATCH (r:LoadRun)-[:READ]->(f:LoadFile {status: 'running'})
WHERE r.status <> 'running'
RETURN r.id AS run, r.rejects_dir AS folder, r.error AS error, collect(f.id) AS files
"""
REPAIR_FILE = "MATCH (f:LoadFile {id: $id}) SET f += $props"


def _local_files(folder: str | None, run_id: str) -> dict[str, dict[str, Any]]:
    """The run's own ``ledger.json`` entries by file id, when it is still on disk."""
    if not folder:
        return {}
    try:
        document = json.loads((Path(folder) / "ledger.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("id") != run_id:
        return {}
    files = document.get("files")
    return (
        {str(f.get("id")): f for f in files if isinstance(f, dict)}
        if isinstance(files, list)
        else {}
    )


def repair_stale_files(runner: QueryRunner) -> int:
    """Fail every file left ``running`` under a finished run, with the counts of the
    run's ``ledger.json`` where it has them; how many were repaired."""
    repaired = 0
    for row in runner.read(STALE_FILES):
        local = _local_files(row["folder"], str(row["run"]))
        for file_id in row["files"]:
            saved = local.get(str(file_id), {})
            props: dict[str, Any] = {
                name: int(saved[name]) for name in COUNTS if isinstance(saved.get(name), int)
            }
            status = saved.get("status")
            props["status"] = status if status not in (None, "running") else "failed"
            props["error"] = saved.get("error") or row["error"] or lifecycle.INTERRUPTED["load"]
            props["finished_at"] = now()
            runner.write(REPAIR_FILE, {"id": file_id, "props": props})
            repaired += 1
    return repaired


def mark_interrupted_runs(runner: QueryRunner) -> int:
    """Runs left 'running' by a process on this host that no longer exists become
    'failed', and so do their files (and any file left 'running' by a finished run)."""
    stale = lifecycle.mark_interrupted(runner, "load")
    repair_stale_files(runner)
    return len(stale)
