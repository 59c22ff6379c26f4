"""The bundle's records as flat rows: one set of column names for CSV and JSON alike.

Flat on purpose: spreadsheets and pandas want one value per cell, so per-signal
numbers get their own columns (``signal_co_share``, ``cue_new_accounts``...) instead
of a nested map. The column lists are fixed here, in the order analysts read them.
"""

from __future__ import annotations

from typing import Any

from cibgraph.graph.detect.scoring import CUE_WEIGHTS
from cibgraph.graph.exports.bundle import (
    SIGNALS,
    AttributionRecord,
    EdgeRecord,
    MemberRecord,
    NetworkRecord,
)
from cibgraph.graph.exports.values import plain

CUES = tuple(CUE_WEIGHTS)

NETWORK_COLUMNS: tuple[str, ...] = (
    "network",
    "rank",
    "tier",
    "flagged",
    "score",
    "coordination_score",
    "inauthenticity_score",
    "coverage",
    "metadata_coverage",
    "unknown_cues",
    "size",
    "accounts",
    "pages",
    "admins",
    "followers_total",
    "ad_spend_usd",
    "ad_spend",
    "first_activity",
    "last_activity",
    "disclosed_share",
    "top_organization",
    "top_organization_share",
    *(f"signal_{name}" for name in SIGNALS),
    *(f"cue_{name}" for name in CUES),
    *(f"contribution_{name}" for name in CUES),
)

MEMBER_COLUMNS: tuple[str, ...] = (
    "network",
    "key",
    "id",
    "type",
    "role",
    "name",
    "handle",
    "followers",
    "created_at",
    "country",
    "platform",
    "verified",
    "degree",
    "strength",
    *(f"signal_{name}" for name in SIGNALS),
    "network_score",
    "network_tier",
    "network_flagged",
)

EDGE_COLUMNS: tuple[str, ...] = (
    "source",
    "target",
    "network",
    "source_network",
    "target_network",
    "weight",
    *SIGNALS,
    "co_share_objects",
    "shared_admins",
    "shared_identifiers",
    "urls",
    "reshares",
    "texts",
    "min_gap_seconds",
    "sample_objects",
)

ATTRIBUTION_COLUMNS: tuple[str, ...] = (
    "network",
    "org_id",
    "name",
    "kind",
    "country",
    "share",
    "members",
    "direct",
    "sources",
    "disclosed",
)


def network_row(n: NetworkRecord) -> dict[str, Any]:
    row: dict[str, Any] = {
        "network": n.id,
        "rank": n.rank,
        "tier": n.tier,
        "flagged": n.flagged,
        "score": n.score,
        "coordination_score": n.coordination_score,
        "inauthenticity_score": n.inauthenticity_score,
        "coverage": n.coverage,
        "metadata_coverage": n.metadata_coverage,
        "unknown_cues": list(n.unknown_cues),
        "size": n.size,
        "accounts": n.accounts,
        "pages": n.pages,
        "admins": n.admins,
        "followers_total": n.followers_total,
        "ad_spend_usd": n.ad_spend_usd,
        "ad_spend": n.ad_spend,
        "first_activity": n.first_activity,
        "last_activity": n.last_activity,
        "disclosed_share": n.disclosed_share,
        "top_organization": n.top_organization,
        "top_organization_share": n.top_organization_share,
    }
    for name in SIGNALS:
        row[f"signal_{name}"] = n.coordination.get(name, 0.0)
    # An unknown cue stays empty (null), never 0: its data was missing.
    for name in CUES:
        row[f"cue_{name}"] = n.cues.get(name)
        row[f"contribution_{name}"] = n.inauthenticity.get(name)
    return {key: plain(value) for key, value in row.items()}


def member_row(m: MemberRecord, network: NetworkRecord | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "network": m.network,
        "key": m.key,
        "id": m.id,
        "type": m.type,
        "role": m.role,
        "name": m.name,
        "handle": m.handle,
        "followers": m.followers,
        "created_at": m.created_at,
        "country": m.country,
        "platform": m.platform,
        "verified": m.verified,
        "degree": m.degree,
        "strength": m.strength,
        "network_score": network.score if network else None,
        "network_tier": network.tier if network else None,
        "network_flagged": network.flagged if network else None,
    }
    for name in SIGNALS:
        row[f"signal_{name}"] = m.signals.get(name, 0.0)
    return {key: plain(value) for key, value in row.items()}


def edge_row(e: EdgeRecord) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": e.source,
        "target": e.target,
        "network": e.network,
        "source_network": e.source_network,
        "target_network": e.target_network,
        "weight": e.weight,
        "co_share_objects": e.co_share_objects,
        "shared_admins": e.shared_admins,
        "shared_identifiers": e.shared_identifiers,
        "urls": e.urls,
        "reshares": e.reshares,
        "texts": e.texts,
        "min_gap_seconds": e.min_gap,
        "sample_objects": list(e.sample_objects),
    }
    for name in SIGNALS:
        row[name] = e.signal(name)
    return {key: plain(value) for key, value in row.items()}


def attribution_row(a: AttributionRecord) -> dict[str, Any]:
    return {
        "network": a.network,
        "org_id": a.org_id,
        "name": a.name,
        "kind": a.kind,
        "country": a.country,
        "share": a.share,
        "members": a.members,
        "direct": a.direct,
        "sources": list(a.sources),
        "disclosed": a.disclosed,
    }
