"""The Cypher behind ``Gds``: constant text only; every value travels as a parameter.

Procedure names are picked from these tables by algorithm name, never built from input.
"""

from __future__ import annotations

VERSION = "RETURN gds.version() AS version"

SYS_INFO = "CALL gds.debug.sysInfo() YIELD key, value RETURN key, value"

# A fictive graph (counts only): the estimate runs before anything is projected.
ESTIMATE_PROJECTION = """\
CALL gds.graph.project.estimate('*', $relationship_projection, {
  nodeCount: $node_count,
  relationshipCount: $relationship_count
})
YIELD bytesMin, bytesMax, requiredMemory
RETURN bytesMin, bytesMax, requiredMemory"""

_ESTIMATE_ALGORITHM = """\
CALL gds.{algorithm}.stream.estimate($fictive_graph, $config)
YIELD bytesMin, bytesMax, requiredMemory
RETURN bytesMin, bytesMax, requiredMemory"""

# Appended to the caller's projection, which ends in `WITH gds.graph.project(...) AS g`.
PROJECT_RETURN = """
RETURN g.graphName AS name, g.nodeCount AS nodes,
       g.relationshipCount AS relationships, g.projectMillis AS millis"""

EXISTS = "CALL gds.graph.exists($graph_name) YIELD exists RETURN exists"

DROP = """\
CALL gds.graph.drop($graph_name, $fail_if_missing) YIELD graphName
RETURN graphName"""

_TIMINGS = "preProcessingMillis, computeMillis, mutateMillis, postProcessingMillis, configuration"

# WCC has no modularity or levels; aliases give every algorithm the same row shape.
MUTATE = {
    "wcc": f"""\
CALL gds.wcc.mutate($graph_name, $config)
YIELD componentCount, {_TIMINGS}
RETURN componentCount AS communityCount, null AS modularity, null AS ranLevels, {_TIMINGS}""",
    "louvain": f"""\
CALL gds.louvain.mutate($graph_name, $config)
YIELD communityCount, modularity, ranLevels, {_TIMINGS}
RETURN communityCount, modularity, ranLevels, {_TIMINGS}""",
    "leiden": f"""\
CALL gds.leiden.mutate($graph_name, $config)
YIELD communityCount, modularity, ranLevels, {_TIMINGS}
RETURN communityCount, modularity, ranLevels, {_TIMINGS}""",
}

ALGORITHMS: tuple[str, ...] = tuple(MUTATE)

ESTIMATE_ALGORITHM = {name: _ESTIMATE_ALGORITHM.format(algorithm=name) for name in ALGORITHMS}

# Actors carry a unique string `key` ("account:a12"); GDS node ids mean nothing outside.
STREAM_COMMUNITIES = """\
CALL gds.graph.nodeProperty.stream($graph_name, $property)
YIELD nodeId, propertyValue
RETURN gds.util.asNode(nodeId).key AS key, propertyValue AS community"""
