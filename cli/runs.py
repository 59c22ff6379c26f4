"""`cib runs ...` and `cib networks ...`: the recorded detection runs and their networks."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from cibgraph.cli.common import (
    JsonOpt,
    QuietOpt,
    RunOpt,
    YesOpt,
    err,
    new_app,
    out,
    print_json,
    with_database,
)
from cibgraph.cli.evidence_view import UNKNOWN, network_lines, other_fields, short_id, when
from cibgraph.cli.verdicts import TIER_CAPTION, tier_label
from cibgraph.core.errors import UsageError
from cibgraph.graph import runs as lifecycle
from cibgraph.graph.connection import Database
from cibgraph.graph.detect import runs as run_store
from cibgraph.graph.detect.explain import network_summary
from cibgraph.graph.detect.network_ref import resolve_network
from cibgraph.queries.registry import load_library

app = new_app("Detection runs: what ran, with which parameters, on which data, and how it ended.")
networks_app = new_app("Candidate networks of a detection run.")


@app.command("list")
@with_database
def list_runs(
    db: Database,
    limit: Annotated[int, typer.Option("--limit", help="How many runs, newest first.")] = 20,
    json_: JsonOpt = False,
) -> None:
    """List detection runs, newest first, with status, window, algorithm and counts."""
    rows = [lifecycle.run_row(run) for run in lifecycle.list_runs(db, limit)]
    if json_:
        print_json(rows)
        return
    # The run id never wraps or gets cut; the rest wraps to fit 80 columns.
    table = Table("status", "started", "algorithm", "window", "networks", "flagged", "data")
    table.columns.insert(0, Column("run", no_wrap=True))
    for r in rows:
        status = {"complete": "[green]complete[/]", "failed": "[red]failed[/]"}.get(
            r["status"], r["status"]
        )
        window = f"{r['window']}s ({r['window_source']})" if r["window"] is not None else ""
        table.add_row(
            r["id"],
            status,
            when(r["started_at"]),
            r["algorithm"] or "",
            window,
            str(r["networks"] if r["networks"] is not None else ""),
            str(r["flagged"] if r["flagged"] is not None else ""),
            r["data_fingerprint"] or "",
        )
    out.print(table)


@app.command("show")
@with_database
def show_run(
    db: Database,
    run_id: Annotated[
        str | None, typer.Argument(help="Run id (default: newest complete).", show_default=False)
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Everything recorded about one run: parameters, seed, concurrency, timings, counts."""
    props = dict(lifecycle.resolve_run(db, run_id, complete=False).props)
    for key in ("params", "timings", "counts", "gds_config"):
        if isinstance(props.get(key), str):
            props[key] = json.loads(props[key])
    if json_:
        print_json(props)
        return
    table = Table(show_header=False, box=None)
    for key in sorted(props):
        table.add_row(
            f"[bold]{key}[/]",
            json.dumps(props[key], default=str)
            if isinstance(props[key], dict)
            else str(props[key]),
        )
    out.print(table)


MEMBERS_SHOWN = 25


@app.command("delete")
@with_database
def delete_run(
    db: Database,
    run_id: Annotated[
        str, typer.Argument(help="Run id (see `cib runs list`).", show_default=False)
    ],
    yes: YesOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Delete a detection run: its record, its networks and its coordination edges.

    The evidence graph (accounts, pages, posts, ...) is untouched. A run still running
    is refused. Asks first unless --yes.

    [bold]Example[/]

      cib runs delete run-20190401T093000Z-ab12cd --yes
    """
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                "delete removes a run's networks and needs confirmation.", "pass --yes in scripts"
            )
        typer.confirm(f"Delete detection run {run_id}, its networks and edges?", abort=True)
    run_store.delete_run(db, run_id)
    if not quiet:
        err.print(f"Deleted detection run {escape(run_id)} with its networks and edges.")


@networks_app.command("show")
@with_database
def show_network(
    db: Database,
    network_id: Annotated[
        str,
        typer.Argument(
            help="Network: n0001 (of the newest complete run), RUN:n0001 or its full id.",
            show_default=False,
        ),
    ],
    all_members: Annotated[
        bool,
        typer.Option("--all", help=f"List every member, not only the first {MEMBERS_SHOWN}."),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """One network: scores, per-signal contributions, summary, members by role."""
    network_id = resolve_network(db, network_id)
    summary = network_summary(db, network_id)
    if json_:
        print_json(summary)
        return
    for line in network_lines(network_id, summary):
        out.print(line, highlight=False, soft_wrap=False)  # wraps at the terminal width
    details = Table(show_header=False, box=None)
    for key, value in other_fields(summary):
        details.add_row(f"[bold]{escape(key)}[/]", escape(value))
    out.print(details)
    for role, group in sorted(summary["roles"].items()):
        shown = group["members"] if all_members else group["members"][:MEMBERS_SHOWN]
        members = Table("key", "name", "followers", "created", title=f"{group['count']:,} {role}s")
        for m in shown:
            members.add_row(
                escape(str(m["key"])),
                escape(str(m["name"] or "")),
                UNKNOWN if m["followers"] is None else f"{m['followers']:,}",
                UNKNOWN if m["created_at"] is None else when(m["created_at"])[:10],
            )
        out.print(members)
        hidden = group["count"] - len(shown)
        if hidden > 0:
            out.print(f"… and {hidden:,} more {role}s (--all, --json)", highlight=False)


@networks_app.command("list")
@with_database
def list_networks(
    db: Database,
    run: RunOpt = None,
    flagged: Annotated[bool, typer.Option("--flagged", help="Only flagged networks.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Maximum networks.")] = 50,
    json_: JsonOpt = False,
) -> None:
    """Candidate networks of a run, strongest first (the `networks_overview` query)."""
    run_id = lifecycle.resolve_run(db, run, complete=False).id
    query = load_library().get("networks_overview")
    rows = query.run(
        db, {"run_id": run_id, "flagged_only": str(flagged).lower(), "limit": str(limit)}
    )
    if json_:
        print_json(rows)
        return
    table = Table(
        "rank",
        Column("network", no_wrap=True),
        "tier",
        "score",
        "coord.",
        "inauth.",
        "coverage",
        "size",
        "accounts",
        "pages",
        Column("attributed to", ratio=1),
        title=f"Candidate networks of {run_id}",
    )
    for r in rows:
        table.add_row(
            str(r["rank"]),
            short_id(r["network"]),
            tier_label(r["tier"], r["flagged"]),
            f"{r['score']:.2f}",
            f"{r['coordination']:.2f}",
            f"{r['inauthenticity']:.2f}",
            "" if r["coverage"] is None else f"{r['coverage']:.0%}",
            str(r["size"]),
            str(r["accounts"]),
            str(r["pages"]),
            ", ".join(r["attributed_to"]),
        )
    out.print(table)
    # Wrapped at the terminal width (a table caption would not be, with soft wrap).
    out.print(TIER_CAPTION, soft_wrap=False, highlight=False)


def _flagged(flagged: bool) -> str:
    return " [bold red]flagged[/]" if flagged else ""


@app.command("diff")
@with_database
def diff_runs_command(
    db: Database,
    run_a: Annotated[str, typer.Argument(help="The earlier run id.", show_default=False)],
    run_b: Annotated[str, typer.Argument(help="The later run id.", show_default=False)],
    min_overlap: Annotated[
        float,
        typer.Option(
            "--min-overlap",
            help="Smallest member overlap (Jaccard, 0-1] for two networks to be the same one.",
        ),
    ] = 0.3,
    json_: JsonOpt = False,
) -> None:
    """Networks that persist, appear or disappear between two runs (the returning-network view).

    Networks are matched by member overlap (Jaccard of member keys), best overlap first;
    a persisting network shows its overlap, members joined and left, and score change.

    [bold]Example[/]

      cib runs diff run-20190401T093000Z-ab12cd run-20190501T093000Z-ef34ab --json
    """
    # Imported here so this appended command leaves the module's header untouched.
    from cibgraph.graph.detect.diff import diff_runs

    result = diff_runs(db, run_a, run_b, min_overlap)
    if json_:
        print_json(result.to_dict())
        return
    table = Table(
        Column("in A", no_wrap=True),
        Column("in B", no_wrap=True),
        "overlap",
        "shared",
        "joined",
        "left",
        "score A",
        "score B",
        "change",
        title=f"Persisting networks ({result.run_a} -> {result.run_b}, "
        f"overlap >= {result.min_overlap:g})",
    )
    for m in result.persisted:
        table.add_row(
            f"{short_id(m.a.id)}{_flagged(m.a.flagged)}",
            f"{short_id(m.b.id)}{_flagged(m.b.flagged)}",
            f"{m.overlap:.2f}",
            str(m.shared),
            f"+{len(m.joined)}",
            f"-{len(m.left)}",
            f"{m.a.score:.2f}",
            f"{m.b.score:.2f}",
            f"{m.score_change:+.2f}",
        )
    out.print(table)
    for title, networks in (
        ("Appeared in B", result.appeared),
        ("Disappeared from A", result.disappeared),
    ):
        listing = Table("network", "size", "score", "flagged", title=title)
        for n in networks:
            listing.add_row(
                short_id(n.id), str(len(n.members)), f"{n.score:.2f}", "yes" if n.flagged else ""
            )
        out.print(listing)
