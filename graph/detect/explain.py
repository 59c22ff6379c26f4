"""The evidence behind a network or a pair, from the query library, plus the exact
Browser script an analyst can paste to see the same paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cibgraph.core.errors import UsageError
from cibgraph.core.runner import QueryRunner, Row
from cibgraph.graph.detect.network_ref import resolve_network
from cibgraph.queries.registry import load_library

NETWORK = """
MATCH (n:Network {id: $id})
OPTIONAL MATCH (a:Actor)-[m:MEMBER_OF]->(n)
WITH n, m.role AS role, a ORDER BY role, coalesce(a.followers, 0) DESC, a.key
WITH n, role, collect({key: a.key, name: coalesce(a.name, a.display_name, a.handle),
                       followers: a.followers, created_at: a.created_at}) AS members
RETURN properties(n) AS network,
       collect({role: role, count: size(members), members: members}) AS roles
"""

RESOLVE_ACTOR = """
MATCH (a:Actor)
WHERE a.key = $ref OR a.id = $ref
RETURN a.key AS key
LIMIT 3
"""


# How a person knows an actor: an account by its @handle (else its display name), a
# page by its name. Keys stay beside them: names are not unique.
ACTOR_NAMES = """
MATCH (a:Actor) WHERE a.key IN $keys
RETURN a.key AS key,
       CASE WHEN a:Account AND a.handle IS NOT NULL THEN '@' + a.handle
            ELSE coalesce(a.name, a.display_name, a.handle) END AS name
"""


@dataclass(frozen=True)
class Explanation:
    subject: str
    summary: dict[str, Any]
    evidence: list[Row]
    browser_script: str
    names: dict[str, str] = field(default_factory=dict)  # actor key -> handle or name

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "summary": self.summary,
            "evidence": self.evidence,
            "browser_script": self.browser_script,
            "names": self.names,
        }


def actor_keys(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every account:/page: key in evidence rows, to look their names up at once."""
    keys: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str) and value.startswith(("account:", "page:")):
            keys.add(value)
        elif isinstance(value, list):
            for item in value:
                add(item)
        elif isinstance(value, Mapping):
            for item in value.values():
                add(item)

    for row in rows:
        for value in row.values():
            add(value)
    return keys


def actor_names(runner: QueryRunner, keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = runner.read(ACTOR_NAMES, {"keys": sorted(keys)})
    return {str(r["key"]): str(r["name"]) for r in rows if r["name"]}


def resolve_actor(runner: QueryRunner, ref: str) -> str:
    """'account:ID', 'page:ID' or a bare id -> the actor key; ambiguity is an error."""
    keys = [row["key"] for row in runner.read(RESOLVE_ACTOR, {"ref": ref})]
    if ref in keys:
        return ref
    if not keys:
        raise UsageError(f"No account or page {ref!r}.", "give 'account:ID' or 'page:ID'")
    if len(keys) > 1:
        raise UsageError(
            f"{ref!r} is both {' and '.join(sorted(keys))}.", "write the key, e.g. 'page:ID'"
        )
    return str(keys[0])


def network_summary(runner: QueryRunner, network_id: str) -> dict[str, Any]:
    rows = runner.read(NETWORK, {"id": network_id})
    if not rows or rows[0]["network"] is None:
        raise UsageError(
            f"No network {network_id!r}.", "`cib networks list` shows a run's networks"
        )
    network = dict(rows[0]["network"])
    for key in ("signals", "cues", "ad_spend", "behaviour"):
        if isinstance(network.get(key), str):
            network[key] = json.loads(network[key])
    network["roles"] = {
        r["role"]: {"count": r["count"], "members": r["members"]}
        for r in rows[0]["roles"]
        if r["role"]
    }
    return network


def explain_network(runner: QueryRunner, network_id: str, limit: int = 20) -> Explanation:
    """``network_id``: the full id, ``n0001`` (newest complete run) or ``RUN:n0001``."""
    network_id = resolve_network(runner, network_id)
    summary = network_summary(runner, network_id)
    query = load_library().get("network_evidence")
    overrides = {"network_id": network_id, "limit": str(limit)}
    evidence = query.run(runner, overrides)
    members = load_library().get("network_members")
    script = (
        members.browser_script({"network_id": network_id})
        + "\n"
        + query.browser_script({"network_id": network_id})
    )
    names = actor_names(runner, actor_keys(evidence))
    return Explanation(network_id, summary, evidence, script, names)


def explain_pair(runner: QueryRunner, a: str, b: str, limit: int = 50) -> Explanation:
    key_a, key_b = resolve_actor(runner, a), resolve_actor(runner, b)
    query = load_library().get("pair_evidence")
    evidence = query.run(runner, {"a": key_a, "b": key_b, "limit": str(limit)})
    edges = runner.read(
        "MATCH (x:Actor {key: $a})-[e:COORDINATED_WITH]-(y:Actor {key: $b}) "
        "RETURN e.run_id AS run_id, properties(e) AS edge ORDER BY e.run_id DESC",
        {"a": key_a, "b": key_b},
    )
    summary = {"a": key_a, "b": key_b, "coordination_edges": edges}
    names = actor_names(runner, actor_keys(evidence) | {key_a, key_b})
    return Explanation(
        f"{key_a} & {key_b}",
        summary,
        evidence,
        query.browser_script({"a": key_a, "b": key_b}),
        names,
    )
