"""The arguments detection hands GDS, checked before any call: algorithms, concurrency,
memory-estimate dimensions.

Pure functions, no client or server: ``client.Gds`` builds every call from these, and the
run record stores what they return, so the record says what GDS really ran with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic.alias_generators import to_camel

from cibgraph.core.errors import UsageError

# The open (community) build of GDS refuses concurrency above 4.
MAX_CONCURRENCY = 4

ALGORITHMS = ("wcc", "louvain", "leiden")


def clamp_concurrency(concurrency: int) -> int:
    """``concurrency`` limited to 1..4, what the open build of GDS accepts."""
    return max(1, min(MAX_CONCURRENCY, concurrency))


def fictive_graph(
    node_count: int, relationship_count: int, properties: Sequence[str], undirected: bool
) -> dict[str, Any]:
    """The graph dimensions a memory estimate takes instead of a projected graph.

    Orientation matters: an undirected graph stores every relationship twice, and the
    plain '*' projection would estimate half the memory.
    """
    return {
        "nodeCount": node_count,
        "relationshipCount": relationship_count,
        "nodeProjection": "*",
        "relationshipProjection": {
            "pairs": {
                "type": "*",
                "orientation": "UNDIRECTED" if undirected else "NATURAL",
                "properties": list(properties),
            }
        },
    }


def algorithm_kwargs(
    algorithm: str,
    *,
    concurrency: int,
    weight_property: str | None = None,
    random_seed: int | None = None,
    threshold: float | None = None,
    max_levels: int | None = None,
    tolerance: float | None = None,
    gamma: float | None = None,
    theta: float | None = None,
    seed_property: str | None = None,
) -> dict[str, Any]:
    """The client's keyword arguments for one algorithm: only what applies, nothing unset.

    Concurrency is clamped to the open GDS limit here, so the estimate, the run and the
    run record all see the value GDS really used.
    """
    if algorithm not in ALGORITHMS:
        raise UsageError(
            f"No community algorithm '{algorithm}'.", f"choose one of: {', '.join(ALGORITHMS)}"
        )
    if threshold is not None and weight_property is None:
        raise UsageError("A WCC threshold needs weight_property.")
    allowed = {
        "wcc": {"threshold", "seed_property"},
        "louvain": {"max_levels", "tolerance", "seed_property"},
        "leiden": {"random_seed", "gamma", "theta", "max_levels"},
    }[algorithm]
    optional = {
        "random_seed": random_seed,
        "threshold": threshold,
        "max_levels": max_levels,
        "tolerance": tolerance,
        "gamma": gamma,
        "theta": theta,
        "seed_property": seed_property,
    }
    unused = sorted(k for k, v in optional.items() if v is not None and k not in allowed)
    if unused:
        raise UsageError(f"{algorithm} takes no {', '.join(unused)}.")
    kwargs: dict[str, Any] = {"concurrency": clamp_concurrency(concurrency)}
    if weight_property is not None:
        kwargs["relationship_weight_property"] = weight_property
    kwargs.update({k: v for k, v in optional.items() if v is not None})
    return kwargs


def gds_config(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The client's keyword arguments as the GDS configuration keys they become."""
    return {to_camel(key): value for key, value in kwargs.items()}
