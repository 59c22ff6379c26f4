"""Which files to load, as which kind, in which order."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cibgraph.core.errors import UsageError
from cibgraph.loaders.contract import CONTRACT, LOAD_ORDER
from cibgraph.loaders.formats import FORMAT_NAMES
from cibgraph.loaders.formats.sniff import sniff
from cibgraph.loaders.peers import PEER_FORMATS

FORMATS = ("contract", *PEER_FORMATS, *FORMAT_NAMES)
_DATA_SUFFIXES = {".csv", ".jsonl", ".ndjson", ".json", ".gz", ".gzip", ".tsv"}
_NOT_LOADED = {
    "truth": "evaluation file (used by `cib evaluate`), not loaded",
    "decoys": "evaluation file (used by `cib evaluate --decoys`), not loaded",
}


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    kind: str  # a contract kind, or the format's name
    format: str  # contract | coortweet | cnt | telegram | bluesky | twitter-v2 | ...
    recognised: bool = False  # the format was read from the content, not given


@dataclass(frozen=True)
class LoadPlan:
    files: tuple[PlannedFile, ...]
    ignored: tuple[tuple[Path, str], ...]


def _stem(path: Path) -> str:
    name = path.name.lower()
    while True:
        suffix = Path(name).suffix
        if suffix not in _DATA_SUFFIXES:
            return name
        name = name[: -len(suffix)]


def kind_of(path: Path) -> str | None:
    """``accounts.csv``, ``posts.jsonl.gz``, ``posts-2019-02.csv`` -> the contract kind."""
    stem = _stem(path)
    for kind in sorted(CONTRACT, key=len, reverse=True):  # page_admins before pages
        if stem == kind or re.match(rf"^{re.escape(kind)}[._\-]", stem):
            return kind
    return None


def _expand(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """Files to consider, each with whether the user named it explicitly."""
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                (p, False)
                for p in sorted(path.iterdir())
                if p.is_file() and not p.name.startswith(".")
            )
        elif path.is_file():
            found.append((path, True))
        else:
            raise UsageError(f"No such file or folder: {path}")
    return found


def plan_load(paths: Sequence[Path], fmt: str = "contract", kind: str | None = None) -> LoadPlan:
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}.", f"use one of: {', '.join(FORMATS)}")
    if kind is not None and kind not in CONTRACT:
        raise UsageError(f"Unknown kind {kind!r}.", f"use one of: {', '.join(LOAD_ORDER)}")
    files: list[PlannedFile] = []
    ignored: list[tuple[Path, str]] = []
    for path, explicit in _expand(paths):
        if fmt != "contract":
            shown = sniff(path)
            if shown is not None and shown != fmt:
                raise UsageError(
                    f"{path.name} looks like {shown}, not {fmt}.",
                    f"load it with --format {shown}",
                )
            files.append(PlannedFile(path, fmt, fmt))
            continue
        detected = kind or kind_of(path)
        stem = _stem(path)
        if detected is not None and kind is None:
            shown = sniff(path)
            if shown is not None:
                raise UsageError(
                    f"{path.name} is named like a contract {detected} file but looks like {shown}.",
                    f"load it with --format {shown} (or rename it)",
                )
        if detected is None and stem not in _NOT_LOADED:
            shown = sniff(path)
            if shown is not None:
                # Unambiguous content: a file no contract name claims loads as what it is.
                files.append(PlannedFile(path, shown, shown, recognised=True))
                continue
        if detected is None:
            reason = _NOT_LOADED.get(
                stem, "not a contract file name (accounts.csv, posts.jsonl, ...)"
            )
            if explicit and stem not in _NOT_LOADED:
                raise UsageError(
                    f"Cannot tell what {path.name} holds.",
                    f"name it after its kind ({', '.join(LOAD_ORDER)}), pass --kind, "
                    f"or --format {'|'.join(FORMATS[1:])} for the field's formats",
                )
            ignored.append((path, reason))
            continue
        files.append(PlannedFile(path, detected, "contract"))
    if not files:
        raise UsageError(
            "Nothing to load.", "give contract files (accounts.csv, ...) or a folder of them"
        )
    order = {k: i for i, k in enumerate(LOAD_ORDER)}
    files.sort(key=lambda f: (order.get(f.kind, len(order)), str(f.path)))
    return LoadPlan(tuple(files), tuple(ignored))
