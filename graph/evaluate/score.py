"""Scoring a detection run against ground truth: actor-level metrics, ARI, matches, decoys.

A truth file (contract ``TRUTH``) labels each actor with the planted network it belongs
to, or leaves the label empty for organic actors. An optional decoys file names groups
of actors that coordinate *authentically* (media groups, fan clubs, viral sharers): they
are organic in truth, and the quality bar is that no decoy group lands in a flagged
network.

Definitions used throughout (README, "Evaluating against ground truth"):

- The evaluated actors are exactly the actors of the truth file. An actor is *actually
  positive* when its label is non-empty and *predicted positive* when it is a member of
  a **flagged** network of the run. Truth actors missing from the graph are predicted
  negative (and counted in ``actors_not_in_graph``).
- Members of flagged networks that the truth file does not list are neither true nor
  false positives: they are counted in ``unmatched_flagged_actors`` only.
- Any ratio whose denominator is zero (precision with no predictions, ...) is 0.0.
- ARI compares the truth partition (one cluster per label, all organic actors one
  cluster) with the predicted one (one cluster per flagged network, everyone else one
  cluster).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

from cibgraph.core.errors import CibError, UsageError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.evaluate.labels import ActorLabels, LabelledActor, check_decoys
from cibgraph.graph.evaluate.metrics import ari_from_contingency, ratio
from cibgraph.graph.evaluate.model import (
    DecoyGroup,
    DecoyNetwork,
    Evaluation,
    NetworkId,
    NetworkInfo,
    PlantedMatch,
    RunId,
)
from cibgraph.graph.runs import RunInfo, resolve_run

# Keys per membership query: one UNWIND per batch keeps each transaction small even
# for a truth file of a million actors.
MEMBERSHIP_BATCH = 10_000

MembershipLookup = Callable[[str], NetworkId | None]

# Members are counted from the edges, not taken from n.size: the evaluation judges what
# the run wrote, and unmatched_flagged_actors is members minus evaluated members.
NETWORKS_QUERY = """
MATCH (n:Network {run_id: $run_id})
RETURN n.id AS id, coalesce(n.flagged, false) AS flagged, n.score AS score,
       count { (:Actor)-[:MEMBER_OF]->(n) } AS members
"""

# One row per key found in the graph; keys of absent actors return no row. The target
# is deliberately unlabelled (MEMBER_OF only ever points at a Network): with :Network the
# planner seeks every network of the run by run_id and tests each against each actor,
# actors x networks; unlabelled, it expands the actor's few MEMBER_OF edges instead.
MEMBERSHIP_QUERY = """
UNWIND $keys AS key
MATCH (a:Actor {key: key})
OPTIONAL MATCH (a)-[:MEMBER_OF]->(n)
WHERE n.run_id = $run_id
RETURN key, collect(n.id) AS networks
"""


# --- errors -------------------------------------------------------------------------


class TruthNotInGraph(UsageError):
    """None of the truth file's actors exists in the graph."""


class RunInconsistent(CibError):
    """The run breaks the output model (an actor in two networks of one run)."""


# --- evaluation ---------------------------------------------------------------------


def evaluate(
    runner: QueryRunner,
    truth: ActorLabels,
    run_id: str | None = None,
    decoys: ActorLabels | None = None,
) -> Evaluation:
    """Score run ``run_id`` (default: the newest complete run) against ``truth``.

    ``truth`` and ``decoys`` are validated labels (``loaders.truth.read_truth`` /
    ``read_decoys`` read them from files). Only reads the database.
    """
    truth_labels = truth
    decoy_labels = decoys
    if decoy_labels is not None:
        check_decoys(truth_labels, decoy_labels)
    run = resolve_run(runner, run_id)
    networks = network_table(runner, run.id)
    keys = [a.key for a in truth_labels.actors]
    if decoy_labels is not None:
        keys += [a.key for a in decoy_labels.actors]
    found = memberships(runner, run.id, keys)
    present = sum(1 for a in truth_labels.actors if a.key in found)
    if present == 0:
        raise TruthNotInGraph(
            f"none of the {len(truth_labels.actors)} actors in {truth_labels.source} exists in "
            "the graph",
            "is this the right --database, and was the scenario loaded? Actor ids must match "
            "the account_id / page_id values that were loaded",
        )
    return _score(run, networks, truth_labels, decoy_labels, found, present)


def network_table(runner: QueryRunner, run_id: RunId) -> dict[NetworkId, NetworkInfo]:
    """Every candidate network of the run, by id."""
    return {
        row["id"]: NetworkInfo(
            row["id"], bool(row["flagged"]), row.get("score"), int(row["members"])
        )
        for row in runner.read(NETWORKS_QUERY, {"run_id": run_id})
    }


def memberships(
    runner: QueryRunner, run_id: RunId, keys: Iterable[str]
) -> dict[str, NetworkId | None]:
    """For each key present in the graph: its network in the run, or None."""
    unique = list(dict.fromkeys(keys))
    found: dict[str, NetworkId | None] = {}
    for start in range(0, len(unique), MEMBERSHIP_BATCH):
        batch = unique[start : start + MEMBERSHIP_BATCH]
        for row in runner.read(MEMBERSHIP_QUERY, {"keys": batch, "run_id": run_id}):
            ids = list(dict.fromkeys(row["networks"]))
            if len(ids) > 1:
                raise RunInconsistent(
                    f"actor {row['key']} is a member of {len(ids)} networks of run {run_id!r} "
                    f"({', '.join(map(str, ids[:5]))}); a run puts an actor in at most one",
                    "the run's output is inconsistent: re-run detection",
                )
            found[row["key"]] = ids[0] if ids else None
    return found


def _id_order(network_id: NetworkId) -> tuple[int, int, str]:
    # Lowest id first whether ids are numbers or strings; numbers before strings.
    if isinstance(network_id, int):
        return (0, network_id, "")
    return (1, 0, str(network_id))


def _score(
    run: RunInfo,
    networks: Mapping[NetworkId, NetworkInfo],
    truth: ActorLabels,
    decoys: ActorLabels | None,
    found: Mapping[str, NetworkId | None],
    present: int,
) -> Evaluation:
    def network_of(key: str) -> NetworkId | None:
        return found.get(key)

    def is_flagged(network_id: NetworkId | None) -> bool:
        info = networks.get(network_id) if network_id is not None else None
        return info is not None and info.flagged

    confusion: Counter[tuple[bool, bool]] = Counter()
    contingency: Counter[tuple[Hashable, Hashable]] = Counter()
    evaluated_in: Counter[NetworkId] = Counter()  # truth actors per network
    for actor in truth.actors:
        network_id = network_of(actor.key)
        predicted = is_flagged(network_id)
        confusion[(bool(actor.label), predicted)] += 1
        # Organic actors share one truth cluster; unflagged actors one predicted cluster.
        contingency[(actor.label, ("network", network_id) if predicted else ("none",))] += 1
        if network_id is not None:
            evaluated_in[network_id] += 1

    planted = tuple(
        _match(label, members, networks, network_of, evaluated_in)
        for label, members in truth.groups().items()
    )
    decoy_groups = (
        ()
        if decoys is None
        else tuple(
            _decoy_group(label, members, networks, network_of)
            for label, members in decoys.groups().items()
        )
    )
    flagged = [n for n in networks.values() if n.flagged]
    return Evaluation(
        run=run,
        actors=len(truth.actors),
        actors_not_in_graph=len(truth.actors) - present,
        tp=confusion[(True, True)],
        fp=confusion[(False, True)],
        fn=confusion[(True, False)],
        tn=confusion[(False, False)],
        ari=ari_from_contingency(contingency),
        networks=len(networks),
        flagged_networks=len(flagged),
        unmatched_flagged_actors=sum(n.members - evaluated_in[n.id] for n in flagged),
        planted=planted,
        decoys=decoy_groups,
    )


def _counts(members: Sequence[LabelledActor]) -> tuple[int, int]:
    accounts = sum(1 for a in members if a.actor_type == "account")
    return accounts, len(members) - accounts


def _match(
    label: str,
    members: Sequence[LabelledActor],
    networks: Mapping[NetworkId, NetworkInfo],
    network_of: MembershipLookup,
    evaluated_in: Mapping[NetworkId, int],
) -> PlantedMatch:
    accounts, pages = _counts(members)
    overlaps = Counter(n for n in (network_of(a.key) for a in members) if n is not None)
    if not overlaps:
        return PlantedMatch(label, accounts, pages, None, 0, 0.0, 0.0, 0.0, False, None, None)

    def flagged(network_id: NetworkId) -> bool:
        info = networks.get(network_id)
        return info is not None and info.flagged

    best = min(overlaps, key=lambda n: (-overlaps[n], not flagged(n), _id_order(n)))
    overlap = overlaps[best]
    in_network = evaluated_in[best]
    info = networks.get(best)
    return PlantedMatch(
        label=label,
        accounts=accounts,
        pages=pages,
        network_id=best,
        overlap=overlap,
        precision=ratio(overlap, in_network),
        recall=ratio(overlap, len(members)),
        jaccard=ratio(overlap, len(members) + in_network - overlap),
        flagged=flagged(best),
        score=info.score if info else None,
        network_size=info.members if info else None,
    )


def _decoy_group(
    label: str,
    members: Sequence[LabelledActor],
    networks: Mapping[NetworkId, NetworkInfo],
    network_of: MembershipLookup,
) -> DecoyGroup:
    accounts, pages = _counts(members)
    counts = Counter(n for n in (network_of(a.key) for a in members) if n is not None)
    held = [
        DecoyNetwork(n, bool(networks[n].flagged) if n in networks else False, count)
        for n, count in counts.items()
    ]
    held.sort(key=lambda d: (not d.flagged, -d.members, _id_order(d.id)))
    in_flagged = sum(d.members for d in held if d.flagged)
    return DecoyGroup(label, accounts, pages, in_flagged, tuple(held))
