"""Runs interrupted, or with the database changed or replaced under them (issue 13).

On the throwaway server: Ctrl-C during a bulk import, `cib db reset` and a wipe under a
running load, Ctrl-C during a load and a detection run, a load during detection, stale
ledger records of earlier crashes, and `cib runs delete`. Each asserts what the user is
left with: a database that starts, runs marked failed with their counts, no output of a
failed run left behind, and no temporary files.

The bulk interrupt restarts the server twice, so it is slow:
``.venv/bin/pytest -m slow tests/integration/test_run_faults.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cibgraph.graph.connection import Database
from cibgraph.graph.schema import apply_schema
from cibgraph.graph.server import admin
from tests.markers import slow
from tests.throwaway import (
    CIB,
    Scenario,
    Throwaway,
    counts,
    graph_digest,
    wait_until,
    write_coordinated_group,
)

pytestmark = pytest.mark.integration

BATCH = "250"
EVIDENCE = "MATCH (n) WHERE NOT (n:LoadRun OR n:LoadFile) RETURN count(n) AS n"


def _count(db: Database, query: str, **params: Any) -> int:
    return int(db.read(query, params)[0]["n"])


def _posts(db: Database) -> int:
    return _count(db, "MATCH (p:Post) RETURN count(p) AS n")


def _ledger_json(folder: Path) -> dict[str, Any]:
    (path,) = folder.glob("*/ledger.json")
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _load_record(db: Database, run_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = db.read(
        "MATCH (r:LoadRun {id: $id}) OPTIONAL MATCH (r)-[:READ]->(f:LoadFile) "
        "RETURN properties(r) AS run, collect(properties(f)) AS files",
        {"id": run_id},
    )
    assert rows, f"no LoadRun {run_id}"
    return rows[0]["run"], rows[0]["files"]


def _default_sigint() -> None:
    # A shell's background job starts with SIGINT ignored, and Python then never turns
    # it into KeyboardInterrupt; the child must take Ctrl-C as a terminal user's would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _spawn(
    args: list[str], log: Path, env: dict[str, str], new_session: bool = False
) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        return subprocess.Popen(
            args,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            preexec_fn=_default_sigint,
            start_new_session=new_session,
        )


@contextlib.contextmanager
def _child(
    args: list[str], log: Path, env: dict[str, str], new_session: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process that does not outlive the test, however the test ends."""
    proc = _spawn(args, log, env, new_session)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _load_child(
    server: Throwaway, folder: Path, rejects: Path, log: Path
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    args = [*CIB, "load", str(folder), "--batch-size", BATCH, "--quiet"]
    return _child([*args, "--rejects-dir", str(rejects)], log, server.env())


def _wait_for_posts(db: Database, proc: subprocess.Popen[bytes], scenario: Scenario) -> int:
    wait_until("four batches of posts", lambda: _posts(db) >= 4 * int(BATCH), 300, proc, 0.05)
    posts = _posts(db)
    assert posts < scenario.posts, "the load finished before it could be interrupted"
    return posts


def _running_load(db: Database) -> str:
    (row,) = db.read("MATCH (r:LoadRun {status: 'running'}) RETURN r.id AS id")
    return str(row["id"])


# ---------------------------------------------------------------------------------------
# Loads


def test_ctrl_c_during_a_load_fails_the_run_and_its_files_with_their_counts(
    fresh_throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    server = fresh_throwaway
    load = _load_child(server, small_scenario.folder, tmp_path / "rj", tmp_path / "load.log")
    with load as proc, server.connect() as db:
        _wait_for_posts(db, proc, small_scenario)
        run_id = _running_load(db)
        os.kill(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=120)
        saved = _ledger_json(tmp_path / "rj")
        run, files = _load_record(db, run_id)
    assert code != 0
    assert saved["status"] == run["status"] == "failed" and "interrupted" in run["error"]
    by_id = {f["id"]: f for f in files}
    assert [f["status"] for f in files if f["status"] == "running"] == []
    for entry in saved["files"]:
        stored = by_id[entry["id"]]
        for name in ("read", "written", "rejected"):
            assert stored[name] == entry[name], (name, stored, entry)
    interrupted = [f for f in saved["files"] if f["status"] == "failed"]
    assert len(interrupted) == 1 and interrupted[0]["read"] > 0, saved["files"]
    print(f"\nCtrl-C mid-load: LoadFile failed with read {interrupted[0]['read']:,} = ledger.json")


def test_the_next_load_repairs_files_left_running(
    fresh_throwaway: Throwaway, tmp_path: Path
) -> None:
    server = fresh_throwaway
    # What earlier versions and crashes left: a failed run whose file still says running
    # with read 0 (its ledger.json knows better), and a run of a dead process.
    old = tmp_path / "old-run"
    old.mkdir()
    saved_file = {"id": "load-old:0", "status": "failed", "read": 2000, "valid": 1990,
                  "written": 1990, "rejected": 10, "created": 1990, "superseded": 0,
                  "error": "interrupted"}  # fmt: skip
    (old / "ledger.json").write_text(json.dumps({"id": "load-old", "files": [saved_file]}))
    dead_pid = 2**22 + 1  # above the kernel's pid_max: never a live process
    with server.connect() as db:
        db.write(
            "CREATE (:LoadRun {id: 'load-old', status: 'failed', rejects_dir: $old})"
            "-[:READ]->(:LoadFile {id: 'load-old:0', status: 'running', read: 0}) "
            "CREATE (:LoadRun {id: 'load-dead', status: 'running', host: $host, pid: $pid})"
            "-[:READ]->(:LoadFile {id: 'load-dead:0', status: 'running', read: 0})",
            {"old": str(old), "host": socket.gethostname(), "pid": dead_pid},
        )
    group = write_coordinated_group(tmp_path / "group", ["r1", "r2"])
    done = server.cib("load", str(group), "--quiet", "--rejects-dir", str(tmp_path / "rj"))
    assert done.returncode == 0, done.stderr
    with server.connect() as db:
        _, (old_file,) = _load_record(db, "load-old")
        dead_run, (dead_file,) = _load_record(db, "load-dead")
    assert old_file["status"] == "failed"
    assert (old_file["read"], old_file["written"], old_file["rejected"]) == (2000, 1990, 10)
    assert dead_run["status"] == dead_file["status"] == "failed"
    assert "interrupted" in dead_file["error"]


def test_reset_is_refused_while_a_load_runs(
    fresh_throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    server = fresh_throwaway
    with _load_child(server, small_scenario.folder, tmp_path / "rj", tmp_path / "load.log") as proc:
        with server.connect() as db:
            posts = _wait_for_posts(db, proc, small_scenario)
            run_id = _running_load(db)
            reset = server.cib("db", "reset", "--yes", "--quiet")
            assert reset.returncode == 2, reset.stderr
            assert run_id in reset.stderr and f"kill -INT {proc.pid}" in reset.stderr
            assert _posts(db) >= posts, "reset wiped the database anyway"
        assert proc.wait(timeout=600) == 0
    assert _ledger_json(tmp_path / "rj")["status"] == "complete"
    with server.connect() as db:
        assert counts(graph_digest(db)) == counts(small_scenario.reference)


def _assert_stopped_as_replaced(proc: subprocess.Popen[bytes], tmp: Path, run_id: str) -> None:
    code = proc.wait(timeout=600)
    log = (tmp / "load.log").read_text(errors="replace")
    assert code == 1, log
    assert "replaced" in log and "Traceback" not in log, log
    saved = _ledger_json(tmp / "rj")
    assert saved["id"] == run_id and saved["status"] == "failed" and "replaced" in saved["error"]
    assert "running" not in [f["status"] for f in saved["files"]]


def test_a_load_notices_its_database_lost_its_records(
    fresh_throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    server = fresh_throwaway
    load = _load_child(server, small_scenario.folder, tmp_path / "rj", tmp_path / "load.log")
    with load as proc, server.connect() as db:
        _wait_for_posts(db, proc, small_scenario)
        run_id = _running_load(db)
        # What a wipe does to the load's own records (the fast form of the test below).
        db.write(
            "MATCH (r:LoadRun {id: $id}) OPTIONAL MATCH (r)-[:READ]->(f:LoadFile) "
            "DETACH DELETE r, f",
            {"id": run_id},
        )
        _assert_stopped_as_replaced(proc, tmp_path, run_id)
        assert db.read("MATCH (r:LoadRun {id: $id}) RETURN r", {"id": run_id}) == []


@slow
def test_a_load_notices_the_database_was_replaced_under_it(
    fresh_throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    server = fresh_throwaway
    with _load_child(server, small_scenario.folder, tmp_path / "rj", tmp_path / "load.log") as proc:
        with server.connect() as db:
            _wait_for_posts(db, proc, small_scenario)
            run_id = _running_load(db)
        # The store replaced while the load is held (so the restart, however slow, fits
        # inside the driver's retry window): what `cib db reset` did before it refused.
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            server.stop()
            admin.wipe_store(server.paths)
            server.start()
            with server.connect() as db:
                apply_schema(db)
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        _assert_stopped_as_replaced(proc, tmp_path, run_id)
    with server.connect() as db:
        left = _count(db, EVIDENCE)
        assert db.read("MATCH (r:LoadRun) RETURN r") == []
    assert left == 0, f"{left} nodes written into the new database"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _importing(pid: int) -> bool:
    for child in _children(pid):
        try:
            cmdline = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"org.neo4j.cli.AdminTool" in cmdline and b"import" in cmdline:
            return True
    return False


@slow
def test_ctrl_c_during_a_bulk_import_leaves_an_empty_startable_database(
    fresh_throwaway: Throwaway, small_scenario: Scenario, tmp_path: Path
) -> None:
    server = fresh_throwaway
    log = tmp_path / "bulk.log"
    rejects = tmp_path / "rj"
    # Its own session, so the Ctrl-C goes to the whole group (cib and neo4j-admin), as a
    # terminal sends it.
    args = [*CIB, "load", str(small_scenario.folder), "--bulk", "--rejects-dir", str(rejects)]
    try:
        with _child(args, log, server.env(), new_session=True) as proc:
            wait_until("neo4j-admin import to run", lambda: _importing(proc.pid), 600, proc, 0.1)
            time.sleep(1.0)
            os.killpg(proc.pid, signal.SIGINT)
            interrupted = time.monotonic()
            code = proc.wait(timeout=900)
            recovered = time.monotonic() - interrupted
        output = log.read_text(errors="replace")
        assert code != 0, output
        saved = _ledger_json(rejects)
        assert saved["status"] == "failed" and "interrupted" in saved["error"], saved
        assert all(f["written"] == 0 and f["status"] != "complete" for f in saved["files"])
        assert list(server.paths.work.glob("bulk-*")) == [], "temporary CSVs left behind"
        assert server.pid() is not None, "the server was left stopped"
        with server.connect() as db:
            assert _count(db, EVIDENCE) == 0
            run, files = _load_record(db, saved["id"])
            assert run["status"] == "failed" and "running" not in [f["status"] for f in files]
        # The database is usable: the same bulk load again completes, the failed run's
        # ledger carried over.
        again = server.cib("load", str(small_scenario.folder), "--bulk", "--quiet", timeout=900)
        assert again.returncode == 0, again.stderr
        with server.connect() as db:
            assert counts(graph_digest(db)) == counts(small_scenario.reference)
            assert _load_record(db, saved["id"])[0]["status"] == "failed"
        print(f"\nCtrl-C in the bulk import: empty, running database {recovered:.0f} s later")
    finally:
        server.ensure_running()


# ---------------------------------------------------------------------------------------
# Detection

# A `cib detect` that waits, once its coordination graph is projected (its edges are
# written by then), until the file named by CIB_TEST_GO exists.
_PAUSED_DETECT = """
import os, time
from pathlib import Path
from cibgraph.graph.gds import client
from cibgraph.cli.main import main

original = client.Gds.project

def project(self, *args, **kwargs):
    graph = original(self, *args, **kwargs)
    print("projected", flush=True)
    go = Path(os.environ["CIB_TEST_GO"])
    deadline = time.monotonic() + 300
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return graph

client.Gds.project = project
main()
"""

RUN_OUTPUT = """
MATCH (r:DetectionRun {id: $id})
RETURN r.status AS status, r.error AS error,
       COUNT { ()-[e:COORDINATED_WITH {run_id: $id}]->() } AS edges,
       COUNT { (n:Network {run_id: $id}) } AS networks
"""


@contextlib.contextmanager
def _paused_detect(
    server: Throwaway, tmp: Path
) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    log, go = tmp / "detect.log", tmp / "go"
    args = [CIB[0], "-c", _PAUSED_DETECT, "detect", "--window", "60", "--json", "--quiet"]
    with _child(args, log, server.env(CIB_TEST_GO=str(go))) as proc:
        wait_until("the graph to be projected", lambda: b"projected" in log.read_bytes(), 300, proc)
        yield proc, log, go


def _detection_run(db: Database) -> str:
    (row,) = db.read("MATCH (r:DetectionRun {status: 'running'}) RETURN r.id AS id")
    return str(row["id"])


def _group(server: Throwaway, tmp: Path) -> None:
    group = write_coordinated_group(tmp / "group", [f"m{i}" for i in range(12)])
    loaded = server.cib("load", str(group), "--quiet", "--rejects-dir", str(tmp / "rj"))
    assert loaded.returncode == 0, loaded.stderr


def test_ctrl_c_during_detection_removes_the_runs_edges_at_once(
    fresh_throwaway: Throwaway, tmp_path: Path
) -> None:
    server = fresh_throwaway
    _group(server, tmp_path)
    with _paused_detect(server, tmp_path) as (proc, _log, _), server.connect() as db:
        run_id = _detection_run(db)
        before = db.read(RUN_OUTPUT, {"id": run_id})[0]
        assert before["edges"] > 0
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=120) != 0
        after = db.read(RUN_OUTPUT, {"id": run_id})[0]
    assert after["status"] == "failed" and "interrupted" in after["error"]
    assert (after["edges"], after["networks"]) == (0, 0), after
    print(f"\nCtrl-C during detection: its {before['edges']} edges removed")


def test_a_load_during_detection_fails_the_run(fresh_throwaway: Throwaway, tmp_path: Path) -> None:
    server = fresh_throwaway
    _group(server, tmp_path)
    with _paused_detect(server, tmp_path) as (proc, log, go):
        with server.connect() as db:
            run_id = _detection_run(db)
        more = write_coordinated_group(tmp_path / "more", [f"x{i}" for i in range(6)], urls=2)
        loaded = server.cib("load", str(more), "--quiet", "--rejects-dir", str(tmp_path / "rj2"))
        assert loaded.returncode == 0, loaded.stderr
        go.touch()
        code = proc.wait(timeout=300)
    output = log.read_text(errors="replace")
    assert code == 1, output
    assert "changed while this detection run read it" in output and "Traceback" not in output
    with server.connect() as db:
        run = db.read(RUN_OUTPUT, {"id": run_id})[0]
    assert run["status"] == "failed" and "changed" in run["error"]
    assert (run["edges"], run["networks"]) == (0, 0), run


def test_runs_delete_removes_a_run_its_networks_and_edges(
    fresh_throwaway: Throwaway, tmp_path: Path
) -> None:
    server = fresh_throwaway
    _group(server, tmp_path)
    detected = server.cib("detect", "--window", "60", "--json", "--quiet")
    assert detected.returncode == 0, detected.stderr
    run_id = json.loads(detected.stdout)["run_id"]
    with server.connect() as db:
        assert db.read(RUN_OUTPUT, {"id": run_id})[0]["edges"] > 0
    deleted = server.cib("runs", "delete", run_id, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    with server.connect() as db:
        assert db.read(RUN_OUTPUT, {"id": run_id}) == []
        assert _count(db, "MATCH ()-[e:COORDINATED_WITH]->() RETURN count(e) AS n") == 0
        assert _count(db, "MATCH (n:Network) RETURN count(n) AS n") == 0
        assert _count(db, "MATCH (a:Account) RETURN count(a) AS n") == 12  # evidence stays
    again = server.cib("runs", "delete", run_id, "--yes")
    assert again.returncode == 2 and "No detection run" in again.stderr
