"""The load pipeline against a recording runner: what is sent, in which batches."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cibgraph.loaders.contract import LOAD_ORDER
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.statements import STATEMENTS
from tests.fakes import RecordingRunner


def _created(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"written": len(params["rows"]), "created": len(params["rows"])}]


CREATED: dict[str, list[dict[str, Any]] | Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "UNWIND $rows": _created
}


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIBGRAPH_HASH_SECRET", "ab" * 32)


def _accounts(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "data" / "accounts.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("account_id,followers\n" + "".join(line + "\n" for line in lines))
    return path


def _writes(runner: RecordingRunner) -> list[dict[str, Any]]:
    return [c.params for c in runner.calls if c.mode == "write" and "UNWIND $rows" in c.query]


def test_batches_are_unwind_statements_of_batch_size(tmp_path: Path) -> None:
    path = _accounts(tmp_path, [f"a{i},{i}" for i in range(25)])
    runner = RecordingRunner(answers=CREATED)
    ledger = load(
        runner, plan_load([path]), LoadOptions(batch_size=10, rejects_dir=tmp_path / "rj")
    )
    batches = _writes(runner)
    assert [len(b["rows"]) for b in batches] == [10, 10, 5]
    assert all(c.query == STATEMENTS["accounts"] for c in runner.calls if "UNWIND $rows" in c.query)
    entry = ledger.files[0]
    assert (entry.read, entry.written, entry.rejected, entry.created) == (25, 25, 0, 25)
    assert ledger.status == "complete" and ledger.reconciles()


def test_schema_comes_before_any_write(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1"])
    runner = RecordingRunner(answers=CREATED)
    load(runner, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
    first_unwind = next(i for i, c in enumerate(runner.calls) if "UNWIND $rows" in c.query)
    first_constraint = next(i for i, c in enumerate(runner.calls) if "CREATE CONSTRAINT" in c.query)
    assert first_constraint < first_unwind


def test_duplicates_in_a_batch_last_row_wins(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1", "a2,2", "a1,99"])
    runner = RecordingRunner(answers=CREATED)
    ledger = load(runner, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
    rows = _writes(runner)[0]["rows"]
    assert rows == [
        {"id": "a2", "props": {"followers": 2}},
        {"id": "a1", "props": {"followers": 99}},
    ]
    assert ledger.files[0].superseded == 1
    assert ledger.files[0].written == 3


def test_bad_rows_go_to_the_rejects_file_and_counts_reconcile(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1", ",2", "a3,lots", "a4,4,extra", "=HYPERLINK(1),5"])
    runner = RecordingRunner(answers=CREATED)
    options = LoadOptions(rejects_dir=tmp_path / "rj", strict=True)
    ledger = load(runner, plan_load([path]), options)
    entry = ledger.files[0]
    assert (entry.read, entry.written, entry.rejected) == (5, 2, 3)
    assert entry.reconciles()
    assert entry.rejects_path is not None
    with open(entry.rejects_path, newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["line"], r["column"]) for r in rejects] == [
        ("3", "account_id"),
        ("4", "followers"),
        ("5", ""),
    ]
    assert "expected 2 columns" in rejects[2]["reason"]
    saved = json.loads((Path(ledger.rejects_dir) / "ledger.json").read_text())
    assert saved["totals"]["read"] == 5 and saved["reconciles"] is True


def test_a_bad_optional_value_keeps_the_row_with_a_warning(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1", "a2,lots", "a3,3"])
    runner = RecordingRunner(answers=CREATED)
    ledger = load(runner, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
    entry = ledger.files[0]
    assert (entry.read, entry.written, entry.rejected, entry.warnings) == (3, 3, 0, 1)
    assert entry.status == "complete" and entry.reconciles()
    sent = [row for batch in _writes(runner) for row in batch["rows"]]
    assert {"id": "a2", "props": {}} in sent
    with open(str(entry.rejects_path), newline="") as handle:
        (warning,) = csv.DictReader(handle)
    assert (warning["file"], warning["line"], warning["column"]) == (str(path), "3", "followers")
    assert (warning["outcome"], warning["reason"]) == (
        "kept",
        "value left out: not a number: 'lots'",
    )
    saved = json.loads((Path(ledger.rejects_dir) / "ledger.json").read_text())
    assert saved["totals"]["warnings"] == 1
    # Counted by reason without the value, so rows failing the same way add up.
    assert saved["files"][0]["warning_reasons"] == {"followers: value left out: not a number: …": 1}


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1", "a2,x"])
    options = LoadOptions(dry_run=True, rejects_dir=tmp_path / "rj", strict=True)
    ledger = load(None, plan_load([path]), options)
    entry = ledger.files[0]
    assert (entry.read, entry.valid, entry.written, entry.rejected) == (2, 1, 0, 1)
    assert ledger.status == "dry_run" and entry.reconciles()


def test_abort_writes_nothing_from_the_file(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1", "a2,2", "a3,bad", "a4,4"])
    runner = RecordingRunner(answers=CREATED)
    options = LoadOptions(on_error="abort", rejects_dir=tmp_path / "rj", strict=True)
    ledger = load(runner, plan_load([path]), options)
    assert _writes(runner) == []
    entry = ledger.files[0]
    assert entry.status == "aborted" and ledger.status == "failed"
    assert (entry.read, entry.written, entry.rejected) == (3, 0, 3)
    assert entry.error is not None and entry.error.startswith("line 4:")
    with open(str(entry.rejects_path), newline="") as handle:
        reasons = [r["reason"] for r in csv.DictReader(handle)]
    assert reasons[:2] == ["not written: --on-error abort stopped this file at line 4"] * 2
    assert "not a number" in reasons[2]


def test_abort_on_a_clean_file_writes_everything(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1", "a2,2"])
    runner = RecordingRunner(answers=CREATED)
    ledger = load(
        runner, plan_load([path]), LoadOptions(on_error="abort", rejects_dir=tmp_path / "rj")
    )
    assert ledger.status == "complete"
    assert sum(len(b["rows"]) for b in _writes(runner)) == 2


def test_ledger_is_written_to_neo4j(tmp_path: Path) -> None:
    path = _accounts(tmp_path, ["a1,1"])
    runner = RecordingRunner(answers=CREATED)
    ledger = load(runner, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
    ledger_writes = [c for c in runner.calls if "LoadRun" in c.query or "LoadFile" in c.query]
    assert any(
        "MERGE (f:LoadFile" in c.query and c.params["props"].get("status") == "complete"
        for c in ledger_writes
    )
    final = [c for c in ledger_writes if "MERGE (r:LoadRun" in c.query][-1]
    assert final.params["id"] == ledger.id
    assert final.params["props"]["status"] == "complete"
    assert final.params["props"]["total_read"] == 1
    # the file's digest (hashed beside the load) is in the ledger the run finishes with
    complete = [c for c in ledger_writes if "MERGE (f:LoadFile" in c.query][-1]
    assert complete.params["props"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ledger.files[0].sha256 == complete.params["props"]["sha256"]


def test_no_user_value_is_interpolated_into_cypher(tmp_path: Path) -> None:
    payload = "x'}) MATCH (n) DETACH DELETE n //"
    path = _accounts(tmp_path, [f'"{payload}",1'])
    runner = RecordingRunner(answers=CREATED)
    load(runner, plan_load([path]), LoadOptions(rejects_dir=tmp_path / "rj"))
    assert all(payload not in c.query for c in runner.calls)
    assert _writes(runner)[0]["rows"] == [{"id": payload, "props": {"followers": 1}}]


def test_empty_file_and_header_only_are_noted_and_reconcile(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "accounts.csv").write_bytes(b"")
    (folder / "pages.csv").write_text("page_id,name\n")
    runner = RecordingRunner(answers=CREATED)
    ledger = load(runner, plan_load([folder]), LoadOptions(rejects_dir=tmp_path / "rj"))
    notes = {f.kind: (f.read, f.note, f.status) for f in ledger.files}
    assert notes["accounts"] == (0, "empty file: no header", "complete")
    assert notes["pages"] == (0, "header only: no rows", "complete")
    assert ledger.reconciles() and _writes(runner) == []


def test_a_generated_scenario_validates_with_zero_rejections(tmp_path: Path) -> None:
    from cibgraph.scenario import generate

    folder = tmp_path / "scenario"
    generate(folder, scale=0.1, seed=5)
    ledger = load(None, plan_load([folder]), LoadOptions(dry_run=True, rejects_dir=tmp_path / "rj"))
    assert ledger.total("read") > 10_000
    assert ledger.total("rejected") == 0
    assert {f.kind for f in ledger.files} == set(LOAD_ORDER)
    assert {Path(i["path"]).name for i in ledger.ignored} == {"truth.csv", "decoys.csv"}
