"""Writing a run's coordination graph back as COORDINATED_WITH relationships.

The edges are the evidence behind every network, so they are kept: exports, `cib
explain` and Browser read them; GDS projects them. Each carries its run id and
each signal's contribution.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from cibgraph.core.batches import chunked
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.signals import CoordinationPairs

# The edge properties, in the order of each row after its two actor keys.
EDGE_PROPERTIES = (
    "weight",
    "co_share",
    "slow_co_share",
    "shared_admin",
    "shared_identifier",
    "co_hashtag",
    "co_image",
    "co_similar_text",
    "co_share_objects",
    "slow_co_share_objects",
    "shared_admins",
    "shared_identifiers",
    "co_hashtag_objects",
    "co_image_objects",
    "co_similar_text_objects",
    "urls",
    "reshares",
    "texts",
    "sample_objects",
    "min_gap",
)

# Rows are positional lists, not maps: the pure-Python driver spends most of this
# stage encoding parameters, and a list sends no key strings (bench/detect.py: the
# edges stage was the largest at scales 1 and 10). A null (no min_gap) is not stored.
# The property map is built from EDGE_PROPERTIES (code constants), so the statement
# and the row layout cannot drift apart.
_EDGE_FIELDS = ", ".join(f"{name}: row[{i}]" for i, name in enumerate(EDGE_PROPERTIES, 2))
WRITE_EDGES = f"""
UNWIND $rows AS row
MATCH (a:Actor {{key: row[0]}})
MATCH (b:Actor {{key: row[1]}})
CREATE (a)-[r:COORDINATED_WITH {{run_id: $run_id, {_EDGE_FIELDS}}}]->(b)
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
            "slow_co_share": round(contributions["slow_co_share"], 4),
            "shared_admin": round(contributions["shared_admin"], 4),
            "shared_identifier": round(contributions["shared_identifier"], 4),
            "co_hashtag": round(contributions["co_hashtag"], 4),
            "co_image": round(contributions["co_image"], 4),
            "co_similar_text": round(contributions["co_similar_text"], 4),
            "co_share_objects": evidence.co_share_objects,
            "slow_co_share_objects": evidence.slow_co_share_objects,
            "shared_admins": evidence.shared_admins,
            "shared_identifiers": evidence.shared_identifiers,
            "co_hashtag_objects": evidence.co_hashtag_objects,
            "co_image_objects": evidence.co_image_objects,
            "co_similar_text_objects": evidence.co_similar_text_objects,
            "urls": evidence.urls,
            "reshares": evidence.reshares,
            "texts": evidence.texts,
            "sample_objects": evidence.sample_objects,
        }
        if evidence.min_gap is not None:
            props["min_gap"] = evidence.min_gap
        yield {"a": a, "b": b, "props": props}


def _positional(row: dict[str, object]) -> list[object]:
    props = row["props"]
    assert isinstance(props, dict)
    return [row["a"], row["b"], *(props.get(name) for name in EDGE_PROPERTIES)]


# Batches written at once, each in its own transaction. The server's work per edge
# (matching both actors, creating the relationship and its evidence) is most of the
# stage, and one transaction keeps one server core busy; a second writer uses the
# other while the next batch is built (bench/edges.py). A deadlock between the two is
# a transient error the driver retries.
WRITERS = 2


def write_edges(
    runner: QueryRunner,
    run_id: str,
    pairs: CoordinationPairs,
    params: DetectParams,
    batch_size: int = 5000,
    writers: int = WRITERS,
) -> int:
    """Write the run's edges, at most ``writers`` batches in flight; returns how many.
    On any failure the batches not yet started are dropped and those running finish
    before the error is raised, so the run's cleanup (``delete_edges``) sees them all."""
    rows = (_positional(row) for row in edge_rows(pairs, params))
    written = 0
    pool = ThreadPoolExecutor(max(1, writers), thread_name_prefix="cib-edges")
    pending: set[Future[int]] = set()
    try:
        for batch in chunked(rows, batch_size):
            if len(pending) >= writers:  # memory stays at a few batches
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                written += sum(f.result() for f in done)
            pending.add(pool.submit(_write_batch, runner, run_id, batch))
        written += sum(f.result() for f in wait(pending).done)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return written


def _write_batch(runner: QueryRunner, run_id: str, batch: list[list[object]]) -> int:
    runner.write(WRITE_EDGES, {"rows": batch, "run_id": run_id})
    return len(batch)


def delete_edges(runner: QueryRunner, run_id: str) -> None:
    runner.auto(DELETE_EDGES, {"run_id": run_id})
