"""What a user sees when the connection is wrong: one clear line, exit 2, no secrets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cibgraph.graph.connection import Database
from tests.conftest import wait_for_login

pytestmark = pytest.mark.integration

SECRET = "Sup3r-Secret-Do-Not-Print"


def _cib(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "cibgraph.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_wrong_password_flag(db: Database) -> None:
    proc = _cib("schema", "show", "--password", SECRET)
    wait_for_login(db)
    assert proc.returncode == 2
    assert "refused the credentials" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert SECRET not in proc.stderr + proc.stdout


def test_wrong_password_env(db: Database) -> None:
    proc = _cib("schema", "show", env_extra={"NEO4J_PASSWORD": SECRET})
    wait_for_login(db)
    assert proc.returncode == 2
    assert SECRET not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


def test_unreachable_server() -> None:
    proc = _cib("schema", "show", "--uri", "bolt://127.0.0.1:1", "--password", SECRET)
    assert proc.returncode == 2
    assert "Cannot reach Neo4j at bolt://127.0.0.1:1" in proc.stderr
    assert SECRET not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) <= 2  # the error line and its hint
