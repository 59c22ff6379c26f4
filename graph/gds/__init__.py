"""Typed wrappers around the Graph Data Science calls the detection pipeline makes.

Estimate memory, project an undirected weighted actor graph with a Cypher aggregation,
run WCC, Louvain or Leiden (mutate, then stream key -> community), drop the graph.
``client`` holds the interface, ``cypher`` the query text behind it, ``models`` the
results. Everything runs through a ``QueryRunner``.
"""

from cibgraph.graph.gds.client import MAX_CONCURRENCY, Gds, clamp_concurrency
from cibgraph.graph.gds.models import (
    CommunityResult,
    HeapInfo,
    MemoryEstimate,
    ProjectedGraph,
    require_fit,
)

__all__ = [
    "MAX_CONCURRENCY",
    "CommunityResult",
    "Gds",
    "HeapInfo",
    "MemoryEstimate",
    "ProjectedGraph",
    "clamp_concurrency",
    "require_fit",
]
