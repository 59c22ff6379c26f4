"""The ledger of a load: per file, rows read / written / rejected, hashes and times.

It lives in Neo4j as ``(:LoadRun)-[:READ]->(:LoadFile)`` (unless ``--dry-run``) and on
disk as ``ledger.json`` beside the rejects files, so every row read can be traced to
the graph or to a rejects line with its reason.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cibgraph.core.host import pid_alive
from cibgraph.core.runner import QueryRunner


def now() -> datetime:
    return datetime.now(UTC)


def new_run_id(prefix: str = "load") -> str:
    return f"{prefix}-{now().strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


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


class LedgerStore:
    """Persists the ledger to Neo4j (``runner`` given) and to ``ledger.json``."""

    def __init__(self, runner: QueryRunner | None, directory: Path) -> None:
        self.runner = runner
        self.directory = directory

    def start_run(self, ledger: LoadLedger) -> None:
        if self.runner is None:
            return
        self.runner.write(
            "MERGE (r:LoadRun {id: $id}) SET r += $props",
            {"id": ledger.id, "props": _props(ledger.to_dict(), drop=("id", "totals"))},
        )

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
        data = ledger.to_dict()
        if self.runner is not None:
            props = _props(data, drop=("id", "totals"))
            props.update({f"total_{k}": v for k, v in data["totals"].items()})
            self.runner.write(
                "MERGE (r:LoadRun {id: $id}) SET r += $props", {"id": ledger.id, "props": props}
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "ledger.json").write_text(json.dumps(data, indent=2, default=str) + "\n")


def mark_interrupted_runs(runner: QueryRunner) -> int:
    """Runs left 'running' by a process on this host that no longer exists become 'failed'."""
    host = socket.gethostname()
    rows = runner.read(
        "MATCH (r:LoadRun {status: 'running', host: $host}) RETURN r.id AS id, r.pid AS pid",
        {"host": host},
    )
    stale = [row["id"] for row in rows if row["pid"] is None or not pid_alive(int(row["pid"]))]
    if stale:
        runner.write(
            "MATCH (r:LoadRun) WHERE r.id IN $ids "
            "SET r.status = 'failed', "
            "r.error = 'interrupted: the loading process ended before finishing' "
            "WITH r MATCH (r)-[:READ]->(f:LoadFile {status: 'running'}) SET f.status = 'failed'",
            {"ids": stale},
        )
    return len(stale)
