"""Candidate networks: communities of the coordination graph, with their admins,
scores, summaries and attribution, written back as Network nodes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cibgraph.core.batches import chunked
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect.attribution import Attribution
from cibgraph.graph.detect.currency import to_usd
from cibgraph.graph.detect.facts import MemberFacts
from cibgraph.graph.detect.scoring import NetworkScore

WRITE_NETWORKS = """
UNWIND $networks AS n
MATCH (run:DetectionRun {id: $run_id})
CREATE (net:Network {id: n.id})
SET net += n.props, net.run_id = $run_id
CREATE (net)-[:DETECTED_IN]->(run)
WITH net, n
UNWIND n.members AS m
MATCH (a:Actor {key: m.key})
CREATE (a)-[:MEMBER_OF {role: m.role, run_id: $run_id}]->(net)
"""

WRITE_ATTRIBUTION = """
UNWIND $rows AS row
MATCH (net:Network {id: row.network})
MATCH (org:Organization {id: row.org})
CREATE (net)-[r:ATTRIBUTED_TO]->(org)
SET r = row.props
"""


@dataclass
class Summary:
    accounts: int
    pages: int
    admins: int
    followers_total: int
    ad_spend: dict[str, float]
    ad_spend_usd: float
    first_activity: datetime | None
    last_activity: datetime | None


@dataclass
class CandidateNetwork:
    members: list[str]
    roles: dict[str, str]
    score: NetworkScore | None = None
    summary: Summary | None = None
    attribution: list[Attribution] = field(default_factory=list)
    flagged: bool = False
    tier: str = ""
    id: str = ""
    rank: int = 0
    # Members that joined as amplified assets (graph/detect/amplified.py): their evidence.
    amplified: dict[str, dict[str, int]] = field(default_factory=dict)


def group(assignments: Mapping[str, int], min_size: int) -> list[list[str]]:
    """Communities with at least ``min_size`` members, largest first (ties by first key)."""
    groups: dict[int, list[str]] = {}
    for key, community in assignments.items():
        groups.setdefault(community, []).append(key)
    kept = [sorted(keys) for keys in groups.values() if len(keys) >= min_size]
    return sorted(kept, key=lambda keys: (-len(keys), keys[0]))


def attach_admins(groups: list[list[str]], facts: Mapping[str, MemberFacts]) -> None:
    """Admins of member pages join the network they run most pages of, if in no network yet.

    Takedowns remove the pages *and* the accounts that ran them; an admin that never
    co-shared is still part of the operation.
    """
    placed = {key for keys in groups for key in keys}
    votes: dict[str, Counter[int]] = {}
    for index, keys in enumerate(groups):
        for key in keys:
            fact = facts.get(key)
            if fact is None or fact.is_account:
                continue
            for admin in fact.admins:
                if admin not in placed:
                    votes.setdefault(admin, Counter())[index] += 1
    for admin, counter in sorted(votes.items()):
        best = min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        groups[best].append(admin)


def role_of(fact: MemberFacts | None, member_pages_admins: set[str]) -> str:
    if fact is None:
        return "account"
    if not fact.is_account:
        return "page"
    return "admin" if fact.key in member_pages_admins else "account"


def summarize(members: Sequence[MemberFacts]) -> Summary:
    spend: dict[str, float] = {}
    usd = 0.0
    for member in members:
        for ad in member.ads:
            currency = (ad.currency or "unknown").upper()
            spend[currency] = round(spend.get(currency, 0.0) + ad.spend, 2)
            usd += to_usd(ad.spend, ad.currency) or 0.0
    pages = [m for m in members if not m.is_account]
    admins_of_members = {admin for page in pages for admin in page.admins}
    firsts = [m.first_post for m in members if m.first_post is not None]
    lasts = [m.last_post for m in members if m.last_post is not None]
    return Summary(
        accounts=sum(1 for m in members if m.is_account),
        pages=len(pages),
        admins=sum(1 for m in members if m.is_account and m.key in admins_of_members),
        followers_total=sum(m.followers or 0 for m in members),
        ad_spend=dict(sorted(spend.items())),
        ad_spend_usd=round(usd, 2),
        first_activity=min(firsts) if firsts else None,
        last_activity=max(lasts) if lasts else None,
    )


def network_props(network: CandidateNetwork) -> dict[str, Any]:
    assert network.score is not None and network.summary is not None
    score, summary = network.score, network.summary
    props: dict[str, Any] = {
        "rank": network.rank,
        "size": len(network.members),
        "accounts": summary.accounts,
        "pages": summary.pages,
        "admins": summary.admins,
        "followers_total": summary.followers_total,
        "ad_spend_usd": summary.ad_spend_usd,
        "ad_spend": json.dumps(summary.ad_spend),
        "first_activity": summary.first_activity,
        "last_activity": summary.last_activity,
        "score": score.score,
        "coordination_score": score.coordination,
        "inauthenticity_score": score.inauthenticity,
        "disclosed_share": score.disclosed_share,
        "flagged": network.flagged,
        "tier": network.tier,
        "coverage": score.coverage,
        "metadata_coverage": score.metadata_coverage,
        "unknown_cues": list(score.unknown),
        "behaviour": json.dumps(score.behaviour),
        # Per-signal contributions, as JSON for exports and flat numbers for Browser.
        "signals": json.dumps(
            {"coordination": score.signal_shares, "inauthenticity": score.cue_contributions}
        ),
        "cues": json.dumps(score.cues),
        "amplified": json.dumps(network.amplified, sort_keys=True) if network.amplified else None,
        "top_organization": network.attribution[0].name if network.attribution else None,
        "top_organization_share": network.attribution[0].share if network.attribution else 0.0,
    }
    for name, value in score.signal_shares.items():
        props[f"signal_{name}"] = value
    for name, value in score.cues.items():
        props[f"cue_{name}"] = value
    return {k: v for k, v in props.items() if v is not None}


def write_networks(
    runner: QueryRunner, run_id: str, networks: Sequence[CandidateNetwork], batch_size: int = 200
) -> None:
    payload = [
        {
            "id": n.id,
            "props": network_props(n),
            "members": [{"key": key, "role": n.roles[key]} for key in n.members],
        }
        for n in networks
    ]
    for batch in chunked(payload, batch_size):
        runner.write(WRITE_NETWORKS, {"networks": batch, "run_id": run_id})
    rows: list[dict[str, Any]] = [
        {
            "network": n.id,
            "org": a.org_id,
            "props": {
                "share": a.share,
                "members": a.members,
                "direct": a.direct,
                "sources": list(a.sources),
                "disclosed": a.disclosed,
                "run_id": run_id,
            },
        }
        for n in networks
        for a in n.attribution
    ]
    for batch in chunked(rows, 2000):
        runner.write(WRITE_ATTRIBUTION, {"rows": batch})
