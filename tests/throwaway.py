"""A throwaway local Neo4j for tests that crash, restart or fill a server on purpose.

The shared test server (``.cibgraph-test``, Bolt 7688) must never be killed or wiped,
so crash, concurrency, secrets and personal-data tests get their own instance: a
temporary ``CIBGRAPH_HOME`` built from the cached server jars (no download), on free
ports, with a 1 GiB heap, removed at the end. Subprocesses (``cib load``, ``cib
detect``) reach it through ``env()``, which sets ``CIBGRAPH_HOME`` and drops any
``NEO4J_*`` variables that would point them elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cibgraph.core.host import pid_alive
from cibgraph.graph.connection import Database, open_database
from cibgraph.graph.server import process
from cibgraph.graph.server.install import verify_build
from cibgraph.graph.server.instance import InstanceSettings, init_instance
from cibgraph.graph.server.paths import InstancePaths, build_paths
from cibgraph.graph.settings import resolve_settings
from cibgraph.graph.wipe import wipe_database
from cibgraph.scenario.generate import generate

# Ports the project's long-lived servers use (7687 user, 7688 test, 7689 bench,
# 7692 quality, and their HTTP ports); a throwaway never takes one of them.
RESERVED = frozenset({*range(7687, 7693), *range(7474, 7480)})
PREFERRED_BOLT = 7693
PREFERRED_HTTP = 7480
CIB = [sys.executable, "-m", "cibgraph.cli"]
# Variables that would send a subprocess to another server or change its output.
_DROPPED = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


_CLAIMS = Path(tempfile.gettempdir())


def _claimed_by_another(port: int) -> bool:
    """Whether a live test session holds ``port`` for its throwaway (free or not)."""
    claim = _CLAIMS / f"cibgraph-throwaway-{port}.pid"
    try:
        pid = int(claim.read_text())
    except (OSError, ValueError):
        return False
    return pid != os.getpid() and pid_alive(pid)


def free_port(preferred: int, taken: Iterable[int] = ()) -> int:
    """``preferred`` if it is free on 127.0.0.1, else the next free port above it, and
    claim it for this session: a server another session has killed on purpose leaves
    its port free for a while, and must get it back when it restarts."""
    avoid = RESERVED | set(taken)
    port = preferred
    while port in avoid or _claimed_by_another(port) or not process.port_free(port):
        port += 1
    (_CLAIMS / f"cibgraph-throwaway-{port}.pid").write_text(str(os.getpid()))
    return port


def _release(port: int) -> None:
    claim = _CLAIMS / f"cibgraph-throwaway-{port}.pid"
    with contextlib.suppress(OSError, ValueError):
        if int(claim.read_text()) == os.getpid():
            claim.unlink()


def _bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Throwaway:
    home: Path
    settings: InstanceSettings

    @property
    def paths(self) -> InstancePaths:
        return InstancePaths(self.home)

    @property
    def password(self) -> str:
        return self.paths.password.read_text().strip()

    @property
    def hash_secret(self) -> str:
        return self.paths.hash_secret.read_text().strip()

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        env.pop("CIBGRAPH_HASH_SECRET", None)
        env.pop("CIBGRAPH_WARN_NOTIFICATIONS", None)
        env["CIBGRAPH_HOME"] = str(self.home)
        env.update(extra)
        return env

    def connect(self) -> Database:
        return open_database(resolve_settings(env={}, local=self.paths))

    def pid(self) -> int | None:
        return process.running_pid(self.paths)

    def start(self) -> float:
        """Start (or confirm running) with ``cib db start``; the seconds it took.

        Through the CLI rather than ``process.start``: the server is then nobody's child
        here, so killing it leaves no zombie and no Popen warning behind."""
        started = time.monotonic()
        done = self.cib("db", "start", "--quiet", "--timeout", "300", timeout=400)
        if done.returncode != 0:
            raise AssertionError(f"the throwaway server did not start:\n{done.stderr}")
        return time.monotonic() - started

    def stop(self) -> None:
        done = self.cib("db", "stop", "--quiet", timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"the throwaway server did not stop:\n{done.stderr}")

    def kill(self) -> int:
        """SIGKILL the server, as a power cut would; its pid."""
        pid = self.pid()
        assert pid is not None, "the throwaway server is not running"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _bound(self.settings.bolt_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.paths.pid_file.unlink(missing_ok=True)
        return pid

    def ensure_running(self) -> None:
        if self.pid() is None:
            self.start()

    def cib(
        self, *args: str, timeout: float = 600, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CIB, *args],
            capture_output=True,
            text=True,
            env=env or self.env(),
            timeout=timeout,
            check=False,
        )

    def spawn_cib(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        """``cib ARGS`` in the background, stdout and stderr into ``log``."""
        with log.open("wb") as handle:
            return subprocess.Popen(
                [*CIB, *args],
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env(),
            )

    def wipe(self) -> None:
        """Every node gone (constraints stay): a fresh database as far as data goes."""
        with self.connect() as db:
            wipe_database(db)

    def remove(self) -> None:
        try:
            self.stop()
        except (AssertionError, subprocess.TimeoutExpired, OSError):
            pid = self.pid()
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.home, ignore_errors=True)
        _release(self.settings.bolt_port)
        _release(self.settings.http_port)


def create_throwaway(home: Path, heap: str = "1g", pagecache: str = "512m") -> Throwaway:
    """Install and start an instance in ``home`` from the cached build (fails without one)."""
    build = build_paths()
    verify_build(build)
    bolt = free_port(PREFERRED_BOLT)
    http = free_port(PREFERRED_HTTP, taken=(bolt,))
    settings = init_instance(
        InstancePaths(home), build, bolt_port=bolt, http_port=http, heap=heap, pagecache=pagecache
    )
    server = Throwaway(home, settings)
    server.start()
    return server


# ---------------------------------------------------------------------------------------
# What a database holds, to compare a recovered load with a clean one

_NOT_EVIDENCE = "n:LoadRun OR n:LoadFile OR n:DetectionRun OR n:Network"
_NOT_EVIDENCE_RELS = ["READ", "COORDINATED_WITH", "MEMBER_OF", "DETECTED_IN", "ATTRIBUTED_TO"]

# Per label set: how many nodes, and an MD5 over every node's properties in a fixed
# order, so "same counts" also means "same content". Keys are sorted: a node created
# as a stub and filled in later lists its properties in another order.
NODE_DIGEST = f"""
MATCH (n) WHERE NOT ({_NOT_EVIDENCE})
WITH apoc.text.join(apoc.coll.sort(labels(n)), ':') AS labels,
     apoc.convert.toJson(apoc.map.sortedProperties(properties(n))) AS props
ORDER BY labels, props
RETURN labels, count(*) AS n, apoc.util.md5(collect(props)) AS digest
"""
# Per relationship type: how many, and an MD5 over (start, end, properties).
REL_DIGEST = """
MATCH (a)-[r]->(b) WHERE NOT type(r) IN $skip
WITH type(r) AS type,
     coalesce(a.key, a.id, a.url, a.tag) + '>' + coalesce(b.key, b.id, b.url, b.tag) + ' '
       + apoc.convert.toJson(apoc.map.sortedProperties(properties(r))) AS row
ORDER BY type, row
RETURN type, count(*) AS n, apoc.util.md5(collect(row)) AS digest
"""


def graph_digest(db: Database) -> dict[str, tuple[int, str]]:
    """Evidence graph content (ledger and detection output left out): name -> (count, md5)."""
    nodes = {f"node:{r['labels']}": (r["n"], r["digest"]) for r in db.read(NODE_DIGEST)}
    rels = {
        f"rel:{r['type']}": (r["n"], r["digest"])
        for r in db.read(REL_DIGEST, {"skip": _NOT_EVIDENCE_RELS})
    }
    return {**nodes, **rels}


def counts(digest: dict[str, tuple[int, str]]) -> dict[str, int]:
    return {name: n for name, (n, _) in digest.items()}


def duplicate_keys(db: Database) -> list[dict[str, object]]:
    """Nodes sharing a label and a unique key: must be none (the constraints say so)."""
    found: list[dict[str, object]] = []
    for label, prop in (
        ("Account", "id"),
        ("Page", "id"),
        ("Actor", "key"),
        ("Organization", "id"),
        ("Post", "id"),
        ("Url", "url"),
        ("Hashtag", "tag"),
        ("Ad", "id"),
        ("Identifier", "id"),
        ("LoadRun", "id"),
        ("LoadFile", "id"),
    ):
        # Labels and properties come from the constant list above, never from input.
        found += db.read(
            f"MATCH (n:{label}) WITH n.{prop} AS key, count(*) AS copies WHERE copies > 1 "
            "RETURN $label AS label, key, copies LIMIT 5",
            {"label": label},
        )
    return found


def wait_until(
    what: str,
    check: Callable[[], bool],
    timeout: float,
    proc: subprocess.Popen[bytes] | None = None,
    every: float = 0.2,
) -> None:
    """Poll ``check`` until true; fail after ``timeout`` or when ``proc`` ends first."""
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended (code {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


# ---------------------------------------------------------------------------------------
# A generated scenario and what a clean load of it gives


@dataclass(frozen=True)
class Scenario:
    folder: Path
    reference: dict[str, tuple[int, str]]  # graph_digest of a clean load into an empty db
    posts: int


def make_scenario(server: Throwaway, folder: Path, scale: float, seed: int = 11) -> Scenario:
    """``cib demo generate --scale SCALE --seed SEED``, loaded once cleanly for reference;
    the server is left empty."""
    generate(folder, scale=scale, seed=seed)
    server.ensure_running()
    server.wipe()
    done = server.cib("load", str(folder), "--quiet", "--rejects-dir", str(folder.parent / "rj"))
    assert done.returncode == 0, done.stderr
    with server.connect() as db:
        reference = graph_digest(db)
    server.wipe()
    return Scenario(folder, reference, reference["node:Post"][0])


def write_coordinated_group(
    folder: Path,
    members: list[str],
    urls: int = 4,
    identifiers: Sequence[tuple[str, str, str]] = (),
) -> Path:
    """A small contract folder detection flags: ``members`` are accounts created in one
    burst that share the same ``urls`` links within seconds; ``identifiers`` are
    (account_id, kind, value) rows."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: list[list[str]]) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)

    write(
        "accounts.csv",
        ["account_id", "handle", "created_at"],
        [[m, m, f"2019-03-01T10:{i % 60:02d}:00Z"] for i, m in enumerate(members)],
    )
    write(
        "posts.csv",
        ["post_id", "author_id", "author_type", "created_at", "url"],
        [
            [f"{m}-post-{j}", m, "account", f"2019-04-01T12:{j:02d}:{i % 60:02d}Z", link]
            for j, link in enumerate(f"https://news.example/story-{k}" for k in range(urls))
            for i, m in enumerate(members)
        ],
    )
    if identifiers:
        write("identifiers.csv", ["account_id", "kind", "value"], [list(r) for r in identifiers])
    return folder
