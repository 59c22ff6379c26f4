"""``Gds``: typed calls to the Graph Data Science procedures the detection pipeline uses."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from cibgraph.core.errors import CibError, EmptyProjection, GdsError, QueryFailed, UsageError
from cibgraph.core.runner import Params, QueryRunner, Row
from cibgraph.graph.gds import cypher
from cibgraph.graph.gds.models import (
    CommunityResult,
    HeapInfo,
    MemoryEstimate,
    ProjectedGraph,
    require_fit,
)

# The open (community) build of GDS refuses concurrency above 4.
MAX_CONCURRENCY = 4


def clamp_concurrency(concurrency: int) -> int:
    """``concurrency`` limited to 1..4, what the open build of GDS accepts."""
    return max(1, min(MAX_CONCURRENCY, concurrency))


def _relationship_projection(properties: Sequence[str], undirected: bool) -> dict[str, Any]:
    # Orientation matters: an undirected graph stores every relationship twice, and the
    # plain '*' projection would estimate half the memory.
    orientation = "UNDIRECTED" if undirected else "NATURAL"
    return {"pairs": {"type": "*", "orientation": orientation, "properties": list(properties)}}


class Gds:
    """The GDS procedures cibgraph uses, over any ``QueryRunner``.

    Read-only calls run in managed read transactions. Calls that change the GDS catalog
    (project, mutate, drop) run in auto-commit transactions: a driver retry of a
    projection that had already succeeded would fail with "graph already exists" and
    hide what really went wrong.
    """

    def __init__(self, runner: QueryRunner) -> None:
        """Args:
        runner: where the Cypher runs (``Database``, or a recording fake in tests).
        """
        self.runner = runner

    def _call(self, mode: str, procedure: str, query: str, params: Params) -> list[Row]:
        try:
            if mode == "read":
                return self.runner.read(query, params)
            return self.runner.auto(query, params)
        except GdsError:
            raise
        except QueryFailed as exc:
            raise GdsError(f"{procedure} failed: {exc.message}", exc.hint) from exc

    # -- server ------------------------------------------------------------------------

    def version(self) -> str:
        """The GDS library version, e.g. "2.13.9"."""
        rows = self._call("read", "gds.version", cypher.VERSION, {})
        if not rows:
            raise GdsError("gds.version() returned nothing.")
        return str(rows[0]["version"])

    def heap(self) -> HeapInfo:
        """The server's heap (max, free, total, GDS-available; bytes) and its CPUs."""
        return HeapInfo.from_rows(self._call("read", "gds.debug.sysInfo", cypher.SYS_INFO, {}))

    # -- memory estimates ----------------------------------------------------------------

    def estimate_projection(
        self,
        node_count: int,
        relationship_count: int,
        relationship_properties: Sequence[str] = ("weight",),
        undirected: bool = True,
    ) -> MemoryEstimate:
        """Estimate the heap a projection of this size needs, before projecting anything.

        Args:
            node_count: nodes the projection will hold.
            relationship_count: source-target rows the projection will receive; with
                ``undirected`` GDS stores each twice, and the estimate accounts for it.
            relationship_properties: numeric relationship properties to be projected.
            undirected: whether the projection is undirected (``undirectedRelationshipTypes``).
        """
        params = {
            "node_count": node_count,
            "relationship_count": relationship_count,
            "relationship_projection": _relationship_projection(
                relationship_properties, undirected
            ),
        }
        rows = self._call("read", "gds.graph.project.estimate", cypher.ESTIMATE_PROJECTION, params)
        return MemoryEstimate.from_rows(rows, "gds.graph.project.estimate")

    def estimate_algorithm(
        self,
        algorithm: str,
        node_count: int,
        relationship_count: int,
        config: Mapping[str, Any] | None = None,
        *,
        relationship_properties: Sequence[str] = ("weight",),
        undirected: bool = True,
    ) -> MemoryEstimate:
        """Estimate the heap an algorithm needs on a graph of this size, graph included.

        Args:
            algorithm: "wcc", "louvain" or "leiden".
            node_count: nodes in the graph.
            relationship_count: source-target rows projected (see ``estimate_projection``).
            config: the algorithm's GDS configuration (camelCase keys, e.g.
                ``{"relationshipWeightProperty": "weight", "randomSeed": 42}``);
                ``concurrency`` is clamped to 1..4.
            relationship_properties: numeric relationship properties in the graph.
            undirected: whether the graph is undirected (Leiden requires it).
        """
        if algorithm not in cypher.ALGORITHMS:
            raise UsageError(
                f"No memory estimate for '{algorithm}'.",
                f"choose one of: {', '.join(cypher.ALGORITHMS)}",
            )
        sent = dict(config or {})
        if "concurrency" in sent:
            sent["concurrency"] = clamp_concurrency(int(sent["concurrency"]))
        params = {
            "fictive_graph": {
                "nodeCount": node_count,
                "relationshipCount": relationship_count,
                "nodeProjection": "*",
                "relationshipProjection": _relationship_projection(
                    relationship_properties, undirected
                ),
            },
            "config": sent,
        }
        procedure = f"gds.{algorithm}.stream.estimate"
        rows = self._call("read", procedure, cypher.ESTIMATE_ALGORITHM[algorithm], params)
        return MemoryEstimate.from_rows(rows, procedure)

    @staticmethod
    def require_fit(
        estimate: MemoryEstimate, heap: HeapInfo, what: str, *, headroom: float = 0.8
    ) -> None:
        """Raise ``InsufficientMemory`` unless ``estimate`` fits ``headroom`` of the heap.

        Args:
            estimate: from ``estimate_projection`` or ``estimate_algorithm``.
            heap: from ``heap()``.
            what: what the estimate is for ("projecting the actor graph").
            headroom: the share of the maximum heap GDS may take (default 0.8).
        """
        require_fit(estimate, heap, what, headroom=headroom)

    # -- the graph catalog ---------------------------------------------------------------

    def project(self, name: str, query: str, params: Params | None = None) -> ProjectedGraph:
        """Project an in-memory graph with a Cypher aggregation.

        Args:
            name: the in-memory graph's name; sent as the ``$graph_name`` parameter.
            query: constant Cypher ending in
                ``WITH gds.graph.project($graph_name, source, target, {...},
                {undirectedRelationshipTypes: ['*']}) AS g``; the RETURN is appended here.
            params: the query's other parameters (``graph_name`` is reserved).

        Raises:
            EmptyProjection: the query matched no rows, so no graph was created.
        """
        if "$graph_name" not in query:
            raise UsageError("A projection query must pass $graph_name to gds.graph.project.")
        if params and "graph_name" in params:
            raise UsageError("The projection parameter 'graph_name' is set from `name`.")
        full_query = query.rstrip().rstrip(";") + cypher.PROJECT_RETURN
        rows = self._call(
            "auto", "gds.graph.project", full_query, {**(params or {}), "graph_name": name}
        )
        graph = ProjectedGraph.from_rows(rows, name)
        if graph is None:
            raise EmptyProjection(
                f"The projection query for '{name}' matched nothing; no graph was created.",
                "check the query's MATCH and its parameters",
            )
        return graph

    def exists(self, name: str) -> bool:
        """Whether an in-memory graph called ``name`` exists.

        Args:
            name: the in-memory graph's name.
        """
        rows = self._call("read", "gds.graph.exists", cypher.EXISTS, {"graph_name": name})
        return bool(rows and rows[0]["exists"])

    def drop(self, name: str, fail_if_missing: bool = False) -> bool:
        """Drop an in-memory graph; return whether there was one to drop.

        Args:
            name: the in-memory graph's name.
            fail_if_missing: raise ``GdsError`` when there is no such graph.
        """
        params = {"graph_name": name, "fail_if_missing": fail_if_missing}
        return bool(self._call("auto", "gds.graph.drop", cypher.DROP, params))

    @contextmanager
    def projected(
        self, name: str, query: str, params: Params | None = None
    ) -> Iterator[ProjectedGraph]:
        """Project a graph for the ``with`` block and drop it afterwards, also on error.

        Args:
            name: the in-memory graph's name.
            query: as for ``project``.
            params: as for ``project``.
        """
        # Projecting happens outside the try: if it fails there is no graph of ours,
        # and dropping by name could remove someone else's graph that blocked us.
        graph = self.project(name, query, params)
        try:
            yield graph
        except BaseException:
            # The body's error is the one worth reporting; a failed drop must not mask it.
            with suppress(CibError):
                self.drop(name)
            raise
        self.drop(name)

    # -- algorithms (mutate, then stream the assignments) ---------------------------------

    def wcc(
        self,
        name: str,
        *,
        weight_property: str | None = None,
        threshold: float | None = None,
        concurrency: int = 4,
        mutate_property: str = "wcc",
    ) -> CommunityResult:
        """Weakly connected components.

        The partition is unique, so concurrency does not change it (ids are renumbered
        canonically, see ``CommunityResult``).

        Args:
            name: the in-memory graph.
            weight_property: relationship property compared with ``threshold``.
            threshold: ignore relationships whose weight is not above this; needs
                ``weight_property``.
            concurrency: worker threads, clamped to 1..4 (the open GDS limit).
            mutate_property: node property written into the in-memory graph; it must
                not exist yet (run twice on one graph with a different name).
        """
        if threshold is not None and weight_property is None:
            raise UsageError("A WCC threshold needs weight_property.")
        config: dict[str, Any] = {
            "mutateProperty": mutate_property,
            "concurrency": clamp_concurrency(concurrency),
        }
        if weight_property is not None:
            config["relationshipWeightProperty"] = weight_property
        if threshold is not None:
            config["threshold"] = threshold
        return self._communities("wcc", name, config)

    def louvain(
        self,
        name: str,
        *,
        weight_property: str | None = "weight",
        concurrency: int = 1,
        max_levels: int = 10,
        tolerance: float = 1e-4,
        seed_property: str | None = None,
        mutate_property: str = "louvain",
    ) -> CommunityResult:
        """Louvain modularity communities.

        GDS Louvain takes no random seed, and with concurrency above 1 the order in
        which threads move nodes changes the result from run to run (a long-standing
        GDS issue). Concurrency 1 is the default so that runs repeat exactly; on GDS
        2.13.9 with 2 CPUs it was also 10-40 times faster than concurrency 4.

        Args:
            name: the in-memory graph.
            weight_property: relationship weight, or None for unweighted.
            concurrency: worker threads, clamped to 1..4 (the open GDS limit); above 1
                the result is not reproducible.
            max_levels: most aggregation levels.
            tolerance: smallest modularity gain that counts as progress.
            seed_property: node property in the in-memory graph with starting
                communities (non-negative integers), or None.
            mutate_property: node property written into the in-memory graph; it must
                not exist yet.
        """
        config: dict[str, Any] = {
            "mutateProperty": mutate_property,
            "concurrency": clamp_concurrency(concurrency),
            "maxLevels": max_levels,
            "tolerance": tolerance,
        }
        if weight_property is not None:
            config["relationshipWeightProperty"] = weight_property
        if seed_property is not None:
            config["seedProperty"] = seed_property
        return self._communities("louvain", name, config)

    def leiden(
        self,
        name: str,
        *,
        weight_property: str | None = "weight",
        random_seed: int = 42,
        concurrency: int = 1,
        gamma: float = 1.0,
        theta: float = 0.01,
        max_levels: int = 10,
        mutate_property: str = "leiden",
    ) -> CommunityResult:
        """Leiden communities (connected by construction, unlike Louvain's).

        Needs an undirected graph. ``random_seed`` only makes runs repeat at concurrency
        1: on GDS 2.13.9 the same seed at concurrency 4 gave a different partition on
        each run (25, 28 and 29 communities on one random graph), so 1 is the default.

        Args:
            name: the in-memory graph (undirected).
            weight_property: relationship weight, or None for unweighted.
            random_seed: seed for the refinement phase's randomness.
            concurrency: worker threads, clamped to 1..4 (the open GDS limit); above 1
                the result is not reproducible even with a seed.
            gamma: resolution; higher gives more, smaller communities.
            theta: randomness when a community is broken into smaller ones.
            max_levels: most aggregation levels.
            mutate_property: node property written into the in-memory graph; it must
                not exist yet.
        """
        config: dict[str, Any] = {
            "mutateProperty": mutate_property,
            "concurrency": clamp_concurrency(concurrency),
            "randomSeed": random_seed,
            "gamma": gamma,
            "theta": theta,
            "maxLevels": max_levels,
        }
        if weight_property is not None:
            config["relationshipWeightProperty"] = weight_property
        return self._communities("leiden", name, config)

    def _communities(self, algorithm: str, name: str, config: dict[str, Any]) -> CommunityResult:
        mutate_rows = self._call(
            "auto",
            f"gds.{algorithm}.mutate",
            cypher.MUTATE[algorithm],
            {"graph_name": name, "config": config},
        )
        assignment_rows = self._call(
            "read",
            "gds.graph.nodeProperty.stream",
            cypher.STREAM_COMMUNITIES,
            {"graph_name": name, "property": config["mutateProperty"]},
        )
        return CommunityResult.from_rows(
            algorithm=algorithm,
            graph_name=name,
            config=config,
            mutate_rows=mutate_rows,
            assignment_rows=assignment_rows,
        )
