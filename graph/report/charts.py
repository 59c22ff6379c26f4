"""The report's pictures as PNG bytes: a network drawing, an activity timeline, the scores.

Matplotlib's object API with the Agg canvas, never pyplot: no global figure state, no
GUI backend, safe in a server process. Drawings are deterministic (a seeded layout,
sorted inputs, no timestamp in the PNG) so the same run gives the same pictures.

Names in a picture are attacker-controlled: text is drawn with ``parse_math=False`` so
a page called ``$\\frac{}{}$`` is printed, not parsed as mathtext (which could fail).
"""

from __future__ import annotations

import io
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cibgraph.graph.exports.bundle import EdgeRecord, MemberRecord
from cibgraph.graph.exports.graph_export import TYPE_COLOURS

LAYOUT_SEED = 7
MAX_DRAWN_NODES = 150
LABELLED_NODES = 30  # above this many nodes, labels would only be noise
WEEKLY_AFTER_DAYS = 120
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Picture:
    png: bytes
    caption: str


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Names in scripts the bundled font lacks (Devanagari, emoji...) draw as boxes;
        # the tables beside the picture carry the exact text, so this is not worth a warning.
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        # No Software/date chunks: the same input gives byte-identical PNGs.
        fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


def _colour(member: MemberRecord) -> str:
    return TYPE_COLOURS["admin" if member.role == "admin" else member.type]


def _short(text: str, width: int = 22) -> str:
    # Control characters have no glyph and no business in a label.
    text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return text if len(text) <= width else text[: width - 1] + "…"


def drawn_members(members: Sequence[MemberRecord], cap: int) -> list[MemberRecord]:
    """Which members to draw: all if they fit; else every admin (the operators), then pages
    and accounts in proportion to their numbers, each the ones with the most internal
    evidence, so the drawing keeps the operation's shape and its core."""
    if len(members) <= cap:
        return sorted(members, key=lambda m: m.key)

    def strongest(group: list[MemberRecord], n: int) -> list[MemberRecord]:
        return sorted(group, key=lambda m: (-m.strength, m.key))[: max(n, 0)]

    admins = strongest([m for m in members if m.role == "admin"], cap)
    pages = [m for m in members if m.role == "page"]
    accounts = [m for m in members if m.role not in ("admin", "page")]
    room = cap - len(admins)
    page_slots = round(room * len(pages) / max(len(pages) + len(accounts), 1))
    if pages and room > 0:
        page_slots = max(page_slots, 1)
    chosen = admins + strongest(pages, page_slots) + strongest(accounts, room - page_slots)
    return sorted(chosen, key=lambda m: m.key)


def network_picture(
    network_id: str,
    members: Sequence[MemberRecord],
    edges: Sequence[EdgeRecord],
    cap: int = MAX_DRAWN_NODES,
) -> Picture:
    """Members coloured by type (admins highlighted), edge width by weight, seeded layout."""
    drawn = drawn_members(members, cap)
    keys = {m.key for m in drawn}
    kept = sorted(
        (e for e in edges if e.source in keys and e.target in keys),
        key=lambda e: (e.source, e.target),
    )
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(m.key for m in drawn)
    graph.add_weighted_edges_from((e.source, e.target, e.weight) for e in kept)
    # "force" is numpy-only; the default picks a scipy method for big graphs.
    pos = nx.spring_layout(graph, seed=LAYOUT_SEED, weight="weight", method="force")

    fig = Figure(figsize=(8, 6.5))
    ax = fig.add_subplot()
    ax.set_axis_off()
    if kept:
        heaviest = max(e.weight for e in kept) or 1.0
        segments = [(pos[e.source], pos[e.target]) for e in kept]
        widths = [0.3 + 2.7 * e.weight / heaviest for e in kept]
        # Dense networks become a grey blob at full opacity; fade edges as they multiply.
        alpha = 0.5 if len(kept) < 300 else 0.15
        ax.add_collection(
            LineCollection(segments, linewidths=widths, colors="#9aa0a6", alpha=alpha)
        )
    by_role: dict[str, list[MemberRecord]] = {}
    for member in drawn:
        by_role.setdefault(member.role, []).append(member)
    for role in ("account", "page", "admin"):
        group = by_role.get(role, [])
        if not group:
            continue
        ax.scatter(
            [pos[m.key][0] for m in group],
            [pos[m.key][1] for m in group],
            s=[40 + 12 * min(m.strength, 40) ** 0.5 for m in group],
            c=[_colour(m) for m in group],
            edgecolors="black" if role == "admin" else "white",
            linewidths=1.6 if role == "admin" else 0.6,
            zorder=3 if role == "admin" else 2,
        )
    if len(drawn) <= LABELLED_NODES:
        for m in drawn:
            x, y = pos[m.key]
            label = _short(m.name or m.handle or m.key)
            ax.text(x, y + 0.045, label, fontsize=7, ha="center", parse_math=False, zorder=4)
    legend = [
        Line2D([], [], marker="o", ls="", color=TYPE_COLOURS["account"], label="account"),
        Line2D([], [], marker="o", ls="", color=TYPE_COLOURS["page"], label="page"),
        Line2D(
            [], [], marker="o", ls="", color=TYPE_COLOURS["admin"], mec="black", label="page admin"
        ),
    ]
    ax.legend(handles=legend, loc="lower right", fontsize=8, frameon=False)
    ax.set_title(network_id, fontsize=10, parse_math=False)
    ax.autoscale()
    ax.margins(0.08)
    fig.tight_layout()
    roles = Counter(m.role for m in members)
    # Counted as the tables count them: admins are accounts (the ones running pages).
    accounts = roles.get("account", 0) + roles.get("admin", 0)
    caption = (
        f"{network_id}: {len(members)} members ({roles.get('page', 0)} pages and "
        f"{accounts} accounts, {roles.get('admin', 0)} of them admins of member pages) and "
        f"{len([e for e in edges if e.source in keys and e.target in keys])} coordination "
        "edges; edge width is the edge's weight, admins have a black ring."
    )
    if len(drawn) < len(members):
        caption += (
            f" Only {len(drawn)} of {len(members)} members are drawn (every admin, then pages "
            "and accounts in proportion, those with the most evidence first), with the edges "
            "between them."
        )
    return Picture(_png(fig), caption)


def _bucketed(posts_per_day: Sequence[tuple[date, int]]) -> tuple[list[date], list[int], str]:
    days = sorted(posts_per_day)
    if not days:
        return [], [], "day"
    span = (days[-1][0] - days[0][0]).days
    if span <= WEEKLY_AFTER_DAYS:
        return [d for d, _ in days], [n for _, n in days], "day"
    weeks: dict[date, int] = {}
    for d, n in days:
        monday = d - timedelta(days=d.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    ordered = sorted(weeks.items())
    return [w for w, _ in ordered], [n for _, n in ordered], "week"


def timeline_picture(network_id: str, posts_per_day: Sequence[tuple[date, int]]) -> Picture:
    """Posts per day (or per week for long timelines) by the network's members."""
    when, counts, unit = _bucketed(posts_per_day)
    fig = Figure(figsize=(8, 2.8))
    ax = fig.add_subplot()
    if when:
        # Matplotlib's date numbers: days since its default epoch, 1970-01-01.
        x = [float((d - EPOCH).days) for d in when]
        ax.bar(x, counts, width=1 if unit == "day" else 6, color=TYPE_COLOURS["account"])
        ax.xaxis_date()
    else:
        ax.text(0.5, 0.5, "no posts", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel(f"posts per {unit}")
    ax.set_title(f"Activity of {network_id}", fontsize=10, parse_math=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.autofmt_xdate()
    fig.tight_layout()
    total = sum(counts)
    caption = f"Posts per {unit} by the members of {network_id} ({total:,} posts)."
    return Picture(_png(fig), caption)


def scores_picture(scores: Sequence[tuple[float, bool]], threshold: float | None) -> Picture:
    """The score of every candidate network, flagged ones in red, with the threshold line."""
    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    bins = [i / 40 for i in range(41)]
    flagged = [s for s, f in scores if f]
    other = [s for s, f in scores if not f]
    ax.hist(
        [other, flagged],
        bins=bins,
        stacked=True,
        color=["#9aa0a6", TYPE_COLOURS["admin"]],
        label=["not flagged", "flagged"],
    )
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle="--", linewidth=1)
        ax.text(threshold, ax.get_ylim()[1] * 0.95, f" threshold {threshold:g}", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("score = coordination x inauthenticity")
    ax.set_ylabel("networks")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    caption = (
        f"Scores of all {len(scores)} candidate networks; {len(flagged)} reach the threshold"
        + (f" of {threshold:g}" if threshold is not None else "")
        + " and are flagged."
    )
    return Picture(_png(fig), caption)
