"""`cib load PATH...`: validate and load contract files (or the field's formats) into Neo4j."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from cibgraph.cli.common import (
    JsonOpt,
    QuietOpt,
    err,
    out,
    print_json,
    with_optional_database,
)
from cibgraph.core.display import terminal_safe
from cibgraph.graph.connection import Database
from cibgraph.loaders.bulk import bulk_load
from cibgraph.loaders.contract import LOAD_ORDER
from cibgraph.loaders.diagnose import top_reasons
from cibgraph.loaders.discover import FORMATS, plan_load
from cibgraph.loaders.ledger import FileLedger, LoadLedger
from cibgraph.loaders.load import DEFAULT_BATCH_SIZE, LoadOptions, load

# A file whose every row was rejected (the wrong file, --format or --kind, or times
# without an offset): nothing of it reached the graph. Documented in README, Loading.
EXIT_ALL_REJECTED = 5

BatchSizeOpt = Annotated[
    int,
    typer.Option(
        "--batch-size",
        help="Rows per transaction (one UNWIND per batch). The default was measured with "
        "bench/load.py; larger batches use more server memory per transaction.",
    ),
]


class RichLoadProgress:
    """One bar per file: bytes for the bar, rows and rows/s in the text."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, entry: FileLedger, total_bytes: int) -> None:
        self.tasks[entry.id] = self.progress.add_task(
            entry.name, total=max(total_bytes, 1), rows=""
        )

    def update(self, entry: FileLedger, position: int) -> None:
        task = self.progress.tasks[self.tasks[entry.id]]
        elapsed = task.elapsed or 0.0
        rate = f"{entry.read / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        self.progress.update(
            self.tasks[entry.id], completed=position, rows=f"{entry.read:,} rows {rate}"
        )

    def finish(self, entry: FileLedger) -> None:
        task_id = self.tasks[entry.id]
        task = self.progress.tasks[task_id]
        self.progress.update(
            task_id, completed=task.total, rows=f"{entry.read:,} rows, {entry.status}"
        )


def _summary(ledger: LoadLedger) -> Table:
    table = Table(title=f"Load {ledger.id}: {ledger.status}")
    for name in ("file", "kind", "read", "written", "rejected", "new", "updated", "status"):
        table.add_column(
            name,
            justify="right"
            if name in ("read", "written", "rejected", "new", "updated")
            else "left",
        )
    for f in ledger.files:
        written = f"{f.valid:,} (dry)" if f.status == "dry_run" else f"{f.written:,}"
        table.add_row(
            f.name,
            f.kind,
            f"{f.read:,}",
            written,
            f"{f.rejected:,}",
            f"{f.created:,}",
            f"{f.updated:,}",
            f.status,
        )
    return table


@with_optional_database(skip_if="dry_run")
def load_command(
    db: Database | None,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Contract files (accounts.csv, posts.jsonl.gz, ...) or folders of them.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=f"Treat every file as this kind: {', '.join(LOAD_ORDER)}.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help=f"Input layout: {', '.join(FORMATS)} (coortweet = CooRTweet/CooRnet shares; "
            "cnt = coordination-network-toolkit CSV; telegram = Telegram Desktop result.json; "
            "bluesky = Jetstream events; twitter-v2 = X API v2 pages as twarc2 writes them; "
            "meta-content-library = its posts CSV). A file no contract name claims is "
            "recognised by its content.",
        ),
    ] = "contract",
    batch_size: BatchSizeOpt = DEFAULT_BATCH_SIZE,
    on_error: Annotated[
        str,
        typer.Option(
            "--on-error",
            help="skip: reject bad rows and go on; abort: stop at the first bad row, "
            "writing nothing from that file.",
        ),
    ] = "skip",
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Validate everything, write nothing (no server needed)."),
    ] = False,
    keep_extra: Annotated[
        bool, typer.Option("--keep-extra", help="Keep unknown columns as x_<name> properties.")
    ] = False,
    rejects_dir: Annotated[
        Path | None,
        typer.Option(
            "--rejects-dir",
            help="Where ledger.json and the rejects files go (default: $CIBGRAPH_HOME/loads/).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Reject a row for a bad value in an optional column too (by default the "
            "row is kept without that value, and a warning is counted).",
        ),
    ] = False,
    assume_utc: Annotated[
        bool,
        typer.Option(
            "--assume-utc",
            help="Read timestamps without an offset (2019-02-15T10:00:00) as UTC instead "
            "of rejecting them as ambiguous.",
        ),
    ] = False,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Into an empty local database only: validate as usual, then stop the "
            "server, write the store with neo4j-admin database import, start it again. "
            "Several times faster for large first loads.",
        ),
    ] = False,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Load files of the data contract into Neo4j: validate, write in batches, keep a ledger.

    Files are recognised by name (accounts, pages, page_admins, organizations,
    affiliations, posts, ads, identifiers; .csv or .jsonl, optionally .gz) and loaded in
    dependency order. Every row is written or rejected with file, line, column and
    reason; re-loading the same files changes nothing. Identifier values are stored only
    as a keyed hash. Exit code 5: some file had every row rejected.

    Examples:

      cib load tests/data/contract/

      cib load posts-2019.jsonl.gz --kind posts --batch-size 5000

      cib load shares.csv.gz --format coortweet --json

      cib load telegram-export/result.json

      cib load scenario/ --bulk
    """
    options = LoadOptions(
        batch_size,
        on_error,
        dry_run,
        keep_extra,
        rejects_dir,
        strict=strict,
        assume_utc=assume_utc,
    ).checked()
    plan = plan_load(paths, fmt=fmt, kind=kind)
    show = not quiet and err.is_terminal
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not show,
        transient=False,
    )
    with progress:
        if bulk:
            phase = None if quiet else (lambda name: err.print(f"bulk load: {name}"))
            ledger = bulk_load(db, plan, options, RichLoadProgress(progress), phase).ledger
        else:
            ledger = load(db, plan, options, RichLoadProgress(progress))
    _report(ledger, json_, quiet)
    if ledger.status == "failed":
        raise typer.Exit(1)
    if ledger.status == "rejected":
        raise typer.Exit(EXIT_ALL_REJECTED)


def _report(ledger: LoadLedger, json_: bool, quiet: bool) -> None:
    data: dict[str, Any] = ledger.to_dict()
    if json_:
        print_json(data)
        return
    if quiet:
        return
    out.print(_summary(ledger))
    totals = data["totals"]
    written = totals["valid"] if ledger.dry_run else totals["written"]
    err.print(
        f"read {totals['read']:,} = written {written:,} "
        f"+ rejected {totals['rejected']:,}"
        + ("  [green]reconciled[/]" if data["reconciles"] else "  [red]DOES NOT RECONCILE[/]")
    )
    # File names and reasons (which quote row data) are printed as text, never as markup.
    for item in ledger.ignored:
        err.print(Text(f"ignored {terminal_safe(item['path'])}: {item['reason']}", style="dim"))
    for f in ledger.files:
        _explain_file(f)
    err.print(f"ledger: {Path(ledger.rejects_dir) / 'ledger.json'}")
    sys.stderr.flush()


def _explain_file(f: FileLedger) -> None:
    """Notes, errors and, for rejected rows, why: the top reasons with their counts."""
    name = escape(f.name)
    if f.note:
        err.print(f"[yellow]{name}[/]: {escape(f.note)}")
    if f.error:
        err.print(f"[red]{name}[/]: {escape(f.error)}")
    if f.status == "rejected":
        err.print(f"[red]{name}: every row was rejected ({f.rejected:,}); nothing was written[/]")
    if f.missing_columns:
        err.print(
            f"[red]{name}[/]: missing required column{'s' if len(f.missing_columns) > 1 else ''}"
            f" {escape(', '.join(f.missing_columns))} (as --format {f.format}"
            + (f" --kind {f.kind}" if f.format == "contract" else "")
            + ")"
        )
    if f.hint:
        err.print(f"[yellow]Hint:[/] {name}: {escape(f.hint)}")
    if f.rejected:
        shown = top_reasons(f.reasons)
        err.print(f"{name}: top reject reasons")
        for reason, count in shown:
            err.print(f"  {count:>9,}  {escape(reason)}", highlight=False)
    if f.warnings:
        err.print(f"{name}: {f.warnings:,} bad optional values left out (rows kept)")
        for reason, count in top_reasons(f.warning_reasons, 3):
            err.print(f"  {count:>9,}  {escape(reason)}", highlight=False)
    if f.rejects_path:
        err.print(f"rejects: {escape(f.rejects_path)}")
