"""The Graph Data Science calls the detection pipeline makes, through ``graphdatascience``.

Estimate memory (fictive graphs, before anything is projected), project an undirected
weighted actor graph with a Cypher projection, run WCC, Louvain or Leiden (mutate, then
stream key -> community), drop the graph. ``client`` holds the interface, ``models`` the
results, ``session`` the GDS Sessions (Aura Graph Analytics) configuration, ``cypher``
the few statements the client has no endpoint for.
"""

from cibgraph.graph.gds.client import Gds
from cibgraph.graph.gds.config import MAX_CONCURRENCY, clamp_concurrency
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
