"""The few GDS statements the client has no endpoint for: constant text, values as parameters."""

from __future__ import annotations

# A fictive graph (counts only): the estimate runs before anything is projected. The
# client's projection estimate measures the stored graph and takes no counts.
ESTIMATE_PROJECTION = """\
CALL gds.graph.project.estimate('*', $relationship_projection, {
  nodeCount: $node_count,
  relationshipCount: $relationship_count
})
YIELD bytesMin, bytesMax, requiredMemory
RETURN bytesMin, bytesMax, requiredMemory"""

# Actors carry a unique string `key` ("account:a12"); GDS node ids mean nothing outside.
KEYS_OF_NODES = """\
UNWIND $ids AS nodeId
RETURN nodeId, gds.util.asNode(nodeId).key AS key"""

# For the orphan sweep (graph/detect/runs.py), which runs on any QueryRunner: it lists
# graphs joined with DetectionRun nodes, which no client endpoint can do.
DROP = """\
CALL gds.graph.drop($graph_name, $fail_if_missing) YIELD graphName
RETURN graphName"""
