"""`cib report`: a takedown-style report of a run, as self-contained HTML and as Markdown."""

from __future__ import annotations

from typing import Annotated

import typer

from cibgraph.cli.common import JsonOpt, QuietOpt, RunOpt, out, print_json, with_database
from cibgraph.cli.export import ForceOpt, OutOpt, progress_sink
from cibgraph.graph.connection import Database
from cibgraph.graph.report import write_report
from cibgraph.graph.report.build import DEFAULT_TOP


@with_database
def report_command(
    db: Database,
    out_dir: OutOpt,
    run: RunOpt = None,
    top: Annotated[
        int,
        typer.Option("--top", min=0, help="How many flagged networks to describe in full."),
    ] = DEFAULT_TOP,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Write a takedown-style report of a run: report.html (offline, images inside) and report.md.

    Per flagged network: pages, accounts and admins, followers, ad spend by currency and
    in USD, first and last activity, attribution, the strongest evidence (co-shared
    objects with time gaps, shared admins, shared identifiers as hash prefixes), each
    signal's contribution, a drawing and an activity timeline; then a summary table, the
    score distribution, and the run's parameters so the result can be reproduced.

    [bold]Examples[/]

      cib report --out report/

      cib report --run run-20190401T093000Z-ab12cd --top 3 --out report/ --force
    """
    with progress_sink(quiet) as sink:
        result = write_report(db, run, out_dir, force=force, top=top, progress=sink)
    if json_:
        print_json(result.to_dict())
        return
    out.print(
        f"Report of {result.run_id}: {result.flagged} flagged of {result.candidates} candidate "
        f"networks, {result.described} described in full."
    )
    out.print(f"HTML:     {result.html}")
    out.print(f"Markdown: {result.out / 'report.md'} (with {len(result.files) - 2} PNGs beside it)")
