"""One detection run, stage by stage, each timed and recorded on the DetectionRun.

prepare -> window -> signals -> edges -> projection -> communities -> scoring ->
attribution -> write-back. Any failure marks the run failed (with the error) and
drops its in-memory graph; nothing of a failed run is ever shown as complete.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect import runs
from cibgraph.graph.detect.attribution import affiliations_of, attribute
from cibgraph.graph.detect.behaviour import background_hours, behaviour, member_posts
from cibgraph.graph.detect.edges import write_edges
from cibgraph.graph.detect.facts import member_facts
from cibgraph.graph.detect.networks import (
    CandidateNetwork,
    attach_admins,
    group,
    role_of,
    summarize,
    write_networks,
)
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.scoring import (
    TIER_INAUTHENTIC,
    TIERS,
    Burst,
    DataHolds,
    rank_key,
    score_network,
)
from cibgraph.graph.detect.signals import (
    NO_LIMIT,
    CoordinationPairs,
    collect_pairs,
    estimate_window,
)
from cibgraph.graph.gds import Gds
from cibgraph.graph.gds.models import CommunityResult
from cibgraph.graph.schema import apply_schema
from cibgraph.queries.registry import Library, load_library

PROJECT = """
MATCH (a:Actor)-[r:COORDINATED_WITH {run_id: $run_id}]->(b:Actor)
WITH gds.graph.project($graph_name, a, b, {relationshipProperties: {weight: r.weight}},
                       {undirectedRelationshipTypes: ['*']}) AS g
"""

HOLDS_IDENTIFIERS = "RETURN EXISTS { ()-[:USES]->(:Identifier) } AS found"
HOLDS_AFFILIATIONS = "RETURN EXISTS { ()-[:AFFILIATED_WITH]->(:Organization) } AS found"

StageCallback = Callable[[str], None]


@dataclass
class DetectionResult:
    run_id: str
    params: DetectParams
    window_source: str
    networks: list[CandidateNetwork]
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    community: CommunityResult | None = None

    @property
    def flagged(self) -> list[CandidateNetwork]:
        return [n for n in self.networks if n.flagged]


class _Clock:
    def __init__(self, on_stage: StageCallback | None) -> None:
        self.timings: dict[str, float] = {}
        self.on_stage = on_stage

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage is not None:
            self.on_stage(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - started, 3)


def _bursts(runner: QueryRunner, library: Library) -> list[Burst]:
    query = library.get("creation_bursts")
    params = query.bind({"limit": str(NO_LIMIT)})
    hours = int(params["bin_hours"])
    return [
        Burst(row["bin_start"].to_native(), row["bin_start"].to_native() + timedelta(hours=hours))
        for row in runner.read(query.cypher, params)
    ]


def _communities(
    gds: Gds, run_id: str, pairs: CoordinationPairs, edges: int, params: DetectParams, clock: _Clock
) -> CommunityResult | None:
    if edges == 0:
        return None
    nodes = len(pairs.actors())
    graph_name = f"cib-{run_id}"
    heap = gds.heap()
    config: dict[str, Any] = {
        "relationshipWeightProperty": "weight",
        "concurrency": params.concurrency,
    }
    if params.algorithm == "leiden":
        config["randomSeed"] = params.seed
    gds.require_fit(
        gds.estimate_projection(nodes, edges), heap, "projecting the coordination graph"
    )
    gds.require_fit(
        gds.estimate_algorithm(params.algorithm, nodes, edges, config),
        heap,
        f"running {params.algorithm}",
    )
    with clock.stage("projection"):
        gds.drop(graph_name)
        graph = gds.project(graph_name, PROJECT, {"run_id": run_id})
    try:
        with clock.stage("communities"):
            if params.algorithm == "wcc":
                return gds.wcc(graph.name, weight_property=None, concurrency=params.concurrency)
            if params.algorithm == "louvain":
                return gds.louvain(
                    graph.name, weight_property="weight", concurrency=params.concurrency
                )
            return gds.leiden(
                graph.name,
                weight_property="weight",
                random_seed=params.seed,
                concurrency=params.concurrency,
            )
    finally:
        gds.drop(graph_name)


def _score(
    runner: QueryRunner,
    library: Library,
    groups: list[list[str]],
    pairs: CoordinationPairs,
    params: DetectParams,
) -> list[CandidateNetwork]:
    facts = member_facts(runner, {key for members in groups for key in members})
    attach_admins(groups, facts)
    extra = {key for members in groups for key in members} - set(facts)
    facts.update(member_facts(runner, extra))
    bursts = _bursts(runner, library)
    holds = DataHolds(
        identifiers=bool(runner.read(HOLDS_IDENTIFIERS)[0]["found"]),
        affiliations=bool(runner.read(HOLDS_AFFILIATIONS)[0]["found"]),
    )
    network_of = {key: index for index, keys in enumerate(groups) for key in keys}
    internal: list[dict[str, float]] = [
        {"co_share": 0.0, "slow_co_share": 0.0, "shared_admin": 0.0, "shared_identifier": 0.0}
        for _ in groups
    ]
    sharers: set[str] = set()
    for (a, b), evidence in pairs.pairs.items():
        index = network_of.get(a)
        if index is None or network_of.get(b) != index:
            continue
        for name, value in evidence.contributions(params).items():
            internal[index][name] += value
        if evidence.shared_identifiers:
            sharers.update((a, b))
    posts = member_posts(runner, network_of)
    background = background_hours(runner) if groups else []
    window = params.window or 0
    networks: list[CandidateNetwork] = []
    for index, keys in enumerate(groups):
        members = [facts[k] for k in keys if k in facts]
        admins_of_pages = {admin for m in members if not m.is_account for admin in m.admins}
        network = CandidateNetwork(
            members=sorted(keys), roles={k: role_of(facts.get(k), admins_of_pages) for k in keys}
        )
        acted = behaviour(keys, posts, window, background)
        network.score = score_network(members, internal[index], bursts, sharers, acted, holds)
        network.summary = summarize(members)
        network.tier = network.score.tier(params.threshold)
        network.flagged = network.tier == TIER_INAUTHENTIC
        networks.append(network)
    return networks


def _rank(run_id: str, networks: list[CandidateNetwork]) -> None:
    """Strongest evidence first (scoring.rank_key), then larger, then by first key."""
    networks.sort(
        key=lambda n: (
            *(rank_key(n.score, n.tier) if n.score else (99, 0.0, 0.0, 0.0)),
            -len(n.members),
            n.members[0],
        )
    )
    for rank, network in enumerate(networks, start=1):
        network.rank = rank
        network.id = f"{run_id}:n{rank:04d}"


def detect(
    runner: QueryRunner,
    params: DetectParams,
    on_stage: StageCallback | None = None,
    run_id: str | None = None,
) -> DetectionResult:
    params = params.checked()
    library = load_library()
    gds = Gds(runner)
    clock = _Clock(on_stage)
    run_id = run_id or runs.new_run_id()
    with clock.stage("prepare"):
        apply_schema(runner)
        runs.mark_interrupted_runs(runner)
        fingerprint = runs.data_fingerprint(runner)
        runs.start_run(
            runner,
            run_id,
            {
                "params": json.dumps(params.to_dict()),
                "algorithm": params.algorithm,
                "seed": params.seed,
                "concurrency": params.concurrency,
                "threshold": params.threshold,
                "data_fingerprint": fingerprint,
                "gds_version": gds.version(),
            },
        )
    result = DetectionResult(run_id, params, "given", [])
    try:
        with clock.stage("window"):
            if params.window is None:
                params = params.with_window(estimate_window(runner, params, library))
                result.window_source = "auto"
            result.params = params
        with clock.stage("signals"):
            pairs = collect_pairs(runner, params, library)
        with clock.stage("edges"):
            edges = write_edges(runner, run_id, pairs, params)
        community = _communities(gds, run_id, pairs, edges, params, clock)
        result.community = community
        with clock.stage("scoring"):
            groups = group(community.assignments, params.min_network_size) if community else []
            networks = _score(runner, library, groups, pairs, params)
            _rank(run_id, networks)
        with clock.stage("attribution"):
            affiliation_rows = affiliations_of(runner, {k for n in networks for k in n.members})
            for network in networks:
                network.attribution = attribute(network.members, affiliation_rows)
        with clock.stage("write_back"):
            write_networks(runner, run_id, networks)
        result.networks = networks
        result.counts = {
            **{f"pairs_{k}": v for k, v in pairs.counts.items()},
            "edges": edges,
            "actors_in_graph": len(pairs.actors()),
            "networks": len(networks),
            "flagged": sum(1 for n in networks if n.flagged),
            **{f"tier_{tier}": sum(1 for n in networks if n.tier == tier) for tier in TIERS},
        }
        result.timings = clock.timings
        runs.finish_run(runner, run_id, _run_props(result))
    except BaseException as exc:
        result.timings = clock.timings
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        try:
            runs.fail_run(runner, run_id, message, {"timings": json.dumps(clock.timings)})
        finally:
            raise
    return result


def _run_props(result: DetectionResult) -> dict[str, Any]:
    props: dict[str, Any] = {
        "window": result.params.window,
        "window_source": result.window_source,
        "params": json.dumps(result.params.to_dict()),
        "timings": json.dumps(result.timings),
        "counts": json.dumps(result.counts),
        "networks": result.counts.get("networks", 0),
        "flagged": result.counts.get("flagged", 0),
    }
    if result.community is not None:
        c = result.community
        props.update(
            {
                "compute_millis": c.compute_millis,
                "community_count": c.community_count,
                "modularity": c.modularity,
                "gds_config": json.dumps(dict(c.config), default=str),
            }
        )
    return {k: v for k, v in props.items() if v is not None}
