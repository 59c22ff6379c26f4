"""Attribution: which organisations stand behind a network's members, and how many.

A member is behind an organisation when it is affiliated with it, or when a page
it is (or an admin of it) is run by an affiliated admin; affiliation passes up
PART_OF to parent organisations (a party's IT cell -> the party).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cibgraph.core.batches import chunked
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect.disclosure import is_disclosed

AFFILIATIONS = """
UNWIND $keys AS key
MATCH (a:Actor {key: key})
CALL (a) {
  MATCH (a)-[r:AFFILIATED_WITH]->(o:Organization)
  RETURN o, r.source AS source, r.disclosed AS disclosed, r.confidence AS confidence,
         'member' AS via
  UNION
  MATCH (a)<-[:ADMINISTERS]-(:Account)-[r:AFFILIATED_WITH]->(o:Organization)
  RETURN o, r.source AS source, r.disclosed AS disclosed, r.confidence AS confidence,
         'admin' AS via
  UNION
  MATCH (a)-[:ADMINISTERS]->(:Page)-[r:AFFILIATED_WITH]->(o:Organization)
  RETURN o, r.source AS source, r.disclosed AS disclosed, r.confidence AS confidence,
         'page' AS via
}
MATCH path = (o)-[:PART_OF*0..5]->(org:Organization)
RETURN key, org.id AS org, org.name AS name, org.kind AS kind, length(path) AS hops,
       source, disclosed, confidence, via
"""


@dataclass(frozen=True)
class Attribution:
    org_id: str
    name: str | None
    kind: str | None
    members: int
    share: float
    direct: bool  # some member is affiliated with this organisation itself (not via a child)
    sources: tuple[str, ...]
    # Every member behind it is openly tied to it: its own disclosed tie, a disclosed
    # tie of its admins, or (for an admin) the pages it runs disclosing it
    # (graph/detect/disclosure.py).
    disclosed: bool


def affiliations_of(
    runner: QueryRunner, keys: Iterable[str], batch_size: int = 5000
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for batch in chunked(sorted(set(keys)), batch_size):
        rows.extend(runner.read(AFFILIATIONS, {"keys": batch}))
    return rows


def attribute(members: Sequence[str], rows: Iterable[Mapping[str, object]]) -> list[Attribution]:
    """Organisations behind ``members``, largest share first."""
    member_set = set(members)
    behind: dict[str, set[str]] = {}
    info: dict[str, tuple[object, object]] = {}
    direct: dict[str, bool] = {}
    sources: dict[str, set[str]] = {}
    public: dict[str, set[str]] = {}
    for row in rows:
        key = str(row["key"])
        if key not in member_set:
            continue
        org = str(row["org"])
        if is_disclosed(row.get("source"), row.get("disclosed")):
            public.setdefault(org, set()).add(key)
        # An admin's pages disclosing an organisation clear the admin's own tie to it,
        # but do not put the admin behind the organisation (attribution stays as it was).
        if row.get("via") == "page":
            continue
        behind.setdefault(org, set()).add(key)
        info[org] = (row["name"], row["kind"])
        direct[org] = direct.get(org, False) or row["hops"] == 0
        sources.setdefault(org, set()).add(str(row["source"] or "unknown"))
    size = max(len(member_set), 1)
    result = [
        Attribution(
            org_id=org,
            name=None if info[org][0] is None else str(info[org][0]),
            kind=None if info[org][1] is None else str(info[org][1]),
            members=len(keys),
            share=round(len(keys) / size, 4),
            direct=direct[org],
            sources=tuple(sorted(sources[org])),
            disclosed=keys <= public.get(org, set()),
        )
        for org, keys in behind.items()
    ]
    return sorted(result, key=lambda a: (-a.share, a.org_id))
