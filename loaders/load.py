"""A load: plan -> per file: read, validate, batch, write, account for every row.

Every row read ends up written or in the rejects file with its line and reason;
the ledger checks ``read = written + rejected`` per file. Writes are one managed
transaction per batch (the driver retries transient errors), each an
``UNWIND $rows ... MERGE`` under uniqueness constraints, so a re-run changes nothing.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from cibgraph.core.batches import chunked
from cibgraph.core.errors import QueryFailed, UsageError
from cibgraph.core.host import BackgroundDigests
from cibgraph.core.runner import Params, QueryRunner
from cibgraph.graph.schema import apply_schema
from cibgraph.graph.server.paths import instance_root
from cibgraph.loaders.columnar.blocks import ColumnarCsv
from cibgraph.loaders.columnar.validate import columnar_results
from cibgraph.loaders.diagnose import absent_columns, count_reason, diagnosis
from cibgraph.loaders.discover import LoadPlan, PlannedFile
from cibgraph.loaders.fingerprints import IdentifierHasher, load_secret
from cibgraph.loaders.formats import FORMAT_NAMES, FormatReader, open_reader
from cibgraph.loaders.interrupts import BatchBoundary
from cibgraph.loaders.ledger import (
    PROGRESS,
    REPLACED,
    DatabaseReplaced,
    FileLedger,
    LedgerStore,
    LoadLedger,
    mark_interrupted_runs,
    new_run_id,
    now,
    progress_params,
)
from cibgraph.loaders.peers import validate_peer_row
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.rejects import RejectsWriter
from cibgraph.loaders.sources import FileProblem, RawRow, SourceFile, printable
from cibgraph.loaders.statements import STATEMENTS
from cibgraph.loaders.validate import ValidationContext, redact, validate_row
from cibgraph.loaders.values import BadValue

# Measured with bench/load.py (README, Performance): larger batches stop paying off
# once a transaction's MERGE work dominates its round trip.
DEFAULT_BATCH_SIZE = 2000
ON_ERROR = ("skip", "abort")


@dataclass(frozen=True)
class LoadOptions:
    batch_size: int = DEFAULT_BATCH_SIZE
    on_error: str = "skip"
    dry_run: bool = False
    keep_extra: bool = False
    rejects_dir: Path | None = None
    strict: bool = False  # a bad optional value rejects its row (else: kept without it)
    assume_utc: bool = False  # timestamps without an offset are UTC

    def checked(self) -> LoadOptions:
        if self.batch_size < 1:
            raise UsageError(f"--batch-size must be at least 1, not {self.batch_size}.")
        if self.on_error not in ON_ERROR:
            raise UsageError(f"--on-error must be one of {', '.join(ON_ERROR)}.")
        return self


class LoadProgress(Protocol):
    def start(self, entry: FileLedger, total_bytes: int) -> None: ...
    def update(self, entry: FileLedger, position: int) -> None: ...
    def finish(self, entry: FileLedger) -> None: ...


class _Silent:
    def start(self, entry: FileLedger, total_bytes: int) -> None:
        pass

    def update(self, entry: FileLedger, position: int) -> None:
        pass

    def finish(self, entry: FileLedger) -> None:
        pass


class _Aborted(Exception):
    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.reason)
        self.rejection = rejection


Validator = Callable[[RawRow], Record | Rejection]
# Contract CSVs by columns (loaders/columnar); bench/load.py turns it off to measure the
# row path against it in the same run.
BY_COLUMNS = True
Source = SourceFile | FormatReader | ColumnarCsv


def _validator(planned: PlannedFile, ctx: ValidationContext) -> Validator:
    def check(raw: RawRow) -> Record | Rejection:
        if planned.format == "contract":
            return validate_row(planned.kind, raw, ctx)
        return validate_peer_row(planned.format, raw, ctx)

    def guarded(raw: RawRow) -> Record | Rejection:
        # The parsers turn every bad value they know into BadValue; a value no parser
        # foresaw (Python's own limits: huge numbers, deep nesting) is still one row's
        # problem, never the load's end. Only the type is kept: the message may quote data.
        try:
            return check(raw)
        except (ValueError, ArithmeticError, RecursionError, TypeError) as exc:
            reason = f"unreadable value ({type(exc).__name__})"
            return Rejection(raw.line, None, reason, raw.raw)

    return guarded


def _open(planned: PlannedFile, ctx: ValidationContext) -> tuple[Source, Validator]:
    """The file's rows and their validator; a format reader is both, fresh per pass
    (it keeps per-file state: names seen so far, skipped counts)."""
    if planned.format in FORMAT_NAMES:
        reader = open_reader(planned.format, planned.path, ctx)
        return reader, reader.validate
    if BY_COLUMNS and planned.format == "contract" and SourceFile(planned.path).format != "jsonl":
        # CSV and TSV by columns, with the row path for what the columns cannot vouch for.
        return ColumnarCsv(planned.path), _validator(planned, ctx)
    return SourceFile(planned.path), _validator(planned, ctx)


def _hasher_for(plan: LoadPlan) -> IdentifierHasher | None:
    if not any(f.kind == "identifiers" for f in plan.files):
        return None
    try:
        return IdentifierHasher(load_secret())
    except BadValue as exc:
        raise UsageError(str(exc)) from None


def write_batch(runner: QueryRunner, batch: list[Record], entry: FileLedger) -> None:
    """One managed transaction for the batch, with the file's counts (and the check that
    the database is still the one the load started in); duplicate keys inside it: the
    last row wins."""
    latest: dict[str, Record] = {}
    for record in batch:
        latest.pop(record.key, None)
        latest[record.key] = record
    groups: dict[str, list[dict[str, object]]] = {}
    for record in latest.values():
        groups.setdefault(record.statement, []).append(record.row)
    # The file's counts first: refused (and the batch with it) once the database is replaced.
    statements: list[tuple[str, Params]] = [(PROGRESS, progress_params(entry, len(batch)))]
    statements += [(STATEMENTS[name], {"rows": rows}) for name, rows in groups.items()]
    try:
        results = runner.write_all(statements)[1:]
    except QueryFailed as exc:
        if REPLACED in exc.message:
            raise DatabaseReplaced(entry.id.rsplit(":", 1)[0]) from None
        raise
    entry.superseded += len(batch) - len(latest)
    entry.written += len(batch)
    entry.created += sum(int(rows[0]["created"] or 0) for rows in results if rows)


class _FileLoad:
    """Loading one file: owns its source, rejects file and counters."""

    def __init__(
        self,
        runner: QueryRunner | None,
        planned: PlannedFile,
        entry: FileLedger,
        options: LoadOptions,
        ctx: ValidationContext,
        rejects: RejectsWriter,
        progress: LoadProgress,
    ) -> None:
        self.runner = runner
        self.planned = planned
        self.entry = entry
        self.options = options
        self.ctx = ctx
        self.rejects = rejects
        self.progress = progress
        self.validate = _validator(planned, ctx)

    def _reject(self, rejection: Rejection, raw: RawRow) -> None:
        self.entry.rejected += 1
        count_reason(self.entry.reasons, rejection)
        self.rejects.write(rejection, printable(redact(self.planned.kind, raw, self.ctx.hasher)))

    def _warn(self, record: Record, raw: RawRow) -> None:
        text = printable(redact(self.planned.kind, raw, self.ctx.hasher))
        for warning in record.warnings:
            self.entry.warnings += 1
            count_reason(self.entry.warning_reasons, warning)
            self.rejects.write(warning, text, outcome="kept")

    def _results(self, source: Source) -> Iterator[tuple[RawRow | None, Record | Rejection]]:
        """Each row's result, and the row when the result may need it (a column-built
        record has no row text to show: it is neither rejected nor warned about)."""
        if isinstance(source, ColumnarCsv):
            return columnar_results(self.planned.kind, source, self.ctx, self.validate)
        if isinstance(source, FormatReader):
            # The formats by columns (it imports Arrow's checks and DuckDB: only when used).
            from cibgraph.loaders.formats.column_maps import by_columns

            results = by_columns(source, dry_run=self.options.dry_run)
            if results is not None:
                return results
        return ((raw, self.validate(raw)) for raw in source.rows())

    def _records(self, source: Source, abort: bool) -> Iterator[Record]:
        for raw, result in self._results(source):
            record = self.account(source, raw, result, abort)
            if record is not None:
                yield record

    def account(
        self, source: Source, raw: RawRow | None, result: Record | Rejection, abort: bool
    ) -> Record | None:
        """One row read: counted, rejected or warned about; its record if it has one."""
        self.entry.read += 1
        if isinstance(result, Record) and source.header_problem and raw is not None:
            result = Rejection(raw.line, None, source.header_problem, raw.raw)
        if isinstance(result, Rejection):
            assert raw is not None  # rejections come from the row path, with their row
            self._reject(result, raw)
            if abort:
                raise _Aborted(result)
            return None
        self.entry.valid += 1
        if result.warnings and raw is not None:
            self._warn(result, raw)
        return result

    def _by_records(self, source: Source, interrupts: BatchBoundary | None) -> None:
        for batch in chunked(self._records(source, abort=False), self.options.batch_size):
            if not self.options.dry_run:
                assert self.runner is not None
                write_batch(self.runner, batch, self.entry)
            self.progress.update(self.entry, source.position())
            if interrupts is not None:
                interrupts.check()  # a Ctrl-C waits for the batch in flight

    def _precheck(self) -> Rejection | None:
        """--on-error abort: find the first bad row before writing anything from the file."""
        source, self.validate = _open(self.planned, self.ctx)
        # newline="\n": read back, a CR inside a record (a quoted CSV field may hold one)
        # must not split it into two pending lines.
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n") as pending:
            good: list[int] = []
            for raw in source.rows():
                result = self.validate(raw)
                if isinstance(result, Record) and source.header_problem:
                    result = Rejection(raw.line, None, source.header_problem, raw.raw)
                if isinstance(result, Rejection):
                    self._reject_all_before(pending, good, result)
                    self.entry.read = len(good) + 1
                    self._reject(result, raw)
                    return result
                good.append(raw.line)
                pending.write(
                    printable(redact(self.planned.kind, raw, self.ctx.hasher))
                    .rstrip("\r\n")
                    .replace("\n", "\\n")
                    + "\n"
                )
        return None

    def _reject_all_before(self, pending: IO[str], good: list[int], bad: Rejection) -> None:
        pending.seek(0)
        reason = f"not written: --on-error abort stopped this file at line {bad.line}"
        for line_no, text in zip(good, pending, strict=True):
            self._reject_text(Rejection(line_no, None, reason, text), text)

    def _reject_text(self, rejection: Rejection, text: str) -> None:
        self.entry.rejected += 1
        count_reason(self.entry.reasons, rejection)
        self.rejects.write(rejection, text)

    def run(self, interrupts: BatchBoundary | None = None) -> None:
        self.progress.start(self.entry, self.planned.path.stat().st_size)
        abort = self.options.on_error == "abort"
        if abort:
            bad = self._precheck()
            if bad is not None:
                self.entry.status = "aborted"
                self.entry.error = f"line {bad.line}: {bad.reason}"
                return
        source, self.validate = _open(self.planned, self.ctx)
        from cibgraph.loaders.columnar import columns_load  # it imports the bulk sink

        if columns_load.applies(self.planned.kind, source, self.runner, self.options.dry_run):
            assert isinstance(source, ColumnarCsv)
            columns_load.load_file(self, source, interrupts)
        else:
            self._by_records(source, interrupts)
        if isinstance(source, FormatReader):
            self.entry.skipped = sum(source.skipped.values())
            self.entry.note = source.summary()
        if source.header_problem and self.entry.read == 0:
            self.entry.note = source.header_problem
        elif self.entry.read == 0:
            self.entry.note = self.entry.note or "header only: no rows"
        if self.planned.recognised:
            said = f"recognised as {self.planned.format} by its content"
            self.entry.note = f"{said}; {self.entry.note}" if self.entry.note else said
        self._diagnose(source)
        if self.entry.read and self.entry.rejected == self.entry.read:
            self.entry.status = "rejected"
        else:
            self.entry.status = "dry_run" if self.options.dry_run else "complete"

    def _diagnose(self, source: Source) -> None:
        """Name every absent required column, and the layout the header does fit."""
        entry = self.entry
        # Foreign formats (loaders/formats) have items, not a header to diagnose.
        header: list[str] = source.header if isinstance(source, SourceFile | ColumnarCsv) else []
        if header:
            entry.missing_columns = absent_columns(self.planned, header)
        if entry.read and entry.rejected == entry.read:
            entry.hint = diagnosis(self.planned, header, entry.reasons)


def new_ledger(plan: LoadPlan, options: LoadOptions) -> LoadLedger:
    """The ledger of a load about to start: its id and the folder of its rejects."""
    run_id = new_run_id("dryrun" if options.dry_run else "load")
    directory = (options.rejects_dir or instance_root() / "loads") / run_id
    ledger = LoadLedger(
        run_id, options.batch_size, options.on_error, options.dry_run, str(directory)
    )
    ledger.ignored = [{"path": str(p), "reason": r} for p, r in plan.ignored]
    return ledger


def load(
    runner: QueryRunner | None,
    plan: LoadPlan,
    options: LoadOptions = LoadOptions(),
    progress: LoadProgress | None = None,
    *,
    ledger: LoadLedger | None = None,
) -> LoadLedger:
    """Load every planned file in order; return the ledger (also saved to Neo4j and disk).

    ``ledger`` (from ``new_ledger``) lets the caller keep hold of it when the load fails.
    """
    options = options.checked()
    if runner is None and not options.dry_run:
        raise UsageError("A load that writes needs a database connection.")
    progress = progress or _Silent()
    ledger = ledger or new_ledger(plan, options)
    run_id = ledger.id
    directory = Path(ledger.rejects_dir)
    store = LedgerStore(None if options.dry_run else runner, directory)
    ctx = ValidationContext(
        hasher=_hasher_for(plan),
        keep_extra=options.keep_extra,
        strict=options.strict,
        assume_utc=options.assume_utc,
    )
    interrupts = BatchBoundary()
    if not options.dry_run:
        assert runner is not None
        apply_schema(runner)
        mark_interrupted_runs(runner)
        store.start_run(ledger)
    digests = BackgroundDigests([planned.path for planned in plan.files])
    with interrupts, contextlib.closing(digests):
        try:
            for index, planned in enumerate(plan.files):
                interrupts.check()
                entry = FileLedger(
                    id=f"{run_id}:{index}",
                    path=str(planned.path.resolve()),
                    name=planned.path.name,
                    kind=planned.kind,
                    format=planned.format,
                    size=planned.path.stat().st_size,
                    sha256="",  # filled in once read: hashed beside the load
                )
                ledger.files.append(entry)
                store.save_file(ledger, entry)
                rejects = RejectsWriter(
                    directory, f"{index:02d}-{planned.path.name}", source=str(planned.path)
                )
                try:
                    _FileLoad(runner, planned, entry, options, ctx, rejects, progress).run(
                        interrupts
                    )
                except FileProblem as exc:
                    entry.status, entry.error = "failed", str(exc)
                finally:
                    rejects.close()
                    entry.finished_at = now()
                    if rejects.count:
                        entry.rejects_path = str(rejects.path)
                    entry.rejects_dropped = rejects.dropped
                entry.sha256 = digests.digest(planned.path)
                progress.finish(entry)
                store.save_file(ledger, entry)
                if entry.status == "aborted":
                    ledger.error = f"{entry.name}: {entry.error}"
                    break
            if not store.present(ledger):
                raise DatabaseReplaced(run_id)
        except BaseException as exc:
            # A named error, Ctrl-C or a bug: the run is failed now, in Neo4j and on disk,
            # rather than left 'running' until the next load finds its process gone. A
            # bug's own message may quote row data, so only its type is recorded.
            ledger.status = "failed"
            ledger.error = getattr(exc, "message", None) or (
                "interrupted"
                if isinstance(exc, KeyboardInterrupt)
                else f"unexpected {type(exc).__name__}: see the command's output"
            )
            for entry in ledger.files:
                entry.sha256 = entry.sha256 or digests.digest(Path(entry.path), wait=False)
                if entry.status == "running":
                    entry.status, entry.finished_at = "failed", now()
                    entry.error = entry.error or ledger.error
            ledger.finished_at = now()
            if isinstance(exc, DatabaseReplaced):
                store.runner = None  # the new database knows nothing of this load
            try:
                store.finish_run(ledger)
            except Exception:
                store.runner = None  # the database is gone; keep the local ledger at least
                store.finish_run(ledger)
            raise
    failed = any(f.status in ("failed", "aborted") for f in ledger.files)
    rejected = any(f.status == "rejected" for f in ledger.files)
    if failed:
        ledger.status = "failed"
    elif rejected:
        ledger.status = "rejected"
    else:
        ledger.status = "dry_run" if options.dry_run else "complete"
    ledger.finished_at = now()
    store.finish_run(ledger)
    return ledger
