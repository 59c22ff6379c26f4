"""One detection run, stage by stage, each timed and recorded on the DetectionRun.

prepare -> window -> shares -> signals -> edges -> projection -> communities ->
scoring -> amplified -> attribution -> write-back. Any failure marks the run failed
(with the error) and drops its in-memory graph; nothing of a failed run is ever shown
as complete.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from graphdatascience.error.gds_not_installed import GdsNotFound

from cibgraph.core.errors import GdsError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph import runs as lifecycle
from cibgraph.graph.connection import Database
from cibgraph.graph.detect import runs
from cibgraph.graph.detect.amplified import attach_amplified
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
from cibgraph.graph.detect.pair_stage import pair_signals, run_folder
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
    PairEvidence,
    estimate_window,
)
from cibgraph.graph.gds import Gds
from cibgraph.graph.gds.models import CommunityResult
from cibgraph.graph.gds.session import (
    REMOTE_PROJECT,
    GdsSessionConfig,
    SessionPlan,
    plan_session,
    require_session_fit,
    session_gds,
)
from cibgraph.graph.schema import apply_schema
from cibgraph.queries.registry import Library, load_library

# In key order, not storage order: GDS numbers nodes and lays out relationships in the
# order the rows come, and Leiden's result (seeded, concurrency 1) follows that order. A
# relationship index walks ids, which Neo4j reuses after deletions, so two runs with the
# same edges could project them in two orders and find different communities.
PROJECT = """
MATCH (a:Actor)-[r:COORDINATED_WITH {run_id: $run_id}]->(b:Actor)
WITH a, b, r ORDER BY a.key, b.key
RETURN gds.graph.project($graph_name, a, b, {relationshipProperties: {weight: r.weight}},
                         {undirectedRelationshipTypes: ['*']})
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
    # The pair engine's own record (engine, memory limit, share rows, seconds per pass).
    engine: dict[str, Any] = field(default_factory=dict)

    @property
    def flagged(self) -> list[CandidateNetwork]:
        return [n for n in self.networks if n.flagged]


def _bursts(runner: QueryRunner, library: Library) -> list[Burst]:
    query = library.get("creation_bursts")
    params = query.bind({"limit": str(NO_LIMIT)})
    hours = int(params["bin_hours"])
    return [
        Burst(row["bin_start"].to_native(), row["bin_start"].to_native() + timedelta(hours=hours))
        for row in runner.read(query.cypher, params)
    ]


def _run_on(
    gds: Gds, query: str, graph_name: str, run_id: str, params: DetectParams, clock: lifecycle.Clock
) -> CommunityResult:
    with clock.stage("projection"):
        gds.drop(graph_name)
        graph = gds.project(graph_name, query, {"run_id": run_id})
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


def _communities(
    gds: Gds | None,
    session: SessionPlan | None,
    run_id: str,
    pairs: CoordinationPairs,
    edges: int,
    params: DetectParams,
    clock: lifecycle.Clock,
) -> CommunityResult | None:
    """The community step, refused before projecting when GDS's estimate does not fit."""
    if edges == 0:
        return None
    nodes = len(pairs.actors())
    graph_name = f"{runs.PROJECTION_PREFIX}{run_id}"
    weighted = params.algorithm != "wcc"
    estimate_kwargs: dict[str, Any] = {
        "concurrency": params.concurrency,
        "weight_property": "weight" if weighted else None,
        "random_seed": params.seed if params.algorithm == "leiden" else None,
    }
    if session is None:
        assert gds is not None
        heap = gds.heap()
        gds.require_fit(
            gds.estimate_projection(nodes, edges), heap, "projecting the coordination graph"
        )
        gds.require_fit(
            gds.estimate_algorithm(params.algorithm, nodes, edges, **estimate_kwargs),
            heap,
            f"running {params.algorithm}",
        )
        return _run_on(gds, PROJECT, graph_name, run_id, params, clock)
    if gds is not None and session.memory is not None:
        # The database's GDS estimates the fictive graph for free; an Aura session too
        # small for it would fail only after being paid for.
        require_session_fit(
            gds.estimate_algorithm(params.algorithm, nodes, edges, **estimate_kwargs),
            session.memory,
            f"running {params.algorithm}",
        )
    with clock.stage("session"), session_gds(session, params.algorithm, nodes, edges) as remote:
        return _run_on(remote, REMOTE_PROJECT, graph_name, run_id, params, clock)


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
    signals = PairEvidence().contributions(params)
    internal: list[dict[str, float]] = [dict.fromkeys(signals, 0.0) for _ in groups]
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


def _local_gds(db: Database, session: GdsSessionConfig | None) -> Gds | None:
    """The database's GDS; with a GDS Session it may be missing (AuraDB has none)."""
    try:
        return Gds.connect(db)
    except GdsNotFound:
        if session is None:
            raise GdsError(
                f"Neo4j at {db.settings.uri} has no Graph Data Science library.",
                "use the local server (`cib db start`) or run the community step on a GDS "
                "Session (`cib detect --gds-session`, README)",
            ) from None
        return None


def detect(
    runner: Database,
    params: DetectParams,
    on_stage: StageCallback | None = None,
    run_id: str | None = None,
    gds_session: GdsSessionConfig | None = None,
    work_dir: Path | None = None,
) -> DetectionResult:
    """One detection run on ``runner``'s database.

    Args:
        runner: the open database (the GDS client runs on its driver).
        params: the run's knobs (checked here).
        on_stage: called with each stage's name as it starts.
        run_id: the run's id (a new one by default).
        gds_session: run the community step on an Aura GDS Session instead of the
            database server (``graph/gds/session.py``).
        work_dir: where the run's share table goes (default: ``run_folder``).
    """
    params = params.checked()
    library = load_library()
    gds = _local_gds(runner, gds_session)
    clock = lifecycle.Clock(on_stage)
    run_id = run_id or lifecycle.new_run_id("run")
    session = plan_session(gds_session, runner.settings, run_id) if gds_session else None
    with clock.stage("prepare"):
        apply_schema(runner)
        runs.mark_interrupted_runs(runner)
        runs.refuse_during_load(runner)
        fingerprint = runs.data_fingerprint(runner)
        started_at = lifecycle.now()
        lifecycle.start_run(
            runner,
            "detection",
            run_id,
            {
                "started_at": started_at,
                "params": json.dumps(params.to_dict()),
                "algorithm": params.algorithm,
                "seed": params.seed,
                "concurrency": params.concurrency,
                "threshold": params.threshold,
                "data_fingerprint": fingerprint,
                "gds_version": gds.version() if gds else None,
                "gds_backend": f"session {session.session_name}" if session else "server",
            },
        )
    result = DetectionResult(run_id, params, "given", [])
    try:
        with clock.stage("window"):
            if params.window is None:
                params = params.with_window(estimate_window(runner, params, library))
                result.window_source = "auto"
            result.params = params
        stage = pair_signals(runner, params, library, clock.stage, work_dir or run_folder(run_id))
        pairs = stage.pairs
        result.engine = stage.engine
        with clock.stage("edges"):
            edges = write_edges(runner, run_id, pairs, params)
        community = _communities(gds, session, run_id, pairs, edges, params, clock)
        result.community = community
        with clock.stage("scoring"):
            groups = group(community.assignments, params.min_network_size) if community else []
            networks = _score(runner, library, groups, pairs, params)
        with clock.stage("amplified"):
            amplified, spared = attach_amplified(runner, networks)
            # Ranked once the amplified assets joined: equal scores rank by size.
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
            "amplified": amplified,
            # Open actors (disclosed, verified) a flagged network boosted: never joined.
            "amplified_spared": spared,
            "flagged": sum(1 for n in networks if n.flagged),
            **{f"tier_{tier}": sum(1 for n in networks if n.tier == tier) for tier in TIERS},
        }
        with clock.stage("check"):
            # A load (or a wipe) during the run changed what it read: fail rather than
            # record networks that match neither dataset under the old fingerprint.
            runs.check_unchanged(runner, fingerprint, started_at)
        result.timings = clock.timings
        lifecycle.finish_run(runner, "detection", run_id, _run_props(result))
    except BaseException as exc:
        result.timings = clock.timings
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        if isinstance(exc, KeyboardInterrupt):
            message = "interrupted (Ctrl-C)"
        try:
            props = {"timings": json.dumps(clock.timings)}
            lifecycle.fail_run(runner, "detection", run_id, message, props)
            # Nothing of a failed run stays behind to be read as evidence; if this is
            # cut short too (a second Ctrl-C), the next run removes the rest.
            runs.remove_output(runner, run_id)
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
        "engine": json.dumps(result.engine),
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
