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

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cibgraph.graph.errors import CibError, UsageError
from cibgraph.graph.exports.values import plain
from cibgraph.graph.runner import QueryRunner
from cibgraph.loaders.contract import SUBJECT_TYPES, TRUTH, Column, FieldType, FileSpec
from cibgraph.loaders.records import Rejection
from cibgraph.loaders.sources import FileProblem, SourceFile
from cibgraph.loaders.validate import parse_columns

# Not part of the load contract (never loaded), so it lives next to its only reader.
DECOYS = FileSpec(
    "decoys",
    (
        Column("actor_id", FieldType.ID, True),
        Column("actor_type", FieldType.ENUM, True, SUBJECT_TYPES),
        Column("decoy_label", FieldType.TEXT, True),
    ),
    description="Authentically coordinating groups for `cib evaluate --decoys`.",
)

# Keys per membership query: one UNWIND per batch keeps each transaction small even
# for a truth file of a million actors.
MEMBERSHIP_BATCH = 10_000
# A file with thousands of bad rows is one mistake repeated; the first few show which.
MAX_REPORTED_PROBLEMS = 10

NetworkId = str | int
RunId = str | int
MembershipLookup = Callable[[str], NetworkId | None]

RUN_QUERY = """
MATCH (r:DetectionRun {id: $run_id})
RETURN r.id AS id, r.status AS status, r.algorithm AS algorithm,
       r.started_at AS started_at, r.finished_at AS finished_at
"""

# Runs without started_at sort last, so "newest" never means "undated".
LATEST_RUN_QUERY = """
MATCH (r:DetectionRun)
WHERE r.status = 'complete'
RETURN r.id AS id, r.status AS status, r.algorithm AS algorithm,
       r.started_at AS started_at, r.finished_at AS finished_at
ORDER BY r.started_at IS NULL, r.started_at DESC, r.id DESC
LIMIT 1
"""

RUN_STATUS_QUERY = """
MATCH (r:DetectionRun)
RETURN r.status AS status, count(*) AS runs
"""

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


class RunNotFound(UsageError):
    """No DetectionRun has the requested id."""


class NoCompleteRun(UsageError):
    """No run was named and the database holds no complete run."""


class RunNotComplete(UsageError):
    """The requested run is still running or has failed: its networks are not a result."""


class TruthNotInGraph(UsageError):
    """None of the truth file's actors exists in the graph."""


class RunInconsistent(CibError):
    """The run breaks the output model (an actor in two networks of one run)."""


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


def read_truth(path: Path) -> ActorLabels:
    """Read and validate a truth file (CSV or JSONL, optionally gzipped).

    Raises ``MissingColumns``, ``InvalidRows`` (with line numbers; duplicates included)
    or ``TruthFileError`` (unreadable, empty).
    """
    return _read_labels(path, TRUTH, "network_label")


def read_decoys(path: Path) -> ActorLabels:
    """Read and validate a decoys file: ``actor_id, actor_type, decoy_label``."""
    return _read_labels(path, DECOYS, "decoy_label")


def _read_labels(path: Path, spec: FileSpec, label_column: str) -> ActorLabels:
    what = f"{spec.kind} file {path}"
    hint = f"columns: {', '.join(spec.names)} (required: {', '.join(spec.required)})"
    if not path.is_file():
        raise TruthFileError(f"cannot read the {what}: no such file", hint)
    source = SourceFile(path)
    actors: list[LabelledActor] = []
    first_line: dict[str, int] = {}
    problems: list[str] = []
    try:
        for raw in source.rows():
            if not actors and not problems and source.format == "csv":
                _check_header(source, spec, what, hint)  # once: the header is known by now
            if raw.problem is not None:
                problems.append(f"line {raw.line}: {raw.problem}")
                continue
            values = parse_columns(spec, raw)
            if isinstance(values, Rejection):
                problems.append(f"line {values.line} ({values.column}): {values.reason}")
                continue
            actor_type = str(values["actor_type"])
            key = actor_key(actor_type, str(values["actor_id"]))
            if key in first_line:
                problems.append(
                    f"line {raw.line}: duplicate actor {key} (first on line {first_line[key]})"
                )
                continue
            first_line[key] = raw.line
            label = (values[label_column] or "").strip()
            actors.append(LabelledActor(key, values["actor_id"], actor_type, label, raw.line))
    except FileProblem as exc:
        raise TruthFileError(f"cannot read the {what}: {exc}") from None
    if source.format == "csv":
        _check_header(source, spec, what, hint)
    if problems:
        shown = "\n  ".join(problems[:MAX_REPORTED_PROBLEMS])
        more = len(problems) - MAX_REPORTED_PROBLEMS
        tail = f"\n  ... and {more} more" if more > 0 else ""
        raise InvalidRows(
            f"the {what} has {len(problems)} invalid row(s):\n  {shown}{tail}", problems, hint
        )
    if not actors:
        raise TruthFileError(f"the {what} lists no actors", hint)
    return ActorLabels(str(path), tuple(actors))


def _check_header(source: SourceFile, spec: FileSpec, what: str, hint: str) -> None:
    # One clear error for a wrong header, rather than the same complaint on every row.
    if source.header_problem:
        raise TruthFileError(f"the {what}: {source.header_problem}", hint)
    missing = [name for name in spec.required if name not in source.header]
    if missing:
        raise MissingColumns(
            f"the {what} lacks required column(s) {', '.join(missing)} "
            f"(header: {', '.join(source.header) or 'empty'})",
            hint,
        )


def _check_decoys(truth: ActorLabels, decoys: ActorLabels) -> None:
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


# --- run selection ------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    id: RunId  # as stored: the run's own value is passed back to later queries
    status: str
    algorithm: str | None = None
    started_at: str | None = None  # ISO 8601
    finished_at: str | None = None


def _run_info(row: Mapping[str, Any]) -> RunInfo:
    return RunInfo(
        id=row["id"],
        status=str(row.get("status")),
        algorithm=row.get("algorithm"),
        started_at=plain(row.get("started_at")),
        finished_at=plain(row.get("finished_at")),
    )


def select_run(runner: QueryRunner, run_id: str | None = None) -> RunInfo:
    """The named run, or the newest complete one; a running or failed run is refused."""
    if run_id is None:
        rows = runner.read(LATEST_RUN_QUERY)
        if rows:
            return _run_info(rows[0])
        counts = {str(r["status"]): int(r["runs"]) for r in runner.read(RUN_STATUS_QUERY)}
        found = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        raise NoCompleteRun(
            "the database holds no complete detection run"
            + (f" (found: {found})" if found else ""),
            "run detection first, or name a run with --run ID (and check --database)",
        )
    rows = runner.read(RUN_QUERY, {"run_id": run_id})
    if not rows:
        raise RunNotFound(
            f"no detection run with id {run_id!r}",
            "omit --run to evaluate the newest complete run (and check --database)",
        )
    run = _run_info(rows[0])
    if run.status == "running":
        raise RunNotComplete(
            f"detection run {run_id!r} is still running: its networks are not final",
            "wait for it to finish, or omit --run to evaluate the newest complete run",
        )
    if run.status != "complete":
        raise RunNotComplete(
            f"detection run {run_id!r} is {run.status}, not complete: its networks are not a "
            "result",
            "omit --run to evaluate the newest complete run, or re-run detection",
        )
    return run


# --- metrics ------------------------------------------------------------------------


def ratio(numerator: int | float, denominator: int | float) -> float:
    """``numerator / denominator``, with 0/0 (and x/0) defined as 0.0."""
    return numerator / denominator if denominator else 0.0


def adjusted_rand_index(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labelings of the same items.

    1.0 for identical partitions (up to renaming), about 0.0 for chance agreement,
    negative for worse than chance. Computed from the contingency table, exactly in
    integers up to the final division.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"labelings differ in length: {len(truth)} vs {len(predicted)}")
    return ari_from_contingency(Counter(zip(truth, predicted, strict=True)))


def ari_from_contingency(cells: Mapping[tuple[Hashable, Hashable], int]) -> float:
    """ARI from a contingency table given as ``{(truth_cluster, predicted_cluster): n}``."""
    rows: Counter[Hashable] = Counter()
    cols: Counter[Hashable] = Counter()
    for (t, p), count in cells.items():
        rows[t] += count
        cols[p] += count
    n = sum(rows.values())
    index = sum(math.comb(c, 2) for c in cells.values())
    sum_rows = sum(math.comb(c, 2) for c in rows.values())
    sum_cols = sum(math.comb(c, 2) for c in cols.values())
    pairs = math.comb(n, 2)
    # max == expected only when both partitions are all-singletons or one cluster (or
    # n < 2): then they are identical, and ARI is 1.0 by the usual convention.
    numerator = index * pairs - sum_rows * sum_cols
    denominator = (sum_rows + sum_cols) * pairs - 2 * sum_rows * sum_cols
    if denominator == 0:
        return 1.0
    return 2 * numerator / denominator


# --- result model -------------------------------------------------------------------


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
                "started_at": self.run.started_at,
                "finished_at": self.run.finished_at,
            },
        }


# --- evaluation ---------------------------------------------------------------------


def evaluate(
    runner: QueryRunner,
    truth: ActorLabels | Path | str,
    run_id: str | None = None,
    decoys: ActorLabels | Path | str | None = None,
) -> Evaluation:
    """Score run ``run_id`` (default: the newest complete run) against ``truth``.

    ``truth`` and ``decoys`` are files (validated with ``read_truth`` /
    ``read_decoys``) or already-read ``ActorLabels``. Only reads the database.
    """
    truth_labels = truth if isinstance(truth, ActorLabels) else read_truth(Path(truth))
    decoy_labels = (
        None
        if decoys is None
        else decoys
        if isinstance(decoys, ActorLabels)
        else read_decoys(Path(decoys))
    )
    if decoy_labels is not None:
        _check_decoys(truth_labels, decoy_labels)
    run = select_run(runner, run_id)
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
