"""`cib explain`: the evidence behind a network, or between two actors."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cibgraph.cli.common import JsonOpt, err, out, print_json, with_database
from cibgraph.cli.evidence_view import detail_text, network_lines, when, who
from cibgraph.cli.verdicts import tier_label
from cibgraph.core.errors import UsageError
from cibgraph.graph.connection import Database
from cibgraph.graph.detect.explain import Explanation, explain_network, explain_pair
from cibgraph.graph.detect.scoring import TIERS


def _print(explanation: Explanation, show_cypher: bool) -> None:
    summary, names = explanation.summary, explanation.names
    if "roles" in summary:
        tier = summary.get("tier")
        meaning = TIERS.get(str(tier), "")
        coverage = summary.get("coverage")
        out.print(
            f"candidate: {tier_label(tier, summary.get('flagged'))}"
            + (f" ({meaning})" if meaning else "")
            + (f", cue coverage {coverage:.0%}" if isinstance(coverage, float) else "")
        )
        unknown = summary.get("unknown_cues") or []
        if unknown:
            out.print(f"unknown cues (no data, not counted): {escape(', '.join(unknown))}")
        for line in network_lines(explanation.subject, summary):
            out.print(line, highlight=False, soft_wrap=False)  # wraps at the terminal width
        if summary.get("behaviour"):
            behaviour = summary["behaviour"]
            shown = (
                ", ".join(f"{k} {v}" for k, v in sorted(behaviour.items()))
                if isinstance(behaviour, dict)
                else str(behaviour)
            )
            out.print(f"behaviour measured: {escape(shown)}")
    else:
        out.print(
            f"[bold]{escape(who(summary['a'], names))}[/] and "
            f"[bold]{escape(who(summary['b'], names))}[/]",
            highlight=False,
        )
        for edge in summary.get("coordination_edges", []):
            detail = detail_text("coordination", _edge_detail(edge["edge"]), names)
            out.print(f"coordinated in run {escape(str(edge['run_id']))}: {escape(detail)}")
    table = Table("section", "subject", "object", "detail", title="Evidence")
    for row in explanation.evidence:
        section = str(row.get("section") or "")
        table.add_row(
            escape(section),
            escape(_cell(row.get("subject"), names)),
            escape(_cell(row.get("object"), names)),
            escape(detail_text(section, row.get("detail"), names)),
        )
    out.print(table)
    if show_cypher:
        out.print("[bold]Paste into Neo4j Browser to see the paths:[/]")
        out.print(explanation.browser_script, markup=False, highlight=False)
    else:
        err.print("[dim]The Browser script that draws these paths: --cypher[/]")


def _cell(value: object, names: dict[str, str]) -> str:
    if value is None:
        return ""
    if hasattr(value, "to_native"):
        return when(value)
    return who(value, names)


def _edge_detail(edge: dict[str, object]) -> dict[str, object]:
    """A COORDINATED_WITH edge's properties under the names network_evidence uses."""
    return {
        "weight": edge.get("weight"),
        "objects": edge.get("co_share_objects"),
        "slow_objects": edge.get("slow_co_share_objects"),
        "fastest_gap_s": edge.get("min_gap"),
        "shared_admin": edge.get("shared_admin"),
        "shared_identifier": edge.get("shared_identifier"),
        "sample": edge.get("sample_objects"),
    }


@with_database
def explain_command(
    db: Database,
    subjects: Annotated[
        list[str],
        typer.Argument(
            help="A network: n0001 (of the newest complete run), RUN:n0001 or its full id; "
            "or two actors ('account:ID' / 'page:ID' or bare ids).",
            show_default=False,
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", help="Rows per evidence section.")] = 20,
    cypher: Annotated[
        bool,
        typer.Option(
            "--cypher/--no-cypher",
            help="Also print the Cypher to paste into Neo4j Browser (--json always has it).",
        ),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Show the evidence behind a network, or between two actors.

    Co-shared objects with their time gaps, shared admins, shared identifiers (as
    hash prefixes), affiliations and attribution - and the Browser script that
    draws the same paths.

    Examples:

      cib explain n0001

      cib explain run-20190401T093000Z-ab12cd:n0001 --cypher

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
