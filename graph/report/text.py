"""The report's words: numbers, dates, money and the takedown-style paragraph, as plain text.

Platforms publish takedowns in a fixed shape ("N pages and M accounts... about X
accounts followed one or more of these pages... about USD Y in ads, paid for mostly in
Indian rupees... attributed to..."); analysts hand them on in that shape, so the report
uses it. cibgraph finds candidates, it removes nothing and judges no intent: the
sentences say "candidate network" and what was measured, and the exact numbers stay
in the tables next to the rounded ones.

Everything here returns plain text; the HTML and Markdown renderers escape it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from cibgraph.graph.detect.currency import to_usd
from cibgraph.graph.detect.scoring import TIERS
from cibgraph.graph.exports.bundle import AttributionRecord, NetworkRecord

CURRENCY_NAMES: dict[str, str] = {
    "USD": "US dollars",
    "INR": "Indian rupees",
    "GBP": "British pounds",
    "EUR": "euros",
    "BDT": "Bangladeshi taka",
    "PKR": "Pakistani rupees",
    "AED": "UAE dirhams",
    "NPR": "Nepalese rupees",
    "LKR": "Sri Lankan rupees",
    "CAD": "Canadian dollars",
    "AUD": "Australian dollars",
    "SGD": "Singapore dollars",
    "RUB": "Russian roubles",
}

SIGNAL_NAMES: dict[str, str] = {
    "co_share": "co-sharing the same links, posts or texts within the window",
    "slow_co_share": "co-sharing the same rare links, posts or texts within a day",
    "shared_admin": "pages run by the same admins",
    "shared_identifier": "accounts sharing devices, phones, IPs or payment details",
    "co_hashtag": "posting the same set of hashtags within the window",
    "co_image": "posting the same image within the window",
    "co_similar_text": "posting near-copies of one text (words swapped) within the window",
}

CUE_NAMES: dict[str, str] = {
    "burst_created": "accounts created in bursts",
    "new_accounts": "accounts new at their first post",
    "low_followers": "accounts with few followers",
    "default_handles": "default-looking handles",
    "identifier_reuse": "identifiers reused across accounts",
    "concealed_operators": "operators known but not disclosed",
    "foreign_or_undisclosed_ads": "ads paid in another country's currency or by no one named",
    "near_simultaneous": "co-shares within seconds of the first member share",
    "coordinated_posts": "share of members' posts co-shared by another member within a day",
    "shared_rhythm": "posting hours unlike everyone else's",
    "many_sources": "co-shared links and reshares from many sites and authors, not one",
}

# Organisation kinds as an analyst writes them (the contract's enum values are ids).
KIND_NAMES: dict[str, str] = {
    "it_firm": "IT firm",
    "it_cell": "IT cell",
    "ngo": "NGO",
}


def kind_name(kind: str | None) -> str:
    """``it_cell`` -> ``IT cell``; ``media`` -> ``media``; None -> ``''``."""
    if not kind:
        return ""
    return KIND_NAMES.get(kind, kind.replace("_", " "))


def tier_name(tier: str) -> str:
    """The tier's meaning in words; a run from before tiers says so."""
    return TIERS.get(tier, tier or "no tier (a run from before verdict tiers)")


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def about(n: float) -> str:
    """A rounded figure for prose: three significant digits from 1,000 up (206,412 -> 206,000)."""
    if n < 1000:
        return f"{round(n):,}"
    digits = math.floor(math.log10(abs(n))) - 2
    return f"{round(n, -digits):,.0f}"


def day(value: date | datetime | None) -> str:
    if value is None:
        return "unknown"
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def duration(seconds: float | None) -> str:
    """``75`` -> ``1 min 15 s``; ``None`` -> ``-``."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        m, rest = divmod(s, 60)
        return f"{m} min {rest} s" if rest else f"{m} min"
    if s < 86400:
        h, rest = divmod(s, 3600)
        return f"{h} h {rest // 60} min" if rest // 60 else f"{h} h"
    d, rest = divmod(s, 86400)
    return f"{d} d {rest // 3600} h" if rest // 3600 else f"{d} d"


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def currency_name(code: str) -> str:
    return CURRENCY_NAMES.get(code.upper(), code.upper())


def spend_phrase(ad_spend: Mapping[str, float], ad_spend_usd: float) -> str | None:
    """'about USD 39,000 in ads, paid for mostly in Indian rupees'; None when no ads."""
    if not ad_spend:
        return None
    in_usd = {code: to_usd(amount, code) for code, amount in ad_spend.items()}
    known = {code: usd for code, usd in in_usd.items() if usd is not None and usd > 0}
    unknown = sorted(code for code, usd in in_usd.items() if usd is None)
    text = f"about USD {about(ad_spend_usd)} in ads"
    if known:
        ranked = sorted(known.items(), key=lambda item: (-item[1], item[0]))
        total = sum(known.values())
        leader, leader_usd = ranked[0]
        if len(ranked) == 1:
            text += f", paid for in {currency_name(leader)}"
        elif leader_usd / total >= 0.5:
            text += f", paid for mostly in {currency_name(leader)}"
        else:
            names = [currency_name(code) for code, _ in ranked[:3]]
            text += f", paid for in {', '.join(names[:-1])} and {names[-1]}"
    if unknown:
        text += f" (plus spend in {', '.join(unknown)}, which has no USD rate here)"
    return text


def spend_table(ad_spend: Mapping[str, float]) -> list[tuple[str, float, float | None]]:
    """(currency, amount, USD) rows, largest USD first."""
    rows = [(code, amount, to_usd(amount, code)) for code, amount in ad_spend.items()]
    return sorted(rows, key=lambda r: (-(r[2] or 0.0), r[0]))


def attribution_phrase(attribution: Sequence[AttributionRecord], limit: int = 3) -> str | None:
    if not attribution:
        return None
    parts = [
        f"{a.name or a.org_id} ({percent(a.share)} of members"
        + (f", {kind_name(a.kind)}" if a.kind else "")
        + ")"
        for a in attribution[:limit]
    ]
    more = len(attribution) - limit
    if more > 0:
        parts.append(plural(more, "other organisation"))
    return "; ".join(parts)


def network_paragraph(
    network: NetworkRecord, attribution: Sequence[AttributionRecord]
) -> list[str]:
    """The takedown-style sentences for one candidate network, in the order platforms
    use; they say what was measured and claim no intent."""
    assets = []
    if network.pages:
        assets.append(plural(network.pages, "page"))
    accounts = plural(network.accounts, "account")
    if network.admins:
        accounts += f" ({network.admins:,} of them running the pages)"
    if network.accounts:
        assets.append(accounts)
    sentences = [
        f"Candidate network of {' and '.join(assets) or 'no assets'}, linked by the "
        "coordination signals measured below.",
        verdict_sentence(network),
    ]
    if network.pages and network.followers_total:
        sentences.append(
            f"About {about(network.followers_total)} accounts followed one or more of these "
            "pages (a sum over pages and accounts; one person can follow several)."
        )
    elif network.followers_total:
        sentences.append(f"Together they had about {about(network.followers_total)} followers.")
    spend = spend_phrase(network.ad_spend, network.ad_spend_usd)
    if spend:
        sentences.append(f"They spent {spend}.")
    if network.first_activity or network.last_activity:
        sentences.append(
            f"First activity: {day(network.first_activity)}; "
            f"most recent: {day(network.last_activity)}."
        )
    who = attribution_phrase(attribution)
    if who:
        sentences.append(f"Attributed to: {who}.")
    return sentences


def verdict_sentence(network: NetworkRecord) -> str:
    """The tier, with the measured scores and how much of the cue weight had data."""
    coverage = (
        f" over cues covering {percent(network.coverage)} of the cue weight"
        if network.coverage is not None
        else ""
    )
    return (
        f"Verdict tier: {tier_name(network.tier)}. Measured coordination "
        f"{network.coordination_score:.2f} and inauthenticity "
        f"{network.inauthenticity_score:.2f}{coverage}; a candidate for review, not a finding "
        "about anyone's intent."
    )


def signal_lines(network: NetworkRecord) -> list[tuple[str, str, float]]:
    """(kind, what it means, share) for each signal and cue, largest first."""
    lines = [
        ("coordination", SIGNAL_NAMES.get(name, name), share)
        for name, share in network.coordination.items()
        if share > 0
    ]
    lines.sort(key=lambda line: -line[2])
    cues = [
        ("inauthenticity", CUE_NAMES.get(name, name), value)
        for name, value in network.inauthenticity.items()
        if value > 0
    ]
    cues.sort(key=lambda line: -line[2])
    return lines + cues


def unknown_cue_names(network: NetworkRecord) -> list[str]:
    """The cues whose data is missing: unknown, not counted, never 0."""
    return [CUE_NAMES.get(name, name) for name in network.unknown_cues]


def window_phrase(window: int | None, source: str | None) -> str:
    if window is None:
        return "unknown"
    how = {
        "auto": "estimated from the data (CooRnet's method)",
        "given": "given on the command line",
    }.get(source or "", source or "")
    return f"{duration(window)} ({how})" if how else duration(window)
