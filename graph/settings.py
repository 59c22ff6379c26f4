"""Connection settings: flag > environment > the local server, field by field."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cibgraph.core.errors import MissingPassword, NotInstalled
from cibgraph.graph.server.instance import load_settings, read_password
from cibgraph.graph.server.paths import InstancePaths, instance_paths

ENV_URI = "NEO4J_URI"
ENV_USER = "NEO4J_USERNAME"
ENV_PASSWORD = "NEO4J_PASSWORD"  # noqa: S105 - the variable's name, not a secret
ENV_DATABASE = "NEO4J_DATABASE"
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class ConnectionSettings:
    uri: str
    user: str
    password: str = field(repr=False)
    database: str
    # Where each field came from (flag, env, local), for `cib db status` and errors.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_local(self) -> bool:
        return self.sources.get("uri") == "local"


def _pick(flag: str | None, env: Mapping[str, str], var: str) -> tuple[str | None, str]:
    if flag:
        return flag, "flag"
    if env.get(var):
        return env[var], "env"
    return None, "local"


def _points_at_local(uri: str, bolt_port: int) -> bool:
    rest = uri.split("://", 1)[-1].rstrip("/")
    return any(rest == f"{host}:{bolt_port}" for host in LOCAL_HOSTS)


def resolve_settings(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
    env: Mapping[str, str] | None = None,
    local: InstancePaths | None = None,
) -> ConnectionSettings:
    """Resolve each field from its flag, else its environment variable, else the local server.

    The local password is only ever sent to the local server: a remote URI without a
    password is an error, not a reason to leak the local one.
    """
    env = os.environ if env is None else env
    local = instance_paths() if local is None else local
    sources: dict[str, str] = {}

    chosen_uri, sources["uri"] = _pick(uri, env, ENV_URI)
    chosen_user, sources["user"] = _pick(user, env, ENV_USER)
    chosen_password, sources["password"] = _pick(password, env, ENV_PASSWORD)
    chosen_db, sources["database"] = _pick(database, env, ENV_DATABASE)

    local_settings = None
    if chosen_uri is None or chosen_password is None:
        try:
            local_settings = load_settings(local)
        except NotInstalled:
            local_settings = None

    if chosen_uri is None:
        if local_settings is None:
            raise NotInstalled(
                "No Neo4j address was given and no local server is installed.",
                "run `cib db install && cib db start`, or pass --uri / set NEO4J_URI",
            )
        chosen_uri = local_settings.bolt_uri

    if chosen_password is None:
        targets_local = local_settings is not None and _points_at_local(
            chosen_uri, local_settings.bolt_port
        )
        if not targets_local:
            raise MissingPassword(
                f"No password for {chosen_uri}.",
                "pass --password or set NEO4J_PASSWORD",
            )
        chosen_password = read_password(local)
        sources["password"] = "local"  # noqa: S105 - the source's name, not a password

    return ConnectionSettings(
        uri=chosen_uri,
        user=chosen_user or DEFAULT_USER,
        password=chosen_password,
        database=chosen_db or DEFAULT_DATABASE,
        sources=sources,
    )
