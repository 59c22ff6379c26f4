"""JSON export: one document with the run, its counts and the four record lists.

The lists hold the same rows, with the same keys, as the CSV files, so a pipeline can
switch formats without renaming anything; values keep their JSON types (numbers,
booleans, lists, maps) instead of CSV text.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cibgraph.graph.exports.bundle import RunBundle
from cibgraph.graph.exports.output import OutputDir
from cibgraph.graph.exports.progress import NoProgress, Progress
from cibgraph.graph.exports.records import attribution_row, edge_row, member_row, network_row
from cibgraph.graph.exports.values import plain

EXPORT_JSON = "export.json"
FILES = (EXPORT_JSON,)
SCHEMA = "cibgraph.export/1"


def export_document(bundle: RunBundle) -> dict[str, Any]:
    by_id = {n.id: n for n in bundle.networks}
    return {
        "schema": SCHEMA,
        "run": plain(asdict(bundle.run)),
        "flagged_only": bundle.flagged_only,
        "counts": bundle.counts(),
        "networks": [network_row(n) for n in bundle.networks],
        "members": [member_row(m, by_id.get(m.network)) for m in bundle.members],
        "edges": [edge_row(e) for e in bundle.edges],
        "attribution": [attribution_row(a) for a in bundle.attribution],
    }


def write_json_export(
    bundle: RunBundle, out: OutputDir, progress: Progress | None = None
) -> dict[str, Path]:
    progress = progress or NoProgress()
    out.plan(FILES)
    progress.stage(f"Writing {EXPORT_JSON}", 1)
    with out.open_text(EXPORT_JSON) as handle:
        # allow_nan=False: plain() already turned NaN/Infinity into strings; JSON has none.
        json.dump(export_document(bundle), handle, indent=2, ensure_ascii=False, allow_nan=False)
        handle.write("\n")
    progress.advance()
    return {EXPORT_JSON: out.path(EXPORT_JSON)}
