"""The report as a list of blocks (headings, paragraphs, tables, images, code).

HTML and Markdown render the same blocks, so the two files always say the same thing.
Blocks hold plain, unescaped text; each renderer escapes for its own format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cibgraph.graph.detect.scoring import TIERS
from cibgraph.graph.report.facts import NetworkFacts, ReportFacts, SharedObject
from cibgraph.graph.report.text import (
    about,
    attribution_phrase,
    day,
    duration,
    kind_name,
    network_paragraph,
    percent,
    plural,
    signal_lines,
    spend_table,
    tier_name,
    unknown_cue_names,
    window_phrase,
)

OBJECT_KINDS = {"url": "link", "post": "reshared post", "text": "identical text"}


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: tuple[int, ...] = ()  # columns to right-align


@dataclass(frozen=True)
class Image:
    name: str  # file name of the PNG, from the report's fixed pattern
    caption: str


@dataclass(frozen=True)
class Code:
    text: str
    caption: str = ""


Block = Heading | Paragraph | Table | Image | Code


@dataclass(frozen=True)
class Pictures:
    """The PNG names the document refers to (the builder writes or embeds them)."""

    scores: str
    networks: dict[str, str]  # network id -> drawing
    timelines: dict[str, str]  # network id -> timeline
    captions: dict[str, str]  # name -> caption


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], **kw: object) -> Table:
    return Table(
        tuple(header),
        tuple(tuple("" if c is None else str(c) for c in row) for row in rows),
        **kw,  # type: ignore[arg-type]
    )


def _short_name(network_id: str) -> str:
    return network_id.rsplit(":", 1)[-1]


def _object_text(obj: SharedObject) -> str:
    if obj.kind == "url":
        return obj.ref
    words = " ".join((obj.text or "").split())
    shown = words if len(words) <= 120 else words[:119] + "…"
    return f"{shown} [{obj.kind} {obj.ref[:12]}]" if shown else f"{obj.kind} {obj.ref}"


def summary_blocks(facts: ReportFacts) -> list[Block]:
    run = facts.run
    flagged = facts.flagged
    pages = sum(n.pages for n in flagged)
    accounts = sum(n.accounts for n in flagged)
    followers = sum(n.followers_total for n in flagged)
    usd = sum(n.ad_spend_usd for n in flagged)
    text = (
        f"Detection run {run.id} found {plural(facts.candidates, 'candidate network')}; "
        f"{plural(len(flagged), 'network')} reached the threshold"
        + (f" of {run.threshold:g}" if run.threshold is not None else "")
        + " and "
        + ("is" if len(flagged) == 1 else "are")
        + " flagged as candidates of coordinated inauthentic behaviour (CIB), for review. "
        "These are measurements, not findings about anyone's intent."
    )
    blocks: list[Block] = [Paragraph(text)]
    if facts.tiers:
        order = [*TIERS, *sorted(set(facts.tiers) - set(TIERS))]
        blocks.append(
            _table(
                ("verdict tier", "meaning", "candidate networks"),
                [(t or "-", tier_name(t), facts.tiers[t]) for t in order if t in facts.tiers],
                caption="Candidate networks by verdict tier",
                numeric=(2,),
            )
        )
    if flagged:
        blocks.append(
            Paragraph(
                f"Together the flagged networks comprise {plural(pages, 'page')} and "
                f"{plural(accounts, 'account')}, with about {about(followers)} followers "
                f"and about USD {about(usd)} of ads."
            )
        )
        blocks.append(
            _table(
                (
                    "rank",
                    "network",
                    "tier",
                    "score",
                    "cue coverage",
                    "pages",
                    "accounts",
                    "admins",
                    "followers",
                    "ad spend (USD)",
                    "first activity",
                    "last activity",
                    "attributed to",
                ),
                [
                    (
                        n.rank,
                        n.id,
                        n.tier,
                        f"{n.score:.2f}",
                        percent(n.coverage) if n.coverage is not None else "",
                        n.pages,
                        n.accounts,
                        n.admins,
                        f"{n.followers_total:,}",
                        f"{n.ad_spend_usd:,.0f}",
                        day(n.first_activity),
                        day(n.last_activity),
                        f"{n.top_organization} ({percent(n.top_organization_share)})"
                        if n.top_organization
                        else "",
                    )
                    for n in flagged
                ],
                caption="Flagged candidate networks",
                numeric=(0, 3, 5, 6, 7, 8, 9),
            )
        )
    elif facts.detailed:
        blocks.append(
            Paragraph(
                "No network reached the threshold in this run, so none is flagged. The "
                f"{plural(len(facts.detailed), 'strongest candidate')} by strength of evidence "
                "(tier, then coordination x the inauthenticity measured over the cues that had "
                "data) "
                + ("is" if len(facts.detailed) == 1 else "are")
                + " described below all the same, as candidates for review, not findings."
            )
        )
    else:
        blocks.append(Paragraph("No network reached the threshold in this run."))
    return blocks


def network_blocks(facts: NetworkFacts, pictures: Pictures) -> list[Block]:
    n = facts.network
    blocks: list[Block] = [
        Heading(
            2,
            f"Candidate network {_short_name(n.id)} (rank {n.rank}): "
            f"{n.tier or 'no tier'}, score {n.score:.2f}",
            anchor=_short_name(n.id),
        ),
        Paragraph(" ".join(network_paragraph(n, facts.attribution))),
    ]
    unknown = unknown_cue_names(n)
    rows: list[tuple[object, ...]] = [
        ("network", n.id),
        ("verdict tier", f"{n.tier or '-'}: {tier_name(n.tier)}"),
        (
            "score",
            f"{n.score:.4f} (coordination {n.coordination_score:.4f} x "
            f"inauthenticity {n.inauthenticity_score:.4f})",
        ),
        (
            "cue coverage (share of cue weight with data)",
            percent(n.coverage) if n.coverage is not None else "unknown",
        ),
        ("unknown cues (no data; not counted)", ", ".join(unknown) if unknown else "none"),
        ("pages", n.pages),
        ("accounts", n.accounts),
        ("admins (of the accounts, those running member pages)", n.admins),
        ("followers (sum)", f"{n.followers_total:,}"),
        ("ad spend (USD, approximate)", f"{n.ad_spend_usd:,.2f}"),
    ]
    for code, amount, usd in spend_table(n.ad_spend):
        converted = f" (about USD {usd:,.0f})" if usd is not None else " (no USD rate)"
        rows.append((f"ad spend in {code}", f"{amount:,.2f}{converted}"))
    rows += [
        ("first activity", day(n.first_activity)),
        ("most recent activity", day(n.last_activity)),
        ("openly disclosed members", percent(n.disclosed_share)),
    ]
    blocks.append(_table(("", ""), rows, caption="In numbers"))
    if facts.attribution:
        blocks.append(
            _table(
                ("organisation", "kind", "country", "share of members", "members", "sources"),
                [
                    (
                        a.name or a.org_id,
                        kind_name(a.kind),
                        a.country or "",
                        percent(a.share),
                        a.members,
                        ", ".join(a.sources),
                    )
                    for a in facts.attribution
                ],
                caption="Attribution: " + (attribution_phrase(facts.attribution) or ""),
                numeric=(3, 4),
            )
        )
    signals = signal_lines(n)
    if signals:
        blocks.append(
            _table(
                ("part of the score", "signal", "contribution"),
                [(kind, name, f"{value:.3f}") for kind, name, value in signals],
                caption="What was measured: each pair signal's share of the coordination "
                "evidence, and each assessable inauthenticity cue's contribution to the "
                "inauthenticity score (unknown cues are left out, not counted as 0)",
                numeric=(2,),
            )
        )
    blocks += evidence_blocks(facts)
    if n.id in pictures.networks:
        name = pictures.networks[n.id]
        blocks.append(Image(name, pictures.captions[name]))
    if n.id in pictures.timelines:
        name = pictures.timelines[n.id]
        blocks.append(Image(name, pictures.captions[name]))
    if facts.browser_script:
        blocks.append(
            Code(
                facts.browser_script,
                caption="To see the same evidence in Neo4j Browser, paste this "
                "(network_members draws the network, network_evidence lists the evidence):",
            )
        )
    return blocks


def evidence_blocks(facts: NetworkFacts) -> list[Block]:
    blocks: list[Block] = []
    if facts.objects:
        blocks.append(
            _table(
                ("kind", "object", "members sharing", "shares", "first two shares", "all within"),
                [
                    (
                        OBJECT_KINDS.get(o.kind, o.kind),
                        _object_text(o),
                        o.sharers,
                        o.shares,
                        duration(o.first_gap_s),
                        duration(o.span_s),
                    )
                    for o in facts.objects
                ],
                caption="Strongest evidence: objects the most strongly linked members "
                "co-shared, with how fast members shared them",
                numeric=(2, 3),
            )
        )
    if facts.pairs:
        blocks.append(
            _table(
                (
                    "member",
                    "member",
                    "weight",
                    "co-share",
                    "slow co-share",
                    "shared admin",
                    "shared identifier",
                    "objects",
                    "fastest gap",
                ),
                [
                    (
                        p.a,
                        p.b,
                        f"{p.weight:.2f}",
                        f"{p.co_share:.2f}",
                        f"{p.slow_co_share:.2f}",
                        f"{p.shared_admin:.2f}",
                        f"{p.shared_identifier:.2f}",
                        p.objects,
                        duration(p.fastest_gap_s),
                    )
                    for p in facts.pairs
                ],
                caption="Strongest coordinated pairs (edge weight and each signal's part)",
                numeric=(2, 3, 4, 5, 6, 7),
            )
        )
    if facts.shared_admins:
        blocks.append(
            _table(
                ("admin", "pages run", "pages (sample)"),
                [(s.admin, s.pages, ", ".join(s.sample[:5])) for s in facts.shared_admins],
                caption="Accounts administering several member pages",
                numeric=(1,),
            )
        )
    if facts.shared_identifiers:
        blocks.append(
            _table(
                ("identifier (kind:hash prefix)", "accounts", "accounts (sample)"),
                [
                    (s.identifier, s.accounts, ", ".join(s.sample[:5]))
                    for s in facts.shared_identifiers
                ],
                caption="Identifiers (devices, phones, IPs, payment) used by several member "
                "accounts; only hash prefixes are shown, never values",
                numeric=(1,),
            )
        )
    return blocks


def method_blocks(facts: ReportFacts) -> list[Block]:
    run = facts.run
    params = run.params
    rows: list[tuple[object, ...]] = [
        ("run", run.id),
        ("status", run.status),
        ("started", run.started_at.isoformat() if run.started_at else ""),
        ("finished", run.finished_at.isoformat() if run.finished_at else ""),
        ("co-share window", window_phrase(run.window, run.window_source)),
        ("community algorithm", run.algorithm or ""),
        ("seed", run.seed),
        ("concurrency", run.concurrency),
        ("threshold", run.threshold),
        ("data fingerprint", run.data_fingerprint or ""),
        ("GDS version", run.gds_version or ""),
    ]
    if run.modularity is not None:
        rows.append(("modularity", f"{run.modularity:.4f}"))
    for key in sorted(params):
        if key not in {"window", "algorithm", "seed", "concurrency", "threshold"}:
            rows.append((f"parameter {key}", json.dumps(params[key])))
    command = ["cib detect"]
    if run.window is not None:
        command.append(f"--window {run.window}")
    for flag, key in (
        ("--algorithm", "algorithm"),
        ("--seed", "seed"),
        ("--concurrency", "concurrency"),
        ("--min-weight", "min_weight"),
        ("--max-object-shares", "max_object_shares"),
        ("--max-accounts-per-identifier", "max_accounts_per_identifier"),
        ("--min-size", "min_network_size"),
        ("--threshold", "threshold"),
    ):
        if params.get(key) is not None:
            command.append(f"{flag} {params[key]}")
    return [
        Heading(2, "How this was found, and how to reproduce it", anchor="method"),
        Paragraph(
            "Accounts and pages are linked when they co-share the same links, posts or texts "
            "within the window, run the same pages, or use the same devices, phones, IPs or "
            "payment details; communities of that coordination graph are candidate networks. "
            "Inauthenticity is the weighted mean of the cues that had data (a cue without data "
            "is unknown, not 0), and its coverage is shown beside it. Each candidate gets a "
            "verdict tier: coordinated_disclosed when most members openly disclose who runs "
            "them; coordinated_unassessable when too little account metadata exists to judge "
            "authenticity; coordinated_inauthentic (flagged) when coordination times "
            "inauthenticity reaches the threshold; weak otherwise. Coordination alone (media "
            "groups, fan clubs) is not enough, and nothing here is a finding about intent."
        ),
        _table(("", ""), rows, caption="Run parameters"),
        Paragraph(
            "Running detection again with these parameters on data with the same fingerprint "
            "gives the same networks:"
        ),
        Code(" \\\n  ".join(command)),
    ]


def build_document(facts: ReportFacts, pictures: Pictures) -> list[Block]:
    title = f"Coordinated inauthentic behaviour: detection run {facts.run.id}"
    blocks: list[Block] = [Heading(1, title, anchor="top")]
    blocks += summary_blocks(facts)
    blocks.append(Image(pictures.scores, pictures.captions[pictures.scores]))
    shown = facts.detailed
    if facts.flagged and len(shown) < len(facts.flagged):
        blocks.append(
            Paragraph(
                f"The {len(shown)} strongest of the {len(facts.flagged)} flagged networks are "
                "described below; `cib report --top N` describes more."
            )
        )
    for network in shown:
        blocks += network_blocks(network, pictures)
    blocks += method_blocks(facts)
    return blocks
