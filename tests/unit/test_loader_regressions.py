"""Regressions found by the loader fuzzer (tests/unit/test_fuzz_loaders.py), one per fix."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from cibgraph.loaders import values as v
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.sources import CSV_FIELD_LIMIT, REJECT_RECORD_LIMIT
from tests.fakes import RecordingRunner


def _created(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"written": len(params["rows"]), "created": len(params["rows"])}]


CREATED: dict[str, Any] = {"UNWIND $rows": _created}


@pytest.mark.parametrize("bad", ["a\tb", "a\nb", "a\rb", "a\x85b", "a\u2029b", "a\x9fb"])
def test_ids_refuse_every_control_character(bad: str) -> None:
    # The contract says ids hold no control characters; tab, CR, LF and C1 slipped through.
    with pytest.raises(v.BadValue, match="control characters"):
        v.parse_id(bad)


def test_ids_still_strip_surrounding_blanks() -> None:
    assert v.parse_id(" a1\t") == "a1"


@pytest.mark.parametrize("bad", ["2019-04-01T10:00:00Z\x00", "2019-04-01T10:00:00+00:00\x00junk"])
def test_timestamps_with_a_nul_are_refused(bad: str) -> None:
    # datetime.fromisoformat ignores everything from a NUL on, so these used to load.
    with pytest.raises(v.BadValue, match="control characters"):
        v.parse_timestamp(bad)


@pytest.mark.parametrize("bad", ["http://[::1", "http://[not-ipv6]/", "http://a\uff03b.org/"])
def test_urls_urlsplit_cannot_read_are_rejected_not_raised(bad: str) -> None:
    # urlsplit raises a plain ValueError for these, which used to abort the whole load.
    with pytest.raises(v.BadValue, match="not a valid URL"):
        v.parse_url(bad)


@pytest.mark.parametrize(
    "bad", ["http://example.org/a\tb", "http://example.org/a\nb", "http://x/a\rb"]
)
def test_urls_with_tab_or_newline_are_rejected_not_rewritten(bad: str) -> None:
    # urlsplit drops tab, CR and LF, so these loaded as a different URL.
    with pytest.raises(v.BadValue, match="control characters"):
        v.parse_url(bad)


def test_bracketed_ipv6_urls_still_load() -> None:
    assert v.parse_url("http://[2001:DB8::1]:8080/x#f") == "http://[2001:db8::1]:8080/x"


def test_jsonl_lone_surrogate_escapes_are_rejected_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "\ud800" is valid JSON but decodes to a str that UTF-8 cannot encode: hashing it
    # (identifiers) or sending it to the driver (any other kind) raised UnicodeEncodeError.
    monkeypatch.setenv("CIBGRAPH_HASH_SECRET", "ab" * 32)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "accounts.jsonl").write_text(
        '{"account_id": "a1", "handle": "x\\ud800y"}\n{"account_id": "a2"}\n'
    )
    (folder / "identifiers.jsonl").write_text(
        '{"account_id": "a1", "kind": "device", "value": "\\udfff"}\n'
    )
    runner = RecordingRunner(answers=CREATED)
    options = LoadOptions(rejects_dir=tmp_path / "rj", strict=True)
    ledger = load(runner, plan_load([folder]), options)
    accounts, identifiers = ledger.files
    assert (accounts.read, accounts.written, accounts.rejected) == (2, 1, 1)
    assert (identifiers.read, identifiers.written, identifiers.rejected) == (1, 0, 1)
    # identifiers.jsonl had one row, rejected: the run says so instead of "complete".
    assert identifiers.status == "rejected" and ledger.status == "rejected"
    assert ledger.reconciles()
    with open(str(accounts.rejects_path), newline="", encoding="utf-8") as handle:
        (reject,) = csv.DictReader(handle)
    assert (reject["line"], reject["column"]) == ("1", "handle")
    assert "lone surrogate" in reject["reason"]


def test_rejects_file_cuts_huge_records(tmp_path: Path) -> None:
    # A row rejected for a field over the CSV limit was copied whole (over 1 MB) into the
    # rejects file, which then could not be read back with csv's default field limit.
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,handle\n" + "a1," + "h" * (CSV_FIELD_LIMIT + 1) + "\na2,x\n")
    runner = RecordingRunner(answers=CREATED)
    ledger = load(runner, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
    entry = ledger.files[0]
    assert (entry.read, entry.written, entry.rejected) == (2, 1, 1)
    limit = csv.field_size_limit(131_072)  # the csv module's default
    try:
        with open(str(entry.rejects_path), newline="", encoding="utf-8") as handle:
            (reject,) = csv.DictReader(handle)
    finally:
        csv.field_size_limit(limit)
    assert "field larger than field limit" in reject["reason"]
    assert len(reject["record"]) < REJECT_RECORD_LIMIT + 100
    assert reject["record"].endswith(f"[cut: {CSV_FIELD_LIMIT + 5:,} characters in all]")


def test_abort_with_a_carriage_return_inside_a_good_record(tmp_path: Path) -> None:
    # --on-error abort parks good rows in a temporary text file; reading it back split a
    # record holding a lone CR into two lines and the load died with a ValueError.
    path = tmp_path / "accounts.csv"
    path.write_bytes(b'account_id,handle\na1,"one\rtwo"\na2,x\na3,"bad\x00"\n')
    runner = RecordingRunner(answers=CREATED)
    options = LoadOptions(on_error="abort", rejects_dir=tmp_path / "rj", strict=True)
    ledger = load(runner, plan_load([path]), options)
    entry = ledger.files[0]
    assert (entry.status, entry.read, entry.written, entry.rejected) == ("aborted", 3, 0, 3)
    with open(str(entry.rejects_path), newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [r["line"] for r in rejects] == ["2", "4", "5"]  # the CR is a line break too
    assert rejects[0]["record"] == 'a1,"one\rtwo"'


def test_a_bug_mid_load_fails_the_run_at_once(tmp_path: Path) -> None:
    # Only CibError and Ctrl-C marked the run failed; any other exception (the
    # UnicodeEncodeError above, say) left it 'running' in Neo4j and wrote no ledger.json.
    def broken(params: dict[str, Any]) -> list[dict[str, Any]]:
        raise RuntimeError("a bug with row data: a1")

    path = tmp_path / "accounts.csv"
    path.write_text("account_id\na1\n")
    runner = RecordingRunner(answers={"UNWIND $rows": broken})
    with pytest.raises(RuntimeError):
        load(runner, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
    final = [c for c in runner.calls if "MERGE (r:LoadRun" in c.query][-1].params["props"]
    assert final["status"] == "failed"
    assert final["error"] == "unexpected RuntimeError: see the command's output"
    (saved,) = (tmp_path / "rj").glob("*/ledger.json")
    ledger = json.loads(saved.read_text())
    assert ledger["status"] == "failed" and ledger["files"][0]["status"] == "failed"
