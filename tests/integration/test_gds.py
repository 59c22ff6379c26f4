"""``Gds`` (the graphdatascience client) against the real server, on small graphs of their own.

Two dense cliques of six (a*, b*) joined by one weak edge, plus an isolated pair (p*);
and, for reproducibility, a structureless random graph of 2,000 actors. Everything
lives under the :GdsProbe label with this run's id, and in-memory graphs get unique
names, so the suite can share a server with other work.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from cibgraph.core.errors import EmptyProjection, GdsError, InsufficientMemory
from cibgraph.graph.connection import Database
from cibgraph.graph.gds import CommunityResult, Gds, ProjectedGraph

pytestmark = pytest.mark.integration

PROJECTION = """\
MATCH (s:GdsProbe {run: $run})-[r:GDS_PROBE_LINK]->(t:GdsProbe {run: $run})
RETURN gds.graph.project($graph_name, s, t,
  {relationshipProperties: {weight: r.weight}},
  {undirectedRelationshipTypes: ['*']})"""

CLIQUE_A = [f"account:a{i}" for i in range(1, 7)]
CLIQUE_B = [f"account:b{i}" for i in range(1, 6)] + ["page:b6"]
PAIR = ["page:p1", "page:p2"]

Edge = tuple[int, int, float]


def unique(prefix: str) -> str:
    return f"gdsprobe-{prefix}-{uuid.uuid4().hex[:10]}"


def create_actors(db: Database, run: str, keys: list[str], edges: list[Edge]) -> None:
    """Create :GdsProbe actors and weighted links (edges index into ``keys``).

    Links find their ends by position in one statement: :GdsProbe has no index, so
    matching each end by key would scan the label once per link.
    """
    db.write(
        "UNWIND $keys AS key CREATE (n:GdsProbe {run: $run, key: key}) "
        "WITH collect(n) AS nodes "
        "UNWIND $edges AS e "
        "WITH nodes[e[0]] AS s, nodes[e[1]] AS t, e[2] AS weight "
        "CREATE (s)-[:GDS_PROBE_LINK {weight: weight}]->(t)",
        {"run": run, "keys": keys, "edges": [list(edge) for edge in edges]},
    )


def delete_actors(db: Database, run: str) -> None:
    db.write("MATCH (n:GdsProbe {run: $run}) DETACH DELETE n", {"run": run})


@pytest.fixture(scope="module")
def run_id(db: Database) -> Iterator[str]:
    run = uuid.uuid4().hex
    keys = CLIQUE_A + CLIQUE_B + PAIR
    index = {key: i for i, key in enumerate(keys)}
    edges: list[Edge] = []
    for clique in (CLIQUE_A, CLIQUE_B):
        edges += [(index[s], index[t], 5.0) for i, s in enumerate(clique) for t in clique[i + 1 :]]
    edges.append((index[CLIQUE_A[0]], index[CLIQUE_B[0]], 0.1))
    edges.append((index[PAIR[0]], index[PAIR[1]], 1.0))
    create_actors(db, run, keys, edges)
    yield run
    delete_actors(db, run)


@pytest.fixture(scope="module")
def gds(db: Database) -> Gds:
    return Gds.connect(db)


@pytest.fixture(scope="module")
def graph(gds: Gds, run_id: str) -> Iterator[ProjectedGraph]:
    with gds.projected(unique("cliques"), PROJECTION, {"run": run_id}) as projected:
        yield projected


def same_community(result: CommunityResult, keys: list[str]) -> bool:
    return len({result.assignments[key] for key in keys}) == 1


def test_version_and_heap(gds: Gds) -> None:
    assert gds.version().startswith("2.")
    heap = gds.heap()
    assert heap.max_bytes > 0
    assert 0 < heap.free_bytes <= heap.total_bytes <= heap.max_bytes
    assert heap.available_bytes > 0
    assert heap.available_cpus >= 1


def test_projection_counts_nodes_and_both_directions(graph: ProjectedGraph, gds: Gds) -> None:
    assert graph.node_count == 14
    # 15 + 15 clique edges, the bridge and the pair, each stored in both directions.
    assert graph.relationship_count == 2 * 32
    assert graph.project_millis >= 0
    assert gds.exists(graph.name)


def test_estimates_are_positive(gds: Gds) -> None:
    projection = gds.estimate_projection(node_count=1000, relationship_count=5000)
    assert 0 < projection.bytes_min <= projection.bytes_max
    assert projection.required
    configs: list[tuple[str, dict[str, Any]]] = [
        ("wcc", {"concurrency": 4, "weight_property": None}),
        ("louvain", {"concurrency": 1}),
        ("leiden", {"concurrency": 8, "random_seed": 42}),
    ]
    for algorithm, config in configs:
        estimate = gds.estimate_algorithm(algorithm, 1000, 5000, **config)
        assert 0 < estimate.bytes_min <= estimate.bytes_max, algorithm


def test_undirected_estimate_counts_both_directions(gds: Gds) -> None:
    undirected = gds.estimate_projection(1_000_000, 50_000_000)
    directed = gds.estimate_projection(1_000_000, 50_000_000, undirected=False)
    assert undirected.bytes_max > 1.5 * directed.bytes_max


def test_a_huge_fictive_graph_does_not_fit(gds: Gds) -> None:
    heap = gds.heap()
    estimate = gds.estimate_projection(node_count=2_000_000_000, relationship_count=10**10)
    assert estimate.bytes_max > heap.max_bytes
    assert not estimate.fits(heap)
    with pytest.raises(InsufficientMemory, match=r"needs up to \d+\.\d\d GiB") as caught:
        gds.require_fit(estimate, heap, "projecting the actor graph")
    assert "cib db install --heap" in (caught.value.hint or "")


def test_wcc_finds_the_two_components(gds: Gds, graph: ProjectedGraph) -> None:
    result = gds.wcc(graph.name, mutate_property="wcc_components")
    assert result.community_count == 2
    assert same_community(result, CLIQUE_A + CLIQUE_B)
    assert same_community(result, PAIR)
    assert result.assignments[PAIR[0]] != result.assignments[CLIQUE_A[0]]
    assert result.modularity is None


def test_wcc_threshold_cuts_the_weak_bridge(gds: Gds, graph: ProjectedGraph) -> None:
    result = gds.wcc(
        graph.name, weight_property="weight", threshold=0.5, mutate_property="wcc_strong"
    )
    assert result.community_count == 3


@pytest.mark.parametrize("algorithm", ["louvain", "leiden"])
def test_modularity_splits_the_cliques(gds: Gds, graph: ProjectedGraph, algorithm: str) -> None:
    run = gds.louvain if algorithm == "louvain" else gds.leiden
    result = run(graph.name, mutate_property=f"{algorithm}_split")
    assert result.algorithm == algorithm
    assert same_community(result, CLIQUE_A)
    assert same_community(result, CLIQUE_B)
    assert same_community(result, PAIR)
    assert result.assignments[CLIQUE_A[0]] != result.assignments[CLIQUE_B[0]]
    assert result.community_count == 3
    assert result.modularity is not None
    assert result.modularity > 0.3
    assert result.ran_levels is not None
    assert result.ran_levels >= 1


def test_leiden_with_one_seed_repeats(gds: Gds, graph: ProjectedGraph) -> None:
    first = gds.leiden(graph.name, random_seed=7, mutate_property="leiden_seed_1")
    second = gds.leiden(graph.name, random_seed=7, mutate_property="leiden_seed_2")
    assert first.assignments == second.assignments


def test_timings_and_config_are_recorded(gds: Gds, graph: ProjectedGraph) -> None:
    result = gds.leiden(
        graph.name, random_seed=11, concurrency=99, mutate_property="leiden_recorded"
    )
    for millis in (
        result.compute_millis,
        result.pre_processing_millis,
        result.mutate_millis,
        result.post_processing_millis,
    ):
        assert isinstance(millis, int)
        assert millis >= 0
    assert result.config["randomSeed"] == 11
    assert result.config["concurrency"] == 4
    assert result.effective_config["randomSeed"] == 11
    assert result.effective_config["concurrency"] == 4
    assert "jobId" not in result.effective_config


def test_a_mutate_property_is_written_once_per_graph(gds: Gds, graph: ProjectedGraph) -> None:
    gds.wcc(graph.name, mutate_property="wcc_once")
    with pytest.raises(GdsError, match="already exists"):
        gds.wcc(graph.name, mutate_property="wcc_once")


def test_projected_drops_the_graph_when_the_body_raises(gds: Gds, run_id: str) -> None:
    name = unique("dropped")
    with (
        pytest.raises(RuntimeError, match="analysis failed"),
        gds.projected(name, PROJECTION, {"run": run_id}),
    ):
        assert gds.exists(name)
        raise RuntimeError("analysis failed")
    assert not gds.exists(name)


def test_an_empty_projection_creates_no_graph(gds: Gds, run_id: str) -> None:
    name = unique("empty")
    with pytest.raises(EmptyProjection):
        gds.project(name, PROJECTION, {"run": "no-such-run"})
    assert not gds.exists(name)
    assert gds.drop(name) is False


@pytest.fixture(scope="module")
def random_run(db: Database) -> Iterator[str]:
    """2,000 actors, 6,000 random weighted links: no planted structure, so many partitions
    score almost alike and thread timing decides between them (on GDS 2.13.9, seeded
    Leiden at concurrency 4 gave 25, 28 and 29 communities in three runs)."""
    run = uuid.uuid4().hex
    rng = random.Random(5)
    keys = [f"account:r{i}" for i in range(2000)]
    edges: list[Edge] = [
        (i, j, float(rng.randint(1, 5)))
        for i, j in (rng.sample(range(2000), 2) for _ in range(6000))
    ]
    create_actors(db, run, keys, edges)
    yield run
    delete_actors(db, run)


def test_louvain_and_leiden_repeat_on_one_thread(gds: Gds, random_run: str) -> None:
    """Why concurrency 1 is their default: at 1, runs repeat exactly."""
    with gds.projected(unique("random"), PROJECTION, {"run": random_run}) as projected:
        leiden = [gds.leiden(projected.name, mutate_property=f"leiden_{i}") for i in (1, 2, 3)]
        louvain = [gds.louvain(projected.name, mutate_property=f"louvain_{i}") for i in (1, 2, 3)]
    for runs in (leiden, louvain):
        assert runs[0].config["concurrency"] == 1
        assert runs[0].community_count > 10
        assert all(run.assignments == runs[0].assignments for run in runs[1:])
