"""Comparing two detection runs: which networks persist, which appear, which disappear.

Operations come back after a takedown with some of the same assets, so the useful view
is "the network we saw in run A is (mostly) the one in run B". Networks are matched by
member overlap - the Jaccard index of their member keys - greedily, best overlap first:
each network matches at most one other, and a pair counts only at ``min_overlap`` or
more. Greedy rather than an optimal assignment because overlaps between different real
networks are small, so the best pair is almost always the right one, and greedy is easy
to explain to an analyst ("highest overlap wins"). Ties break on shared members, then on
rank and id, so the result never depends on dictionary order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cibgraph.core.errors import UsageError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.runs import resolve_run

DEFAULT_MIN_OVERLAP = 0.3

NETWORK_MEMBERS = """
MATCH (run:DetectionRun {id: $run_id})<-[:DETECTED_IN]-(n:Network)
OPTIONAL MATCH (a:Actor)-[:MEMBER_OF]->(n)
WITH n, collect(a.key) AS members
RETURN n.id AS id, n.rank AS rank, n.score AS score, n.flagged AS flagged, members
ORDER BY n.rank
"""


@dataclass(frozen=True)
class NetworkMembers:
    id: str
    rank: int
    score: float
    flagged: bool
    members: frozenset[str]

    def summary(self) -> dict[str, Any]:
        return {
            "network": self.id,
            "rank": self.rank,
            "score": self.score,
            "flagged": self.flagged,
            "size": len(self.members),
        }


@dataclass(frozen=True)
class Match:
    a: NetworkMembers
    b: NetworkMembers
    overlap: float  # Jaccard of member keys
    shared: int
    joined: tuple[str, ...]  # in B, not in A
    left: tuple[str, ...]  # in A, not in B

    @property
    def score_change(self) -> float:
        return round(self.b.score - self.a.score, 4)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.summary(),
            "b": self.b.summary(),
            "overlap": self.overlap,
            "shared": self.shared,
            "joined": len(self.joined),
            "left": len(self.left),
            "score_change": self.score_change,
            "joined_members": list(self.joined),
            "left_members": list(self.left),
        }


@dataclass(frozen=True)
class RunDiff:
    run_a: str
    run_b: str
    min_overlap: float
    persisted: list[Match]
    appeared: list[NetworkMembers]  # in B with no match in A
    disappeared: list[NetworkMembers]  # in A with no match in B

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "min_overlap": self.min_overlap,
            "counts": {
                "persisted": len(self.persisted),
                "appeared": len(self.appeared),
                "disappeared": len(self.disappeared),
            },
            "persisted": [m.to_dict() for m in self.persisted],
            "appeared": [n.summary() for n in self.appeared],
            "disappeared": [n.summary() for n in self.disappeared],
        }


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def match_networks(
    a: Sequence[NetworkMembers],
    b: Sequence[NetworkMembers],
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    run_a: str = "",
    run_b: str = "",
) -> RunDiff:
    """Greedy best-overlap matching of A's networks to B's (see the module docstring)."""
    if not 0.0 < min_overlap <= 1.0:
        raise UsageError(f"--min-overlap must be in (0, 1], not {min_overlap}.")
    # Only networks sharing a member can overlap: index B by member, never compare all pairs.
    owners: dict[str, list[int]] = defaultdict(list)
    for j, network in enumerate(b):
        for key in network.members:
            owners[key].append(j)
    candidates: list[tuple[float, int, int, int]] = []
    for i, network in enumerate(a):
        shared: dict[int, int] = defaultdict(int)
        for key in network.members:
            for j in owners.get(key, ()):
                shared[j] += 1
        for j, count in shared.items():
            union = len(network.members) + len(b[j].members) - count
            overlap = count / union if union else 0.0
            if overlap >= min_overlap:
                candidates.append((overlap, count, i, j))
    candidates.sort(
        key=lambda c: (-c[0], -c[1], a[c[2]].rank, b[c[3]].rank, a[c[2]].id, b[c[3]].id)
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    persisted: list[Match] = []
    for overlap, count, i, j in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        persisted.append(
            Match(
                a=a[i],
                b=b[j],
                overlap=round(overlap, 4),
                shared=count,
                joined=tuple(sorted(b[j].members - a[i].members)),
                left=tuple(sorted(a[i].members - b[j].members)),
            )
        )
    persisted.sort(key=lambda m: (m.b.rank, m.b.id))
    return RunDiff(
        run_a=run_a,
        run_b=run_b,
        min_overlap=min_overlap,
        persisted=persisted,
        appeared=[n for j, n in enumerate(b) if j not in used_b],
        disappeared=[n for i, n in enumerate(a) if i not in used_a],
    )


def read_networks(runner: QueryRunner, run_id: str) -> list[NetworkMembers]:
    run = resolve_run(runner, run_id)
    return [
        NetworkMembers(
            id=str(row["id"]),
            rank=int(row["rank"] or 0),
            score=float(row["score"] or 0.0),
            flagged=bool(row["flagged"]),
            members=frozenset(str(k) for k in row["members"]),
        )
        for row in runner.read(NETWORK_MEMBERS, {"run_id": run.id})
    ]


def diff_runs(
    runner: QueryRunner, run_a: str, run_b: str, min_overlap: float = DEFAULT_MIN_OVERLAP
) -> RunDiff:
    """Which of run A's networks persist into run B, which appear and which disappear."""
    if run_a == run_b:
        raise UsageError("Give two different runs to compare.")
    return match_networks(
        read_networks(runner, run_a), read_networks(runner, run_b), min_overlap, run_a, run_b
    )
