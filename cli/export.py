"""`cib export`: a detection run's networks, members, evidence edges and attribution as files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from cibgraph.cli.common import JsonOpt, QuietOpt, RunOpt, err, out, print_json, with_database
from cibgraph.graph.connection import Database
from cibgraph.graph.exports.export import export_run
from cibgraph.graph.exports.progress import NoProgress
from cibgraph.graph.exports.progress import Progress as ProgressSink


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    graphml = "graphml"
    gexf = "gexf"


OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", "-o", help="Folder to write into (created if missing).", show_default=False
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite files that already exist.")]


class RichSink:
    """Library progress drawn as rich bars on stderr, one per step."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, description: str, total: int | None = None) -> None:
        # Close the previous bar at its total: some steps advance less than they planned.
        for task in self._progress.tasks:
            if task.id == self._task and task.total is not None:
                self._progress.update(task.id, completed=task.total)
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)


@contextmanager
def progress_sink(quiet: bool) -> Iterator[ProgressSink]:
    """Bars on stderr for a person at a terminal; nothing for pipes, CI or --quiet."""
    if quiet or not err.is_terminal:
        yield NoProgress()
        return
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        yield RichSink(progress)


@with_database
def export_command(
    db: Database,
    out_dir: OutOpt,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="File format.", case_sensitive=False)
    ] = ExportFormat.csv,
    run: RunOpt = None,
    flagged_only: Annotated[
        bool, typer.Option("--flagged-only", help="Only networks flagged as CIB.")
    ] = False,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Export a detection run's networks, members, evidence edges and attribution as files.

    Members carry their role, scores and per-signal share of the evidence; coordination
    edges carry their weight, each signal's part and sample objects.

    Formats: [bold]csv[/] (networks.csv, members.csv, edges.csv, attribution.csv; cells
    that could start a spreadsheet formula are escaped), [bold]json[/] (export.json),
    [bold]graphml[/] (network.graphml) and [bold]gexf[/] (network.gexf, GEXF 1.3) to open
    in Gephi. Existing files are kept unless --force.

    [bold]Examples[/]

      cib export --out exports/ --format csv

      cib export --run run-20190401T093000Z-ab12cd --format gexf --flagged-only --out gephi/

      cib export --out exports/ --format json --json | jq .counts
    """
    with progress_sink(quiet) as sink:
        result = export_run(
            db,
            fmt.value,
            out_dir,
            run_id=run,
            flagged_only=flagged_only,
            force=force,
            progress=sink,
        )
    if json_:
        print_json(result.to_dict())
        return
    table = Table("file", "size", title=f"{result.format} export of {result.run_id}")
    for path in result.files:
        table.add_row(str(path), f"{path.stat().st_size:,} B")
    out.print(table)
    counts = result.counts
    out.print(
        f"{counts['networks']} networks ({counts['flagged']} flagged), "
        f"{counts['members']} members, {counts['edges']} edges, "
        f"{counts['attribution']} attributions"
        + (" - flagged networks only" if result.flagged_only else "")
    )
