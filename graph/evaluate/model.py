"""The result of an evaluation: per-run counts, planted matches, decoy groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cibgraph.graph.evaluate.metrics import ratio
from cibgraph.graph.exports.values import plain
from cibgraph.graph.runs import RunInfo

NetworkId = str | int
RunId = str | int


@dataclass(frozen=True)
class NetworkInfo:
    id: NetworkId
    flagged: bool
    score: float | None
    members: int  # every member, whether the truth file lists it or not


@dataclass(frozen=True)
class PlantedMatch:
    """How well the run found one planted network (truth label).

    The match is the network holding most of the label's actors (ties: the flagged
    one, then the lowest id). Its precision is measured over the evaluated actors in
    that network (members the truth file does not list count for neither side).
    """

    label: str
    accounts: int
    pages: int
    network_id: NetworkId | None
    overlap: int
    precision: float
    recall: float
    jaccard: float
    flagged: bool
    score: float | None
    network_size: int | None  # all members of the matched network

    @property
    def size(self) -> int:
        return self.accounts + self.pages

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "size": self.size,
            "accounts": self.accounts,
            "pages": self.pages,
            "network_id": self.network_id,
            "overlap": self.overlap,
            "precision": self.precision,
            "recall": self.recall,
            "jaccard": self.jaccard,
            "flagged": self.flagged,
            "score": self.score,
            "network_size": self.network_size,
        }


@dataclass(frozen=True)
class DecoyNetwork:
    id: NetworkId
    flagged: bool
    members: int  # decoy actors in this network


@dataclass(frozen=True)
class DecoyGroup:
    """Where one authentically coordinating group ended up; ``in_flagged`` should be 0."""

    label: str
    accounts: int
    pages: int
    in_flagged: int
    networks: tuple[DecoyNetwork, ...]  # every network holding its actors, flagged first

    @property
    def size(self) -> int:
        return self.accounts + self.pages

    @property
    def flagged(self) -> bool:
        return self.in_flagged > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "size": self.size,
            "accounts": self.accounts,
            "pages": self.pages,
            "in_flagged": self.in_flagged,
            "flagged": self.flagged,
            "networks": [
                {"id": n.id, "flagged": n.flagged, "members": n.members} for n in self.networks
            ],
        }


@dataclass(frozen=True)
class Evaluation:
    run: RunInfo
    actors: int  # rows of the truth file: the evaluated actors
    actors_not_in_graph: int
    tp: int
    fp: int
    fn: int
    tn: int
    ari: float
    networks: int  # candidate networks of the run
    flagged_networks: int
    unmatched_flagged_actors: int  # members of flagged networks the truth file omits
    planted: tuple[PlantedMatch, ...] = ()
    decoys: tuple[DecoyGroup, ...] = ()

    @property
    def run_id(self) -> RunId:
        return self.run.id

    @property
    def precision(self) -> float:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of `cib evaluate --json`; these keys are a stable interface."""
        return {
            "run_id": self.run_id,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "ari": self.ari,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "networks": self.networks,
            "flagged_networks": self.flagged_networks,
            "planted": [p.to_dict() for p in self.planted],
            "decoys": [d.to_dict() for d in self.decoys],
            "unmatched_flagged_actors": self.unmatched_flagged_actors,
            "actors": self.actors,
            "actors_not_in_graph": self.actors_not_in_graph,
            "run": {
                "status": self.run.status,
                "algorithm": self.run.algorithm,
                "started_at": plain(self.run.started_at),
                "finished_at": plain(self.run.finished_at),
            },
        }
