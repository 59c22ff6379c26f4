"""GDS Sessions configuration: validated and built into the client's objects, no network.

The session itself (Aura's API, the remote projection) cannot run here: it needs an
Aura account with Graph Analytics enabled (README, GDS Sessions).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from graphdatascience.session import CloudLocation, SessionMemory

from cibgraph.core.errors import InsufficientMemory, UsageError
from cibgraph.graph.gds.models import MemoryEstimate
from cibgraph.graph.gds.session import (
    AUTO,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_CLOUD_LOCATION,
    ENV_MEMORY,
    ENV_PROJECT_ID,
    ENV_TTL,
    REMOTE_PROJECT,
    GdsSessionConfig,
    memory_bytes,
    plan_session,
    require_session_fit,
)
from cibgraph.graph.settings import ConnectionSettings

SECRET = "s3cr3t-aura-client-secret"  # a fake, to prove it is never shown
PASSWORD = "db-pa55word"

CREDENTIALS = {ENV_CLIENT_ID: "client-1", ENV_CLIENT_SECRET: SECRET}
SETTINGS = ConnectionSettings(
    uri="neo4j+s://abcd1234.databases.neo4j.io", user="neo4j", password=PASSWORD, database="cib"
)
GIB = 1024**3


def test_credentials_come_from_the_environment_and_the_rest_defaults() -> None:
    config = GdsSessionConfig.resolve(CREDENTIALS)
    assert config.client_id == "client-1"
    assert config.client_secret.get_secret_value() == SECRET
    assert (config.project_id, config.memory, config.cloud_location) == (None, AUTO, None)
    assert config.ttl_minutes == 60


def test_flags_win_over_the_environment() -> None:
    env = {
        **CREDENTIALS,
        ENV_PROJECT_ID: "proj-9",
        ENV_MEMORY: "8GB",
        ENV_CLOUD_LOCATION: "aws/us-east-1",
        ENV_TTL: "30",
    }
    from_env = GdsSessionConfig.resolve(env)
    assert (from_env.memory, from_env.cloud_location, from_env.ttl_minutes) == (
        "8GB",
        "aws/us-east-1",
        30,
    )
    assert from_env.project_id == "proj-9"
    flagged = GdsSessionConfig.resolve(
        env, memory="32gb", cloud_location="GCP/europe-west1", ttl_minutes=120
    )
    assert (flagged.memory, flagged.cloud_location, flagged.ttl_minutes) == (
        "32GB",
        "gcp/europe-west1",
        120,
    )


@pytest.mark.parametrize(
    ("env", "flags", "named"),
    [
        ({}, {}, ENV_CLIENT_ID),
        ({ENV_CLIENT_ID: "c"}, {}, ENV_CLIENT_SECRET),
        (CREDENTIALS, {"memory": "3GB"}, "--gds-session-memory"),
        (CREDENTIALS, {"cloud_location": "europe-west1"}, "--gds-session-cloud-location"),
        (CREDENTIALS, {"cloud_location": "ibm/eu"}, "--gds-session-cloud-location"),
        (CREDENTIALS, {"ttl_minutes": 1}, "--gds-session-ttl"),
        ({**CREDENTIALS, ENV_TTL: "soon"}, {}, ENV_TTL),
    ],
)
def test_bad_configuration_is_a_usage_error_naming_the_setting(
    env: dict[str, str], flags: dict[str, object], named: str
) -> None:
    with pytest.raises(UsageError) as caught:
        GdsSessionConfig.resolve(env, **flags)  # type: ignore[arg-type]
    assert named in caught.value.message
    assert caught.value.exit_code == 2
    assert SECRET not in caught.value.message
    assert ENV_CLIENT_ID in (caught.value.hint or "")


def test_the_secret_never_shows() -> None:
    config = GdsSessionConfig.resolve(CREDENTIALS)
    assert SECRET not in repr(config)
    assert SECRET not in str(config)
    assert SECRET not in config.model_dump_json()
    plan = plan_session(config, SETTINGS, "run-1")
    assert SECRET not in repr(plan)
    assert PASSWORD not in repr(plan)


def test_the_plan_reuses_the_projects_connection_settings() -> None:
    config = GdsSessionConfig.resolve(
        CREDENTIALS, memory="16GB", cloud_location="gcp/europe-west1", ttl_minutes=45
    )
    plan = plan_session(config, SETTINGS, "run-20261201-abc")
    assert plan.session_name == "cib-run-20261201-abc"
    assert plan.memory is SessionMemory.m_16GB
    assert plan.ttl == timedelta(minutes=45)
    assert plan.cloud_location == CloudLocation("gcp", "europe-west1")
    db = plan.db_connection
    assert (db.uri, db.username, db.password, db.database) == (
        SETTINGS.uri,
        "neo4j",
        PASSWORD,
        "cib",
    )
    assert plan.credentials.client_id == "client-1"
    assert plan.credentials.client_secret == SECRET
    assert plan.credentials.project_id is None


def test_auto_memory_leaves_the_size_to_auras_estimate() -> None:
    plan = plan_session(GdsSessionConfig.resolve(CREDENTIALS), SETTINGS, "run-1")
    assert plan.memory is None
    assert plan.cloud_location is None


def test_a_session_smaller_than_the_estimate_is_refused_before_it_is_created() -> None:
    assert memory_bytes(SessionMemory.m_8GB) == 8 * GIB
    require_session_fit(MemoryEstimate(1, 8 * GIB, "8 GiB"), SessionMemory.m_8GB, "running leiden")
    with pytest.raises(InsufficientMemory) as caught:
        require_session_fit(
            MemoryEstimate(1, 9 * GIB, "9 GiB"), SessionMemory.m_8GB, "running leiden"
        )
    assert caught.value.message.startswith("Running leiden needs up to 9.00 GiB")
    assert "--gds-session-memory" in (caught.value.hint or "")
    assert caught.value.exit_code == 3


def test_the_remote_projection_reads_the_runs_edges_by_parameter() -> None:
    assert "gds.graph.project.remote(a, b" in REMOTE_PROJECT
    assert "$run_id" in REMOTE_PROJECT
    assert "relationshipProperties: {weight: r.weight}" in REMOTE_PROJECT
