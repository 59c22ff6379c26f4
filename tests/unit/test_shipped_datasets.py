"""The real datasets ship inside the project, unchanged and with their provenance.

A clone with nothing beside it must pass the suite, so the files the dataset tests read
have to be in the repository, and exactly the files PROVENANCE.md describes.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from tests.conftest import DATASETS, REPO

SHIPPED = REPO / "tests" / "data" / "coortweet"
# `... / "shared" / "datasets"` or "../shared/datasets": the folder beside the old checkout.
OUTSIDE = re.compile(r"""["']shared["']\s*/\s*["']datasets["']|shared/datasets""")


def _provenance_table() -> dict[str, tuple[int, str]]:
    text = (SHIPPED / "PROVENANCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\S+) \| (\d+) \| `([0-9a-f]{64})` \|$", text, flags=re.M)
    return {name: (int(size), digest) for name, size, digest in rows}


def test_every_shipped_file_matches_its_recorded_checksum() -> None:
    table = _provenance_table()
    on_disk = {p.name for p in SHIPPED.iterdir()} - {"PROVENANCE.md"}
    assert (
        set(table)
        == on_disk
        == {
            "LICENSE",
            "README.md",
            "german_elections.csv.gz",
            "russian_coord_tweets.csv.gz",
        }
    )
    for name, (size, digest) in table.items():
        data = (SHIPPED / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, digest), name


def test_the_licence_is_the_source_projects_mit_licence() -> None:
    licence = (SHIPPED / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "Righetti" in licence and "Balluff" in licence


def test_the_suite_reads_the_shipped_copy_unless_told_otherwise() -> None:
    # DATASETS is resolved at import: its default must be inside the repository, never
    # a folder beside it that a fresh clone does not have.
    if "CIBGRAPH_DATASETS" not in os.environ:
        assert SHIPPED.parent == DATASETS


def test_no_test_or_benchmark_reads_datasets_from_outside_the_clone() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("tests", "bench")
        for path in (REPO / folder).rglob("*.py")
        if "node_modules" not in path.parts
        and OUTSIDE.search(path.read_text())
        and path.name != Path(__file__).name
    ]
    assert offenders == []
