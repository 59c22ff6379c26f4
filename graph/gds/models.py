"""What ``Gds`` returns: small frozen records, read from the client's answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from cibgraph.core.errors import GdsError, InsufficientMemory
from cibgraph.core.runner import Row

GIB = 1024**3

HEAP_HINT = (
    "give Neo4j a bigger heap: `cib db install --heap 8g && cib db stop && cib db start` "
    "(the heap must stay below the machine's RAM), or run on a bigger server"
)

# gds.debug.sysInfo() key names as GDS 2.13 reports them (the client's aliases).
_SYS_INFO_KEYS = {
    "max_bytes": "heapMaxInBytes",
    "free_bytes": "heapFreeInBytes",
    "total_bytes": "heapTotalInBytes",
    "available_bytes": "availableHeapInBytes",
    "available_cpus": "availableCPUs",
}


def gib(n_bytes: float) -> str:
    return f"{n_bytes / GIB:.2f} GiB"


@dataclass(frozen=True)
class HeapInfo:
    """The server's JVM heap, in bytes, and its processors (from ``gds.debug.sysInfo``).

    ``max_bytes`` is the ceiling (-Xmx); ``total_bytes`` is what the JVM has reserved so
    far and ``free_bytes`` the unused part of that, both of which move with garbage
    collection; ``available_bytes`` is GDS's own figure for heap it may still use.
    """

    max_bytes: int
    free_bytes: int
    total_bytes: int
    available_bytes: int
    available_cpus: int

    @classmethod
    def from_sys_info(cls, info: BaseModel) -> HeapInfo:
        """From the client's ``debug.sys_info()`` answer (a pydantic model)."""
        values = info.model_dump(by_alias=True)
        missing = sorted(key for key in _SYS_INFO_KEYS.values() if values.get(key) is None)
        if missing:
            raise GdsError(f"gds.debug.sysInfo() did not report {', '.join(missing)}.")
        return cls(**{field: int(values[key]) for field, key in _SYS_INFO_KEYS.items()})


@dataclass(frozen=True)
class MemoryEstimate:
    """A GDS memory estimate: a byte range and GDS's own rendering of it."""

    bytes_min: int
    bytes_max: int
    required: str

    @classmethod
    def from_records(cls, rows: Sequence[Mapping[str, Any]], procedure: str) -> MemoryEstimate:
        if not rows:
            raise GdsError(f"{procedure} returned no estimate.")
        row = rows[0]
        return cls(int(row["bytesMin"]), int(row["bytesMax"]), str(row["requiredMemory"]))

    def budget(self, heap: HeapInfo, headroom: float = 0.8) -> int:
        """Heap bytes this estimate may use.

        Args:
            heap: the server's heap, from ``Gds.heap()``.
            headroom: the share of the maximum heap GDS may take; the rest is left to
                Neo4j's own transactions and caches.
        """
        return int(heap.max_bytes * headroom)

    def fits(self, heap: HeapInfo, headroom: float = 0.8) -> bool:
        """Whether the upper estimate fits ``headroom`` of the maximum heap.

        The maximum (not the free) heap is the yardstick: free heap swings with garbage
        collection from one second to the next, the maximum is what the server can reach.

        Args:
            heap: the server's heap, from ``Gds.heap()``.
            headroom: the share of the maximum heap GDS may take (default 0.8).
        """
        return self.bytes_max <= self.budget(heap, headroom)


def require_fit(
    estimate: MemoryEstimate, heap: HeapInfo, what: str, *, headroom: float = 0.8
) -> None:
    """Raise ``InsufficientMemory`` unless ``estimate`` fits the heap.

    Args:
        estimate: from ``Gds.estimate_projection`` or ``Gds.estimate_algorithm``.
        heap: the server's heap, from ``Gds.heap()``.
        what: what the estimate is for, as the analyst should read it
            ("projecting the actor graph").
        headroom: the share of the maximum heap GDS may take (default 0.8).
    """
    if estimate.fits(heap, headroom):
        return
    raise InsufficientMemory(
        f"{what.capitalize()} needs up to {gib(estimate.bytes_max)} of heap "
        f"(GDS estimate {estimate.required}), but only {gib(estimate.budget(heap, headroom))} "
        f"({headroom:.0%}) of the server's {gib(heap.max_bytes)} heap is available for it.",
        HEAP_HINT,
    )


@dataclass(frozen=True)
class ProjectedGraph:
    """An in-memory graph in the GDS catalog, as the projection reported it."""

    name: str
    node_count: int
    relationship_count: int
    project_millis: int


@dataclass(frozen=True)
class CommunityResult:
    """One community-detection run: who is in which community, and how it was computed.

    Community ids are renumbered 0, 1, 2, ... in order of each community's smallest key,
    so the same partition always carries the same ids whatever GDS's internal node ids
    were (they follow the projection's row order, which no one controls). The raw GDS ids
    stay in the in-memory graph under ``mutate_property``.

    ``config`` is the exact map sent to GDS (seed and concurrency included) so the run can
    be repeated; ``effective_config`` is GDS's echo of it with its defaults filled in
    (``jobId`` dropped: it is random per run).
    """

    algorithm: str
    graph_name: str
    mutate_property: str
    assignments: Mapping[str, int]
    community_count: int
    modularity: float | None
    ran_levels: int | None
    pre_processing_millis: int
    compute_millis: int
    mutate_millis: int
    post_processing_millis: int
    config: Mapping[str, Any]
    effective_config: Mapping[str, Any]

    @classmethod
    def from_summary(
        cls,
        *,
        algorithm: str,
        graph_name: str,
        mutate_property: str,
        config: Mapping[str, Any],
        summary: Mapping[str, Any],
        assignment_rows: Iterable[Row],
    ) -> CommunityResult:
        """From the client's mutate result (``model_dump()``, snake_case fields).

        WCC answers ``component_count`` and no modularity or levels.
        """
        echoed = {k: v for k, v in (summary.get("configuration") or {}).items() if k != "jobId"}
        count = summary.get("community_count", summary.get("component_count"))
        if count is None:
            raise GdsError(f"gds.{algorithm}.mutate reported no community count.")
        modularity = summary.get("modularity")
        ran_levels = summary.get("ran_levels")
        return cls(
            algorithm=algorithm,
            graph_name=graph_name,
            mutate_property=mutate_property,
            assignments=MappingProxyType(canonical_assignments(assignment_rows)),
            community_count=int(count),
            modularity=None if modularity is None else float(modularity),
            ran_levels=None if ran_levels is None else int(ran_levels),
            pre_processing_millis=int(summary["pre_processing_millis"]),
            compute_millis=int(summary["compute_millis"]),
            mutate_millis=int(summary["mutate_millis"]),
            post_processing_millis=int(summary["post_processing_millis"]),
            config=MappingProxyType(dict(config)),
            effective_config=MappingProxyType(echoed),
        )

    def members(self) -> dict[int, list[str]]:
        """Community id -> its keys, sorted."""
        groups: dict[int, list[str]] = {}
        for key, community in self.assignments.items():
            groups.setdefault(community, []).append(key)
        return {community: sorted(keys) for community, keys in sorted(groups.items())}


def canonical_assignments(rows: Iterable[Row]) -> dict[str, int]:
    """Key -> community id, ids renumbered by each community's smallest key.

    Args:
        rows: ``{"key": ..., "community": ...}`` rows from the node-property stream.
    """
    raw: dict[str, int] = {}
    for row in rows:
        key = row["key"]
        if key is None:
            raise GdsError(
                "A projected node has no `key` property.",
                "project only actor nodes (they carry a unique `key` such as 'account:a12')",
            )
        if key in raw:
            raise GdsError(f"Two projected nodes share the key '{key}'; keys must be unique.")
        raw[key] = int(row["community"])
    renumbered: dict[int, int] = {}
    # Walking keys in order meets each community first at its smallest key.
    return {key: renumbered.setdefault(raw[key], len(renumbered)) for key in sorted(raw)}
