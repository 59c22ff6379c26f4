"""Amplified assets: the pages and accounts a flagged network exists to boost.

A network of fake accounts resharing a few small pages' posts within seconds co-shares
those posts, so the accounts form the network; the pages only posted, so they are in
no pair and no community. Takedowns remove them too: an actor outside every network
joins a flagged network, with role ``amplified``, when the network's members made
most of the reshares its posts ever got (README, "Amplified assets"):

- at least ``AMPLIFIED_SHARE`` (a majority) of all reshares of its posts come from
  that network's members, and
- those are at least ``MIN_RESHARES`` reshares by at least ``MIN_RESHARERS`` distinct
  members (one member resharing a friend twice is not an operation's target).

The numbers behind each such member are its evidence, kept on the network
(``amplified``: reshares from members, all reshares, resharing members). Amplified
members are added after scoring: they never raise the network's score, they only
complete its list of assets.

Never the open: an operation may boost a real newspaper's or a minister's posts, and
being boosted is not taking part. An actor that discloses who runs it (a disclosed
affiliation, by the rule of graph/detect/disclosure.py, as scoring reads it) or whose
identity the platform verified (``verified: true``) never joins as amplified; the
candidates left out are counted (``spared``), so the run says how many it declined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect.facts import member_facts
from cibgraph.graph.detect.networks import CandidateNetwork, summarize

AMPLIFIED_SHARE = 0.5
MIN_RESHARES = 5
MIN_RESHARERS = 3
ROLE = "amplified"

# Per (candidate actor, network): reshares of the actor's posts by that network's
# members, and by anyone. The member list is bounded by the flagged networks' sizes.
RESHARED_BY_MEMBERS = """
UNWIND $members AS row
MATCH (m:Actor {key: row.key})-[:POSTED]->(:Post)-[:SHARES]->(:Post)<-[:POSTED]-(x:Actor)
WHERE NOT x.key IN $placed
WITH x, row.network AS network, count(*) AS from_members, count(DISTINCT m) AS resharers
WHERE from_members >= $min_reshares AND resharers >= $min_resharers
CALL (x) {
  MATCH (x)-[:POSTED]->(:Post)<-[:SHARES]-(r:Post)
  RETURN count(r) AS reshares
}
RETURN x.key AS key, network, from_members, resharers, reshares,
       coalesce(x.verified, false) AS verified
"""


@dataclass(frozen=True)
class Amplified:
    key: str
    network: int
    from_members: int
    reshares: int
    resharers: int

    @property
    def share(self) -> float:
        return self.from_members / self.reshares if self.reshares else 0.0


@dataclass(frozen=True)
class Found:
    amplified: list[Amplified]
    # Candidates that met the thresholds but are open (disclosed or verified).
    spared: list[str]


def find_amplified(runner: QueryRunner, networks: Sequence[CandidateNetwork]) -> Found:
    """Actors outside every network that a flagged network amplifies (module docstring)."""
    members = [
        {"key": key, "network": index}
        for index, network in enumerate(networks)
        if network.flagged
        for key in network.members
    ]
    if not members:
        return Found([], [])
    placed = sorted({key for network in networks for key in network.members})
    rows = runner.read(
        RESHARED_BY_MEMBERS,
        {
            "members": members,
            "placed": placed,
            "min_reshares": MIN_RESHARES,
            "min_resharers": MIN_RESHARERS,
        },
    )
    rows = [row for row in rows if row["from_members"] >= AMPLIFIED_SHARE * row["reshares"]]
    facts = member_facts(runner, {str(row["key"]) for row in rows})
    open_ = {
        str(row["key"])
        for row in rows
        if row["verified"] is True
        or (str(row["key"]) in facts and facts[str(row["key"])].disclosed)
    }
    best: dict[str, Amplified] = {}
    for row in rows:
        if str(row["key"]) in open_:
            continue
        found = Amplified(
            str(row["key"]),
            int(row["network"]),
            int(row["from_members"]),
            int(row["reshares"]),
            int(row["resharers"]),
        )
        if found.share < AMPLIFIED_SHARE:
            continue
        held = best.get(found.key)
        # An actor boosted by two flagged networks joins the one resharing it most.
        if held is None or (found.from_members, -found.network) > (
            held.from_members,
            -held.network,
        ):
            best[found.key] = found
    return Found(sorted(best.values(), key=lambda a: a.key), sorted(open_))


def attach_amplified(runner: QueryRunner, networks: Sequence[CandidateNetwork]) -> tuple[int, int]:
    """Add every amplified actor to its network, role ``amplified``.

    Returns (how many joined, how many open candidates were spared).
    """
    found = find_amplified(runner, networks)
    touched: set[int] = set()
    for amplified in found.amplified:
        network = networks[amplified.network]
        network.members = sorted([*network.members, amplified.key])
        network.roles[amplified.key] = ROLE
        network.amplified[amplified.key] = {
            "reshares_from_members": amplified.from_members,
            "reshares": amplified.reshares,
            "resharing_members": amplified.resharers,
        }
        touched.add(amplified.network)
    for index in sorted(touched):
        # The summary counts the assets it now holds (a boosted page is a page of it).
        network = networks[index]
        facts = member_facts(runner, set(network.members))
        network.summary = summarize([facts[k] for k in network.members if k in facts])
    return len(found.amplified), len(found.spared)
