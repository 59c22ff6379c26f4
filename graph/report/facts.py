"""Everything a takedown-style report states, gathered from the graph into plain records.

The report says nothing the graph does not hold: counts, followers, ad spend, dates and
attribution come from the Network nodes (via the export bundle); the evidence comes
from the ``network_evidence`` library query, the same one ``cib explain`` and the
Browser guide use, so an analyst can re-run every claim in Browser; the timelines and
the per-object timing come from small queries bounded by one network's members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cibgraph.core.runner import QueryRunner
from cibgraph.core.values import native
from cibgraph.graph.exports.bundle import (
    AttributionRecord,
    EdgeRecord,
    MemberRecord,
    NetworkRecord,
    read_bundle,
)
from cibgraph.graph.exports.progress import NoProgress, Progress
from cibgraph.graph.runs import RunInfo
from cibgraph.queries.registry import load_library

EVIDENCE_ROWS = 10  # rows per evidence section, per network
TOP_OBJECTS = 8

ALL_SCORES = """
MATCH (run:DetectionRun {id: $run_id})<-[:DETECTED_IN]-(n:Network)
RETURN n.score AS score, n.flagged AS flagged, n.tier AS tier
"""

POSTS_PER_DAY = """
MATCH (n:Network {id: $network_id})<-[:MEMBER_OF]-(a:Actor)-[:POSTED]->(p:Post)
RETURN date(p.created_at) AS day, count(*) AS posts
ORDER BY day
"""

# One query per object kind; each starts from an indexed lookup and keeps the member shares.
OBJECT_SHARES = {
    "url": """
MATCH (:Url {url: $ref})<-[:LINKS_TO]-(p:Post)<-[:POSTED]-(a:Actor)
      -[:MEMBER_OF]->(:Network {id: $network_id})
RETURN a.key AS actor, p.created_at AS at, null AS text
""",
    "post": """
MATCH (o:Post {id: $ref})<-[:SHARES]-(p:Post)<-[:POSTED]-(a:Actor)
      -[:MEMBER_OF]->(:Network {id: $network_id})
RETURN a.key AS actor, p.created_at AS at, o.text AS text
""",
    "text": """
MATCH (p:Post {text_hash: $ref})<-[:POSTED]-(a:Actor)-[:MEMBER_OF]->(:Network {id: $network_id})
RETURN a.key AS actor, p.created_at AS at, p.text AS text
""",
}


@dataclass(frozen=True)
class SharedObject:
    """An object (URL, reshared post, identical text) several members pushed."""

    kind: str  # url | post | text
    ref: str
    text: str | None  # the post's or the text's words, when known
    pairs: int  # strongest pairs that share it (from network_evidence)
    sharers: int  # members that shared it
    shares: int
    first_gap_s: int | None  # seconds between the first two member shares
    span_s: int | None  # seconds between the first and the last member share


@dataclass(frozen=True)
class PairEvidence:
    a: str
    b: str
    weight: float
    co_share: float
    slow_co_share: float
    shared_admin: float
    shared_identifier: float
    objects: int
    fastest_gap_s: int | None


@dataclass(frozen=True)
class SharedAdmin:
    admin: str
    pages: int
    sample: tuple[str, ...]


@dataclass(frozen=True)
class SharedIdentifier:
    identifier: str  # kind:hash-prefix, never the value
    accounts: int
    sample: tuple[str, ...]


@dataclass
class NetworkFacts:
    network: NetworkRecord
    members: list[MemberRecord]
    edges: list[EdgeRecord]
    attribution: list[AttributionRecord]
    pairs: list[PairEvidence] = field(default_factory=list)
    objects: list[SharedObject] = field(default_factory=list)
    shared_admins: list[SharedAdmin] = field(default_factory=list)
    shared_identifiers: list[SharedIdentifier] = field(default_factory=list)
    posts_per_day: list[tuple[date, int]] = field(default_factory=list)
    browser_script: str = ""

    @property
    def posts(self) -> int:
        return sum(n for _, n in self.posts_per_day)


@dataclass
class ReportFacts:
    run: RunInfo
    flagged: list[NetworkRecord]  # every flagged network, for the summary table
    # The top flagged networks in full; when none is flagged, the top candidates.
    detailed: list[NetworkFacts]
    scores: list[tuple[float, bool]]  # every candidate network: (score, flagged)
    generated_at: datetime | None = None
    tiers: dict[str, int] = field(default_factory=dict)  # candidate networks per tier

    @property
    def candidates(self) -> int:
        return len(self.scores)


def _seconds(a: Any, b: Any) -> int:
    return int(abs((b - a).total_seconds()))


def _split_object(obj: str) -> tuple[str, str]:
    kind, _, ref = obj.partition(":")
    return kind, ref


def shared_objects(
    runner: QueryRunner, network_id: str, pairs: Sequence[dict[str, Any]], top: int = TOP_OBJECTS
) -> list[SharedObject]:
    """The objects the strongest pairs co-shared, with how many members pushed each and how fast."""
    counted: dict[str, int] = {}
    for detail in pairs:
        for obj in detail.get("sample") or ():
            counted[str(obj)] = counted.get(str(obj), 0) + 1
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:top]
    objects: list[SharedObject] = []
    for obj, pair_count in ranked:
        kind, ref = _split_object(obj)
        query = OBJECT_SHARES.get(kind)
        rows = runner.read(query, {"ref": ref, "network_id": network_id}) if query else []
        times = sorted(native(r["at"]) for r in rows if r["at"] is not None)
        text = next((str(r["text"]) for r in rows if r.get("text")), None)
        objects.append(
            SharedObject(
                kind=kind,
                ref=ref,
                text=text,
                pairs=pair_count,
                sharers=len({r["actor"] for r in rows}),
                shares=len(rows),
                first_gap_s=_seconds(times[0], times[1]) if len(times) >= 2 else None,
                span_s=_seconds(times[0], times[-1]) if len(times) >= 2 else None,
            )
        )
    return objects


def evidence(runner: QueryRunner, facts: NetworkFacts, limit: int = EVIDENCE_ROWS) -> None:
    """Fill the evidence sections from the ``network_evidence`` library query."""
    query = load_library().get("network_evidence")
    network_id = facts.network.id
    rows = query.run(runner, {"network_id": network_id, "limit": str(limit)})
    details: list[dict[str, Any]] = []
    for row in rows:
        detail = row.get("detail") or {}
        if row["section"] == "coordination":
            details.append(detail)
            facts.pairs.append(
                PairEvidence(
                    a=str(row["subject"]),
                    b=str(row["object"]),
                    weight=float(detail.get("weight") or 0.0),
                    co_share=float(detail.get("co_share") or 0.0),
                    slow_co_share=float(detail.get("slow_co_share") or 0.0),
                    shared_admin=float(detail.get("shared_admin") or 0.0),
                    shared_identifier=float(detail.get("shared_identifier") or 0.0),
                    objects=int(detail.get("objects") or 0),
                    fastest_gap_s=detail.get("fastest_gap_s"),
                )
            )
        elif row["section"] == "shared admin":
            pages = tuple(str(p) for p in detail.get("pages") or ())
            facts.shared_admins.append(
                SharedAdmin(str(row["subject"]), _leading_int(row["object"], len(pages)), pages)
            )
        elif row["section"] == "shared identifier":
            accounts = tuple(str(a) for a in detail.get("accounts") or ())
            facts.shared_identifiers.append(
                SharedIdentifier(
                    str(row["subject"]), _leading_int(row["object"], len(accounts)), accounts
                )
            )
    facts.objects = shared_objects(runner, network_id, details)
    members = load_library().get("network_members")
    facts.browser_script = (
        members.browser_script({"network_id": network_id})
        + "\n"
        + query.browser_script({"network_id": network_id})
    )


def _leading_int(text: Any, default: int) -> int:
    head = str(text).split(" ", 1)[0]
    return int(head) if head.isdigit() else default


def posts_per_day(runner: QueryRunner, network_id: str) -> list[tuple[date, int]]:
    rows = runner.read(POSTS_PER_DAY, {"network_id": network_id})
    return [(native(r["day"]), int(r["posts"])) for r in rows if r["day"] is not None]


def gather_facts(
    runner: QueryRunner,
    run_id: str | None = None,
    top: int = 10,
    progress: Progress | None = None,
) -> ReportFacts:
    """Read one complete run (default: the newest) and the evidence of its ``top``
    strongest flagged networks, or of its ``top`` strongest candidates when none is
    flagged."""
    progress = progress or NoProgress()
    bundle = read_bundle(runner, run_id, flagged_only=True, progress=progress)
    flagged = bundle.networks
    rows = runner.read(ALL_SCORES, {"run_id": bundle.run.id})
    scores = [(float(r["score"] or 0.0), bool(r["flagged"])) for r in rows]
    tiers: dict[str, int] = {}
    for r in rows:
        tier = str(r.get("tier") or "")
        tiers[tier] = tiers.get(tier, 0) + 1
    if not flagged and top > 0 and rows:
        # Nothing flagged: describe the strongest candidates anyway (the document says so).
        bundle = read_bundle(runner, bundle.run.id, progress=progress, max_rank=top)
    chosen = bundle.networks[: max(top, 0)]
    progress.stage("Gathering evidence", len(chosen))
    detailed: list[NetworkFacts] = []
    for network in chosen:
        facts = NetworkFacts(
            network=network,
            members=bundle.members_of(network.id),
            edges=bundle.edges_of(network.id),
            attribution=bundle.attribution_of(network.id),
        )
        evidence(runner, facts)
        facts.posts_per_day = posts_per_day(runner, network.id)
        detailed.append(facts)
        progress.advance()
    return ReportFacts(
        run=bundle.run, flagged=flagged, detailed=detailed, scores=scores, tiers=tiers
    )
