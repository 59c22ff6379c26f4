"""`cib explain`: the evidence behind a network, or between two actors."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cibgraph.cli.common import JsonOpt, err, out, print_json, with_database
from cibgraph.cli.verdicts import tier_label
from cibgraph.core.errors import UsageError
from cibgraph.graph.connection import Database
from cibgraph.graph.detect.explain import Explanation, explain_network, explain_pair
from cibgraph.graph.detect.scoring import TIERS


def _detail(value: object) -> str:
    return (
        json.dumps(value, default=str, ensure_ascii=False)
        if isinstance(value, dict | list)
        else str(value)
    )


def _print(explanation: Explanation, show_cypher: bool) -> None:
    summary = explanation.summary
    if "roles" in summary:
        tier = summary.get("tier")
        meaning = TIERS.get(str(tier), "")
        coverage = summary.get("coverage")
        out.print(
            f"[bold]{escape(explanation.subject)}[/]  candidate: "
            f"{tier_label(tier, summary.get('flagged'))}"
            + (f" ({meaning})" if meaning else "")
            + f"  score {summary.get('score')} "
            f"(coordination {summary.get('coordination_score')} x inauthenticity "
            f"{summary.get('inauthenticity_score')}"
            + (f", cue coverage {coverage:.0%}" if isinstance(coverage, float) else "")
            + ")"
        )
        unknown = summary.get("unknown_cues") or []
        if unknown:
            out.print(f"unknown cues (no data, not counted): {escape(', '.join(unknown))}")
        roles = ", ".join(f"{v['count']} {k}s" for k, v in sorted(summary["roles"].items()))
        out.print(
            f"members: {roles}; followers {summary.get('followers_total', 0):,}; "
            f"ad spend ~USD {summary.get('ad_spend_usd', 0):,.0f} {summary.get('ad_spend', {})}"
        )
        signals = summary.get("signals", {})
        out.print(f"coordination by signal: {signals.get('coordination', {})}")
        out.print(f"inauthenticity by cue:  {signals.get('inauthenticity', {})}")
        if summary.get("behaviour"):
            out.print(f"behaviour measured:     {_detail(summary['behaviour'])}")
    else:
        for edge in summary.get("coordination_edges", []):
            out.print(f"run {edge['run_id']}: {_detail(edge['edge'])}")
    table = Table(
        "section",
        *(k for k in (explanation.evidence[0] if explanation.evidence else {}) if k != "section"),
        title="Evidence",
    )
    for row in explanation.evidence:
        table.add_row(*(_detail(v) if v is not None else "" for v in row.values()))
    out.print(table)
    if show_cypher:
        out.print("[bold]Paste into Neo4j Browser to see the paths:[/]")
        out.print(explanation.browser_script, markup=False, highlight=False)


@with_database
def explain_command(
    db: Database,
    subjects: Annotated[
        list[str],
        typer.Argument(
            help="A network id (run-...:n0001), or two actors "
            "('account:ID' / 'page:ID' or bare ids).",
            show_default=False,
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", help="Rows per evidence section.")] = 20,
    cypher: Annotated[
        bool, typer.Option("--cypher/--no-cypher", help="Print the Browser script too.")
    ] = True,
    json_: JsonOpt = False,
) -> None:
    """Show the evidence behind a network, or between two actors.

    Co-shared objects with their time gaps, shared admins, shared identifiers (as
    hash prefixes), affiliations and attribution - and the Browser script that
    draws the same paths.

    Examples:

      cib explain run-20190401T093000Z-ab12cd:n0001

      cib explain account:a1002 page:pg202 --json
    """
    if len(subjects) == 1:
        explanation = explain_network(db, subjects[0], limit)
    elif len(subjects) == 2:
        explanation = explain_pair(db, subjects[0], subjects[1], limit)
    else:
        raise UsageError("Give one network id or two actors.")
    if json_:
        print_json(explanation.to_dict())
        return
    _print(explanation, cypher)
    if not explanation.evidence:
        err.print("[yellow]No evidence rows.[/]")
