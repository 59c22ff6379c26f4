"""The local server's files and failure modes, without starting Java."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from cibgraph.core.errors import CacheCorrupted, PortInUse, ToolMissing, UsageError
from cibgraph.graph.server import process, tools
from cibgraph.graph.server.install import verify_build
from cibgraph.graph.server.instance import init_instance, load_settings, render_conf
from cibgraph.graph.server.paths import BuildPaths, InstancePaths


@pytest.fixture()
def build(tmp_path: Path) -> BuildPaths:
    paths = BuildPaths(tmp_path / "build")
    (paths.lib).mkdir(parents=True)
    (paths.plugins).mkdir()
    files = {}
    for rel in ("lib/neo4j-server-5.26.30.jar", "plugins/open-gds.jar", "plugins/apoc-core.jar"):
        (paths.root / rel).write_bytes(b"jar:" + rel.encode())
        files[rel] = {"size": len(b"jar:" + rel.encode()), "sha256": "x"}
    paths.manifest.write_text(json.dumps({"files": files}))
    return paths


@pytest.fixture()
def instance(tmp_path: Path, build: BuildPaths) -> InstancePaths:
    paths = InstancePaths(tmp_path / "home")
    init_instance(paths, build, bolt_port=17001, http_port=17002)
    return paths


def test_java_version_parsing() -> None:
    assert tools.java_major('openjdk version "17.0.15" 2025-04-15') == 17
    assert tools.java_major('java version "1.8.0_392"') == 8
    assert tools.java_major('openjdk version "21" 2023-09-19') == 21
    assert tools.java_major("garbage") is None


def test_missing_java_names_the_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(ToolMissing) as info:
        tools.find_java()
    assert "openjdk-17-jdk-headless" in (info.value.hint or "")
    with pytest.raises(ToolMissing) as info:
        tools.find_maven()
    assert "maven" in (info.value.hint or "")


def test_conf_is_loopback_only_with_auth(instance: InstancePaths, build: BuildPaths) -> None:
    conf = render_conf(instance, build, load_settings(instance))
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "server.bolt.listen_address=127.0.0.1:17001" in conf
    assert "server.http.listen_address=127.0.0.1:17002" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert "server.https.enabled=false" in conf
    assert "0.0.0.0" not in conf  # noqa: S104 - asserting it is absent


def test_secrets_are_private_and_survive_reinstall(
    instance: InstancePaths, build: BuildPaths
) -> None:
    for private in (instance.password, instance.hash_secret):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    password = instance.password.read_text()
    secret = instance.hash_secret.read_text()
    assert len(password.strip()) >= 24
    init_instance(instance, build, heap="3g")
    assert instance.password.read_text() == password
    assert instance.hash_secret.read_text() == secret
    assert load_settings(instance).heap == "3g"
    assert load_settings(instance).bolt_port == 17001  # kept from the first install


def test_bad_instance_settings_are_refused(instance: InstancePaths, build: BuildPaths) -> None:
    with pytest.raises(UsageError):
        init_instance(instance, build, bolt_port=80)
    with pytest.raises(UsageError):
        init_instance(instance, build, heap="lots")
    with pytest.raises(UsageError):
        init_instance(instance, build, bolt_port=17002)


def test_complete_build_verifies(build: BuildPaths) -> None:
    verify_build(build)


def test_missing_jar_is_a_corrupted_cache(build: BuildPaths) -> None:
    (build.plugins / "open-gds.jar").unlink()
    with pytest.raises(CacheCorrupted) as info:
        verify_build(build)
    assert "cib db install --force" in (info.value.hint or "")


def test_truncated_jar_is_a_corrupted_cache(build: BuildPaths) -> None:
    (build.lib / "neo4j-server-5.26.30.jar").write_bytes(b"")
    with pytest.raises(CacheCorrupted, match="changed size"):
        verify_build(build)


def test_missing_manifest_is_a_corrupted_cache(build: BuildPaths) -> None:
    build.manifest.unlink()
    with pytest.raises(CacheCorrupted, match="no manifest"):
        verify_build(build)


def test_stale_pid_file_is_removed(instance: InstancePaths) -> None:
    instance.pid_file.write_text(f"{os.getpid()}\n")  # alive, but not a Neo4j of ours
    assert process.running_pid(instance) is None
    assert not instance.pid_file.exists()
    instance.pid_file.write_text("not a number\n")
    assert process.running_pid(instance) is None
    assert not instance.pid_file.exists()


def test_port_in_use_is_reported_with_a_way_out(instance: InstancePaths, build: BuildPaths) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 17001))
        holder.listen()
        with pytest.raises(PortInUse) as info:
            process.start(instance, timeout=5, build=build)
    assert "17001" in info.value.message
    assert "--bolt-port" in (info.value.hint or "")


def test_java_command_uses_heap_and_home(instance: InstancePaths, build: BuildPaths) -> None:
    argv = process.java_command("/usr/bin/java", instance, build, load_settings(instance))
    assert f"-Xmx{load_settings(instance).heap}" in argv
    assert f"--home-dir={instance.root}" in argv
    assert process.ENTRY_POINT in argv
    assert any(a.startswith("--add-opens=java.base/java.nio") for a in argv)


def test_the_stores_closed_line_counts_only_after_the_stop_began(tmp_path: Path) -> None:
    log = tmp_path / "debug.log"
    closed = "INFO  [o.n.d.d.DatabaseLifecycles] " + process._STORES_CLOSED + "\n"
    log.write_text("an earlier stop: " + closed)
    offset = log.stat().st_size  # where this stop's SIGTERM found the log
    assert not process._logged_since(log, offset, process._STORES_CLOSED)
    with log.open("a") as handle:
        handle.write("Stopping 'DatabaseId{00000000[system]}'.\n")
    assert not process._logged_since(log, offset, process._STORES_CLOSED)
    with log.open("a") as handle:
        handle.write(closed)
    assert process._logged_since(log, offset, process._STORES_CLOSED)
    log.write_text(closed)  # rotated: a new, shorter file is read whole
    assert process._logged_since(log, offset, process._STORES_CLOSED)
    assert not process._logged_since(tmp_path / "none.log", 0, process._STORES_CLOSED)
