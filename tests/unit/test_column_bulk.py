"""Posts, accounts, pages and identifiers into the bulk sink by columns
(loaders/columnar/columns_load.py, bulk/post_files.py, bulk/column_rows.py) against the
record path (columnar/validate.py's records through the sink's handlers): the same
importer input, replays, ledger counts and rejects files.

The importer's input is compared as what neo4j-admin reads from it: per node label or
relationship type, the multiset of rows as (header name, value) pairs, an empty cell
being no value. tests/integration/test_bulk_load.py imports the column path into Neo4j
and holds the graph to an incremental load's.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cibgraph.graph.server import admin
from cibgraph.loaders.bulk import CsvSink, id_set
from cibgraph.loaders.columnar import blocks, columns_load
from cibgraph.loaders.columnar.arrays import check_shaped, iso_text
from cibgraph.loaders.columnar.hashes import text_hashes
from cibgraph.loaders.contract import CONTRACT
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.fingerprints import text_hash
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.values import BadValue, is_missing, parse
from tests.unit.test_columnar import _clean, _fixed
from tests.unit.test_fuzz_loaders import CI, SECRET_HEX, FilePlan, file_plan, write_file

Content = dict[tuple[str, tuple[str, ...]], Counter[tuple[tuple[str, str], ...]]]
# The ledger's per-file fields that say what happened (not when, where or under which id).
COUNTS = (
    "status", "read", "valid", "written", "rejected", "created", "superseded", "warnings",
    "skipped", "rejects_dropped", "note", "error", "hint", "missing_columns", "reasons",
    "warning_reasons",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIBGRAPH_HASH_SECRET", SECRET_HEX)


def _content(sources: list[admin.ImportSource]) -> Content:
    out: Content = {}
    for source in sources:
        rows = out.setdefault((source.kind, source.labels), Counter())
        for path in source.files:
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                for cells in reader:
                    rows[
                        tuple(sorted((h, c) for h, c in zip(header, cells, strict=True) if c))
                    ] += 1
    return out


BY_COLUMNS: Counter[str] = Counter()  # rows written by the column path, per test


def sink_load(
    sources: list[Path], folder: Path, by_columns: bool, kind: str = "posts", **options: Any
) -> tuple[Content, list[Any], list[dict[str, Any]], list[str]]:
    """Load into a CsvSink: (importer input, replays, ledger files' counts, rejects)."""
    saved, columns_load.ENABLED = columns_load.ENABLED, by_columns
    sink = CsvSink(folder / "csv")
    try:
        ledger = load(
            sink, plan_load(sources, kind=kind), LoadOptions(rejects_dir=folder, **options)
        )
        content = _content(sink.finish())
        BY_COLUMNS["rows"] += sink.column_rows
        replays = list(sink.replays())
    finally:
        columns_load.ENABLED = saved
        sink.close()
    files = [{k: getattr(f, k) for k in COUNTS} for f in ledger.files]
    rejects = [Path(f.rejects_path).read_text() if f.rejects_path else "" for f in ledger.files]
    return content, replays, files, rejects


def assert_same(sources: list[Path], folder: Path, kind: str = "posts", **options: Any) -> Content:
    by_records = sink_load(sources, folder / "records", False, kind, **options)
    by_columns = sink_load(sources, folder / "columns", True, kind, **options)
    for old, new in zip(by_records, by_columns, strict=True):
        assert new == old
    return by_columns[0]


def _plan_options(plan: FilePlan) -> dict[str, Any]:
    return {"batch_size": plan.batch_size, "keep_extra": plan.keep_extra, "strict": plan.strict}


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@pytest.mark.parametrize("kind", sorted(columns_load.KINDS))
def test_the_fuzz_corpus_gives_the_same_importer_input(kind: str) -> None:
    @CI
    @given(plan=file_plan(kind), seed=st.integers(0, 2**32))
    def one_file(plan: FilePlan, seed: int) -> None:
        plan = replace(plan, abort=False)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "in").mkdir()
            (folder / "clean").mkdir()
            path = write_file(plan, folder / "in", random.Random(seed).randrange)
            # Without row damage or padding (test_columnar.py's rewrite): the column path's.
            clean = write_file(_clean(plan), folder / "clean", _fixed(seed % 2))
            for name, options in (
                ("plan", _plan_options(plan)),
                ("batch-3", {"batch_size": 3}),
                ("dry-run", {"dry_run": True}),
            ):
                assert_same([path], folder / name, kind, **options)
                assert_same([clean], folder / f"clean-{name}", kind, **options)
            assert_same([clean], folder / "clean-batch-1", kind, batch_size=1)
            # Blocks of a few lines: many blocks, some by columns, some by rows.
            saved, blocks.BLOCK_BYTES = blocks.BLOCK_BYTES, 97
            try:
                assert_same([path], folder / "small-blocks", kind, batch_size=2)
                assert_same([clean], folder / "clean-small-blocks", kind, batch_size=2)
            finally:
                blocks.BLOCK_BYTES = saved

    BY_COLUMNS.clear()
    one_file()
    # The corpus varies with the hash seed (sets in the plans): tens to hundreds of rows.
    assert BY_COLUMNS["rows"] > 0, "the column path must have written some batches"


POSTS_HEADER = (
    "post_id,author_id,author_type,created_at,text,url,hashtags,shared_post_id,image_hash\n"
)


def _posts(rows: list[str]) -> str:
    return POSTS_HEADER + "".join(row + "\n" for row in rows)


@pytest.mark.parametrize("recent", [None, 2])
def test_repeats_shares_and_references_route_as_the_record_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recent: int | None
) -> None:
    """Post ids again (in a batch, across batches, across files), shares of posts of the
    same batch, of later and of never-loaded posts, a bad row, a page author; with the
    sink's post ids as a Python set, and frozen into sorted runs every two ids."""
    if recent is not None:
        monkeypatch.setattr(id_set, "RECENT", recent)
    first = tmp_path / "a" / "posts.csv"
    second = tmp_path / "b" / "posts.csv"
    first.parent.mkdir()
    second.parent.mkdir()
    words = "one two three four five"
    first.write_text(
        _posts(
            [
                f"p1,a1,account,2024-01-01T00:00:00Z,{words},https://Ex.com/x?utm_source=y,#A;b,,",
                f"p2,a1,account,2024-01-01T00:00:01.5+02:00,{words},,,p1,ff00",
                "p3,g1,page,1700000000,short text,http://ex.com:80/,,p9,",
                "p1,a2,account,2024-01-02T00:00:00Z,,https://ex.com/other,#c,,",
                "p4,a3,account,not a time,x,,,,",
                f"p5,a3,account,2024-01-03T00:00:00Z,{words} six,,,p6,",
                "p6,a3,account,2024-01-03T00:00:00Z,,,,,",
                "p7,a4,account,2024-01-03T00:00:00Z,  padded  ,,,,",
                "p8,a4,account,2024-01-03T00:00:00Z,é accent words here too,,,p2,",
            ]
        )
    )
    second.write_text(
        _posts(
            [
                "p2,a1,account,2024-02-01T00:00:00Z,again,,,,",
                "p10,a1,page,2024-02-01T00:00:00Z,,,,p3,",
            ]
        )
    )
    BY_COLUMNS.clear()
    for batch_size in (1, 2, 3, 4, 2000):
        content = assert_same(
            [first, second], tmp_path / f"batch-{batch_size}", batch_size=batch_size
        )
        assert sum(content[("nodes", ("Post",))].values()) >= 8
    assert BY_COLUMNS["rows"] >= 10


def test_a_generated_scenario_goes_by_columns(tmp_path: Path) -> None:
    from cibgraph.scenario import generate

    generate(tmp_path / "s", 0.2, 7, force=True)
    content = assert_same([tmp_path / "s" / "posts.csv"], tmp_path / "out")
    assert sum(content[("nodes", ("Post",))].values()) > 1000
    assert (tmp_path / "out" / "columns" / "csv" / "Post.columns.csv").is_file()


def test_text_hashes_are_text_hash() -> None:
    rnd = random.Random(3)
    alphabet = "aB c_D.,!-9é\t\x1c\u00a0 http://x.y/z https://Q.co/?a=b ???"
    texts: list[str | None] = [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(40))) for _ in range(5000)
    ]
    texts += [None, "", "one two three four", "ONE two, three... four!", "a b c http://x d"]
    got = text_hashes(pa.array(texts, pa.string())).to_pylist()
    assert got == [None if t is None else text_hash(t) for t in texts]


def test_iso_text_is_isoformat() -> None:
    rnd = random.Random(4)
    micros = [rnd.randrange(631152000_000000, 4102444800_000000) for _ in range(2000)]
    micros += [1_700_000_000_000_000, 1_700_000_000_000_001, 1_700_000_000_100_000]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    expected = [(epoch + timedelta(microseconds=m)).isoformat() for m in micros]
    assert iso_text(pa.array(micros, pa.int64())).to_pylist() == expected


URLS = [
    "https://ex.com", "https://ex.com/", "http://a/b//", "https://ex.com/a?x=1",
    "HTTPS://Ex.com/a", "https://ex.com:443/", "", " https://ex.com/a ", "ftp://x",
    "https://x/%41/~a-b_c.d", "https://x//", "http://a.b.c/d/e/", "https://a-/x", "https://-a/",
    "https://a..b/", "https://x/" + "y" * 1000, "https://x/" + "y" * 1001, "https://x/a#f",
    "https://u@x/", "https://[::1]/", "http://x/a b",
]  # fmt: skip
TAGS = [
    "a", "a;b", "a;a", "b;a;b", "A;b", "#a", "a,b", "a;;b", "", "x" * 201, "x" * 200, "a_1;b2",
    "a;", ";a", "é", "a b", "a;b;c;a",
]  # fmt: skip


@pytest.mark.parametrize(("name", "cells"), [("url", URLS), ("hashtags", TAGS)])
def test_plain_shapes_are_the_parsers_values(name: str, cells: list[str]) -> None:
    column = next(c for c in CONTRACT["posts"].columns if c.name == name)
    checked, given = check_shaped(pa.array(cells, pa.string()), column, False, {})
    values, sure_of = checked.values.to_pylist(), checked.sure.to_pylist()
    rows = zip(cells, values, sure_of, given.to_pylist(), strict=True)
    for cell, value, sure, url_given in rows:
        if is_missing(cell):
            assert sure and value is None, cell
            continue
        try:
            expected = parse(column, cell)
        except BadValue:
            assert not sure, cell
            continue
        assert sure and value == expected, cell
        kept = cell.strip() if name == "url" and cell.strip() != expected else None
        assert url_given == kept, cell
