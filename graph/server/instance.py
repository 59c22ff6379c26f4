"""The local server's instance: its settings, neo4j.conf, password and hashing secret."""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from cibgraph.core.errors import NotInstalled, UsageError
from cibgraph.graph.server.paths import BuildPaths, InstancePaths

_SIZE = re.compile(r"^\d+[kmgKMG]$")
GIB = 1024**3


def _total_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * GIB


def _gib(n_bytes: float) -> str:
    return f"{max(1, int(n_bytes // GIB))}g"


def default_heap() -> str:
    # A quarter of RAM, 1-8 GiB: detection at scale 100 builds its projections on the heap.
    return _gib(min(max(_total_memory() * 0.25, GIB), 8 * GIB))


def default_pagecache() -> str:
    # The store of the scale-100 scenario is a few GiB; cap at 8 GiB, leave the rest to the OS.
    return _gib(min(max(_total_memory() * 0.15, GIB), 8 * GIB))


@dataclass(frozen=True)
class InstanceSettings:
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = "1g"
    pagecache: str = "1g"

    def validated(self) -> InstanceSettings:
        for name in ("bolt_port", "http_port"):
            port = getattr(self, name)
            if not 1024 <= port <= 65535:
                raise UsageError(f"{name.replace('_', ' ')} {port} is outside 1024-65535.")
        if self.bolt_port == self.http_port:
            raise UsageError("Bolt and HTTP need different ports.")
        for name in ("heap", "pagecache"):
            if not _SIZE.match(getattr(self, name)):
                raise UsageError(f"{name} must look like 512m or 4g, not {getattr(self, name)!r}.")
        return self

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    @property
    def browser_login_url(self) -> str:
        """Browser with its connect form filled in for this server (bolt://, user neo4j)."""
        return browser_link(self.browser_url, self.bolt_uri)


def browser_link(
    browser_url: str, bolt_uri: str, user: str = "neo4j", database: str = "neo4j"
) -> str:
    """Neo4j Browser (5.x) pre-fills its connect form from URL parameters: ``dbms`` is the
    connect URL with the user name in it (``bolt://neo4j@127.0.0.1:7687``), ``db`` the
    database, ``preselectAuthMethod=NATIVE`` user and password (Browser manual, "Browser
    URL parameters"; ``connectURL`` is the deprecated spelling of ``dbms``). Without them
    Browser offers neo4j:// and an empty user; the password is never put in a URL.
    """
    scheme, sep, rest = bolt_uri.partition("://")
    dbms = f"{scheme}://{user}@{rest.split('@')[-1]}" if sep else bolt_uri
    query = urlencode({"dbms": dbms, "db": database, "preselectAuthMethod": "NATIVE"}, safe=":/@")
    return f"{browser_url}?{query}"


def load_settings(paths: InstancePaths) -> InstanceSettings:
    if not paths.settings.is_file():
        raise NotInstalled(
            f"No local Neo4j is installed in {paths.root}.", "run `cib db install` first"
        )
    raw = json.loads(paths.settings.read_text())
    known = {k: v for k, v in raw.items() if k in InstanceSettings.__dataclass_fields__}
    return InstanceSettings(**known)


def render_conf(paths: InstancePaths, build: BuildPaths, settings: InstanceSettings) -> str:
    """neo4j.conf for a loopback-only server with auth on and GDS/APOC allowed."""
    lines = [
        "# Written by `cib db install`; rewritten on every install. Edit instance.json instead.",
        f"server.directories.data={paths.data}",
        f"server.directories.logs={paths.logs}",
        f"server.directories.run={paths.run}",
        f"server.directories.plugins={build.plugins}",
        f"server.directories.import={paths.import_dir}",
        # Loopback only: this server holds evidence and personal data.
        "server.default_listen_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{settings.bolt_port}",
        f"server.http.listen_address=127.0.0.1:{settings.http_port}",
        f"server.bolt.advertised_address=127.0.0.1:{settings.bolt_port}",
        f"server.http.advertised_address=127.0.0.1:{settings.http_port}",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        "dbms.security.procedures.unrestricted=gds.*,apoc.*",
        "dbms.security.procedures.allowlist=gds.*,apoc.*",
        f"server.memory.pagecache.size={settings.pagecache}",
        # Heap is set with -Xmx by the launcher; this key is only read by neo4j's own script.
        f"server.memory.heap.max_size={settings.heap}",
        "dbms.usage_report.enabled=false",
        "db.logs.query.enabled=OFF",
    ]
    return "\n".join(lines) + "\n"


def _write_private(path: Path, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)


def ensure_secret_files(paths: InstancePaths) -> None:
    """Create the password and hashing secret once; never overwrite them."""
    if not paths.password.exists():
        _write_private(paths.password, secrets.token_urlsafe(24) + "\n")
    if not paths.hash_secret.exists():
        _write_private(paths.hash_secret, secrets.token_hex(32) + "\n")
    for private in (paths.password, paths.hash_secret):
        os.chmod(private, 0o600)


def read_password(paths: InstancePaths) -> str:
    if not paths.password.is_file():
        raise NotInstalled(f"No password file in {paths.root}.", "run `cib db install` first")
    return paths.password.read_text().strip()


def read_hash_secret(paths: InstancePaths) -> bytes:
    if not paths.hash_secret.is_file():
        raise NotInstalled(
            f"No hashing secret in {paths.root}.",
            "run `cib db install`, or set CIBGRAPH_HASH_SECRET for a remote server",
        )
    return bytes.fromhex(paths.hash_secret.read_text().strip())


def init_instance(
    paths: InstancePaths,
    build: BuildPaths,
    bolt_port: int | None = None,
    http_port: int | None = None,
    heap: str | None = None,
    pagecache: str | None = None,
) -> InstanceSettings:
    """Create or update the instance; existing data, password and secret are kept."""
    if paths.settings.is_file():
        settings = load_settings(paths)
    else:
        settings = InstanceSettings(heap=default_heap(), pagecache=default_pagecache())
    settings = replace(
        settings,
        bolt_port=settings.bolt_port if bolt_port is None else bolt_port,
        http_port=settings.http_port if http_port is None else http_port,
        heap=heap or settings.heap,
        pagecache=pagecache or settings.pagecache,
    ).validated()
    paths.root.mkdir(parents=True, exist_ok=True)
    os.chmod(paths.root, 0o700)
    for folder in (paths.conf, paths.data, paths.logs, paths.run, paths.import_dir, paths.work):
        folder.mkdir(parents=True, exist_ok=True)
    paths.settings.write_text(json.dumps(asdict(settings), indent=2) + "\n")
    paths.conf_file.write_text(render_conf(paths, build, settings))
    ensure_secret_files(paths)
    return settings
