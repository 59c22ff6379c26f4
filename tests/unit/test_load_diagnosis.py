"""A file whose every row is rejected is said so, loudly: exit code 5, the top reasons
with counts, every absent required column, and the flag its header does fit.

Through the real CLI with --dry-run (validation is the same; nothing is written, so no
server is needed), on the shipped Russian CooRTweet data and on small files.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cibgraph.cli.main import app
from tests.conftest import DATASETS

RUSSIAN = DATASETS / "coortweet" / "russian_coord_tweets.csv.gz"


def _load(*args: str) -> tuple[int, str, dict[str, Any]]:
    """Exit code, the human output (stderr) and the ledger of one dry-run load."""
    human = CliRunner().invoke(app, ["load", *args, "--dry-run"])
    as_json = CliRunner().invoke(app, ["load", *args, "--dry-run", "--json"])
    assert as_json.exit_code == human.exit_code
    return human.exit_code, human.stderr, json.loads(as_json.stdout)


def _refused(*args: str) -> str:
    """A load refused before any row is read: exit 2, the message and its hint."""
    result = CliRunner().invoke(app, ["load", *args, "--dry-run"])
    assert result.exit_code == 2, result.output
    return " ".join(result.stderr.split())


def test_the_wrong_format_is_refused_with_the_format_that_fits(tmp_path: Path) -> None:
    # The header is recognised before a row is read (loaders/formats/sniff.py), so the
    # 35,125 rows are never all rejected one by one.
    said = _refused(str(RUSSIAN), "--format", "cnt", "--rejects-dir", str(tmp_path))
    assert "looks like coortweet, not cnt" in said and "--format coortweet" in said
    assert not list(tmp_path.rglob("*.rejects.csv"))


def test_the_right_format_is_exit_0(tmp_path: Path) -> None:
    code, _, ledger = _load(str(RUSSIAN), "--format", "coortweet", "--rejects-dir", str(tmp_path))
    assert code == 0 and ledger["status"] == "dry_run"


def test_a_contract_file_with_another_kinds_columns(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("page_id,name,category\npg1,A,news\npg2,B,news\n")
    code, _, ledger = _load(str(path), "--rejects-dir", str(tmp_path / "rj"))
    assert code == 5
    (entry,) = ledger["files"]
    assert entry["missing_columns"] == ["'account_id'"]
    assert entry["hint"] == "this looks like --kind pages"
    # The rejects file names the input the user gave, not its own 00-... name.
    with open(str(entry["rejects_path"]), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["file"] for r in rows} == {str(path)} and len(rows) == 2


def test_a_coortweet_file_loaded_as_posts_points_at_format(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv.gz"
    with gzip.open(RUSSIAN, "rt") as src, gzip.open(path, "wt") as out:
        for _, line in zip(range(11), src, strict=False):
            out.write(line)
    said = _refused(str(path), "--rejects-dir", str(tmp_path / "rj"))
    assert "--format coortweet" in said


def test_times_without_offset_hint_at_assume_utc(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "post_id,author_id,author_type,created_at\n"
        "p1,a1,account,2019-02-15T10:00:00\n"
        "p2,a1,account,2019-02-15T10:00:30\n"
    )
    code, said, ledger = _load(str(path), "--rejects-dir", str(tmp_path / "rj"))
    (entry,) = ledger["files"]
    assert code == 5 and entry["missing_columns"] == []
    assert entry["hint"] == "times without an offset: if they are UTC, load with --assume-utc"
    assert "2 created_at: timestamp without offset is ambiguous" in " ".join(said.split())
    code, _, ledger = _load(str(path), "--assume-utc", "--rejects-dir", str(tmp_path / "rj2"))
    assert code == 0
    assert (ledger["totals"]["valid"], ledger["totals"]["rejected"]) == (2, 0)


def test_page_admins_with_plain_dates_load_whole(tmp_path: Path) -> None:
    # Issue 19.5: every row was rejected for `since` = 2019-02-15; the admin edges, the
    # key evidence of a page network, never reached the graph.
    path = tmp_path / "page_admins.csv"
    path.write_text(
        "page_id,account_id,role,since\n"
        "pg1,a1,admin,2019-02-15\n"
        "pg1,a2,editor,not-a-date\n"
        "pg2,a1,admin,\n"
    )
    code, said, ledger = _load(str(path), "--rejects-dir", str(tmp_path / "rj"))
    (entry,) = ledger["files"]
    assert code == 0
    assert (entry["valid"], entry["rejected"], entry["warnings"]) == (3, 0, 1)
    assert "1 bad optional values left out (rows kept)" in " ".join(said.split())
    code, _, ledger = _load(str(path), "--strict", "--rejects-dir", str(tmp_path / "rj2"))
    (entry,) = ledger["files"]
    assert code == 0 and (entry["valid"], entry["rejected"], entry["warnings"]) == (2, 1, 0)
