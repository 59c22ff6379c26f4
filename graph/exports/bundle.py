"""A detection run read once into typed records, for every export format and the report.

Four reads, each bounded by the run: its networks, their members, the coordination
edges between members, and the attribution. Members get their share of the internal
evidence (weighted degree split by signal), computed here from the edges, so every
format carries the same numbers.

Edges: every ``COORDINATED_WITH`` edge of the run whose two ends are members of
exported networks. ``network`` is set when both ends are in the same network; an edge
between two networks (Leiden splits a component where it is thin) keeps ``network``
empty but still carries its evidence, because the graph formats need it to show how
networks touch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cibgraph.core.runner import QueryRunner, Row
from cibgraph.core.values import native, stored_json
from cibgraph.graph.exports.progress import NoProgress, Progress
from cibgraph.graph.runs import RunInfo, resolve_run

SIGNALS = (
    "co_share",
    "slow_co_share",
    "shared_admin",
    "shared_identifier",
    "co_hashtag",
    "co_image",
    "co_similar_text",
)

NETWORKS = """
MATCH (run:DetectionRun {id: $run_id})<-[:DETECTED_IN]-(n:Network)
WHERE (NOT $flagged_only OR n.flagged) AND ($max_rank IS NULL OR n.rank <= $max_rank)
RETURN properties(n) AS props
ORDER BY n.rank
"""

MEMBERS = """
MATCH (run:DetectionRun {id: $run_id})<-[:DETECTED_IN]-(n:Network)
WHERE (NOT $flagged_only OR n.flagged) AND ($max_rank IS NULL OR n.rank <= $max_rank)
MATCH (a:Actor)-[m:MEMBER_OF]->(n)
RETURN n.id AS network, a.key AS key, a.id AS id, a:Page AS is_page, m.role AS role,
       coalesce(a.name, a.display_name) AS name, a.handle AS handle, a.followers AS followers,
       a.created_at AS created_at, a.country AS country, a.platform AS platform,
       a.verified AS verified
ORDER BY n.rank, m.role, a.key
"""

# From each member outwards, so the walk is bounded by the members' own edges.
EDGES = """
MATCH (run:DetectionRun {id: $run_id})<-[:DETECTED_IN]-(n:Network)
WHERE (NOT $flagged_only OR n.flagged) AND ($max_rank IS NULL OR n.rank <= $max_rank)
MATCH (a:Actor)-[:MEMBER_OF]->(n)
MATCH (a)-[e:COORDINATED_WITH {run_id: $run_id}]->(b:Actor)
MATCH (b)-[:MEMBER_OF {run_id: $run_id}]->(other:Network)
WHERE (NOT $flagged_only OR other.flagged) AND ($max_rank IS NULL OR other.rank <= $max_rank)
RETURN a.key AS source, b.key AS target, n.id AS source_network, other.id AS target_network,
       properties(e) AS props
ORDER BY source, target
"""

ATTRIBUTION = """
MATCH (run:DetectionRun {id: $run_id})<-[:DETECTED_IN]-(n:Network)
WHERE (NOT $flagged_only OR n.flagged) AND ($max_rank IS NULL OR n.rank <= $max_rank)
MATCH (n)-[r:ATTRIBUTED_TO]->(org:Organization)
RETURN n.id AS network, org.id AS org_id, org.name AS name, org.kind AS kind,
       org.country AS country, r.share AS share, r.members AS members, r.direct AS direct,
       r.sources AS sources, r.disclosed AS disclosed
ORDER BY n.rank, r.share DESC, org.id
"""


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _optional_float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


@dataclass(frozen=True)
class NetworkRecord:
    id: str
    rank: int
    size: int
    accounts: int
    pages: int
    admins: int
    followers_total: int
    ad_spend_usd: float
    ad_spend: dict[str, float]
    first_activity: datetime | None
    last_activity: datetime | None
    score: float
    coordination_score: float
    inauthenticity_score: float
    disclosed_share: float
    flagged: bool
    # Share of the internal edge weight per pair signal (sums to 1).
    coordination: dict[str, float]
    # Contribution of each inauthenticity cue (sums to inauthenticity_score).
    inauthenticity: dict[str, float]
    cues: dict[str, float]
    top_organization: str | None
    top_organization_share: float
    # The verdict tier (graph/detect/scoring.py TIERS); runs from before tiers say "".
    tier: str = ""
    coverage: float | None = None  # share of all cue weight that was assessable
    metadata_coverage: float | None = None
    unknown_cues: tuple[str, ...] = ()
    behaviour: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> NetworkRecord:
        signals = stored_json(props.get("signals"), {})
        return cls(
            id=str(props["id"]),
            rank=_int(props.get("rank")),
            size=_int(props.get("size")),
            accounts=_int(props.get("accounts")),
            pages=_int(props.get("pages")),
            admins=_int(props.get("admins")),
            followers_total=_int(props.get("followers_total")),
            ad_spend_usd=_float(props.get("ad_spend_usd")),
            ad_spend={str(k): _float(v) for k, v in stored_json(props.get("ad_spend"), {}).items()},
            first_activity=native(props.get("first_activity")),
            last_activity=native(props.get("last_activity")),
            score=_float(props.get("score")),
            coordination_score=_float(props.get("coordination_score")),
            inauthenticity_score=_float(props.get("inauthenticity_score")),
            disclosed_share=_float(props.get("disclosed_share")),
            flagged=bool(props.get("flagged")),
            coordination={
                str(k): _float(v) for k, v in (signals.get("coordination") or {}).items()
            },
            inauthenticity={
                str(k): _float(v) for k, v in (signals.get("inauthenticity") or {}).items()
            },
            cues={str(k): _float(v) for k, v in stored_json(props.get("cues"), {}).items()},
            top_organization=props.get("top_organization"),
            top_organization_share=_float(props.get("top_organization_share")),
            tier=str(props.get("tier") or ""),
            coverage=_optional_float(props.get("coverage")),
            metadata_coverage=_optional_float(props.get("metadata_coverage")),
            unknown_cues=tuple(str(c) for c in props.get("unknown_cues") or ()),
            behaviour=dict(stored_json(props.get("behaviour"), {})),
        )


@dataclass
class MemberRecord:
    network: str
    key: str
    id: str
    type: str  # account | page
    role: str  # account | page | admin
    name: str | None
    handle: str | None
    followers: int | None
    created_at: datetime | None
    country: str | None
    platform: str | None
    verified: bool | None
    # This member's part of its network's internal evidence, filled from the edges.
    degree: int = 0
    strength: float = 0.0
    signals: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SIGNALS, 0.0))

    @classmethod
    def from_row(cls, row: Row) -> MemberRecord:
        return cls(
            network=str(row["network"]),
            key=str(row["key"]),
            id=str(row["id"]),
            type="page" if row["is_page"] else "account",
            role=str(row["role"] or ("page" if row["is_page"] else "account")),
            name=row.get("name"),
            handle=row.get("handle"),
            followers=row.get("followers"),
            created_at=native(row.get("created_at")),
            country=row.get("country"),
            platform=row.get("platform"),
            verified=row.get("verified"),
        )


@dataclass(frozen=True)
class EdgeRecord:
    source: str
    target: str
    network: str | None  # both ends in this network; None between two networks
    source_network: str
    target_network: str
    weight: float
    co_share: float
    slow_co_share: float
    shared_admin: float
    shared_identifier: float
    co_hashtag: float
    co_image: float
    co_similar_text: float
    co_share_objects: int
    slow_co_share_objects: int
    shared_admins: int
    shared_identifiers: int
    urls: int
    reshares: int
    texts: int
    min_gap: int | None  # fastest co-share gap, seconds
    sample_objects: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Row) -> EdgeRecord:
        props = row["props"]
        same = row["source_network"] == row["target_network"]
        return cls(
            source=str(row["source"]),
            target=str(row["target"]),
            network=str(row["source_network"]) if same else None,
            source_network=str(row["source_network"]),
            target_network=str(row["target_network"]),
            weight=_float(props.get("weight")),
            co_share=_float(props.get("co_share")),
            slow_co_share=_float(props.get("slow_co_share")),
            shared_admin=_float(props.get("shared_admin")),
            shared_identifier=_float(props.get("shared_identifier")),
            co_hashtag=_float(props.get("co_hashtag")),
            co_image=_float(props.get("co_image")),
            co_similar_text=_float(props.get("co_similar_text")),
            co_share_objects=_int(props.get("co_share_objects")),
            slow_co_share_objects=_int(props.get("slow_co_share_objects")),
            shared_admins=_int(props.get("shared_admins")),
            shared_identifiers=_int(props.get("shared_identifiers")),
            urls=_int(props.get("urls")),
            reshares=_int(props.get("reshares")),
            texts=_int(props.get("texts")),
            min_gap=props.get("min_gap"),
            sample_objects=tuple(str(s) for s in props.get("sample_objects") or ()),
        )

    def signal(self, name: str) -> float:
        return float(getattr(self, name))


@dataclass(frozen=True)
class AttributionRecord:
    network: str
    org_id: str
    name: str | None
    kind: str | None
    country: str | None
    share: float
    members: int
    direct: int
    sources: tuple[str, ...]
    disclosed: bool | None

    @classmethod
    def from_row(cls, row: Row) -> AttributionRecord:
        return cls(
            network=str(row["network"]),
            org_id=str(row["org_id"]),
            name=row.get("name"),
            kind=row.get("kind"),
            country=row.get("country"),
            share=_float(row.get("share")),
            members=_int(row.get("members")),
            direct=_int(row.get("direct")),
            sources=tuple(str(s) for s in row.get("sources") or ()),
            disclosed=row.get("disclosed"),
        )


@dataclass
class RunBundle:
    run: RunInfo
    flagged_only: bool
    networks: list[NetworkRecord]
    members: list[MemberRecord]
    edges: list[EdgeRecord]
    attribution: list[AttributionRecord]

    def counts(self) -> dict[str, int]:
        return {
            "networks": len(self.networks),
            "flagged": sum(1 for n in self.networks if n.flagged),
            "members": len(self.members),
            "edges": len(self.edges),
            "attribution": len(self.attribution),
        }

    def members_of(self, network_id: str) -> list[MemberRecord]:
        return [m for m in self.members if m.network == network_id]

    def edges_of(self, network_id: str) -> list[EdgeRecord]:
        return [e for e in self.edges if e.network == network_id]

    def attribution_of(self, network_id: str) -> list[AttributionRecord]:
        return [a for a in self.attribution if a.network == network_id]


def add_member_evidence(members: list[MemberRecord], edges: list[EdgeRecord]) -> None:
    """Each member's internal degree, strength and per-signal weight, from the edges."""
    by_key = {m.key: m for m in members}
    for edge in edges:
        if edge.network is None:
            continue
        for key in (edge.source, edge.target):
            member = by_key.get(key)
            if member is None:
                continue
            member.degree += 1
            member.strength = round(member.strength + edge.weight, 4)
            for name in SIGNALS:
                member.signals[name] = round(member.signals[name] + edge.signal(name), 4)


def read_bundle(
    runner: QueryRunner,
    run_id: str | None = None,
    flagged_only: bool = False,
    progress: Progress | None = None,
    max_rank: int | None = None,
) -> RunBundle:
    """Read one complete run (default: the newest) into records, in four bounded queries.

    ``max_rank`` keeps only the networks ranked that high or higher (the report's
    top candidates when nothing is flagged).
    """
    progress = progress or NoProgress()
    run = resolve_run(runner, run_id)
    params = {"run_id": run.id, "flagged_only": flagged_only, "max_rank": max_rank}
    progress.stage("Reading networks", 4)
    networks = [NetworkRecord.from_props(r["props"]) for r in runner.read(NETWORKS, params)]
    progress.advance()
    members = [MemberRecord.from_row(r) for r in runner.read(MEMBERS, params)]
    progress.advance()
    edges = [EdgeRecord.from_row(r) for r in runner.read(EDGES, params)]
    progress.advance()
    attribution = [AttributionRecord.from_row(r) for r in runner.read(ATTRIBUTION, params)]
    progress.advance()
    add_member_evidence(members, edges)
    return RunBundle(run, flagged_only, networks, members, edges, attribution)
