"""Build a scenario and stream it to disk as the contract's files plus ``truth.csv``
(every actor's planted network, empty for organic) and ``decoys.csv`` (the openly
coordinating groups, organic in truth, that must not be flagged).

``generate(out_dir, scale, seed)`` is the whole public surface. The same seed and
scale always give byte-identical files: every component has its own seeded stream,
nothing reads the clock or iterates an unordered container, and gzip headers carry
no time or name.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

from cibgraph.core.errors import UsageError
from cibgraph.loaders.contract import CONTRACT, DECOYS, LOAD_ORDER, TRUTH
from cibgraph.scenario.activity import POSTS_PER_SCALE, EverydayPosts
from cibgraph.scenario.decoys import FanClub, MediaGroup, ViralLink
from cibgraph.scenario.identifiers import IdentifierValues
from cibgraph.scenario.ids import AdIds, PostIds, Roster, interleave
from cibgraph.scenario.lookalikes import ActivistCampaign, ChainMessage, FestivalGreetings
from cibgraph.scenario.model import Group, PostingPopulation, Row, Shared
from cibgraph.scenario.organic import OrganicCrowd
from cibgraph.scenario.planted import PlantedNetwork
from cibgraph.scenario.randomness import component_rng
from cibgraph.scenario.specs import it_cell_spec, it_firm_spec, random_spec
from cibgraph.scenario.syndicate import Syndicate
from cibgraph.scenario.tactics import TacticNetwork, tactic_specs
from cibgraph.scenario.writer import TableWriter, file_name

FILE_KINDS: tuple[str, ...] = (*LOAD_ORDER, TRUTH.kind, DECOYS.kind)
MAX_SCALE = 1_000
_REPORT_EVERY = 5_000  # rows between progress updates: cheap enough at 10M rows

# Account numbers are 12 digits, page numbers 10: one shared space per actor type.
_ACCOUNT_NUMBERS = (10**11, 10**12)
_PAGE_NUMBERS = (10**9, 10**10)


class Progress(Protocol):
    """Where generation reports how far it got (the CLI draws a bar from this)."""

    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...


class SilentProgress:
    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass


@dataclass(frozen=True)
class FileSummary:
    kind: str
    name: str
    rows: int
    bytes: int


@dataclass(frozen=True)
class GroupSummary:
    name: str
    kind: str  # organic | planted | decoy
    label: str  # truth label; empty for organic actors and decoys
    accounts: int
    pages: int


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    scale: float
    seed: int
    compressed: bool
    files: tuple[FileSummary, ...]
    groups: tuple[GroupSummary, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        data["rows"] = self.rows
        data["bytes"] = self.bytes
        data["seconds"] = round(self.seconds, 3)
        return data


def check_scale(scale: float) -> float:
    """Positive; a whole number from 1 up, or a fraction below 1 for quick tests."""
    if not scale > 0:
        raise UsageError(f"scale must be positive, got {scale:g}", hint="try --scale 1")
    if scale >= 1 and scale != int(scale):
        raise UsageError(
            f"scale {scale:g} is neither a whole number nor below 1",
            hint="use 1, 10, 100 (any whole number), or a fraction such as 0.1 for a quick test",
        )
    if scale > MAX_SCALE:
        raise UsageError(f"scale {scale:g} is above the supported maximum of {MAX_SCALE}")
    return float(scale)


@dataclass
class Scenario:
    """Every group of a scenario, bound to its interleaved ids, ready to write."""

    scale: float
    seed: int
    shared: Shared
    groups: list[Group]
    accounts: Roster
    pages: Roster

    def summaries(self) -> tuple[GroupSummary, ...]:
        return tuple(
            GroupSummary(g.name, g.kind, g.label, len(g.accounts), len(g.pages))
            for g in self.groups
        )


def build_scenario(scale: float, seed: int, tactics: bool = False) -> Scenario:
    """Plan the groups for ``scale`` and give every actor its id (no files yet).

    ``tactics`` adds the networks that dodge exact-match co-sharing
    (scenario/tactics.py) and their authentic look-alikes (scenario/lookalikes.py).
    """
    scale = check_scale(scale)
    shared = Shared(
        post_ids=PostIds(component_rng(seed, "ids", "posts")),
        ad_ids=AdIds(component_rng(seed, "ids", "ads")),
        identifier_values=IdentifierValues(component_rng(seed, "identifiers", "values")),
    )
    # Scales above 1 add about `scale` more planted networks and decoys of each kind.
    extra = 0 if scale <= 1 else round(scale)
    specs = [it_cell_spec(), it_firm_spec()]
    spec_rng = component_rng(seed, "planted", "extra-specs")
    specs += [random_spec(spec_rng, f"net_{i}") for i in range(2, 2 + extra)]
    planted = [PlantedNetwork(shared, seed, spec) for spec in specs]
    parties = [network.party for network in planted if network.party is not None]
    crowd = OrganicCrowd(shared, seed, scale, parties)
    decoys: list[Group] = [MediaGroup(shared, seed, i) for i in range(1, 2 + extra)]
    decoys += [Syndicate(shared, seed, i) for i in range(1, 2 + extra)]
    decoys += [FanClub(shared, seed, i) for i in range(1, 2 + extra)]
    decoys += [ViralLink(shared, seed, i, crowd, scale) for i in range(1, 4 + extra)]
    tactic_networks: list[Group] = []
    if tactics:
        tactic_networks = [TacticNetwork(shared, seed, spec) for spec in tactic_specs(scale, seed)]
        alike = 0 if scale <= 1 else round(scale / 2)
        decoys += [ActivistCampaign(shared, seed, i) for i in range(1, 2 + alike)]
        decoys += [ChainMessage(shared, seed, i) for i in range(1, 2 + alike)]
        decoys += [FestivalGreetings(shared, seed, i) for i in range(1, 2 + alike)]
    groups: list[Group] = [crowd, *planted, *tactic_networks, *decoys]

    accounts = interleave(
        [g.accounts_needed for g in groups],
        component_rng(seed, "ids", "accounts"),
        *_ACCOUNT_NUMBERS,
    )
    pages = interleave(
        [g.pages_needed for g in groups], component_rng(seed, "ids", "pages"), *_PAGE_NUMBERS
    )
    for group, account_numbers, page_numbers in zip(
        groups, accounts.members, pages.members, strict=True
    ):
        group.bind(account_numbers, page_numbers)
    return Scenario(scale, seed, shared, groups, accounts, pages)


def generate(
    out_dir: Path,
    scale: float,
    seed: int,
    compress: bool = False,
    progress: Progress | None = None,
    *,
    force: bool = False,
    tactics: bool = False,
) -> GenerationSummary:
    """Write a scenario to ``out_dir``; refuses a non-empty folder unless ``force``."""
    started = time.perf_counter()
    report = progress or SilentProgress()
    scenario = build_scenario(scale, seed, tactics)
    _prepare(out_dir, force)
    writers = {
        kind: TableWriter(out_dir / file_name(kind, compress), _spec_names(kind), compress)
        for kind in FILE_KINDS
    }
    try:
        _write_everything(scenario, writers, report)
    except BaseException:
        for writer in writers.values():
            writer.abandon()
        raise
    sizes = {kind: writer.close() for kind, writer in writers.items()}
    files = tuple(
        FileSummary(kind, writer.path.name, writer.rows, sizes[kind])
        for kind, writer in writers.items()
    )
    return GenerationSummary(
        out_dir=out_dir,
        scale=scenario.scale,
        seed=seed,
        compressed=compress,
        files=files,
        groups=scenario.summaries(),
        seconds=time.perf_counter() - started,
    )


def _spec_names(kind: str) -> Sequence[str]:
    evaluation = {TRUTH.kind: TRUTH.names, DECOYS.kind: DECOYS.names}
    return evaluation.get(kind) or CONTRACT[kind].names


def _prepare(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()) and not force:
        raise UsageError(
            f"{out_dir} is not empty",
            hint="choose an empty folder, or pass --force to overwrite the scenario files in it",
        )
    # Both variants go, so a folder never holds a stale .csv next to a fresh .csv.gz.
    for kind in FILE_KINDS:
        for compressed in (False, True):
            (out_dir / file_name(kind, compressed)).unlink(missing_ok=True)


def _write_everything(
    scenario: Scenario, writers: dict[str, TableWriter], report: Progress
) -> None:
    groups = scenario.groups
    report.stage("organisations", None)
    _write(writers["organizations"], (row for g in groups for row in g.organizations()), report)
    _write_actors(scenario.accounts, groups, "account", writers, report)
    _write_actors(scenario.pages, groups, "page", writers, report)
    relations: tuple[tuple[str, Callable[[Group], Iterable[Row]]], ...] = (
        ("page_admins", lambda g: g.page_admins()),
        ("affiliations", lambda g: g.affiliations()),
        ("ads", lambda g: g.ads()),
        ("identifiers", lambda g: g.identifiers()),
    )
    for kind, rows_of in relations:
        report.stage(kind.replace("_", " "), None)
        _write(writers[kind], (row for g in groups for row in rows_of(g)), report)
    _write_posts(scenario, writers["posts"], report)


def _write(writer: TableWriter, rows: Iterable[Row], report: Progress) -> None:
    pending = 0
    for row in rows:
        writer.write(row)
        pending += 1
        if pending == _REPORT_EVERY:
            report.advance(pending)
            pending = 0
    report.advance(pending)


def _write_actors(
    roster: Roster,
    groups: list[Group],
    actor_type: str,
    writers: dict[str, TableWriter],
    report: Progress,
) -> None:
    """Actor rows in roster order, each with its truth row, so labels cost no memory."""
    actors = writers["accounts" if actor_type == "account" else "pages"]
    truth = writers[TRUTH.kind]
    decoys = writers[DECOYS.kind]
    report.stage(f"{actor_type}s", len(roster.order))
    pending = 0
    for group_index, position in roster.rows():
        group = groups[group_index]
        row = group.account_row(position) if actor_type == "account" else group.page_row(position)
        actors.write(row)
        truth.write((row[0], actor_type, group.label))
        if group.kind == "decoy":
            decoys.write((row[0], actor_type, group.name))
        pending += 1
        if pending == _REPORT_EVERY:
            report.advance(pending)
            pending = 0
    report.advance(pending)


def _write_posts(scenario: Scenario, writer: TableWriter, report: Progress) -> None:
    """Everyone's posts merged into one time-ordered stream; memory holds only the
    day being generated and the campaigns still in progress."""
    population = PostingPopulation()
    for group in scenario.groups:
        group.add_posters(population)
    population.freeze()
    everyday_total = round(POSTS_PER_SCALE * scenario.scale)
    everyday = EverydayPosts(
        component_rng(scenario.seed, "organic", "posts"),
        population,
        everyday_total,
        scenario.shared.post_ids,
    )
    report.stage("posts", everyday_total + sum(g.expected_posts() for g in scenario.groups))
    streams = [iter(everyday), *(group.posts() for group in scenario.groups)]
    merged = heapq.merge(*streams, key=itemgetter(0))
    # Groups older than the image_hash column give one cell fewer: an empty image.
    width = len(CONTRACT["posts"].names)
    _write(writer, (row if len(row) == width else (*row, "") for _, row in merged), report)
