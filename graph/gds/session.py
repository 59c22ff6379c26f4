"""GDS Sessions (Aura Graph Analytics): the community step on a machine of its own.

For a coordination graph larger than the database server's heap, ``cib detect
--gds-session`` projects the run's COORDINATED_WITH edges into a temporary Aura GDS
Session (a remote projection read from the database), runs the same algorithm there and
deletes the session afterwards. The configuration is a pydantic model: Aura API
credentials from the environment only (a secret on the command line shows in `ps`),
memory and cloud location from flags or the environment, each validated before any
network call. Nothing here can be integration-tested without an Aura account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from graphdatascience.session import (
    AuraAPICredentials,
    CloudLocation,
    DbmsConnectionInfo,
    GdsSessions,
    SessionMemory,
)
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from cibgraph.core.errors import InsufficientMemory, UsageError
from cibgraph.graph.gds.client import Gds
from cibgraph.graph.gds.models import MemoryEstimate, gib
from cibgraph.graph.settings import ConnectionSettings

ENV_CLIENT_ID = "AURA_API_CLIENT_ID"
ENV_CLIENT_SECRET = "AURA_API_CLIENT_SECRET"  # noqa: S105 - the variable's name
ENV_PROJECT_ID = "AURA_API_PROJECT_ID"
ENV_MEMORY = "CIB_GDS_SESSION_MEMORY"
ENV_CLOUD_LOCATION = "CIB_GDS_SESSION_CLOUD_LOCATION"
ENV_TTL = "CIB_GDS_SESSION_TTL_MINUTES"

# "auto": ask Aura for the size that fits the graph and the algorithm.
AUTO = "auto"
MEMORY_SIZES = tuple(str(value) for value in SessionMemory.all_values())
PROVIDERS = ("aws", "azure", "gcp")
SESSION_PREFIX = "cib-"

# Reads the run's edges from the database into the session; same shape (and key order)
# as the local one (graph/detect/pipeline.PROJECT).
REMOTE_PROJECT = """
MATCH (a:Actor)-[r:COORDINATED_WITH {run_id: $run_id}]->(b:Actor)
WITH a, b, r ORDER BY a.key, b.key
RETURN gds.graph.project.remote(a, b, {relationshipProperties: {weight: r.weight}})
"""

_GB = re.compile(r"^(\d+)GB$")


class GdsSessionConfig(BaseModel):
    """How to reach Aura and what session to ask for; ``repr`` never shows the secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    project_id: str | None = None
    # One of Aura's sizes ("16GB") or "auto" (Aura's own estimate for the graph).
    memory: str = AUTO
    # "provider/region" (e.g. "gcp/europe-west1"); needed when the database is not on
    # Aura (a self-managed server), and refused by Aura when it is.
    cloud_location: str | None = None
    # Aura deletes an idle session after this; detection deletes it at once when done.
    ttl_minutes: int = Field(default=60, ge=10, le=7 * 24 * 60)

    @field_validator("client_secret")
    @classmethod
    def _secret_given(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("must not be empty")
        return value

    @field_validator("memory")
    @classmethod
    def _known_size(cls, value: str) -> str:
        size = value.strip().upper().replace("GIB", "GB")
        if value.strip().lower() == AUTO:
            return AUTO
        if size not in MEMORY_SIZES:
            sizes = ", ".join(MEMORY_SIZES)
            raise ValueError(f"{value!r} is not a session size; use auto or {sizes}")
        return size

    @field_validator("cloud_location")
    @classmethod
    def _provider_region(cls, value: str | None) -> str | None:
        if value is None:
            return None
        provider, _, region = value.strip().partition("/")
        if provider.lower() not in PROVIDERS or not region:
            raise ValueError(
                f"{value!r} is not provider/region; e.g. gcp/europe-west1 ({', '.join(PROVIDERS)})"
            )
        return f"{provider.lower()}/{region}"

    @classmethod
    def resolve(
        cls,
        env: Mapping[str, str],
        *,
        memory: str | None = None,
        cloud_location: str | None = None,
        ttl_minutes: int | None = None,
    ) -> GdsSessionConfig:
        """Flags over environment variables; credentials from the environment only.

        Raises:
            UsageError: a missing credential or an invalid value, named with its flag or
                variable (the secret's value never appears).
        """
        fields: dict[str, Any] = {
            "client_id": env.get(ENV_CLIENT_ID, ""),
            "client_secret": env.get(ENV_CLIENT_SECRET, ""),
            "project_id": env.get(ENV_PROJECT_ID) or None,
            "memory": memory or env.get(ENV_MEMORY) or AUTO,
            "cloud_location": cloud_location or env.get(ENV_CLOUD_LOCATION) or None,
        }
        ttl = ttl_minutes if ttl_minutes is not None else env.get(ENV_TTL)
        if ttl is not None:
            fields["ttl_minutes"] = ttl
        try:
            return cls(**fields)
        except ValidationError as exc:
            names = {
                "client_id": ENV_CLIENT_ID,
                "client_secret": ENV_CLIENT_SECRET,
                "memory": f"--gds-session-memory / {ENV_MEMORY}",
                "cloud_location": f"--gds-session-cloud-location / {ENV_CLOUD_LOCATION}",
                "ttl_minutes": f"--gds-session-ttl / {ENV_TTL}",
            }
            problems = [
                f"{names.get(str(error['loc'][0]), error['loc'][0])}: {error['msg']}"
                for error in exc.errors(include_input=False)
            ]
            raise UsageError(
                "The GDS Session configuration is incomplete or invalid: " + "; ".join(problems),
                f"set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} (Aura console, API credentials); "
                "README, GDS Sessions",
            ) from None


@dataclass(frozen=True)
class SessionPlan:
    """Everything ``GdsSessions.get_or_create`` takes, built without a network call."""

    session_name: str
    memory: SessionMemory | None  # None: ask Aura's estimate first
    ttl: timedelta
    cloud_location: CloudLocation | None
    # The database the session reads from (and the client looks keys up in): the
    # project's own connection settings. Kept out of repr: it holds the password.
    db_connection: DbmsConnectionInfo = field(repr=False)
    credentials: AuraAPICredentials = field(repr=False)


def plan_session(
    config: GdsSessionConfig, settings: ConnectionSettings, run_id: str
) -> SessionPlan:
    """The session for one detection run, from the config and the database settings."""
    memory = None if config.memory == AUTO else SessionMemory.of(config.memory)
    location = None
    if config.cloud_location:
        provider, region = config.cloud_location.split("/", 1)
        location = CloudLocation(provider, region)
    return SessionPlan(
        # Unique per run, so a crashed run's session is never reused by the next.
        session_name=f"{SESSION_PREFIX}{run_id}",
        memory=memory,
        ttl=timedelta(minutes=config.ttl_minutes),
        cloud_location=location,
        db_connection=DbmsConnectionInfo(
            uri=settings.uri,
            username=settings.user,
            password=settings.password,
            database=settings.database,
        ),
        credentials=AuraAPICredentials(
            config.client_id, config.client_secret.get_secret_value(), config.project_id
        ),
    )


def memory_bytes(memory: SessionMemory) -> int:
    """A session size in bytes ("16GB" -> 16 GiB, Aura's sizes are binary)."""
    match = _GB.match(str(memory.value))
    if match is None:
        raise UsageError(f"Unknown session size {memory.value}.")
    return int(match.group(1)) * 1024**3


def require_session_fit(estimate: MemoryEstimate, memory: SessionMemory, what: str) -> None:
    """Refuse, before creating it, a session too small for GDS's own estimate."""
    size = memory_bytes(memory)
    if estimate.bytes_max <= size:
        return
    raise InsufficientMemory(
        f"{what.capitalize()} needs up to {gib(estimate.bytes_max)} (GDS estimate "
        f"{estimate.required}), more than the {memory.value} GDS Session asked for.",
        "ask for a bigger one: --gds-session-memory (or 'auto' for Aura's estimate)",
    )


@contextmanager
def session_gds(
    plan: SessionPlan, algorithm: str, node_count: int, relationship_count: int
) -> Iterator[Gds]:
    """Create the planned session, yield a ``Gds`` on it, delete the session afterwards."""
    sessions = GdsSessions(api_credentials=plan.credentials)
    memory = plan.memory or sessions.estimate(
        node_count=node_count,
        relationship_count=relationship_count,
        relationship_property_count=1,
        algorithms=[algorithm],
    )
    client = sessions.get_or_create(
        session_name=plan.session_name,
        memory=memory,
        db_connection=plan.db_connection,
        ttl=plan.ttl,
        cloud_location=plan.cloud_location,
        show_progress=False,
    )
    try:
        yield Gds(client, where=f"GDS Session {plan.session_name}")
    finally:
        sessions.delete(session_name=plan.session_name)
