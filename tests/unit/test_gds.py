"""What the GDS wrappers send, and how they read GDS's answers (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from cibgraph.core.errors import (
    EmptyProjection,
    GdsError,
    InsufficientMemory,
    QueryFailed,
    UsageError,
)
from cibgraph.core.runner import Row
from cibgraph.graph.gds import (
    CommunityResult,
    Gds,
    HeapInfo,
    MemoryEstimate,
    ProjectedGraph,
    clamp_concurrency,
    require_fit,
)
from tests.fakes import RecordingRunner

GIB = 1024**3

PROJECTION = """\
MATCH (a:Actor)-[r:COORDINATED_WITH]->(b:Actor)
WHERE r.weight >= $min_weight
WITH gds.graph.project($graph_name, a, b,
  {relationshipProperties: {weight: r.weight}},
  {undirectedRelationshipTypes: ['*']}) AS g"""

SYS_INFO_ROWS: list[Row] = [
    {"key": "gdsVersion", "value": "2.13.9"},
    {"key": "availableCPUs", "value": 2},
    {"key": "availableHeapInBytes", "value": 2 * GIB},
    {"key": "heapFreeInBytes", "value": 498054600},
    {"key": "heapTotalInBytes", "value": 1091567616},
    {"key": "heapMaxInBytes", "value": 2 * GIB},
    {"key": "heapMax", "value": "2048 MiB"},
]

HEAP = HeapInfo(
    max_bytes=2 * GIB,
    free_bytes=GIB // 2,
    total_bytes=GIB,
    available_bytes=2 * GIB,
    available_cpus=2,
)


def mutate_row(**overrides: Any) -> Row:
    row: Row = {
        "communityCount": 2,
        "modularity": 0.42,
        "ranLevels": 2,
        "preProcessingMillis": 3,
        "computeMillis": 17,
        "mutateMillis": 1,
        "postProcessingMillis": 5,
        "configuration": {"jobId": "a-random-uuid", "maxIterations": 10, "concurrency": 1},
    }
    row.update(overrides)
    return row


# GDS ids follow internal node ids: here community 907 holds the smallest key.
ASSIGNMENT_ROWS: list[Row] = [
    {"key": "page:pg7", "community": 12},
    {"key": "account:a2", "community": 907},
    {"key": "account:a1", "community": 907},
    {"key": "account:a9", "community": 12},
]


def community_runner(**row_overrides: Any) -> RecordingRunner:
    return RecordingRunner(
        answers={
            "mutate(": [mutate_row(**row_overrides)],
            "nodeProperty.stream": ASSIGNMENT_ROWS,
        }
    )


def sent_config(runner: RecordingRunner) -> dict[str, Any]:
    (call,) = [c for c in runner.calls if ".mutate(" in c.query]
    config: dict[str, Any] = call.params["config"]
    return config


# -- server -------------------------------------------------------------------------------


def test_version_and_heap_parse_sys_info() -> None:
    runner = RecordingRunner(
        answers={"gds.version()": [{"version": "2.13.9"}], "sysInfo": SYS_INFO_ROWS}
    )
    gds = Gds(runner)
    assert gds.version() == "2.13.9"
    assert gds.heap() == HeapInfo(
        max_bytes=2 * GIB,
        free_bytes=498054600,
        total_bytes=1091567616,
        available_bytes=2 * GIB,
        available_cpus=2,
    )
    assert [c.mode for c in runner.calls] == ["read", "read"]
    assert "CALL gds.debug.sysInfo()" in runner.calls[1].query


def test_heap_names_missing_sys_info_keys() -> None:
    runner = RecordingRunner(answers={"sysInfo": [{"key": "availableCPUs", "value": 2}]})
    with pytest.raises(GdsError, match="heapMaxInBytes"):
        Gds(runner).heap()


# -- memory estimates ---------------------------------------------------------------------


def test_estimate_projection_sends_a_fictive_undirected_weighted_graph() -> None:
    runner = RecordingRunner(
        answers={
            "gds.graph.project.estimate": [
                {"bytesMin": 100, "bytesMax": 200, "requiredMemory": "[100 Bytes ... 200 Bytes]"}
            ]
        }
    )
    estimate = Gds(runner).estimate_projection(1000, 5000)
    assert estimate == MemoryEstimate(100, 200, "[100 Bytes ... 200 Bytes]")
    (call,) = runner.calls
    assert call.mode == "read"
    assert "CALL gds.graph.project.estimate('*', $relationship_projection" in call.query
    assert call.params == {
        "node_count": 1000,
        "relationship_count": 5000,
        "relationship_projection": {
            "pairs": {"type": "*", "orientation": "UNDIRECTED", "properties": ["weight"]}
        },
    }


def test_estimate_projection_directed_without_properties() -> None:
    runner = RecordingRunner(
        answers={"estimate": [{"bytesMin": 1, "bytesMax": 1, "requiredMemory": "1 Bytes"}]}
    )
    Gds(runner).estimate_projection(
        node_count=10, relationship_count=20, relationship_properties=(), undirected=False
    )
    assert runner.calls[0].params["relationship_projection"] == {
        "pairs": {"type": "*", "orientation": "NATURAL", "properties": []}
    }


@pytest.mark.parametrize("algorithm", ["wcc", "louvain", "leiden"])
def test_estimate_algorithm_uses_the_fictive_stream_estimate(algorithm: str) -> None:
    runner = RecordingRunner(
        answers={"estimate": [{"bytesMin": 5, "bytesMax": 9, "requiredMemory": "[5 ... 9]"}]}
    )
    estimate = Gds(runner).estimate_algorithm(
        algorithm, 1000, 5000, {"concurrency": 16, "randomSeed": 42}
    )
    assert (estimate.bytes_min, estimate.bytes_max) == (5, 9)
    (call,) = runner.calls
    assert f"CALL gds.{algorithm}.stream.estimate($fictive_graph, $config)" in call.query
    assert call.params["fictive_graph"] == {
        "nodeCount": 1000,
        "relationshipCount": 5000,
        "nodeProjection": "*",
        "relationshipProjection": {
            "pairs": {"type": "*", "orientation": "UNDIRECTED", "properties": ["weight"]}
        },
    }
    assert call.params["config"] == {"concurrency": 4, "randomSeed": 42}


def test_estimate_algorithm_refuses_unknown_algorithms() -> None:
    runner = RecordingRunner()
    with pytest.raises(UsageError, match="pageRank"):
        Gds(runner).estimate_algorithm("pageRank", 1, 1)
    assert runner.calls == []


def test_fits_compares_the_upper_estimate_with_headroom_of_max_heap() -> None:
    budget = int(2 * GIB * 0.8)
    assert MemoryEstimate(1, budget, "").fits(HEAP)
    assert not MemoryEstimate(1, budget + 1, "").fits(HEAP)
    assert MemoryEstimate(1, budget + 1, "").fits(HEAP, headroom=0.9)


def test_require_fit_gives_both_figures_in_gib_and_a_hint() -> None:
    huge = MemoryEstimate(250 * GIB, 250 * GIB, "250 GiB")
    with pytest.raises(InsufficientMemory) as caught:
        require_fit(huge, HEAP, "projecting the actor graph")
    message = caught.value.message
    assert message.startswith("Projecting the actor graph needs up to 250.00 GiB")
    assert "1.60 GiB (80%)" in message
    assert "2.00 GiB heap" in message
    assert caught.value.hint is not None
    assert "cib db install --heap 8g && cib db stop && cib db start" in caught.value.hint
    assert "bigger server" in caught.value.hint
    assert caught.value.exit_code == 3
    # Fitting estimates pass silently, through either spelling.
    require_fit(MemoryEstimate(1, 1, "1 Bytes"), HEAP, "x")
    Gds.require_fit(MemoryEstimate(1, 1, "1 Bytes"), HEAP, "x")


# -- projection and the catalog ------------------------------------------------------------


def projection_runner() -> RecordingRunner:
    return RecordingRunner(
        answers={
            "gds.graph.project(": lambda p: [
                {"name": p["graph_name"], "nodes": 14, "relationships": 64, "millis": 9}
            ],
            "gds.graph.drop": lambda p: [{"graphName": p["graph_name"]}],
        }
    )


def test_project_appends_return_and_passes_graph_name_as_parameter() -> None:
    runner = projection_runner()
    graph = Gds(runner).project("cib-run-1", PROJECTION + "\n", {"min_weight": 2})
    assert graph == ProjectedGraph("cib-run-1", 14, 64, 9)
    (call,) = runner.calls
    assert call.mode == "auto"
    assert call.params == {"min_weight": 2, "graph_name": "cib-run-1"}
    assert "cib-run-1" not in call.query
    assert call.query.startswith(PROJECTION + "\nRETURN g.graphName AS name, g.nodeCount AS nodes")
    assert call.query.rstrip().endswith("g.projectMillis AS millis")


def test_project_refuses_queries_without_graph_name_and_reserved_params() -> None:
    gds = Gds(RecordingRunner())
    with pytest.raises(UsageError):
        gds.project("g", "WITH gds.graph.project('g', a, b) AS g")
    with pytest.raises(UsageError):
        gds.project("g", PROJECTION, {"graph_name": "other"})


def test_project_matching_nothing_raises_empty_projection() -> None:
    # An aggregation over no rows answers one row of nulls, and GDS creates no graph.
    nulls = {"name": None, "nodes": None, "relationships": None, "millis": None}
    runner = RecordingRunner(answers={"gds.graph.project(": [nulls]})
    with pytest.raises(EmptyProjection):
        Gds(runner).project("g", PROJECTION, {"min_weight": 99})


def test_exists_and_drop() -> None:
    runner = RecordingRunner(answers={"gds.graph.exists": [{"exists": True}], "gds.graph.drop": []})
    gds = Gds(runner)
    assert gds.exists("g") is True
    assert gds.drop("g") is False  # nothing was dropped
    gds.drop("g", fail_if_missing=True)
    assert [c.params for c in runner.calls] == [
        {"graph_name": "g"},
        {"graph_name": "g", "fail_if_missing": False},
        {"graph_name": "g", "fail_if_missing": True},
    ]
    assert [c.mode for c in runner.calls] == ["read", "auto", "auto"]


def test_projected_drops_after_the_block() -> None:
    runner = projection_runner()
    with Gds(runner).projected("g", PROJECTION, {"min_weight": 2}) as graph:
        assert graph.name == "g"
        assert len(runner.calls) == 1
    assert "gds.graph.drop" in runner.calls[-1].query
    assert runner.calls[-1].params == {"graph_name": "g", "fail_if_missing": False}


def test_projected_drops_when_the_block_raises() -> None:
    runner = projection_runner()
    with pytest.raises(RuntimeError, match="boom"), Gds(runner).projected("g", PROJECTION):
        raise RuntimeError("boom")
    assert "gds.graph.drop" in runner.calls[-1].query


def test_projected_keeps_the_body_error_when_drop_also_fails() -> None:
    def refuse(params: dict[str, Any]) -> list[Row]:
        raise QueryFailed("connection gone")

    runner = projection_runner()
    runner.answers["gds.graph.drop"] = refuse
    with pytest.raises(RuntimeError, match="boom"), Gds(runner).projected("g", PROJECTION):
        raise RuntimeError("boom")


def test_projected_does_not_drop_a_graph_it_failed_to_create() -> None:
    def already_exists(params: dict[str, Any]) -> list[Row]:
        raise QueryFailed("Graph g already exists")

    runner = RecordingRunner(answers={"gds.graph.project(": already_exists})
    expected = r"gds\.graph\.project failed: Graph g already exists"
    with pytest.raises(GdsError, match=expected), Gds(runner).projected("g", PROJECTION):
        pytest.fail("the body must not run")
    assert not any("drop" in q for q in runner.queries())


# -- algorithms ---------------------------------------------------------------------------


@pytest.mark.parametrize(("asked", "sent"), [(0, 1), (-3, 1), (1, 1), (4, 4), (64, 4)])
def test_concurrency_is_clamped_to_the_open_gds_limit(asked: int, sent: int) -> None:
    assert clamp_concurrency(asked) == sent
    runner = community_runner()
    Gds(runner).leiden("g", concurrency=asked)
    assert sent_config(runner)["concurrency"] == sent


def test_mutate_then_stream_in_that_order() -> None:
    runner = community_runner()
    Gds(runner).louvain("cib-run-1")
    mutate, stream = runner.calls
    assert mutate.mode == "auto"
    assert mutate.query.startswith("CALL gds.louvain.mutate($graph_name, $config)")
    assert mutate.params["graph_name"] == "cib-run-1"
    assert stream.mode == "read"
    assert stream.query.startswith("CALL gds.graph.nodeProperty.stream($graph_name, $property)")
    assert "gds.util.asNode(nodeId).key AS key" in stream.query
    assert stream.params == {"graph_name": "cib-run-1", "property": "louvain"}


def test_wcc_config() -> None:
    runner = community_runner(modularity=None, ranLevels=None)
    result = Gds(runner).wcc("g")
    assert runner.calls[0].query.startswith("CALL gds.wcc.mutate($graph_name, $config)")
    assert sent_config(runner) == {"mutateProperty": "wcc", "concurrency": 4}
    assert result.modularity is None
    assert result.ran_levels is None

    runner = community_runner(modularity=None, ranLevels=None)
    Gds(runner).wcc("g", weight_property="weight", threshold=2.0, concurrency=9)
    assert sent_config(runner) == {
        "mutateProperty": "wcc",
        "concurrency": 4,
        "relationshipWeightProperty": "weight",
        "threshold": 2.0,
    }


def test_wcc_threshold_needs_a_weight() -> None:
    with pytest.raises(UsageError):
        Gds(RecordingRunner()).wcc("g", threshold=2.0)


def test_louvain_config_defaults_to_one_thread() -> None:
    runner = community_runner()
    Gds(runner).louvain("g")
    assert sent_config(runner) == {
        "mutateProperty": "louvain",
        "concurrency": 1,
        "maxLevels": 10,
        "tolerance": 1e-4,
        "relationshipWeightProperty": "weight",
    }
    runner = community_runner()
    Gds(runner).louvain(
        "g", weight_property=None, seed_property="wcc", max_levels=3, mutate_property="lv2"
    )
    assert sent_config(runner) == {
        "mutateProperty": "lv2",
        "concurrency": 1,
        "maxLevels": 3,
        "tolerance": 1e-4,
        "seedProperty": "wcc",
    }


def test_leiden_config_records_seed_and_concurrency() -> None:
    runner = community_runner()
    result = Gds(runner).leiden("g", random_seed=7, gamma=0.5)
    expected = {
        "mutateProperty": "leiden",
        "concurrency": 1,
        "randomSeed": 7,
        "gamma": 0.5,
        "theta": 0.01,
        "maxLevels": 10,
        "relationshipWeightProperty": "weight",
    }
    assert sent_config(runner) == expected
    assert result.config == expected


def test_community_result_parses_rows_and_renumbers_by_smallest_key() -> None:
    result = Gds(community_runner()).leiden("g", concurrency=2)
    assert isinstance(result, CommunityResult)
    assert result.algorithm == "leiden"
    assert result.graph_name == "g"
    assert result.mutate_property == "leiden"
    assert dict(result.assignments) == {
        "account:a1": 0,
        "account:a2": 0,
        "account:a9": 1,
        "page:pg7": 1,
    }
    assert result.members() == {0: ["account:a1", "account:a2"], 1: ["account:a9", "page:pg7"]}
    assert result.community_count == 2
    assert result.modularity == pytest.approx(0.42)
    assert result.ran_levels == 2
    assert (
        result.pre_processing_millis,
        result.compute_millis,
        result.mutate_millis,
        result.post_processing_millis,
    ) == (3, 17, 1, 5)
    assert result.config["concurrency"] == 2
    assert dict(result.effective_config) == {"maxIterations": 10, "concurrency": 1}
    with pytest.raises(TypeError):
        result.assignments["account:a1"] = 5  # type: ignore[index]


def test_assignments_without_keys_are_refused() -> None:
    runner = community_runner()
    runner.answers["nodeProperty.stream"] = [{"key": None, "community": 1}]
    with pytest.raises(GdsError, match="no `key`"):
        Gds(runner).wcc("g")


def test_gds_failures_name_the_procedure() -> None:
    def missing(params: dict[str, Any]) -> list[Row]:
        raise QueryFailed("Graph with name `g` does not exist", "Neo.ClientError.Procedure")

    runner = RecordingRunner(answers={"gds.wcc.mutate": missing})
    with pytest.raises(GdsError) as caught:
        Gds(runner).wcc("g")
    assert caught.value.message.startswith("gds.wcc.mutate failed: Graph with name `g`")
    assert isinstance(caught.value, QueryFailed)
    assert len(runner.calls) == 1  # nothing streamed after a failed mutate
