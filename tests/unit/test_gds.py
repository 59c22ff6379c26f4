"""What ``Gds`` asks the graphdatascience client for, and how it reads the answers.

The real client runs over tests/fake_gds.py's recording runner (no server): each test
sees the GDS endpoint the client called and the configuration it sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import exceptions as neo

from cibgraph.core.errors import (
    EmptyProjection,
    GdsError,
    InsufficientMemory,
    QueryFailed,
    UsageError,
)
from cibgraph.graph.gds import (
    CommunityResult,
    Gds,
    HeapInfo,
    MemoryEstimate,
    ProjectedGraph,
    clamp_concurrency,
    require_fit,
)
from cibgraph.graph.gds.config import algorithm_kwargs, fictive_graph, gds_config
from tests.fake_gds import GdsCall, RecordingGdsRunner, recording_gds

GIB = 1024**3

PROJECTION = """\
MATCH (a:Actor)-[r:COORDINATED_WITH]->(b:Actor)
WHERE r.weight >= $min_weight
RETURN gds.graph.project($graph_name, a, b,
  {relationshipProperties: {weight: r.weight}},
  {undirectedRelationshipTypes: ['*']})"""

SYS_INFO_ROWS: list[dict[str, Any]] = [
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

ESTIMATE_ROW: dict[str, Any] = {
    "nodeCount": 1000,
    "relationshipCount": 5000,
    "requiredMemory": "[5 ... 9]",
    "treeView": "",
    "mapView": {},
    "bytesMin": 5,
    "bytesMax": 9,
    "heapPercentageMin": 0.0,
    "heapPercentageMax": 0.0,
}


def mutate_row(algorithm: str, **overrides: Any) -> dict[str, Any]:
    """A mutate summary as GDS 2.13 yields it for ``algorithm``."""
    row: dict[str, Any] = {
        "preProcessingMillis": 3,
        "computeMillis": 17,
        "mutateMillis": 1,
        "postProcessingMillis": 5,
        "nodePropertiesWritten": 4,
        "configuration": {"jobId": "a-random-uuid", "maxIterations": 10, "concurrency": 1},
    }
    if algorithm == "wcc":
        row.update(componentCount=2, componentDistribution={})
    else:
        row.update(
            communityCount=2,
            communityDistribution={},
            modularity=0.42,
            modularities=[0.3, 0.42],
            ranLevels=2,
        )
    if algorithm == "leiden":
        row.update(didConverge=True, nodeCount=4)
    row.update(overrides)
    return row


# GDS ids follow internal node ids: here community 907 holds the smallest key.
STREAM_ROWS = [
    {"nodeId": 30, "nodeProperty": "p", "propertyValue": 12},
    {"nodeId": 10, "nodeProperty": "p", "propertyValue": 907},
    {"nodeId": 11, "nodeProperty": "p", "propertyValue": 907},
    {"nodeId": 31, "nodeProperty": "p", "propertyValue": 12},
]
KEYS = {30: "page:pg7", 10: "account:a2", 11: "account:a1", 31: "account:a9"}


def stream_rows(params: dict[str, Any]) -> list[dict[str, Any]]:
    name = params["node_properties"]
    return [{**row, "nodeProperty": name} for row in STREAM_ROWS]


def key_rows(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"nodeId": i, "key": KEYS.get(i)} for i in params["ids"]]


def community_runner(algorithm: str = "leiden", **row_overrides: Any) -> RecordingGdsRunner:
    return RecordingGdsRunner(
        answers={
            ".mutate": [mutate_row(algorithm, **row_overrides)],
            "gds.graph.nodeProperties.stream": stream_rows,
            "gds.util.asNode": key_rows,
            "gds.graph.list": [graph_info("g")],
        }
    )


def mutate_call(runner: RecordingGdsRunner) -> GdsCall:
    (call,) = [c for c in runner.calls if c.target.endswith(".mutate")]
    return call


def sent_config(runner: RecordingGdsRunner) -> dict[str, Any]:
    config = dict(mutate_call(runner).params["config"])
    config.pop("jobId")  # the client makes one per call, for progress tracking
    return config


# -- server -------------------------------------------------------------------------------


def test_version_is_the_clients_and_heap_parses_sys_info() -> None:
    runner = RecordingGdsRunner(answers={"gds.debug.sysInfo": SYS_INFO_ROWS})
    gds = recording_gds(runner)
    assert gds.version() == "2.13.9"
    assert gds.heap() == HeapInfo(
        max_bytes=2 * GIB,
        free_bytes=498054600,
        total_bytes=1091567616,
        available_bytes=2 * GIB,
        available_cpus=2,
    )
    assert runner.targets("procedure") == ["gds.debug.sysInfo"]


def test_heap_names_missing_sys_info_keys() -> None:
    runner = RecordingGdsRunner(
        answers={"gds.debug.sysInfo": [{"key": "availableCPUs", "value": 2}]}
    )
    with pytest.raises(GdsError, match="heapMaxInBytes"):
        recording_gds(runner).heap()


# -- memory estimates ---------------------------------------------------------------------


def test_estimate_projection_sends_a_fictive_undirected_weighted_graph() -> None:
    runner = RecordingGdsRunner(
        answers={
            "gds.graph.project.estimate": [
                {"bytesMin": 100, "bytesMax": 200, "requiredMemory": "[100 Bytes ... 200 Bytes]"}
            ]
        }
    )
    estimate = recording_gds(runner).estimate_projection(1000, 5000)
    assert estimate == MemoryEstimate(100, 200, "[100 Bytes ... 200 Bytes]")
    (call,) = runner.calls
    assert call.kind == "cypher"
    assert "CALL gds.graph.project.estimate('*', $relationship_projection" in call.target
    assert call.params == {
        "node_count": 1000,
        "relationship_count": 5000,
        "relationship_projection": {
            "pairs": {"type": "*", "orientation": "UNDIRECTED", "properties": ["weight"]}
        },
    }


def test_estimate_projection_directed_without_properties() -> None:
    runner = RecordingGdsRunner(
        answers={"estimate": [{"bytesMin": 1, "bytesMax": 1, "requiredMemory": "1 Bytes"}]}
    )
    recording_gds(runner).estimate_projection(
        node_count=10, relationship_count=20, relationship_properties=(), undirected=False
    )
    assert runner.calls[0].params["relationship_projection"] == {
        "pairs": {"type": "*", "orientation": "NATURAL", "properties": []}
    }


def test_an_empty_estimate_is_an_error() -> None:
    with pytest.raises(GdsError, match="no estimate"):
        recording_gds(RecordingGdsRunner()).estimate_projection(1, 1)


@pytest.mark.parametrize("algorithm", ["wcc", "louvain", "leiden"])
def test_estimate_algorithm_uses_the_clients_fictive_graph_estimate(algorithm: str) -> None:
    runner = RecordingGdsRunner(answers={".estimate": [ESTIMATE_ROW]})
    estimate = recording_gds(runner).estimate_algorithm(
        algorithm,
        1000,
        5000,
        concurrency=16,
        random_seed=42 if algorithm == "leiden" else None,
    )
    assert estimate == MemoryEstimate(5, 9, "[5 ... 9]")
    (call,) = runner.calls
    assert call.target == f"gds.{algorithm}.stats.estimate"
    assert call.params["graphNameOrConfiguration"] == {
        "nodeCount": 1000,
        "relationshipCount": 5000,
        "nodeProjection": "*",
        "relationshipProjection": {
            "pairs": {"type": "*", "orientation": "UNDIRECTED", "properties": ["weight"]}
        },
    }
    config = call.params["algoConfig"]
    assert config["concurrency"] == 4
    assert config["relationshipWeightProperty"] == "weight"
    assert ("randomSeed" in config) == (algorithm == "leiden")


def test_estimate_algorithm_refuses_unknown_algorithms() -> None:
    runner = RecordingGdsRunner()
    with pytest.raises(UsageError, match="pageRank"):
        recording_gds(runner).estimate_algorithm("pageRank", 1, 1)
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


def graph_info(name: str) -> dict[str, Any]:
    """A catalog row as gds.graph.list and gds.graph.drop yield it."""
    return {
        "graphName": name,
        "database": "neo4j",
        "databaseLocation": "local",
        "configuration": {},
        "memoryUsage": "1 KiB",
        "sizeInBytes": 1024,
        "nodeCount": 14,
        "relationshipCount": 64,
        "creationTime": "2026-12-01T10:00:00Z",
        "modificationTime": "2026-12-01T10:00:00Z",
        "schemaWithOrientation": {},
        "density": 0.1,
        "degreeDistribution": {},
    }


def projected_row(params: dict[str, Any]) -> list[dict[str, Any]]:
    result = {
        "graphName": params["graph_name"],
        "nodeCount": 14,
        "relationshipCount": 64,
        "projectMillis": 9,
        "configuration": {},
        "query": "",
    }
    return [{"gds.graph.project": result}]


def projection_runner() -> RecordingGdsRunner:
    return RecordingGdsRunner(
        answers={
            "RETURN gds.graph.project(": projected_row,
            "gds.graph.drop": lambda p: [graph_info(p["graphName"][0])],
        }
    )


def test_project_runs_the_query_with_graph_name_as_a_parameter() -> None:
    runner = projection_runner()
    graph = recording_gds(runner).project("cib-run-1", PROJECTION + "\n", {"min_weight": 2})
    assert graph == ProjectedGraph("cib-run-1", 14, 64, 9)
    (call,) = runner.calls
    assert call.kind == "cypher"
    assert call.target == PROJECTION + "\n"
    assert call.params == {"min_weight": 2, "graph_name": "cib-run-1"}


def test_project_refuses_queries_without_graph_name_and_reserved_params() -> None:
    gds = recording_gds(RecordingGdsRunner())
    with pytest.raises(UsageError):
        gds.project("g", "RETURN gds.graph.project('g', a, b)")
    with pytest.raises(UsageError):
        gds.project("g", PROJECTION, {"graph_name": "other"})


def test_project_matching_nothing_raises_empty_projection() -> None:
    # An aggregation over no rows answers one null, and GDS creates no graph.
    runner = RecordingGdsRunner(
        answers={"RETURN gds.graph.project(": [{"gds.graph.project": None}]}
    )
    runner.answers["gds.graph.exists"] = False
    with pytest.raises(EmptyProjection):
        recording_gds(runner).project("g", PROJECTION, {"min_weight": 99})


def test_exists_and_drop_go_through_the_catalog_endpoints() -> None:
    runner = RecordingGdsRunner(answers={"gds.graph.exists": True, "gds.graph.drop": []})
    gds = recording_gds(runner)
    assert gds.exists("g") is True
    assert gds.drop("g") is False  # nothing was dropped
    gds.drop("g", fail_if_missing=True)
    assert [(c.kind, c.target) for c in runner.calls] == [
        ("function", "gds.graph.exists"),
        ("procedure", "gds.graph.drop"),
        ("procedure", "gds.graph.drop"),
    ]
    assert [c.params for c in runner.calls[1:]] == [
        {"graphName": ["g"], "failIfMissing": False},
        {"graphName": ["g"], "failIfMissing": True},
    ]


def test_projected_drops_after_the_block() -> None:
    runner = projection_runner()
    with recording_gds(runner).projected("g", PROJECTION, {"min_weight": 2}) as graph:
        assert graph.name == "g"
        assert len(runner.calls) == 1
    assert runner.calls[-1].target == "gds.graph.drop"
    assert runner.calls[-1].params == {"graphName": ["g"], "failIfMissing": False}


def test_projected_drops_when_the_block_raises() -> None:
    runner = projection_runner()
    with (
        pytest.raises(RuntimeError, match="boom"),
        recording_gds(runner).projected("g", PROJECTION),
    ):
        raise RuntimeError("boom")
    assert runner.calls[-1].target == "gds.graph.drop"


def test_projected_keeps_the_body_error_when_drop_also_fails() -> None:
    def refuse(params: dict[str, Any]) -> list[Any]:
        raise neo.ServiceUnavailable("connection gone")

    runner = projection_runner()
    runner.answers["gds.graph.drop"] = refuse
    with (
        pytest.raises(RuntimeError, match="boom"),
        recording_gds(runner).projected("g", PROJECTION),
    ):
        raise RuntimeError("boom")


def client_error(message: str) -> neo.Neo4jError:
    # As the driver builds it from a server failure (test_connection_errors.py does too).
    return neo.Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Procedure.ProcedureCallFailed", message=message
    )


def test_projected_does_not_drop_a_graph_it_failed_to_create() -> None:
    def already_exists(params: dict[str, Any]) -> list[Any]:
        raise client_error("Graph g already exists")

    runner = RecordingGdsRunner(answers={"RETURN gds.graph.project(": already_exists})
    expected = r"gds\.graph\.project failed: .*already exists"
    with (
        pytest.raises(GdsError, match=expected),
        recording_gds(runner).projected("g", PROJECTION),
    ):
        pytest.fail("the body must not run")
    assert not any("drop" in t for t in runner.targets())


# -- algorithms ---------------------------------------------------------------------------


@pytest.mark.parametrize(("asked", "sent"), [(0, 1), (-3, 1), (1, 1), (4, 4), (64, 4)])
def test_concurrency_is_clamped_to_the_open_gds_limit(asked: int, sent: int) -> None:
    assert clamp_concurrency(asked) == sent
    runner = community_runner()
    recording_gds(runner).leiden("g", concurrency=asked)
    assert sent_config(runner)["concurrency"] == sent


def test_mutate_then_stream_then_keys_in_that_order() -> None:
    runner = community_runner("louvain")
    recording_gds(runner).louvain("cib-run-1")
    targets = runner.targets()
    assert targets[0] == "gds.graph.list"  # the client's Graph object for a known name
    assert targets[1:3] == ["gds.louvain.mutate", "gds.graph.nodeProperties.stream"]
    assert "gds.util.asNode(nodeId).key AS key" in targets[3]
    mutate, stream, keys = runner.calls[1:]
    assert mutate.params["graph_name"] == "cib-run-1"
    assert stream.params["graph_name"] == "cib-run-1"
    assert stream.params["node_properties"] == "louvain"
    assert sorted(keys.params["ids"]) == [10, 11, 30, 31]


def test_a_graph_this_gds_projected_needs_no_lookup() -> None:
    runner = community_runner("wcc")
    runner.answers["RETURN gds.graph.project("] = projected_row
    gds = recording_gds(runner)
    gds.project("g", PROJECTION, {"min_weight": 2})
    gds.wcc("g")
    assert "gds.graph.list" not in runner.targets()


def test_wcc_config() -> None:
    runner = community_runner("wcc")
    result = recording_gds(runner).wcc("g")
    assert mutate_call(runner).target == "gds.wcc.mutate"
    config = sent_config(runner)
    assert config["mutateProperty"] == "wcc"
    assert config["concurrency"] == 4
    assert "relationshipWeightProperty" not in config
    assert result.community_count == 2
    assert result.modularity is None
    assert result.ran_levels is None

    runner = community_runner("wcc")
    recording_gds(runner).wcc("g", weight_property="weight", threshold=2.0, concurrency=9)
    config = sent_config(runner)
    assert config["concurrency"] == 4
    assert config["relationshipWeightProperty"] == "weight"
    assert config["threshold"] == 2.0


def test_wcc_threshold_needs_a_weight() -> None:
    runner = RecordingGdsRunner()
    with pytest.raises(UsageError):
        recording_gds(runner).wcc("g", threshold=2.0)
    assert runner.calls == []


def test_louvain_config_defaults_to_one_thread() -> None:
    runner = community_runner("louvain")
    result = recording_gds(runner).louvain("g")
    config = sent_config(runner)
    assert config["mutateProperty"] == "louvain"
    assert config["concurrency"] == 1
    assert config["maxLevels"] == 10
    assert config["tolerance"] == 1e-4
    assert config["relationshipWeightProperty"] == "weight"
    assert "seedProperty" not in config
    assert result.config == {
        "concurrency": 1,
        "relationshipWeightProperty": "weight",
        "maxLevels": 10,
        "tolerance": 1e-4,
        "mutateProperty": "louvain",
    }
    runner = community_runner("louvain")
    recording_gds(runner).louvain(
        "g", weight_property=None, seed_property="wcc", max_levels=3, mutate_property="lv2"
    )
    config = sent_config(runner)
    assert (config["mutateProperty"], config["maxLevels"], config["seedProperty"]) == (
        "lv2",
        3,
        "wcc",
    )
    assert "relationshipWeightProperty" not in config


def test_leiden_config_records_seed_and_concurrency() -> None:
    runner = community_runner()
    result = recording_gds(runner).leiden("g", random_seed=7, gamma=0.5)
    config = sent_config(runner)
    expected = {
        "mutateProperty": "leiden",
        "concurrency": 1,
        "randomSeed": 7,
        "gamma": 0.5,
        "theta": 0.01,
        "maxLevels": 10,
        "relationshipWeightProperty": "weight",
    }
    assert {k: config[k] for k in expected} == expected
    assert result.config == expected


def test_community_result_parses_the_summary_and_renumbers_by_smallest_key() -> None:
    result = recording_gds(community_runner()).leiden("g", concurrency=2)
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
    runner = community_runner("wcc")
    runner.answers["gds.util.asNode"] = lambda p: [{"nodeId": i, "key": None} for i in p["ids"]]
    with pytest.raises(GdsError, match="no `key`"):
        recording_gds(runner).wcc("g")


def test_gds_failures_name_the_procedure() -> None:
    def missing(params: dict[str, Any]) -> list[Any]:
        raise client_error("Graph with name `g` does not exist")

    runner = community_runner("wcc")
    runner.answers = {"gds.graph.list": [graph_info("g")], "gds.wcc.mutate": missing}
    with pytest.raises(GdsError) as caught:
        recording_gds(runner).wcc("g")
    assert caught.value.message.startswith("gds.wcc.mutate failed: Graph with name `g`")
    assert isinstance(caught.value, QueryFailed)
    assert runner.targets()[-1] == "gds.wcc.mutate"  # nothing streamed after a failed mutate


def test_an_unknown_graph_is_a_gds_error() -> None:
    runner = RecordingGdsRunner()  # gds.graph.list answers nothing
    with pytest.raises(GdsError, match="no in-memory graph 'g'"):
        recording_gds(runner).leiden("g")


# -- configuration building (pure) --------------------------------------------------------


def test_algorithm_kwargs_refuse_what_an_algorithm_does_not_take() -> None:
    with pytest.raises(UsageError, match="louvain takes no random_seed"):
        algorithm_kwargs("louvain", concurrency=1, random_seed=3)
    with pytest.raises(UsageError, match="wcc takes no gamma"):
        algorithm_kwargs("wcc", concurrency=1, gamma=0.5)
    kwargs = algorithm_kwargs("leiden", concurrency=9, weight_property="weight", random_seed=5)
    assert kwargs == {"concurrency": 4, "relationship_weight_property": "weight", "random_seed": 5}
    assert gds_config(kwargs) == {
        "concurrency": 4,
        "relationshipWeightProperty": "weight",
        "randomSeed": 5,
    }


def test_fictive_graph_orientation() -> None:
    directed = fictive_graph(3, 4, (), undirected=False)
    assert directed["relationshipProjection"]["pairs"]["orientation"] == "NATURAL"
    assert fictive_graph(3, 4, ("weight",), undirected=True)["relationshipProjection"] == {
        "pairs": {"type": "*", "orientation": "UNDIRECTED", "properties": ["weight"]}
    }
