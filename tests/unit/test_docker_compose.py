"""docker/compose.yaml runs Neo4j like the local server: loopback only, auth from env, GDS+APOC."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
COMPOSE = DOCKER / "compose.yaml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def neo4j(compose: dict[str, Any]) -> dict[str, Any]:
    service = compose["services"]["neo4j"]
    assert isinstance(service, dict)
    return service


def test_image_is_neo4j_526_community(neo4j: dict[str, Any]) -> None:
    assert neo4j["image"] == "neo4j:5.26-community"


def test_password_comes_from_the_environment_and_is_required(neo4j: dict[str, Any]) -> None:
    auth = neo4j["environment"]["NEO4J_AUTH"]
    assert auth == "neo4j/${NEO4J_PASSWORD:?set NEO4J_PASSWORD}"


def test_gds_and_apoc_are_installed_and_allowed(neo4j: dict[str, Any]) -> None:
    env = neo4j["environment"]
    assert yaml.safe_load(env["NEO4J_PLUGINS"]) == ["apoc", "graph-data-science"]
    for key in (
        "NEO4J_dbms_security_procedures_unrestricted",
        "NEO4J_dbms_security_procedures_allowlist",
    ):
        assert set(env[key].split(",")) == {"gds.*", "apoc.*"}


def test_memory_is_set_through_the_environment(neo4j: dict[str, Any]) -> None:
    env = neo4j["environment"]
    for key in (
        "NEO4J_server_memory_heap_initial__size",
        "NEO4J_server_memory_heap_max__size",
        "NEO4J_server_memory_pagecache_size",
    ):
        assert key in env


def test_ports_are_published_on_loopback_only(compose: dict[str, Any]) -> None:
    published = {name: service.get("ports", []) for name, service in compose["services"].items()}
    assert sorted(published["neo4j"]) == ["127.0.0.1:7474:7474", "127.0.0.1:7687:7687"]
    for name, ports in published.items():
        for port in ports:
            assert isinstance(port, str) and port.startswith("127.0.0.1:"), (name, port)


def test_healthcheck_proves_gds_is_loaded(neo4j: dict[str, Any]) -> None:
    check = neo4j["healthcheck"]
    command = " ".join(check["test"]) if isinstance(check["test"], list) else check["test"]
    assert "cypher-shell" in command and "gds.version()" in command
    # $$ reaches the container as $: the password is read there, not baked into the file.
    assert "$${NEO4J_AUTH" in command
    for key in ("interval", "timeout", "retries", "start_period"):
        assert key in check


def test_data_and_logs_are_named_volumes(compose: dict[str, Any], neo4j: dict[str, Any]) -> None:
    mounts = dict(v.split(":", 1) for v in neo4j["volumes"])
    assert mounts == {"neo4j-data": "/data", "neo4j-logs": "/logs"}
    assert {"neo4j-data", "neo4j-logs"} <= set(compose["volumes"])


def test_cib_service_is_opt_in_and_waits_for_a_healthy_neo4j(compose: dict[str, Any]) -> None:
    cib = compose["services"]["cib"]
    assert cib["profiles"] == ["cli"]
    assert cib["build"]["dockerfile"] == "docker/Dockerfile"
    assert cib["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert cib["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"


def test_dockerfile_installs_cib_as_a_non_root_user() -> None:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in text
    assert "pip install ." in text
    assert "\nUSER " in text
    assert 'ENTRYPOINT ["cib"]' in text


def _docker_compose_works() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True, timeout=30, check=False
    )
    return probe.returncode == 0


def test_docker_accepts_the_compose_file() -> None:
    if not _docker_compose_works():
        pytest.skip(
            "docker with the compose plugin is not installed here; structure is checked above"
        )
    env = {**os.environ, "NEO4J_PASSWORD": "compose-config-check"}
    proc = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--profile", "cli", "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
