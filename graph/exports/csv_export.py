"""CSV export: four files, every cell written through ``safe_csv`` (no formula injection)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cibgraph.graph.exports.bundle import RunBundle
from cibgraph.graph.exports.output import OutputDir
from cibgraph.graph.exports.progress import NoProgress, Progress
from cibgraph.graph.exports.records import (
    ATTRIBUTION_COLUMNS,
    EDGE_COLUMNS,
    MEMBER_COLUMNS,
    NETWORK_COLUMNS,
    attribution_row,
    edge_row,
    member_row,
    network_row,
)
from cibgraph.graph.exports.safe_csv import write_csv

NETWORKS_CSV = "networks.csv"
MEMBERS_CSV = "members.csv"
EDGES_CSV = "edges.csv"
ATTRIBUTION_CSV = "attribution.csv"
FILES = (NETWORKS_CSV, MEMBERS_CSV, EDGES_CSV, ATTRIBUTION_CSV)


def _write(
    out: OutputDir,
    name: str,
    header: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    progress: Progress,
) -> int:
    def counted() -> Iterable[Mapping[str, Any]]:
        for row in rows:
            yield row
            progress.advance()

    with out.open_text(name) as handle:
        return write_csv(handle, header, counted())


def write_csv_export(
    bundle: RunBundle, out: OutputDir, progress: Progress | None = None
) -> dict[str, Path]:
    """Write networks.csv, members.csv, edges.csv and attribution.csv; return their paths."""
    progress = progress or NoProgress()
    out.plan(FILES)
    by_id = {n.id: n for n in bundle.networks}
    jobs: list[tuple[str, Sequence[str], Callable[[], Iterable[Mapping[str, Any]]], int]] = [
        (
            NETWORKS_CSV,
            NETWORK_COLUMNS,
            lambda: (network_row(n) for n in bundle.networks),
            len(bundle.networks),
        ),
        (
            MEMBERS_CSV,
            MEMBER_COLUMNS,
            lambda: (member_row(m, by_id.get(m.network)) for m in bundle.members),
            len(bundle.members),
        ),
        (EDGES_CSV, EDGE_COLUMNS, lambda: (edge_row(e) for e in bundle.edges), len(bundle.edges)),
        (
            ATTRIBUTION_CSV,
            ATTRIBUTION_COLUMNS,
            lambda: (attribution_row(a) for a in bundle.attribution),
            len(bundle.attribution),
        ),
    ]
    paths: dict[str, Path] = {}
    for name, header, rows, total in jobs:
        progress.stage(f"Writing {name}", total)
        _write(out, name, header, rows(), progress)
        paths[name] = out.path(name)
    return paths
