"""`cib export` as a library call: pick the run, check the folder, read once, write one format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cibgraph.core.errors import UsageError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.exports import csv_export, graph_export, json_export
from cibgraph.graph.exports.bundle import RunBundle, read_bundle
from cibgraph.graph.exports.output import OutputDir
from cibgraph.graph.exports.progress import NoProgress, Progress

Writer = Callable[[RunBundle, OutputDir, Progress | None], dict[str, Path]]

# Format -> (the fixed file names it writes, its writer).
FORMATS: dict[str, tuple[tuple[str, ...], Writer]] = {
    "csv": (csv_export.FILES, csv_export.write_csv_export),
    "json": (json_export.FILES, json_export.write_json_export),
    "graphml": ((graph_export.GRAPHML_FILE,), graph_export.write_graphml),
    "gexf": ((graph_export.GEXF_FILE,), graph_export.write_gexf),
}


@dataclass(frozen=True)
class ExportResult:
    run_id: str
    format: str
    out: Path
    files: list[Path]
    counts: dict[str, int]
    flagged_only: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "format": self.format,
            "out": str(self.out),
            "files": [str(f) for f in self.files],
            "counts": self.counts,
            "flagged_only": self.flagged_only,
        }


def export_run(
    runner: QueryRunner,
    fmt: str,
    out: str | Path,
    run_id: str | None = None,
    flagged_only: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Export one complete run (default: the newest) as ``fmt`` into the folder ``out``."""
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}.", f"use one of: {', '.join(FORMATS)}")
    progress = progress or NoProgress()
    names, writer = FORMATS[fmt]
    folder = OutputDir(out, force=force)
    # Refuse before the (possibly long) read, not after it.
    folder.plan(names)
    bundle = read_bundle(runner, run_id, flagged_only, progress)
    files = writer(bundle, folder, progress)
    return ExportResult(
        run_id=bundle.run.id,
        format=fmt,
        out=folder.resolved_root,
        files=list(files.values()),
        counts=bundle.counts(),
        flagged_only=flagged_only,
    )
