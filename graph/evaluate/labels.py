"""Labelled actors: the validated rows of a truth or decoys file, and their errors.

Reading the files is the loaders' job (``loaders/truth.py``); this module holds the
shapes both sides share, so the evaluator never imports a loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cibgraph.core.errors import UsageError

# A file with thousands of bad rows is one mistake repeated; the first few show which.
MAX_REPORTED_PROBLEMS = 10


# --- errors -------------------------------------------------------------------------


class TruthFileError(UsageError):
    """A truth or decoys file cannot be used as given."""


class MissingColumns(TruthFileError):
    """The file's header lacks a required column."""


class InvalidRows(TruthFileError):
    """Rows that do not fit the contract, or actors listed twice; ``problems`` has them."""

    def __init__(self, message: str, problems: Sequence[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.problems = tuple(problems)


class DecoyConflict(TruthFileError):
    """A decoy actor carries a planted-network label in the truth file."""


# --- labelled actors (truth and decoys files) --------------------------------------


def actor_key(actor_type: str, actor_id: str) -> str:
    """The ``Actor.key`` the loaders write: accounts and pages share one id space."""
    return f"{actor_type}:{actor_id}"


@dataclass(frozen=True)
class LabelledActor:
    key: str
    actor_id: str
    actor_type: str  # account | page
    label: str  # "" = organic (truth files only)
    line: int


@dataclass(frozen=True)
class ActorLabels:
    """The validated rows of a truth or decoys file, in file order, one per actor."""

    source: str
    actors: tuple[LabelledActor, ...]

    def groups(self) -> dict[str, list[LabelledActor]]:
        """Actors by non-empty label, labels in sorted order."""
        grouped: dict[str, list[LabelledActor]] = {}
        for actor in self.actors:
            if actor.label:
                grouped.setdefault(actor.label, []).append(actor)
        return dict(sorted(grouped.items()))


def check_decoys(truth: ActorLabels, decoys: ActorLabels) -> None:
    planted = {a.key: a.label for a in truth.actors if a.label}
    clashes = [
        f"{d.key} ({d.label} vs {planted[d.key]})" for d in decoys.actors if d.key in planted
    ]
    if clashes:
        shown = ", ".join(clashes[:MAX_REPORTED_PROBLEMS])
        raise DecoyConflict(
            f"{len(clashes)} decoy actor(s) carry a planted network label in the truth file: "
            f"{shown}",
            "decoys are organic by definition: empty their network_label in the truth file, "
            "or drop them from the decoys file",
        )
