"""Commands against the real test server whose outcome a script relies on (issue 13
item 10): `cib query run --out` never overwrites or writes through a symlink unasked,
and `cib db status` says, by its exit code, that the server refused the password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.server import status as server_status

pytestmark = pytest.mark.integration


def _query(out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["query", "run", "load_runs", "--format", "json", "--out", str(out), *extra]
    )
    return result.exit_code, result.output


def test_query_out_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    out.write_text("mine")
    code, output = _query(out)
    assert code == 2 and "Not overwriting" in output and "--force" in output, output
    assert out.read_text() == "mine"
    code, output = _query(out, "--force")
    assert code == 0, output
    assert isinstance(json.loads(out.read_text()), list)


def test_query_out_never_writes_through_a_symlink(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("precious")
    link = tmp_path / "rows.json"
    link.symlink_to(precious)
    code, output = _query(link)
    assert code == 2 and "is a symlink" in output, output
    assert precious.read_text() == "precious"
    # --force replaces the link itself with the file; what it pointed to is untouched.
    code, output = _query(link, "--force")
    assert code == 0, output
    assert not link.is_symlink() and precious.read_text() == "precious"


def test_db_status_exits_non_zero_when_the_password_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    healthy = CliRunner().invoke(app, ["db", "status", "--json"])
    assert healthy.exit_code == 0, healthy.output
    # The password file no longer matching the server's, as after a manual ALTER USER.
    monkeypatch.setattr(server_status, "read_password", lambda paths: "not-the-password")
    for args in (["db", "status"], ["db", "status", "--json"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "refused the stored password" in result.output
        assert "not-the-password" not in result.output
