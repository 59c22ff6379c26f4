"""`cib evaluate --truth FILE`: score a detection run against ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cibgraph.cli.common import JsonOpt, RunOpt, out, print_json, with_database
from cibgraph.graph.connection import Database
from cibgraph.graph.evaluate import (
    ActorLabels,
    DecoyGroup,
    Evaluation,
    PlantedMatch,
    evaluate,
)
from cibgraph.loaders.truth import read_decoys, read_truth

# The files are parsed while the options are parsed, before the database is opened:
# a typo in truth.csv fails at once, with its line numbers, even with no server up.
TruthOpt = Annotated[
    ActorLabels,
    typer.Option(
        "--truth",
        parser=lambda value: read_truth(Path(value).expanduser()),
        metavar="FILE",
        help="Ground truth: actor_id, actor_type (account|page), network_label (empty = "
        "organic). CSV or JSONL, optionally .gz.",
        show_default=False,
    ),
]
DecoysOpt = Annotated[
    ActorLabels | None,
    typer.Option(
        "--decoys",
        parser=lambda value: read_decoys(Path(value).expanduser()),
        metavar="FILE",
        help="Authentic coordinators: actor_id, actor_type, decoy_label. Reports how many "
        "of each group landed in flagged networks (the bar is none).",
        show_default=False,
    ),
]


@with_database
def evaluate_command(
    db: Database,
    truth: TruthOpt,
    run: RunOpt = None,
    decoys: DecoysOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Score a detection run against ground truth: precision, recall, F1, ARI.

    Every actor of the truth file is evaluated. It is a true positive when
    it has a network label and sits in a [bold]flagged[/] network of the
    run. Members of flagged networks missing from the truth file count for
    neither side; they are reported as unmatched. A ratio with a zero
    denominator is 0.0. Each planted network is matched to the network
    holding most of its actors; each decoy group (--decoys) should have no
    actor in a flagged network.

    [bold]Examples[/]

      cib evaluate --truth truth.csv

      cib evaluate --truth truth.csv.gz --decoys decoys.csv --json

      cib evaluate --truth truth.csv --run run-20190401-0930
    """
    result = evaluate(db, truth, run_id=run, decoys=decoys)
    if json_:
        print_json(result.to_dict())
        return
    out.print(_summary(result))
    out.print(_planted(result.planted))
    if result.decoys:
        out.print(_decoys(result.decoys))


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _summary(result: Evaluation) -> Table:
    run = result.run
    table = Table(title=f"Evaluation of run {run.id}", show_header=False)
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    table.add_column("meaning", style="dim")
    rows = [
        (
            "algorithm",
            run.algorithm or "",
            f"run started {run.started_at}" if run.started_at else "",
        ),
        ("actors", f"{result.actors:,}", "rows of the truth file"),
        ("not in graph", f"{result.actors_not_in_graph:,}", "counted as predicted organic"),
        ("networks", f"{result.networks:,}", "candidate networks in the run"),
        ("flagged", f"{result.flagged_networks:,}", "networks flagged as CIB"),
        ("precision", _num(result.precision), "TP / (TP + FP); 0 when nothing is flagged"),
        ("recall", _num(result.recall), "TP / (TP + FN)"),
        ("F1", _num(result.f1), "harmonic mean of precision and recall"),
        ("ARI", _num(result.ari), "adjusted Rand index: 1 = same partition, 0 = chance"),
        ("TP / FP", f"{result.tp:,} / {result.fp:,}", "planted / organic actors flagged"),
        ("FN / TN", f"{result.fn:,} / {result.tn:,}", "planted / organic actors not flagged"),
        (
            "unmatched",
            f"{result.unmatched_flagged_actors:,}",
            "flagged-network members not in the truth file (neither TP nor FP)",
        ),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def _yes(flag: bool, good: bool) -> Text:
    return Text("yes" if flag else "no", style="green" if flag == good else "red")


def _planted(matches: tuple[PlantedMatch, ...]) -> Table:
    table = Table(title="Planted networks: best-matching network of the run")
    for name in ("label", "accounts", "pages", "network", "overlap"):
        table.add_column(name, justify="left" if name in ("label", "network") else "right")
    for name in ("precision", "recall", "jaccard", "flagged", "score"):
        table.add_column(name, justify="right")
    for m in matches:
        table.add_row(
            m.label,
            f"{m.accounts:,}",
            f"{m.pages:,}",
            "-" if m.network_id is None else str(m.network_id),
            f"{m.overlap:,}",
            _num(m.precision),
            _num(m.recall),
            _num(m.jaccard),
            _yes(m.flagged, good=True),
            _num(m.score),
        )
    return table


def _decoys(groups: tuple[DecoyGroup, ...]) -> Table:
    table = Table(title="Decoys (authentic coordination): none should be flagged")
    table.add_column("label")
    table.add_column("size", justify="right")
    table.add_column("in flagged", justify="right")
    table.add_column("flagged", justify="right")
    table.add_column("networks (members)")
    for g in groups:
        held = ", ".join(f"{n.id}{'*' if n.flagged else ''} ({n.members})" for n in g.networks)
        table.add_row(
            g.label,
            f"{g.size:,}",
            f"{g.in_flagged:,}",
            _yes(g.flagged, good=False),
            held or "-",
        )
    table.caption = "* = flagged network"
    return table
