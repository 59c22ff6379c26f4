"""Emptying a database in bounded transactions, keeping constraints and indexes.

`DETACH DELETE` of a batch of nodes deletes all their relationships in the same
transaction, so a batch holding a hub (a viral URL, a 700-member network) can
exceed the server's transaction memory pool. Relationships first, then nodes,
each in fixed-size transactions, keeps every transaction small.
"""

from __future__ import annotations

from cibgraph.core.runner import QueryRunner

DELETE_RELATIONSHIPS = "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS"
DELETE_NODES = "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF $batch ROWS"
DROP_GRAPHS = (
    "CALL gds.graph.list() YIELD graphName "
    "CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped RETURN count(*) AS n"
)


def wipe_database(runner: QueryRunner, batch: int = 20_000) -> None:
    """Delete every relationship and node, and drop GDS's in-memory graphs."""
    runner.auto(DELETE_RELATIONSHIPS, {"batch": batch})
    runner.auto(DELETE_NODES, {"batch": batch})
    runner.auto(DROP_GRAPHS)
