"""How the CLI shows a network's verdict tier: one short word in tables, the full
meaning in the caption under them (graph/detect/scoring.py TIERS)."""

from __future__ import annotations

from rich.markup import escape

from cibgraph.graph.detect.scoring import (
    TIER_DISCLOSED,
    TIER_INAUTHENTIC,
    TIER_UNASSESSABLE,
    TIER_WEAK,
    TIERS,
)

_SHORT = {
    TIER_INAUTHENTIC: "[bold red]inauthentic (flagged)[/]",
    TIER_UNASSESSABLE: "[yellow]not assessable[/]",
    TIER_DISCLOSED: "[green]disclosed[/]",
    TIER_WEAK: "weak",
}

TIER_CAPTION = (
    "Candidates for review, not findings. Tiers: "
    + "; ".join(
        f"{label} = {TIERS[tier]}"
        for tier, label in (
            (TIER_INAUTHENTIC, "inauthentic"),
            (TIER_UNASSESSABLE, "not assessable"),
            (TIER_WEAK, "weak"),
            (TIER_DISCLOSED, "disclosed"),
        )
    )
    + ". Coverage: the share of the inauthenticity cues' weight that had data."
)


def tier_label(tier: str | None, flagged: bool | None = None) -> str:
    """The table cell for a tier; a run from before tiers shows its flag."""
    if tier in _SHORT:
        return _SHORT[tier]
    if tier:
        return escape(tier)
    return "[bold red]flagged[/]" if flagged else "-"
