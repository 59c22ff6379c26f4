"""The facts about candidate-network members that scoring and reports need.

One bulk query per batch of members, so scoring costs a few round trips however
many networks there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cibgraph.core.batches import chunked
from cibgraph.core.runner import QueryRunner
from cibgraph.core.values import native
from cibgraph.graph.detect.disclosure import is_disclosed

FACTS = """
UNWIND $keys AS key
MATCH (a:Actor {key: key})
OPTIONAL CALL (a) {
  MATCH (a)-[:POSTED]->(p:Post)
  RETURN min(p.created_at) AS first_post, max(p.created_at) AS last_post, count(p) AS posts
}
RETURN key,
       a:Account AS is_account,
       a:Admin AS is_admin,
       a.created_at AS created_at,
       a.followers AS followers,
       a.handle AS handle,
       coalesce(a.name, a.display_name, a.handle) AS name,
       a.country AS country,
       first_post, last_post, coalesce(posts, 0) AS posts,
       EXISTS { (a)-[:USES]->(:Identifier) } AS has_identifiers,
       [(a)-[r:AFFILIATED_WITH]->(o:Organization)
        | {org: o.id, source: r.source, disclosed: r.disclosed}] AS ties,
       [(a)<-[:ADMINISTERS]-(:Account)-[r:AFFILIATED_WITH]->(o:Organization)
        | {org: o.id, source: r.source, disclosed: r.disclosed}] AS admin_ties,
       [(a)-[:ADMINISTERS]->(:Page)-[r:AFFILIATED_WITH]->(o:Organization)
        | {org: o.id, source: r.source, disclosed: r.disclosed}] AS page_ties,
       [(a)-[:RAN_AD]->(ad:Ad) | {spend: ad.spend, currency: ad.currency, payer: ad.paid_for_by,
                                  started_at: ad.started_at}] AS ads,
       [(a)<-[:ADMINISTERS]-(admin:Account) | admin.key] AS admins
"""


@dataclass(frozen=True)
class Ad:
    spend: float
    currency: str | None
    payer: str | None
    started_at: datetime | None


@dataclass(frozen=True)
class MemberFacts:
    key: str
    is_account: bool
    is_admin: bool
    created_at: datetime | None
    followers: int | None
    handle: str | None
    name: str | None
    country: str | None
    first_post: datetime | None
    last_post: datetime | None
    posts: int
    disclosed: bool
    affiliated: bool
    operator_affiliated: bool
    ads: tuple[Ad, ...] = field(default_factory=tuple)
    admins: tuple[str, ...] = field(default_factory=tuple)
    # Any identifier (device, IP, phone...) recorded for it: identifier reuse is
    # only assessable where the data holds identifiers at all.
    has_identifiers: bool = False

    @property
    def concealed(self) -> bool:
        """Run by (or is) someone known to be affiliated, without saying so itself."""
        return (self.affiliated or self.operator_affiliated) and not self.disclosed

    @property
    def tied(self) -> bool:
        """Some affiliation, its own or its admins', is known: concealment is assessable."""
        return self.affiliated or self.operator_affiliated or self.disclosed


def _ties(rows: Any) -> list[tuple[str, bool]]:
    return [(str(t["org"]), is_disclosed(t.get("source"), t.get("disclosed"))) for t in rows or ()]


def disclosure(
    ties: list[tuple[str, bool]],
    admin_ties: list[tuple[str, bool]],
    page_ties: list[tuple[str, bool]],
) -> tuple[bool, bool, bool]:
    """(disclosed, affiliated, operator_affiliated) for one actor, organisation by organisation.

    An organisation is public for the actor when the actor's own tie to it is
    disclosed, when the actor is a page whose admins openly say they work for it
    (the page is run by the disclosed organisation's own staff), or when the actor
    is an admin of pages that disclose it. ``affiliated`` / ``operator_affiliated``
    keep only ties to organisations that are not public for the actor.
    """
    public = {org for org, open_ in ties if open_}
    public |= {org for org, open_ in admin_ties if open_}
    public |= {org for org, open_ in page_ties if open_}
    affiliated = any(org not in public for org, _ in ties)
    operator_affiliated = any(org not in public for org, _ in admin_ties)
    return bool(public), affiliated, operator_affiliated


def _facts(row: dict[str, Any]) -> MemberFacts:
    ads = tuple(
        Ad(float(ad["spend"] or 0.0), ad["currency"], ad["payer"], native(ad["started_at"]))
        for ad in row["ads"]
    )
    disclosed, affiliated, operator_affiliated = disclosure(
        _ties(row.get("ties")), _ties(row.get("admin_ties")), _ties(row.get("page_ties"))
    )
    return MemberFacts(
        key=row["key"],
        is_account=bool(row["is_account"]),
        is_admin=bool(row["is_admin"]),
        created_at=native(row["created_at"]),
        followers=row["followers"],
        handle=row["handle"],
        name=row["name"],
        country=row["country"],
        first_post=native(row["first_post"]),
        last_post=native(row["last_post"]),
        posts=int(row["posts"]),
        disclosed=disclosed,
        affiliated=affiliated,
        operator_affiliated=operator_affiliated,
        ads=ads,
        admins=tuple(row["admins"]),
        has_identifiers=bool(row.get("has_identifiers")),
    )


def member_facts(
    runner: QueryRunner, keys: Iterable[str], batch_size: int = 5000
) -> dict[str, MemberFacts]:
    facts: dict[str, MemberFacts] = {}
    for batch in chunked(sorted(set(keys)), batch_size):
        for row in runner.read(FACTS, {"keys": batch}):
            fact = _facts(row)
            facts[fact.key] = fact
    return facts
