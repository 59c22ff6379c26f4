"""Where the local server lives on disk.

Two folders, kept apart on purpose: the *build* (jars, immutable, shared by every
instance, keyed by version) and the *instance* (config, data, logs, password).
Tests use their own instance (``CIBGRAPH_HOME``) so they never touch an analyst's data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cibgraph.graph.server.versions import PARTS, ServerParts


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def cache_root() -> Path:
    explicit = os.environ.get("CIBGRAPH_CACHE")
    return Path(explicit) if explicit else _xdg("XDG_CACHE_HOME", ".cache") / "cibgraph"


def instance_root() -> Path:
    explicit = os.environ.get("CIBGRAPH_HOME")
    return Path(explicit) if explicit else _xdg("XDG_DATA_HOME", ".local/share") / "cibgraph"


@dataclass(frozen=True)
class BuildPaths:
    root: Path

    @property
    def lib(self) -> Path:
        return self.root / "lib"

    @property
    def plugins(self) -> Path:
        return self.root / "plugins"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"


@dataclass(frozen=True)
class InstancePaths:
    root: Path

    @property
    def conf(self) -> Path:
        return self.root / "conf"

    @property
    def conf_file(self) -> Path:
        return self.conf / "neo4j.conf"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def import_dir(self) -> Path:
        return self.root / "import"

    @property
    def pid_file(self) -> Path:
        return self.run / "cibgraph-neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.logs / "console.log"

    @property
    def settings(self) -> Path:
        return self.root / "instance.json"

    @property
    def password(self) -> Path:
        return self.root / "password"

    @property
    def hash_secret(self) -> Path:
        return self.root / "hash-secret"

    @property
    def work(self) -> Path:
        """Scratch space for `cib demo run` and load ledgers' reject files."""
        return self.root / "work"


def build_paths(parts: ServerParts = PARTS) -> BuildPaths:
    return BuildPaths(cache_root() / parts.cache_key)


def instance_paths() -> InstancePaths:
    return InstancePaths(instance_root())
