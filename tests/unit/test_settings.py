"""Connection settings: flag > environment > local server, and the local password stays local."""

from __future__ import annotations

from pathlib import Path

import pytest

from cibgraph.core.errors import MissingPassword, NotInstalled
from cibgraph.graph.server.instance import init_instance
from cibgraph.graph.server.paths import BuildPaths, InstancePaths
from cibgraph.graph.settings import resolve_settings


@pytest.fixture()
def local(tmp_path: Path) -> InstancePaths:
    paths = InstancePaths(tmp_path / "instance")
    init_instance(paths, BuildPaths(tmp_path / "build"), bolt_port=7777, http_port=7778)
    return paths


def test_local_defaults_when_nothing_given(local: InstancePaths) -> None:
    s = resolve_settings(env={}, local=local)
    assert s.uri == "bolt://127.0.0.1:7777"
    assert s.user == "neo4j"
    assert s.database == "neo4j"
    assert s.password == local.password.read_text().strip()
    assert s.sources == {"uri": "local", "user": "local", "password": "local", "database": "local"}


def test_env_beats_local(local: InstancePaths) -> None:
    env = {
        "NEO4J_URI": "neo4j://db.example:7687",
        "NEO4J_USERNAME": "analyst",
        "NEO4J_PASSWORD": "from-env-pw",
        "NEO4J_DATABASE": "cib",
    }
    s = resolve_settings(env=env, local=local)
    assert (s.uri, s.user, s.password, s.database) == (
        "neo4j://db.example:7687",
        "analyst",
        "from-env-pw",
        "cib",
    )
    assert set(s.sources.values()) == {"env"}


def test_flag_beats_env_field_by_field(local: InstancePaths) -> None:
    env = {"NEO4J_URI": "bolt://env:7687", "NEO4J_PASSWORD": "env-pw", "NEO4J_USERNAME": "envuser"}
    s = resolve_settings(uri="bolt://flag:7687", password="flag-pw", env=env, local=local)
    assert s.uri == "bolt://flag:7687"
    assert s.password == "flag-pw"
    assert s.user == "envuser"  # no flag for user: the env var wins over the default
    assert s.sources["uri"] == "flag" and s.sources["user"] == "env"


def test_local_password_is_never_sent_to_a_remote_server(local: InstancePaths) -> None:
    with pytest.raises(MissingPassword) as info:
        resolve_settings(uri="bolt://remote.example:7687", env={}, local=local)
    assert "remote.example" in info.value.message
    assert "NEO4J_PASSWORD" in (info.value.hint or "")


def test_local_password_used_for_the_local_uri_given_explicitly(local: InstancePaths) -> None:
    s = resolve_settings(uri="bolt://localhost:7777", env={}, local=local)
    assert s.password == local.password.read_text().strip()


def test_nothing_installed_and_nothing_given(tmp_path: Path) -> None:
    with pytest.raises(NotInstalled) as info:
        resolve_settings(env={}, local=InstancePaths(tmp_path / "none"))
    assert "cib db install" in (info.value.hint or "")


def test_password_not_in_repr(local: InstancePaths) -> None:
    s = resolve_settings(password="hunter2-secret", env={}, local=local)
    assert "hunter2-secret" not in repr(s)
