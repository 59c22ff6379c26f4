"""Reading truth and decoys files for evaluation: the contract's TRUTH and DECOYS specs.

The same reader as a load (CSV or JSONL, gzip, BOM), but all-or-nothing: an evaluation
against a half-valid truth file would report numbers nobody can trust.
"""

from __future__ import annotations

from pathlib import Path

from cibgraph.core.runner import QueryRunner
from cibgraph.graph.evaluate import Evaluation, evaluate
from cibgraph.graph.evaluate.labels import (
    MAX_REPORTED_PROBLEMS,
    ActorLabels,
    InvalidRows,
    LabelledActor,
    MissingColumns,
    TruthFileError,
    actor_key,
)
from cibgraph.loaders.contract import DECOYS, TRUTH, FileSpec
from cibgraph.loaders.records import Rejection
from cibgraph.loaders.sources import FileProblem, SourceFile
from cibgraph.loaders.validate import parse_columns


def read_truth(path: Path) -> ActorLabels:
    """Read and validate a truth file (CSV or JSONL, optionally gzipped).

    Raises ``MissingColumns``, ``InvalidRows`` (with line numbers; duplicates included)
    or ``TruthFileError`` (unreadable, empty).
    """
    return _read_labels(path, TRUTH, "network_label")


def read_decoys(path: Path) -> ActorLabels:
    """Read and validate a decoys file: ``actor_id, actor_type, decoy_label``."""
    return _read_labels(path, DECOYS, "decoy_label")


def _read_labels(path: Path, spec: FileSpec, label_column: str) -> ActorLabels:
    what = f"{spec.kind} file {path}"
    hint = f"columns: {', '.join(spec.names)} (required: {', '.join(spec.required)})"
    if not path.is_file():
        raise TruthFileError(f"cannot read the {what}: no such file", hint)
    source = SourceFile(path)
    actors: list[LabelledActor] = []
    first_line: dict[str, int] = {}
    problems: list[str] = []
    try:
        for raw in source.rows():
            if not actors and not problems and source.format != "jsonl":
                _check_header(source, spec, what, hint)  # once: the header is known by now
            if raw.problem is not None:
                problems.append(f"line {raw.line}: {raw.problem}")
                continue
            values = parse_columns(spec, raw)
            if isinstance(values, Rejection):
                problems.append(f"line {values.line} ({values.column}): {values.reason}")
                continue
            actor_type = str(values["actor_type"])
            key = actor_key(actor_type, str(values["actor_id"]))
            if key in first_line:
                problems.append(
                    f"line {raw.line}: duplicate actor {key} (first on line {first_line[key]})"
                )
                continue
            first_line[key] = raw.line
            label = (values[label_column] or "").strip()
            actors.append(LabelledActor(key, values["actor_id"], actor_type, label, raw.line))
    except FileProblem as exc:
        raise TruthFileError(f"cannot read the {what}: {exc}") from None
    if source.format != "jsonl":
        _check_header(source, spec, what, hint)
    if problems:
        shown = "\n  ".join(problems[:MAX_REPORTED_PROBLEMS])
        more = len(problems) - MAX_REPORTED_PROBLEMS
        tail = f"\n  ... and {more} more" if more > 0 else ""
        raise InvalidRows(
            f"the {what} has {len(problems)} invalid row(s):\n  {shown}{tail}", problems, hint
        )
    if not actors:
        raise TruthFileError(f"the {what} lists no actors", hint)
    return ActorLabels(str(path), tuple(actors))


def _check_header(source: SourceFile, spec: FileSpec, what: str, hint: str) -> None:
    # One clear error for a wrong header, rather than the same complaint on every row.
    if source.header_problem:
        raise TruthFileError(f"the {what}: {source.header_problem}", hint)
    missing = [name for name in spec.required if name not in source.header]
    if missing:
        raise MissingColumns(
            f"the {what} lacks required column(s) {', '.join(missing)} "
            f"(header: {', '.join(source.header) or 'empty'})",
            hint,
        )


def evaluate_files(
    runner: QueryRunner,
    truth: ActorLabels | Path | str,
    run_id: str | None = None,
    decoys: ActorLabels | Path | str | None = None,
) -> Evaluation:
    """``graph.evaluate.evaluate`` on files: read and validate them first."""
    truth_labels = truth if isinstance(truth, ActorLabels) else read_truth(Path(truth))
    decoy_labels = (
        decoys if decoys is None or isinstance(decoys, ActorLabels) else read_decoys(Path(decoys))
    )
    return evaluate(runner, truth_labels, run_id=run_id, decoys=decoy_labels)
