"""Secrets and access on a freshly installed throwaway instance.

Complements tests/integration/test_server.py (which checks the shared test server for
loopback listening and refused credentials): here the instance is installed by the
test, so its file modes are those `cib db install` creates, and failing commands can
be run freely against it. Everything the commands print, the server's logs and the
loader's ledger and rejects files are searched for the password and the hashing secret.
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import neo4j
import pytest

from tests.conftest import wait_for_login
from tests.integration.test_server import _listening
from tests.throwaway import CIB, Throwaway, write_coordinated_group

pytestmark = pytest.mark.integration

WRONG = "Wr0ng-But-Also-Secret-7c1d"
LOOPBACK = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}

# `cib` with one function made to fail mid-command, as an unexpected bug would: the
# traceback is printed, and must hold neither the password nor the hashing secret.
_CRASHING = """
import sys
from cibgraph.cli.main import main
target, attribute = sys.argv.pop(1).rsplit(".", 1)
module = __import__(target, fromlist=["_"])
owner = module
*path, name = attribute.split(":")
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, name)

def crash(*args, **kwargs):
    original(*args, **kwargs)
    raise RuntimeError("a bug inside the command")

setattr(owner, name, crash)
main()
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_files_are_private(throwaway: Throwaway) -> None:
    paths = throwaway.paths
    assert _mode(paths.root) == 0o700
    assert _mode(paths.password) == 0o600
    assert _mode(paths.hash_secret) == 0o600
    conf = paths.conf_file.read_text()
    assert "dbms.security.auth_enabled=true" in conf
    assert "server.default_listen_address=127.0.0.1" in conf


def test_loopback_only_and_auth_required(throwaway: Throwaway) -> None:
    throwaway.ensure_running()
    for port in (throwaway.settings.bolt_port, throwaway.settings.http_port):
        addresses = _listening(port)
        assert addresses and addresses <= LOOPBACK, (port, addresses)
    uri = throwaway.settings.bolt_uri
    with (
        neo4j.GraphDatabase.driver(uri, auth=None) as driver,
        pytest.raises(neo4j.exceptions.AuthError),
        driver.session() as session,
    ):
        session.run("RETURN 1").consume()
    with throwaway.connect() as db:
        for user, password in (("neo4j", "neo4j"), ("neo4j", WRONG), ("admin", "admin")):
            with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:
                assert driver.verify_authentication() is False, (user, password)
        wait_for_login(db)
    # Nor is the password on the server's command line, where other users could read it.
    pid = throwaway.pid()
    assert pid is not None
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    assert throwaway.password.encode() not in cmdline


def _run(server: Throwaway, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [*CIB, *args],
        capture_output=True,
        text=True,
        env=env or server.env(),
        timeout=300,
        check=False,
    )
    return f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"


def _crash(server: Throwaway, target: str, *args: str) -> str:
    done = subprocess.run(
        [CIB[0], "-c", _CRASHING, target, *args],
        capture_output=True,
        text=True,
        env=server.env(),
        timeout=300,
        check=False,
    )
    return f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"


def test_secrets_never_appear_in_output_logs_or_files(
    fresh_throwaway: Throwaway, tmp_path: Path
) -> None:
    server = fresh_throwaway
    password, secret = server.password, server.hash_secret
    members = [f"acct-{i}" for i in range(8)]
    data = write_coordinated_group(
        tmp_path / "data",
        members,
        identifiers=[(m, "email", f"{m}@example.org") for m in members]
        + [("acct-0", "phone", "12")],  # rejected: the rejects file holds a hash or nothing
    )
    rejects = tmp_path / "rejects"
    outputs = {
        "wrong password flag": _run(server, "schema", "show", "--password", WRONG),
        "wrong password env": _run(server, "schema", "show", env=server.env(NEO4J_PASSWORD=WRONG)),
        "unreachable, real password": _run(
            server,
            "schema",
            "show",
            "--uri",
            "bolt://127.0.0.1:1",
            env=server.env(NEO4J_PASSWORD=password),
        ),
        "load": _run(server, "load", str(data), "--rejects-dir", str(rejects)),
        "load --json": _run(server, "load", str(data), "--json", "--rejects-dir", str(rejects)),
        "crash in detect": _crash(
            server, "cibgraph.graph.detect.pipeline.pair_signals", "detect", "--window", "60"
        ),
        "crash in load": _crash(
            server,
            "cibgraph.loaders.fingerprints.IdentifierHasher:hash",
            "load",
            str(data),
            "--rejects-dir",
            str(tmp_path / "crashed"),
        ),
        "status": _run(server, "db", "status", "--json"),
        "detect": _run(server, "detect", "--window", "60"),
        "runs": _run(server, "runs", "list"),
    }
    with server.connect() as db:
        wait_for_login(db)
        crashed = db.read(
            "MATCH (r:LoadRun) WHERE r.error STARTS WITH 'unexpected' RETURN r.status AS s"
        )
    assert crashed == [{"s": "failed"}]  # the crash failed its run at once
    assert "refused the credentials" in outputs["wrong password flag"]
    assert "Cannot reach Neo4j" in outputs["unreachable, real password"]
    assert "a bug inside the command" in outputs["crash in detect"]  # it did crash
    assert "a bug inside the command" in outputs["crash in load"]
    assert "exit 0" in outputs["load"] and "exit 0" in outputs["detect"]

    searched = dict(outputs)
    files = [*server.paths.logs.rglob("*"), *rejects.rglob("*"), *(tmp_path / "crashed").rglob("*")]
    for path in files:
        if path.is_file():
            searched[str(path)] = path.read_text(errors="replace")
    assert any(name.endswith(".rejects.csv") for name in searched)
    assert any(name.endswith("neo4j.log") for name in searched)
    for name, text in searched.items():
        assert password not in text, f"password in {name}"
        assert secret not in text, f"hashing secret in {name}"
        assert WRONG not in text, f"a typed password in {name}"
    # The one command that shows the password, on purpose.
    assert password in _run(server, "db", "password")
    print(f"\nsecrets: {len(outputs)} command outputs and {len(files)} log/ledger files clean")
