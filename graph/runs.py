"""One run lifecycle for load runs (``:LoadRun``) and detection runs (``:DetectionRun``).

Both kinds get the same id scheme (``PREFIX-YYYYMMDDTHHMMSSZ-6hex``), the same clock
(``now()``, the client's UTC time, so ``ledger.json`` and the graph agree), the same
start / finish / fail writes and the same rule for runs whose process died: a run left
``running`` on this host by a process that no longer exists is marked ``failed``.
"Which detection run" is answered once, by ``resolve_run``, with one ordering: newest
``started_at`` first, runs without one last, then the id.

It lives in ``graph/`` rather than ``core/`` because it is graph knowledge (labels,
Cypher, Neo4j temporal values), and ``loaders/`` may import ``graph/`` while ``graph/``
never imports ``loaders/``.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cibgraph.core.errors import RunNotReady, UsageError
from cibgraph.core.host import pid_alive
from cibgraph.core.runner import QueryRunner, Row
from cibgraph.core.values import native, stored_json

Kind = Literal["load", "detection"]
# The only labels a lifecycle query names; never taken from input.
LABELS: dict[Kind, str] = {"load": "LoadRun", "detection": "DetectionRun"}
INTERRUPTED: dict[Kind, str] = {
    "load": "interrupted: the loading process ended before finishing",
    "detection": "interrupted: the detecting process ended before finishing",
}

# Lifecycle statements per kind, built once from the literal LABELS.
_WRITE = {k: f"MERGE (r:{label} {{id: $id}}) SET r += $props" for k, label in LABELS.items()}
_RUNNING = {
    k: f"MATCH (r:{label} {{status: 'running'}}) RETURN r.id AS id, r.host AS host, r.pid AS pid"
    for k, label in LABELS.items()
}
_MARK_FAILED = {
    k: f"MATCH (r:{label}) WHERE r.id IN $ids AND r.status = 'running' "
    "SET r.status = 'failed', r.error = $error, r.finished_at = $now"
    for k, label in LABELS.items()
}


def now() -> datetime:
    """The one clock of every run record."""
    return datetime.now(UTC)


def new_run_id(prefix: str) -> str:
    """``prefix-20190401T093000Z-ab12cd``: sortable by time, unique by the random tail."""
    return f"{prefix}-{now().strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def start_run(
    runner: QueryRunner, kind: Kind, run_id: str, props: Mapping[str, Any] | None = None
) -> None:
    """The run's node, ``running``, with this host and process (to spot it dying)."""
    values = {"started_at": now(), **(props or {})}
    values.update(status="running", host=socket.gethostname(), pid=os.getpid())
    runner.write(_WRITE[kind], {"id": run_id, "props": values})


def finish_run(
    runner: QueryRunner,
    kind: Kind,
    run_id: str,
    props: Mapping[str, Any] | None = None,
    status: str = "complete",
) -> None:
    values = {"finished_at": now(), **(props or {}), "status": status}
    runner.write(_WRITE[kind], {"id": run_id, "props": values})


def fail_run(
    runner: QueryRunner,
    kind: Kind,
    run_id: str,
    error: str,
    props: Mapping[str, Any] | None = None,
) -> None:
    values = {"finished_at": now(), **(props or {}), "status": "failed", "error": error[:2000]}
    runner.write(_WRITE[kind], {"id": run_id, "props": values})


@dataclass(frozen=True)
class LiveRun:
    kind: Kind
    id: str
    host: str | None
    pid: int | None

    @property
    def here(self) -> bool:
        return self.host == socket.gethostname()

    def describe(self) -> str:
        where = f"pid {self.pid}" if self.here else f"on host {self.host or 'unknown'}"
        return f"{self.kind} run {self.id} ({where})"


def _running(runner: QueryRunner, kind: Kind) -> list[LiveRun]:
    return [
        LiveRun(kind, str(r["id"]), r["host"], None if r["pid"] is None else int(r["pid"]))
        for r in runner.read(_RUNNING[kind])
    ]


def live_runs(
    runner: QueryRunner, kinds: tuple[Kind, ...] = ("load", "detection")
) -> list[LiveRun]:
    """Runs still ``running`` whose process may be alive: on this host with a live pid, or
    on another host (whose processes cannot be checked from here)."""
    return [
        run
        for kind in kinds
        for run in _running(runner, kind)
        if not run.here or (run.pid is not None and pid_alive(run.pid))
    ]


def mark_interrupted(runner: QueryRunner, kind: Kind) -> list[str]:
    """Runs left ``running`` on this host by a process that no longer exists become
    ``failed``; their ids."""
    stale = [
        run.id
        for run in _running(runner, kind)
        if run.here and (run.pid is None or not pid_alive(run.pid))
    ]
    if stale:
        runner.write(_MARK_FAILED[kind], {"ids": stale, "error": INTERRUPTED[kind], "now": now()})
    return stale


class Clock:
    """Wall time per stage of a run, in seconds: ``phase(name)`` starts the next stage
    (closing the one before), ``with stage(name)`` times a block."""

    def __init__(self, on_stage: Any = None) -> None:
        self.timings: dict[str, float] = {}
        self.on_stage = on_stage
        self._name: str | None = None
        self._started = 0.0

    def phase(self, name: str) -> None:
        self.stop()
        if self.on_stage is not None:
            self.on_stage(name)
        self._name, self._started = name, time.perf_counter()

    def stop(self) -> None:
        if self._name is not None:
            self.timings[self._name] = round(time.perf_counter() - self._started, 3)
            self._name = None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.phase(name)
        try:
            yield
        finally:
            self.stop()


# --- which detection run -------------------------------------------------------------


class RunNotFound(UsageError):
    """No DetectionRun has the requested id."""


class NoCompleteRun(UsageError):
    """No run was named and the database holds no complete run."""


RUN_BY_ID = "MATCH (r:DetectionRun {id: $run_id}) RETURN properties(r) AS props"
# The one ordering of "newest": undated runs last, so "newest" never means "undated".
LATEST_RUN = """
MATCH (r:DetectionRun) WHERE r.status = 'complete'
RETURN properties(r) AS props
ORDER BY r.started_at IS NULL, r.started_at DESC, r.id DESC
LIMIT 1
"""
RUN_STATUS_COUNTS = "MATCH (r:DetectionRun) RETURN r.status AS status, count(*) AS runs"
LIST_RUNS = """
MATCH (r:DetectionRun)
RETURN properties(r) AS props
ORDER BY r.started_at IS NULL, r.started_at DESC, r.id DESC
LIMIT $limit
"""


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


@dataclass(frozen=True)
class RunInfo:
    """A detection run as recorded on its node."""

    id: str
    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    algorithm: str | None = None
    window: int | None = None
    window_source: str | None = None
    seed: int | None = None
    concurrency: int | None = None
    threshold: float | None = None
    data_fingerprint: str | None = None
    gds_version: str | None = None
    networks: int = 0
    flagged: int = 0
    modularity: float | None = None
    compute_millis: int | None = None
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    props: dict[str, Any] = field(default_factory=dict)  # everything on the node, as stored

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> RunInfo:
        return cls(
            id=str(props["id"]),
            status=str(props.get("status") or ""),
            started_at=native(props.get("started_at")),
            finished_at=native(props.get("finished_at")),
            algorithm=props.get("algorithm"),
            window=props.get("window"),
            window_source=props.get("window_source"),
            seed=props.get("seed"),
            concurrency=props.get("concurrency"),
            threshold=props.get("threshold"),
            data_fingerprint=props.get("data_fingerprint"),
            gds_version=props.get("gds_version"),
            networks=_int(props.get("networks")),
            flagged=_int(props.get("flagged")),
            modularity=props.get("modularity"),
            compute_millis=props.get("compute_millis"),
            error=props.get("error"),
            params=stored_json(props.get("params"), {}),
            timings=stored_json(props.get("timings"), {}),
            counts=stored_json(props.get("counts"), {}),
            props=dict(props),
        )


def resolve_run(
    runner: QueryRunner, run_id: str | None = None, *, complete: bool = True
) -> RunInfo:
    """The run named, or the newest complete one; a named run that is running or failed
    is refused unless ``complete=False`` (``cib runs show`` shows any run)."""
    if run_id is None:
        rows = runner.read(LATEST_RUN)
        if rows:
            return RunInfo.from_props(rows[0]["props"])
        counts = {str(r["status"]): int(r["runs"]) for r in runner.read(RUN_STATUS_COUNTS)}
        found = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        raise NoCompleteRun(
            "The database holds no complete detection run"
            + (f" (found: {found})." if found else "."),
            "run `cib detect` first, or name a run with --run ID (and check --database)",
        )
    rows = runner.read(RUN_BY_ID, {"run_id": run_id})
    if not rows:
        raise RunNotFound(
            f"No detection run {run_id!r}.", "`cib runs list` shows the runs (check --database)"
        )
    run = RunInfo.from_props(rows[0]["props"])
    if complete and run.status != "complete":
        if run.status == "running":
            raise RunNotReady(
                f"Detection run {run.id!r} is still running: its networks are not final.",
                "wait for it to finish, or pick a complete run from `cib runs list`",
            )
        raise RunNotReady(
            f"Detection run {run.id!r} is {run.status or 'unknown'}, not complete: its "
            "networks are not a result.",
            "pick a complete run from `cib runs list`, or run detection again",
        )
    return run


def list_runs(runner: QueryRunner, limit: int = 20) -> list[RunInfo]:
    """Detection runs, newest first (the same ordering as ``resolve_run``)."""
    return [RunInfo.from_props(r["props"]) for r in runner.read(LIST_RUNS, {"limit": limit})]


def run_row(run: RunInfo) -> Row:
    """The columns ``cib runs list --json`` has always printed."""
    return {
        "id": run.id,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "algorithm": run.algorithm,
        "window": run.window,
        "window_source": run.window_source,
        "seed": run.seed,
        "concurrency": run.concurrency,
        "networks": run.props.get("networks"),
        "flagged": run.props.get("flagged"),
        "data_fingerprint": run.data_fingerprint,
        "error": run.error,
    }
