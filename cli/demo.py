"""`cib demo ...`: a seeded, reproducible scenario to try cibgraph on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from cibgraph.cli.common import JsonOpt, QuietOpt, err, human_bytes, new_app, print_json
from cibgraph.scenario import GenerationSummary
from cibgraph.scenario import generate as generate_scenario
from cibgraph.scenario.behaviour_only import SHARES_FILE
from cibgraph.scenario.behaviour_only import behaviour_only as write_behaviour_only

BEHAVIOUR_ONLY_FOLDER = "behaviour-only"

app = new_app(
    "A seeded demo scenario: an organic crowd, planted CIB networks and decoys that "
    "coordinate openly, with the answers in truth.csv."
)


class _Bar:
    """Draws generation progress on stderr; one bar per stage."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, name: str, total: int | None) -> None:
        self.finish()
        self._task = self._progress.add_task(name, total=total)

    def finish(self) -> None:
        """Close the current bar at what was really done (totals are estimates)."""
        if self._task is not None:
            done = next(t.completed for t in self._progress.tasks if t.id == self._task)
            self._progress.update(self._task, total=done)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)


def _print_summary(summary: GenerationSummary) -> None:
    table = Table("file", "rows", "size", title=f"Scenario in {summary.out_dir}")
    for f in summary.files:
        table.add_row(f.name, f"{f.rows:,}", human_bytes(f.bytes))
    table.add_row("[bold]total[/]", f"[bold]{summary.rows:,}[/]", human_bytes(summary.bytes))
    err.print(table)
    planted = [g for g in summary.groups if g.kind == "planted"]
    decoys = [g for g in summary.groups if g.kind == "decoy"]
    err.print(
        "Planted: "
        + ", ".join(f"{g.label} ({g.accounts} accounts, {g.pages} pages)" for g in planted[:4])
        + (f" and {len(planted) - 4} more" if len(planted) > 4 else ""),
        highlight=False,
    )
    err.print(f"Decoys (labelled organic): {len(decoys)} groups.", highlight=False)
    err.print(
        f"Scale {summary.scale:g}, seed {summary.seed}: generated in {summary.seconds:.1f} s.",
        highlight=False,
    )


@app.command()
def generate(
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder to write into; created if missing, must be empty."),
    ],
    scale: Annotated[
        float,
        typer.Option(
            "--scale",
            help="Size of the organic crowd: 1 = 10,000 accounts, 1,000 pages, ~100,000 "
            "posts; 10 and 100 multiply it and add more planted networks and decoys. "
            "A fraction such as 0.1 shrinks only the crowd, for quick tests.",
        ),
    ] = 1.0,
    seed: Annotated[
        int, typer.Option("--seed", help="Same seed and scale: byte-identical files.")
    ] = 2019,
    compress: Annotated[
        bool, typer.Option("--compress", help="Write .csv.gz files (reproducible gzip).")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Write into a non-empty folder, replacing scenario files."),
    ] = False,
    behaviour_only: Annotated[
        bool,
        typer.Option(
            "--behaviour-only",
            help="Also write the scenario as behaviour-only data into OUT/behaviour-only: "
            "CooRTweet's shares layout (load with --format coortweet), no account metadata, "
            "with truth.csv and decoys.csv to evaluate it.",
        ),
    ] = False,
    tactics: Annotated[
        bool,
        typer.Option(
            "--tactics",
            help="Add networks that dodge exact-match co-sharing (tracked links, hashtag "
            "swarms, reused images, boosted pages) and their authentic look-alikes "
            "(an activists' day of action, a chain message).",
        ),
    ] = False,
    quiet: QuietOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Write a seeded CIB scenario in the data contract's format, with its truth.

    The folder gets organizations, accounts, pages, page_admins, affiliations,
    posts, ads and identifiers (.csv, or .csv.gz with --compress), and truth.csv
    labelling every account and page with its network (empty = organic).

    [bold]What is in it[/] (scale 1):

    - an organic crowd: heavy-tailed followers and activity, popular links
      shared by chance, reshares, agencies running client pages, office IPs;
    - planted networks sized like the April 2019 takedown: [cyan]it_cell_1[/]
      (138 pages, 549 accounts, fakes made in bursts, shared admins and
      devices, links pushed within seconds to minutes, ~USD 39,000 of ads
      paid in INR, operators concealed) and [cyan]it_firm_1[/] (15 assets,
      pages with ~2.6M followers, slower co-sharing);
    - decoys that coordinate openly and are labelled organic: a media group
      with disclosed pages, a news syndicate disclosed only through Page
      Transparency, a fan club, viral links.

    Same seed and scale give byte-identical files, compressed or not.

    [bold]Examples[/]

      cib demo generate --out demo --scale 1 --seed 7

      cib demo generate --out big --scale 10 --compress --json > summary.json

      cib demo generate --out demo --behaviour-only
      cib load demo/behaviour-only/shares.csv --format coortweet

      cib demo generate --out extended --tactics
    """
    if quiet or not err.is_terminal:
        summary = generate_scenario(out, scale, seed, compress, None, force=force, tactics=tactics)
    else:
        columns = (
            TextColumn("{task.description:>14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=False) as progress:
            bar = _Bar(progress)
            summary = generate_scenario(
                out, scale, seed, compress, bar, force=force, tactics=tactics
            )
            bar.finish()
    shares = None
    if behaviour_only:
        shares = write_behaviour_only(out, out / BEHAVIOUR_ONLY_FOLDER)
    if json_:
        data = summary.to_dict()
        if shares is not None:
            data["behaviour_only"] = {
                "out_dir": str(shares.out_dir),
                "posts": shares.posts,
                "rows": shares.rows,
                "actors": shares.actors,
            }
        print_json(data)
    elif not quiet:
        _print_summary(summary)
        if shares is not None:
            err.print(
                f"Behaviour-only copy: {shares.rows:,} CooRTweet rows for {shares.actors:,} "
                f"actors in {shares.out_dir}; load it with `cib load "
                f"{shares.out_dir / SHARES_FILE} --format coortweet`.",
                highlight=False,
                markup=False,
            )
