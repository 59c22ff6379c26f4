"""Concurrency, on a throwaway server: two loads at once, and a server restart mid-load.

Two ``cib load`` processes on overlapping files at the same time must end with no
duplicate node (the uniqueness constraints make MERGE race-free; deadlocks between
the two are transient errors the driver retries), both ledgers complete and
reconciled, and the graph equal to a clean load of the union of the files. A server
restarted under a running load is a transient error too: the driver retries a batch
for ``max_transaction_retry_time`` (30 s). A restart within that window lets the load
finish; a longer one makes it fail cleanly (exit 2, its ledger failed) and a rerun
completes. Each test reports what it saw on stdout (``pytest -s``); the restart
test is slow (``-m slow``).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from cibgraph.graph.connection import Database
from tests.markers import slow
from tests.throwaway import (
    CIB,
    Scenario,
    Throwaway,
    duplicate_keys,
    graph_digest,
    wait_until,
)

pytestmark = pytest.mark.integration

BATCH = "250"
RETRIED = "Transaction failed and will be retried"


def _posts(db: Database) -> int:
    return int(db.read("MATCH (p:Post) RETURN count(p) AS n")[0]["n"])


# `cib load`, with the driver's retry warnings ("Transaction failed and will be retried
# in 0.9s (... DeadlockDetected ...)") printed to stderr so the test can count them;
# `cib`'s main() silences them, so this calls the app it wraps.
_COUNTING_RETRIES = """
import logging, sys
handler = logging.StreamHandler(sys.stderr)
handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
logging.getLogger("neo4j").addHandler(handler)
logging.getLogger("neo4j").setLevel(logging.WARNING)
from cibgraph.cli.main import app
app()
"""


def _spawn(server: Throwaway, tmp: Path, name: str, *paths: Path) -> subprocess.Popen[bytes]:
    args = ["load", *map(str, paths), "--batch-size", BATCH, "--json", "--quiet"]
    with (tmp / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [CIB[0], "-c", _COUNTING_RETRIES, *args, "--rejects-dir", str(tmp / name)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=server.env(),
        )


def _reversed_copy(source: Path, target: Path) -> Path:
    """The same rows in the opposite order: the two loads then take the same locks in
    opposite orders, which is what makes deadlocks."""
    header, *rows = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + "".join(reversed(rows)), encoding="utf-8")
    return target


def _ledger(tmp: Path, name: str) -> dict[str, Any]:
    (path,) = (tmp / name).glob("*/ledger.json")
    ledger: dict[str, Any] = json.loads(path.read_text())
    return ledger


def _statuses(db: Database) -> dict[str, str]:
    rows = db.read("MATCH (r:LoadRun) RETURN r.id AS id, r.status AS status")
    return {row["id"]: row["status"] for row in rows}


def test_two_overlapping_loads_at_once(
    fresh_throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    server, folder = fresh_throwaway, small_scenario.folder
    # The second load repeats accounts, pages and posts, the bulk of the first, backwards.
    # (The scenario's rows have distinct ids and no field holds a newline.)
    overlap = [
        _reversed_copy(folder / name, tmp_path / "reversed" / name)
        for name in ("accounts.csv", "pages.csv", "posts.csv")
    ]
    first = _spawn(server, tmp_path, "first", folder)
    second = _spawn(server, tmp_path, "second", *overlap)
    codes = (first.wait(timeout=900), second.wait(timeout=900))
    logs = [(tmp_path / f"{n}.log").read_text(errors="replace") for n in ("first", "second")]
    assert codes == (0, 0), logs
    assert not any("Traceback" in log for log in logs), logs
    retries = sum(log.count(RETRIED) for log in logs)
    # Neo4j's DeadlockDetected message: "... can't acquire ExclusiveLock ... because
    # holders of that lock are waiting for ..."
    deadlocks = sum(log.count("because holders of that lock are waiting") for log in logs)

    ledgers = [_ledger(tmp_path, name) for name in ("first", "second")]
    for ledger in ledgers:
        assert ledger["status"] == "complete" and ledger["reconciles"] is True
        assert ledger["totals"]["rejected"] == 0
    with server.connect() as db:
        assert duplicate_keys(db) == []
        assert graph_digest(db) == small_scenario.reference
        statuses = _statuses(db)
    assert [statuses[ledger["id"]] for ledger in ledgers] == ["complete", "complete"]
    print(
        f"\nconcurrent loads: 2 complete, 0 duplicate keys, "
        f"{retries} transaction retries ({deadlocks} deadlocks)"
    )


@slow
def test_server_restart_mid_load(
    fresh_throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    server = fresh_throwaway
    load = _spawn(server, tmp_path, "restarted", small_scenario.folder)
    try:
        with server.connect() as db:
            wait_until("four batches of posts", lambda: _posts(db) >= 1000, 300, load, 0.05)
        restart_started = time.monotonic()
        server.stop()
        server.start()
        restart = time.monotonic() - restart_started
        code = load.wait(timeout=300)
    finally:
        if load.poll() is None:
            load.kill()
    log = (tmp_path / "restarted.log").read_text(errors="replace")
    assert "Traceback" not in log, log
    ledger = _ledger(tmp_path, "restarted")
    if code == 0:
        outcome = "completed (the driver retried through the restart)"
        assert ledger["status"] == "complete" and ledger["reconciles"] is True
    else:
        # The restart outlasted the driver's retry window: a clean failure, then a rerun.
        outcome = "failed cleanly, rerun completed"
        assert code == 2 and "Cannot reach Neo4j" in log, log
        assert ledger["status"] == "failed"
        assert "failed" in [f["status"] for f in ledger["files"]]
        rerun = server.cib("load", str(small_scenario.folder), "--json", "--quiet")
        assert rerun.returncode == 0, rerun.stderr
        assert json.loads(rerun.stdout)["status"] == "complete"
    if restart < 25:
        assert code == 0, f"a {restart:.0f} s restart is within the retry window:\n{log}"
    with server.connect() as db:
        assert duplicate_keys(db) == []
        assert graph_digest(db) == small_scenario.reference
        assert _statuses(db)[ledger["id"]] == ("complete" if code == 0 else "failed")
    print(
        f"\nserver restart mid-load: restart took {restart:.1f} s; load {outcome}; "
        f"{log.count(RETRIED)} transaction retries"
    )
