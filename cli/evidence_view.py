"""Networks and evidence as people read them: names beside keys, times as dates, unknown
as "unknown", no JSON. `--json` keeps the raw data for tools.

Shared by `cib explain` and `cib networks show`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape

UNKNOWN = "unknown"


def short_id(network_id: str) -> str:
    """'run-...:n0001' -> 'n0001': what tables show (their title names the run)."""
    return network_id.rpartition(":")[2] or network_id


def when(value: Any) -> str:
    """A driver DateTime, a datetime or an ISO string -> '2019-02-14 09:31 UTC'."""
    if value is None or value == "":
        return UNKNOWN
    native = value.to_native() if hasattr(value, "to_native") else value
    if isinstance(native, str):
        try:
            native = datetime.fromisoformat(native.replace("Z", "+00:00"))
        except ValueError:
            return str(native)
    if isinstance(native, datetime):
        if native.tzinfo is not None:
            native = native.astimezone(UTC)
        return native.strftime("%Y-%m-%d %H:%M UTC")
    return str(native)


def who(key: Any, names: Mapping[str, str]) -> str:
    """'account:a1371 (@ravi_k)': the key, and the handle or name beside it when known."""
    text = str(key)
    name = names.get(text)
    return f"{text} ({name})" if name else text


def percent(share: Any) -> str:
    return f"{float(share) * 100:.0f} %" if isinstance(share, int | float) else UNKNOWN


def _shares(values: Mapping[str, Any]) -> str:
    shown = [f"{k.replace('_', ' ')} {percent(v)}" for k, v in values.items() if v]
    return ", ".join(shown) or "none"


def _scores(values: Mapping[str, Any]) -> str:
    shown = [f"{k.replace('_', ' ')} {float(v):.2f}" for k, v in values.items() if v]
    return ", ".join(shown) or "none"


def followers_line(summary: Mapping[str, Any]) -> str:
    """Followers of the members whose count is known; 'unknown' when none is."""
    members = [m for r in summary.get("roles", {}).values() for m in r.get("members", [])]
    known = [m["followers"] for m in members if m.get("followers") is not None]
    if not known:
        return f"followers {UNKNOWN}"
    total = f"{sum(known):,}"
    return f"followers {total}" + (
        f" (known for {len(known):,} of {len(members):,} members)"
        if len(known) < len(members)
        else ""
    )


def spend_line(summary: Mapping[str, Any]) -> str:
    spend = summary.get("ad_spend") or {}
    if not spend:
        return "ad spend: none in the data"
    parts = ", ".join(f"{cur} {amount:,.0f}" for cur, amount in sorted(spend.items()))
    return f"ad spend: {parts} (~USD {float(summary.get('ad_spend_usd') or 0):,.0f})"


def network_lines(subject: str, summary: Mapping[str, Any]) -> list[str]:
    """The head of a network, in rich markup (values escaped)."""
    flagged = "[bold red]FLAGGED[/]" if summary.get("flagged") else "not flagged"
    lines = [
        f"[bold]{escape(subject)}[/]  {flagged}  score {float(summary.get('score') or 0):.2f} "
        f"(coordination {float(summary.get('coordination_score') or 0):.2f} x inauthenticity "
        f"{float(summary.get('inauthenticity_score') or 0):.2f})"
    ]
    roles = ", ".join(f"{v['count']:,} {k}s" for k, v in sorted(summary.get("roles", {}).items()))
    lines.append(f"members: {escape(roles) or 'none'}; {followers_line(summary)}")
    lines.append(escape(spend_line(summary)))
    lines.append(
        f"active: {when(summary.get('first_activity'))} to {when(summary.get('last_activity'))}"
    )
    signals = summary.get("signals") or {}
    lines.append(f"coordination by signal: {escape(_shares(signals.get('coordination', {})))}")
    lines.append(f"inauthenticity by cue: {escape(_scores(signals.get('inauthenticity', {})))}")
    if summary.get("top_organization"):
        lines.append(
            f"attributed to: {escape(str(summary['top_organization']))} "
            f"({percent(summary.get('top_organization_share'))} of members)"
        )
    if summary.get("disclosed_share"):
        lines.append(
            f"disclosed: {percent(summary['disclosed_share'])} of members say who runs them"
        )
    return lines


# Shown in the head above, or the raw form of something shown there.
SHOWN_IN_HEAD = {
    "score",
    "coordination_score",
    "inauthenticity_score",
    "flagged",
    "signals",
    "cues",
    "ad_spend",
    "ad_spend_usd",
    "followers_total",
    "first_activity",
    "last_activity",
    "top_organization",
    "top_organization_share",
    "disclosed_share",
    "roles",
}


def other_fields(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The remaining scalar fields; signal_*/cue_* copies (for Browser) are left out."""
    rows = []
    for key in sorted(summary):
        if key in SHOWN_IN_HEAD or key.startswith(("signal_", "cue_")):
            continue
        value = summary[key]
        if isinstance(value, dict | list):
            continue
        shown = when(value) if hasattr(value, "to_native") else str(value)
        rows.append((key.replace("_", " "), shown))
    return rows


def _list(items: Iterable[Any], names: Mapping[str, str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(who(i, names) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def detail_text(section: str, detail: Any, names: Mapping[str, str]) -> str:
    """One evidence row's detail map as a phrase."""
    if not isinstance(detail, Mapping):
        return "" if detail is None else str(detail)
    d = detail
    if section == "coordination":
        parts = [f"weight {float(d.get('weight') or 0):.2f}"]
        if d.get("objects"):
            parts.append(f"{d['objects']} co-shared objects")
        if d.get("slow_objects"):
            parts.append(f"{d['slow_objects']} slowly co-shared")
        if d.get("fastest_gap_s") is not None:
            parts.append(f"fastest gap {float(d['fastest_gap_s']):g} s")
        if d.get("shared_admin"):
            parts.append("shared admin")
        if d.get("shared_identifier"):
            parts.append("shared identifier")
        if d.get("sample"):
            parts.append("e.g. " + _list(d["sample"], {}, 3))
        return "; ".join(parts)
    if section == "shared admin":
        return "pages: " + _list(d.get("pages") or [], names)
    if section == "shared identifier":
        return "accounts: " + _list(d.get("accounts") or [], names)
    if section == "attribution":
        parts = [f"{percent(d.get('share'))} of members"]
        if d.get("members") is not None:
            parts.append(f"{d['members']} members")
        if d.get("sources"):
            parts.append("sources: " + ", ".join(map(str, d["sources"])))
        if d.get("disclosed"):
            parts.append("disclosed")
        return "; ".join(parts)
    return "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in d.items() if v not in (None, "", []))
