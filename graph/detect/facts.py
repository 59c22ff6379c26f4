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
       EXISTS { (a)-[:AFFILIATED_WITH {source: 'self_disclosed'}]->(:Organization) } AS disclosed,
       EXISTS { (a)-[r:AFFILIATED_WITH]->(:Organization)
                WHERE coalesce(r.source, '') <> 'self_disclosed' } AS affiliated,
       EXISTS { (a)<-[:ADMINISTERS]-(:Account)-[r:AFFILIATED_WITH]->(:Organization)
                WHERE coalesce(r.source, '') <> 'self_disclosed' } AS operator_affiliated,
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

    @property
    def concealed(self) -> bool:
        """Run by (or is) someone known to be affiliated, without saying so itself."""
        return (self.affiliated or self.operator_affiliated) and not self.disclosed


def _facts(row: dict[str, Any]) -> MemberFacts:
    ads = tuple(
        Ad(float(ad["spend"] or 0.0), ad["currency"], ad["payer"], native(ad["started_at"]))
        for ad in row["ads"]
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
        disclosed=bool(row["disclosed"]),
        affiliated=bool(row["affiliated"]),
        operator_affiliated=bool(row["operator_affiliated"]),
        ads=ads,
        admins=tuple(row["admins"]),
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
