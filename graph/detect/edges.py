"""Writing a run's coordination graph back as COORDINATED_WITH relationships.

The edges are the evidence behind every network, so they are kept: exports, `cib
explain` and Browser read them; GDS projects them. Each carries its run id and
each signal's contribution.
"""

from __future__ import annotations

from collections.abc import Iterator

from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.signals import CoordinationPairs
from cibgraph.graph.runner import QueryRunner
from cibgraph.loaders.batches import chunked

WRITE_EDGES = """
UNWIND $rows AS row
MATCH (a:Actor {key: row.a})
MATCH (b:Actor {key: row.b})
CREATE (a)-[r:COORDINATED_WITH]->(b)
SET r = row.props, r.run_id = $run_id
"""

DELETE_EDGES = """
MATCH ()-[r:COORDINATED_WITH {run_id: $run_id}]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
"""


def edge_rows(pairs: CoordinationPairs, params: DetectParams) -> Iterator[dict[str, object]]:
    for (a, b), evidence in sorted(pairs.pairs.items()):
        contributions = evidence.contributions(params)
        weight = sum(contributions.values())
        if weight <= 0:
            continue
        props: dict[str, object] = {
            "weight": round(weight, 4),
            "co_share": round(contributions["co_share"], 4),
            "shared_admin": round(contributions["shared_admin"], 4),
            "shared_identifier": round(contributions["shared_identifier"], 4),
            "co_share_objects": evidence.co_share_objects,
            "shared_admins": evidence.shared_admins,
            "shared_identifiers": evidence.shared_identifiers,
            "urls": evidence.urls,
            "reshares": evidence.reshares,
            "texts": evidence.texts,
            "sample_objects": evidence.sample_objects,
        }
        if evidence.min_gap is not None:
            props["min_gap"] = evidence.min_gap
        yield {"a": a, "b": b, "props": props}


def write_edges(
    runner: QueryRunner,
    run_id: str,
    pairs: CoordinationPairs,
    params: DetectParams,
    batch_size: int = 5000,
) -> int:
    written = 0
    for batch in chunked(edge_rows(pairs, params), batch_size):
        runner.write(WRITE_EDGES, {"rows": batch, "run_id": run_id})
        written += len(batch)
    return written


def delete_edges(runner: QueryRunner, run_id: str) -> None:
    runner.auto(DELETE_EDGES, {"run_id": run_id})
