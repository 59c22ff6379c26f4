"""``Gds``: the Graph Data Science calls detection makes, through the official client.

Every call goes through ``graphdatascience`` (2.x, typed endpoints that answer pydantic
models): projection, fictive-graph memory estimates, WCC/Louvain/Leiden (mutate, then
stream the community property), exists and drop. The client runs on the project's own
driver (``Gds.connect``), so it shares its URI, credentials, database and pool; or on a
GDS Session (``graph/gds/session.py``), where the projection is a remote one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from graphdatascience import Graph, GraphDataScience
from graphdatascience.error.unable_to_connect import UnableToConnectError
from graphdatascience.session import AuraGraphDataScience
from neo4j import exceptions as neo
from pydantic import ValidationError

from cibgraph.core.errors import CibError, ConnectionFailed, EmptyProjection, GdsError, UsageError
from cibgraph.graph.connection import Database, translated
from cibgraph.graph.gds import cypher
from cibgraph.graph.gds.config import (
    algorithm_kwargs,
    fictive_graph,
    gds_config,
)
from cibgraph.graph.gds.models import (
    CommunityResult,
    HeapInfo,
    MemoryEstimate,
    ProjectedGraph,
    require_fit,
)

# The end of every projection query: the client's Cypher projection takes the result of
# this call as its only column, and $graph_name keeps the name a parameter.
PROJECT_CALL = "RETURN gds.graph.project($graph_name"
REMOTE_PROJECT_CALL = "RETURN gds.graph.project.remote("


class Gds:
    """The GDS calls cibgraph makes, over a ``graphdatascience`` client.

    Library errors come out as ours: a failed procedure as ``GdsError`` naming it, a lost
    server as ``ConnectionFailed``; never the password or the parameters.
    """

    def __init__(
        self,
        client: GraphDataScience | AuraGraphDataScience,
        *,
        where: str = "Neo4j",
    ) -> None:
        """Args:
        client: a ``GraphDataScience`` (on the database server) or the
            ``AuraGraphDataScience`` of a GDS Session (remote projections, no heap).
        where: how errors name the server ("Neo4j at bolt://...", "GDS Session cib-...").
        """
        self.client = client
        self.where = where
        self.remote = isinstance(client, AuraGraphDataScience)
        self._graphs: dict[str, Graph] = {}

    @classmethod
    def connect(cls, db: Database) -> Gds:
        """The client on ``db``'s own driver and database (no second pool, no new login)."""
        with translated(db.settings):
            try:
                client = GraphDataScience(
                    db.driver, database=db.database, arrow=False, show_progress=False
                )
            except UnableToConnectError as exc:
                # The client wraps the driver's error; ours names the server and the fix.
                cause = exc.__cause__ or exc.__context__
                raise cause if isinstance(cause, Exception) else exc from None
        return cls(client, where=f"Neo4j at {db.settings.uri}")

    @contextmanager
    def _calling(self, procedure: str) -> Iterator[None]:
        try:
            yield
        except CibError:
            raise
        except ValidationError as exc:
            raise GdsError(
                f"{procedure} answered what the graphdatascience client could not read "
                f"({exc.error_count()} problems, e.g. {exc.errors()[0]['loc']}: "
                f"{exc.errors()[0]['msg']}).",
                "check that the server runs GDS 2.13 or later (`cib db status`)",
            ) from None
        except neo.Neo4jError as exc:
            raise GdsError(f"{procedure} failed: {exc.message}", exc.code) from None
        except (neo.DriverError, OSError, UnableToConnectError) as exc:
            raise ConnectionFailed(
                f"{procedure}: lost {self.where} ({type(exc).__name__}).",
                "check that the server is running (`cib db status`)",
            ) from None

    # -- server ------------------------------------------------------------------------

    def version(self) -> str:
        """The GDS library version, e.g. "2.13.9" (the client asked at connect)."""
        if isinstance(self.client, AuraGraphDataScience):
            return "session"
        return str(self.client.server_version())

    def heap(self) -> HeapInfo:
        """The server's heap (max, free, total, GDS-available; bytes) and its CPUs."""
        if isinstance(self.client, AuraGraphDataScience):
            raise UsageError("A GDS Session has no database heap to ask about.")
        with self._calling("gds.debug.sysInfo"):
            info = self.client.debug.sys_info()
        return HeapInfo.from_sys_info(info)

    # -- memory estimates ----------------------------------------------------------------

    def estimate_projection(
        self,
        node_count: int,
        relationship_count: int,
        relationship_properties: Sequence[str] = ("weight",),
        undirected: bool = True,
    ) -> MemoryEstimate:
        """Estimate the heap a projection of this size needs, before projecting anything.

        The client's projection estimate takes no node or relationship counts (it
        measures a native projection of the stored graph), so this one procedure call
        goes through the client's Cypher runner with the fictive counts as parameters.

        Args:
            node_count: nodes the projection will hold.
            relationship_count: source-target rows the projection will receive; with
                ``undirected`` GDS stores each twice, and the estimate accounts for it.
            relationship_properties: numeric relationship properties to be projected.
            undirected: whether the projection is undirected (``undirectedRelationshipTypes``).
        """
        graph = fictive_graph(node_count, relationship_count, relationship_properties, undirected)
        params = {
            "node_count": node_count,
            "relationship_count": relationship_count,
            "relationship_projection": graph["relationshipProjection"],
        }
        with self._calling("gds.graph.project.estimate"):
            frame = self.client.run_cypher(cypher.ESTIMATE_PROJECTION, params, mode="READ")
        return MemoryEstimate.from_records(frame.to_dict("records"), "gds.graph.project.estimate")

    def estimate_algorithm(
        self,
        algorithm: str,
        node_count: int,
        relationship_count: int,
        *,
        concurrency: int = 1,
        weight_property: str | None = "weight",
        random_seed: int | None = None,
        relationship_properties: Sequence[str] = ("weight",),
        undirected: bool = True,
    ) -> MemoryEstimate:
        """Estimate the heap an algorithm needs on a graph of this size, graph included.

        Args:
            algorithm: "wcc", "louvain" or "leiden".
            node_count: nodes in the graph.
            relationship_count: source-target rows projected (see ``estimate_projection``).
            concurrency: worker threads, clamped to 1..4.
            weight_property: the relationship weight the run will use, or None.
            random_seed: Leiden's seed (it does not change the estimate; accepted so the
                estimate sees the run's exact configuration).
            relationship_properties: numeric relationship properties in the graph.
            undirected: whether the graph is undirected (Leiden requires it).
        """
        kwargs = algorithm_kwargs(
            algorithm,
            concurrency=concurrency,
            weight_property=weight_property,
            random_seed=random_seed,
        )
        graph = fictive_graph(node_count, relationship_count, relationship_properties, undirected)
        procedure = f"gds.{algorithm}.stats.estimate"
        with self._calling(procedure):
            result = self._endpoints(algorithm).estimate(graph, **kwargs)
        return MemoryEstimate(result.bytes_min, result.bytes_max, result.required_memory)

    @staticmethod
    def require_fit(
        estimate: MemoryEstimate, heap: HeapInfo, what: str, *, headroom: float = 0.8
    ) -> None:
        """Raise ``InsufficientMemory`` unless ``estimate`` fits ``headroom`` of the heap."""
        require_fit(estimate, heap, what, headroom=headroom)

    # -- the graph catalog ---------------------------------------------------------------

    def project(
        self, name: str, query: str, params: Mapping[str, Any] | None = None
    ) -> ProjectedGraph:
        """Project an in-memory graph with a Cypher projection.

        Args:
            name: the in-memory graph's name; sent as the ``$graph_name`` parameter (on a
                GDS Session it is the session graph's name).
            query: constant Cypher ending in ``RETURN gds.graph.project($graph_name, ...)``
                (on a GDS Session: ``RETURN gds.graph.project.remote(...)``).
            params: the query's other parameters (``graph_name`` is reserved).

        Raises:
            EmptyProjection: the query matched no rows, so no graph was created.
        """
        call = REMOTE_PROJECT_CALL if self.remote else PROJECT_CALL
        if call not in query:
            raise UsageError(f"A projection query must end in `{call}...)`.")
        if params and "graph_name" in params:
            raise UsageError("The projection parameter 'graph_name' is set from `name`.")
        sent = dict(params or {})
        client = self.client
        with self._calling("gds.graph.project"):
            try:
                if isinstance(client, AuraGraphDataScience):
                    remote = client.graph.project.cypher(
                        name, query, query_parameters=sent, undirected_relationship_types=["*"]
                    )
                    graph, on_session = remote.graph, remote.result
                    counts = (
                        on_session.node_count,
                        on_session.relationship_count,
                        on_session.project_millis,
                    )
                else:
                    local = client.graph.project.cypher(query, **sent, graph_name=name)
                    graph, result = local.graph, local.result
                    counts = (result.node_count, result.relationship_count, result.project_millis)
            except ValidationError:
                raise
            except ValueError:
                # The aggregation over zero rows answers null instead of a graph map, and
                # the client refuses a result that is not a map: nothing was created.
                if self.exists(name):
                    raise
                raise EmptyProjection(
                    f"The projection query for '{name}' matched nothing; no graph was created.",
                    "check the query's MATCH and its parameters",
                ) from None
        if graph.name() != name:
            raise GdsError(f"Asked GDS to project '{name}' and it reported '{graph.name()}'.")
        self._graphs[name] = graph
        return ProjectedGraph(name, int(counts[0]), int(counts[1]), int(counts[2]))

    def exists(self, name: str) -> bool:
        """Whether an in-memory graph called ``name`` exists."""
        with self._calling("gds.graph.exists"):
            return bool(self.client.graph.exists(name))

    def drop(self, name: str, fail_if_missing: bool = False) -> bool:
        """Drop an in-memory graph; return whether there was one to drop.

        Args:
            name: the in-memory graph's name.
            fail_if_missing: raise ``GdsError`` when there is no such graph.
        """
        self._graphs.pop(name, None)
        with self._calling("gds.graph.drop"):
            return bool(self.client.graph.drop(name, fail_if_missing=fail_if_missing))

    @contextmanager
    def projected(
        self, name: str, query: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[ProjectedGraph]:
        """Project a graph for the ``with`` block and drop it afterwards, also on error."""
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

    def _graph(self, name: str) -> Graph:
        if name not in self._graphs:
            with self._calling("gds.graph.list"):
                try:
                    self._graphs[name] = self.client.graph.get(name)
                except ValueError:
                    raise GdsError(f"There is no in-memory graph '{name}'.") from None
        return self._graphs[name]

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
        """Weakly connected components (a unique partition: concurrency cannot change it).

        Args:
            name: the in-memory graph.
            weight_property: relationship property compared with ``threshold``.
            threshold: ignore relationships whose weight is not above this; needs
                ``weight_property``.
            concurrency: worker threads, clamped to 1..4 (the open GDS limit).
            mutate_property: node property written into the in-memory graph; it must
                not exist yet.
        """
        kwargs = algorithm_kwargs(
            "wcc", concurrency=concurrency, weight_property=weight_property, threshold=threshold
        )
        return self._communities("wcc", name, mutate_property, kwargs)

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
        """
        kwargs = algorithm_kwargs(
            "louvain",
            concurrency=concurrency,
            weight_property=weight_property,
            max_levels=max_levels,
            tolerance=tolerance,
            seed_property=seed_property,
        )
        return self._communities("louvain", name, mutate_property, kwargs)

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
        """
        kwargs = algorithm_kwargs(
            "leiden",
            concurrency=concurrency,
            weight_property=weight_property,
            random_seed=random_seed,
            gamma=gamma,
            theta=theta,
            max_levels=max_levels,
        )
        return self._communities("leiden", name, mutate_property, kwargs)

    def _endpoints(self, algorithm: str) -> Any:
        # A fixed table, never getattr on input: algorithm_kwargs refused anything else.
        client = self.client
        return {"wcc": client.wcc, "louvain": client.louvain, "leiden": client.leiden}[algorithm]

    def _communities(
        self, algorithm: str, name: str, mutate_property: str, kwargs: dict[str, Any]
    ) -> CommunityResult:
        graph = self._graph(name)
        with self._calling(f"gds.{algorithm}.mutate"):
            summary = self._endpoints(algorithm).mutate(
                graph, mutate_property, log_progress=False, **kwargs
            )
        with self._calling("gds.graph.nodeProperties.stream"):
            assignments = self._assignments(graph, mutate_property)
        return CommunityResult.from_summary(
            algorithm=algorithm,
            graph_name=name,
            mutate_property=mutate_property,
            config={**gds_config(kwargs), "mutateProperty": mutate_property},
            summary=summary.model_dump(),
            assignment_rows=assignments,
        )

    def _assignments(self, graph: Graph, mutate_property: str) -> list[dict[str, Any]]:
        """``{"key", "community"}`` rows: the community property beside each actor's key."""
        if isinstance(self.client, AuraGraphDataScience):
            # A session graph keeps the database's node ids, and the client looks the
            # keys up in the database it projected from.
            frame = self.client.graph.node_properties.stream(
                graph, mutate_property, log_progress=False, db_node_properties=["key"]
            )
            return [
                {"key": key, "community": int(community)}
                for key, community in zip(
                    frame["key"].tolist(), frame[mutate_property].tolist(), strict=True
                )
            ]
        frame = self.client.graph.node_properties.stream(graph, mutate_property, log_progress=False)
        ids = [int(node_id) for node_id in frame["nodeId"]]
        # The client's own key lookup (db_node_properties) matches on id(), which Neo4j 5
        # reports as deprecated; gds.util.asNode reads the same nodes without it.
        keys = self.client.run_cypher(cypher.KEYS_OF_NODES, {"ids": ids}, mode="READ")
        key_of = dict(zip(keys["nodeId"].tolist(), keys["key"].tolist(), strict=True))
        return [
            {"key": key_of.get(node_id), "community": int(community)}
            for node_id, community in zip(ids, frame[mutate_property].tolist(), strict=True)
        ]
