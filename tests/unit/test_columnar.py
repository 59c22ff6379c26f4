"""The column path (loaders/columnar) against the row path (loaders/validate.py): the fuzz
corpus of tests/unit/test_fuzz_loaders.py through both, the same results row for row.

Each generated file is checked three ways: as the fuzz test writes it (mixed line
breaks, damaged rows: mostly the row path's, after the blocks the column path vouches
for), and rewritten without row damage with LF and with CRLF line breaks (the column
path's case). Both paths must give the same ``Record`` (statement, key, row) or the same
``Rejection`` (line, column, reason, row text) for every record, in order.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cibgraph.loaders.columnar import blocks, cells
from cibgraph.loaders.columnar.blocks import ColumnarCsv
from cibgraph.loaders.columnar.validate import columnar_results
from cibgraph.loaders.contract import CONTRACT, LOAD_ORDER, Column, FieldType
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow, SourceFile
from cibgraph.loaders.validate import ValidationContext, validate_row
from cibgraph.loaders.values import BadValue, is_missing, parse
from tests.unit.test_fuzz_loaders import CI, HASHER, Cell, FilePlan, file_plan, write_file


@dataclass
class Tally:
    rows: int = 0
    by_row: int = 0  # rows the column path handed to the row path

    def share_by_columns(self) -> float:
        return 1 - self.by_row / max(self.rows, 1)


def _both(kind: str, path: Path, ctx: ValidationContext, tally: Tally) -> None:
    def by_row(raw: RawRow) -> Record | Rejection:
        tally.by_row += 1
        return validate_row(kind, raw, ctx)

    columns = [result for _, result in columnar_results(kind, ColumnarCsv(path), ctx, by_row)]
    rows = [validate_row(kind, raw, ctx) for raw in SourceFile(path).rows()]
    tally.rows += len(rows)
    assert len(columns) == len(rows)
    for by_columns, by_rows in zip(columns, rows, strict=True):
        assert by_columns == by_rows


def _clean(plan: FilePlan) -> FilePlan:
    """The plan's cells without whole-row damage, blank lines, line breaks in values or
    padding round good values (padded cells are the row path's: such rows go there)."""

    def unpadded(cell: Cell) -> Cell:
        if isinstance(cell.value, str) and ("\r" in cell.value or "\n" in cell.value):
            return Cell("", "missing")  # a record over lines: the row path's, whole block
        if cell.verdict == "good" and isinstance(cell.value, str):
            return replace(cell, value=cell.value.strip())
        return cell

    rows = [
        replace(row, damage=None, cells={k: unpadded(c) for k, c in row.cells.items()})
        for row in plan.rows
    ]
    return replace(plan, rows=rows, blank_lines=set())


def _fixed(choice: int) -> Callable[[int], int]:
    """A writer's choices all the same: line break LF (0) or CRLF (1), one quoting."""
    return lambda n: min(choice, n - 1)


def _run(kind: str, tally: Tally) -> None:
    @CI
    @given(plan=file_plan(kind), seed=st.integers(0, 2**32))
    def one_file(plan: FilePlan, seed: int) -> None:
        if plan.jsonl:
            return  # JSONL files are the row path's
        ctx = ValidationContext(hasher=HASHER, keep_extra=plan.keep_extra, strict=plan.strict)
        with tempfile.TemporaryDirectory() as folder:
            for variant, rnd in (
                (plan, random.Random(seed).randrange),
                (_clean(plan), _fixed(0)),
                (_clean(plan), _fixed(1)),
            ):
                path = write_file(variant, Path(folder), rnd)
                _both(kind, path, ctx, tally)
            # Blocks of a few lines: a file in many blocks, some by columns, some by rows,
            # records running past a block's end handed over to the row path.
            path = write_file(plan, Path(folder), random.Random(seed).randrange)
            saved, blocks.BLOCK_BYTES = blocks.BLOCK_BYTES, 97
            try:
                _both(kind, path, ctx, tally)
                _both(kind, write_file(_clean(plan), Path(folder), _fixed(1)), ctx, tally)
            finally:
                blocks.BLOCK_BYTES = saved

    one_file()


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@pytest.mark.parametrize("kind", LOAD_ORDER)
def test_the_column_path_gives_the_row_paths_results(kind: str) -> None:
    tally = Tally()
    _run(kind, tally)
    print(f"\ncolumnar {kind}: {tally.rows} rows, {tally.share_by_columns():.0%} by columns")
    assert tally.rows > 300
    # The fuzz's cells are odd on purpose (padded, cased, bad), and such rows go to the
    # row path whole; the clean rewrites still leave the column path rows to vouch for.
    assert tally.share_by_columns() > 0, tally


def test_a_generated_scenario_goes_by_columns_with_the_same_results(tmp_path: Path) -> None:
    """The common case, clean files: every row by columns, the same records."""
    from cibgraph.scenario import generate

    generate(tmp_path, 0.2, 7, force=True)
    ctx = ValidationContext(hasher=HASHER)
    for kind in LOAD_ORDER:
        tally = Tally()
        _both(kind, tmp_path / f"{kind}.csv", ctx, tally)
        assert tally.rows > 0 and tally.by_row == 0, (kind, tally)


def test_the_whitespace_class_is_pythons() -> None:
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    array = pa.array([f"x{s}" for s in spaces] + [s for s in spaces])
    has_content = pa.compute.match_substring_regex(array, cells._HAS_CONTENT).to_pylist()
    assert has_content == [True] * len(spaces) + [False] * len(spaces)


TRICKY: dict[FieldType, list[str]] = {
    FieldType.TIMESTAMP: [
        "2019-02-28T10:00:00+05:30",
        "2019-02-29T10:00:00Z",  # no such day
        "2020-02-29T10:00:00Z",
        "2000-02-29T23:59:59-23:59",
        "2099-12-31T23:59:59.999999+00:00",
        "1989-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
        "2019-04-31T00:00:00Z",
        "2019-06-01 12:00:00.123+02:00",
        "2019-06-01T12:00:00.1234+02:00",
        "2019-06-01T24:00:00Z",
        "2019-06-01T12:00:00z",
        "2019-06-01T12:00:00",
        "2019-06-01",
        " 2019-06-01T12:00:00Z",
        "631152000",
        "631151999",
        "4102444800",
        "4102444801",
        "1546300800.5",
        "",
        "  ",
    ],
    FieldType.ID: ["a", " a", "a\u00a0", "a\x85b", "é", "x" * 256, "x" * 257, "", "\u2028", "a b"],
    FieldType.TEXT: ["", " ", "\u3000", "a\x00", "é ", "x" * 100_001, "\u200b"],
    FieldType.ENUM: ["account", "Account", " page", "page", ""],
}


def _row_path(column: Column, cell: str) -> tuple[bool, Any]:
    """(sure, value) as the row path sees the cell: sure when it parses or is missing."""
    if is_missing(cell):
        return not column.required, None
    try:
        return True, parse(column, cell)
    except BadValue:
        return False, None


@pytest.mark.parametrize("kind", LOAD_ORDER)
def test_every_sure_cell_is_the_parsers_value(kind: str) -> None:
    for column in CONTRACT[kind].columns:
        values = TRICKY.get(column.type, ["", "x", "1", "true", "US", "https://a.example/x"])
        checked = cells.check_column(column, pa.array(values, pa.string()))
        for cell, sure, value in zip(values, checked.sure.to_pylist(), checked.values, strict=True):
            if not sure:
                continue  # the row path decides these
            expected_sure, expected = _row_path(column, cell)
            assert expected_sure, (column, cell)
            assert value == expected, (column, cell)
            if hasattr(value, "tzinfo"):
                assert value.tzinfo is expected.tzinfo, (column, cell)
