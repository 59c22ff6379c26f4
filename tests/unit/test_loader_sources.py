"""Reading files record by record: the reader reports bad records and goes on."""

from __future__ import annotations

import gzip
from pathlib import Path

from cibgraph.loaders.sources import SourceFile


def _rows(path: Path) -> tuple[SourceFile, list]:  # type: ignore[type-arg]
    source = SourceFile(path)
    return source, list(source.rows())


def test_csv_with_bom_and_mixed_newlines(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes("\ufeffaccount_id,handle\r\na1,x\na2,y\ra3,z\r\n".encode())
    source, rows = _rows(path)
    assert source.header == ["account_id", "handle"]
    assert [r.values["account_id"] for r in rows] == ["a1", "a2", "a3"]
    assert [r.line for r in rows] == [2, 3, 4]


def test_gzip_detected_by_magic_and_suffix(tmp_path: Path) -> None:
    for name in ("accounts.csv.gz", "accounts.csv"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(b"account_id\na1\n"))
        source, rows = _rows(path)
        assert source.compressed
        assert rows[0].values == {"account_id": "a1"}


def test_multiline_quoted_field_keeps_start_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text('post_id,text\np1,"line one\nline two"\np2,ok\n')
    _, rows = _rows(path)
    assert rows[0].values["text"] == "line one\nline two"
    assert (rows[0].line, rows[0].end_line) == (2, 3)
    assert rows[1].line == 4


def test_wrong_column_count_and_unbalanced_quote(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text('account_id,handle\na1,x,extra\na2,"open\na3,z\na4,"q"x\na5,ok\n')
    _, rows = _rows(path)
    assert rows[0].problem == "expected 2 columns, found 3"
    # The open quote swallows the following lines up to the next quote, which is then
    # followed by a stray character: one broken record spanning lines 3-5.
    assert rows[1].problem is not None and rows[1].problem.startswith("broken CSV record")
    assert rows[1].line == 3
    assert rows[-1].values == {"account_id": "a5", "handle": "ok"}


def test_invalid_utf8_rejects_one_row(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(b"account_id,handle\na1,ok\na2,\xff\xfe\na3,fine\n")
    _, rows = _rows(path)
    assert [r.problem for r in rows] == [None, "invalid UTF-8", None]


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "accounts.csv"
    empty.write_bytes(b"")
    source, rows = _rows(empty)
    assert rows == [] and source.header_problem == "empty file: no header"
    header = tmp_path / "pages.csv"
    header.write_text("page_id\n")
    source, rows = _rows(header)
    assert rows == [] and source.header_problem is None


def test_duplicate_header(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,account_id\na,b\n")
    source, _ = _rows(path)
    assert source.header_problem == "duplicate column 'account_id' in header"


def test_huge_field_is_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("post_id,text\np1," + "x" * 1_100_000 + "\np2,ok\n")
    _, rows = _rows(path)
    assert rows[0].problem is not None and "field larger" in rows[0].problem
    assert rows[-1].values == {"post_id": "p2", "text": "ok"}


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text('{"post_id": "p1"}\n\n[1, 2]\n{broken\n{"post_id": "p2", "hashtags": ["a"]}\n')
    _, rows = _rows(path)
    assert rows[0].values == {"post_id": "p1"}
    assert rows[1].problem == "expected a JSON object, got list"
    assert rows[2].problem is not None and rows[2].problem.startswith("invalid JSON")
    assert rows[3].values["hashtags"] == ["a"]
    assert [r.line for r in rows] == [1, 3, 4, 5]
