"""Starting, stopping and inspecting the local server process."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import neo4j
from neo4j import exceptions as neo

from cibgraph.core.errors import PortInUse, ServerNotRunning, ServerStartFailed
from cibgraph.graph.server.install import verify_build
from cibgraph.graph.server.instance import (
    InstanceSettings,
    load_settings,
    read_password,
    render_conf,
)
from cibgraph.graph.server.paths import BuildPaths, InstancePaths, build_paths
from cibgraph.graph.server.tools import find_java

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
_DETACHED: list[subprocess.Popen[bytes]] = []
DEFAULT_PASSWORD = "neo4j"  # noqa: S105 - Neo4j's well-known first-start password, refused after
# The JDK 17 module openings Neo4j's own launcher passes; GDS and the page cache need them.
ADD_OPENS = (
    "java.base/java.nio",
    "java.base/java.lang",
    "java.base/java.io",
    "java.base/sun.nio.ch",
    "java.base/java.util.concurrent",
    "java.base/java.lang.invoke",
    "java.base/java.util",
)


def _initial_heap(heap: str) -> str:
    # Start small; the JVM grows to -Xmx only when detection needs it.
    return "512m" if heap.lower().endswith("g") or int(heap[:-1]) > 512 else heap


def java_command(
    java: str, paths: InstancePaths, build: BuildPaths, settings: InstanceSettings
) -> list[str]:
    classpath = os.pathsep.join([f"{build.plugins}/*", str(paths.conf), f"{build.lib}/*"])
    argv = [
        java,
        f"-Xms{_initial_heap(settings.heap)}",
        f"-Xmx{settings.heap}",
        "-XX:+UseG1GC",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:+UnlockExperimentalVMOptions",
        "-XX:+TrustFinalNonStaticFields",
        "-XX:+DisableExplicitGC",
        "-Djdk.nio.maxCachedBufferSize=1024",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dlog4j2.disable.jmx=true",
        "-Dfile.encoding=UTF-8",
    ]
    argv += [f"--add-opens={module}=ALL-UNNAMED" for module in ADD_OPENS]
    argv += [
        "-cp",
        classpath,
        ENTRY_POINT,
        f"--home-dir={paths.root}",
        f"--config-dir={paths.conf}",
    ]
    return argv


def _is_our_server(pid: int, paths: InstancePaths) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return ENTRY_POINT.encode() in cmdline and f"--home-dir={paths.root}".encode() in cmdline


def running_pid(paths: InstancePaths) -> int | None:
    """The pid of this instance's server, or None. A stale pid file is removed."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (OSError, ValueError):
        if paths.pid_file.exists():
            paths.pid_file.unlink()
        return None
    if _is_our_server(pid, paths):
        return pid
    paths.pid_file.unlink(missing_ok=True)
    return None


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def tail(path: Path, lines: int = 40) -> str:
    if not path.is_file():
        return ""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 64 * 1024))
        data = handle.read().decode("utf-8", "replace")
    return "\n".join(data.splitlines()[-lines:])


def _log_tail(paths: InstancePaths, lines: int = 30) -> str:
    parts = [tail(paths.logs / "neo4j.log", lines), tail(paths.console_log, lines)]
    return "\n".join(p for p in parts if p)


def _set_initial_password(uri: str, password: str) -> None:
    """Replace Neo4j's first-start password; the default credentials are refused after."""
    with (
        neo4j.GraphDatabase.driver(uri, auth=("neo4j", DEFAULT_PASSWORD)) as driver,
        driver.session(database="system") as session,
    ):
        session.run(
            "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
            old=DEFAULT_PASSWORD,
            new=password,
        ).consume()


def _probe(uri: str, password: str) -> str | None:
    """Return the GDS version once the server answers Cypher with GDS loaded, else None."""
    # session.run, not execute_query: a managed transaction would retry for 30 s and
    # hide a server that has already died.
    with (
        neo4j.GraphDatabase.driver(
            uri,
            auth=("neo4j", password),
            connection_timeout=2.0,
            connection_acquisition_timeout=5.0,
        ) as driver,
        driver.session() as session,
    ):
        # The home database, not `system`: procedures and functions are not served there.
        record = session.run("RETURN gds.version() AS gds").single(strict=True)
        return str(record["gds"])


@dataclass(frozen=True)
class StartResult:
    pid: int
    seconds: float
    already_running: bool
    gds_version: str | None


# How often a start reports that it is still waiting (GDS takes ~25 s to load here).
PROGRESS_EVERY = 5.0


def start(
    paths: InstancePaths,
    timeout: float = 120.0,
    build: BuildPaths | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> StartResult:
    """Start the server and wait until it answers with GDS loaded.

    ``on_progress`` hears what it is waiting for every few seconds, so a caller not on a
    terminal can print lines instead of staying silent for half a minute.
    """
    report = on_progress or (lambda _: None)
    settings = load_settings(paths)
    build = build or build_paths()
    verify_build(build)
    started = time.monotonic()
    pid = running_pid(paths)
    if pid is not None:
        return StartResult(pid, 0.0, True, None)
    for name, port in (("Bolt", settings.bolt_port), ("HTTP", settings.http_port)):
        if not port_free(port):
            raise PortInUse(
                f"{name} port {port} on 127.0.0.1 is already in use by another process.",
                "stop that process, or choose another port: "
                f"`cib db install --{name.lower()}-port N`",
            )
    java = find_java()
    paths.conf_file.write_text(render_conf(paths, build, settings))
    paths.logs.mkdir(parents=True, exist_ok=True)
    paths.run.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NEO4J_HOME": str(paths.root), "NEO4J_CONF": str(paths.conf)}
    with paths.console_log.open("ab") as console:
        proc = subprocess.Popen(
            java_command(java, paths, build, settings),
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=paths.root,
            env=env,
            start_new_session=True,  # survives the CLI; stopped by `cib db stop`
        )
    # The server outlives this Popen by design; keeping a reference stops the garbage
    # collector from warning that a child is still running.
    _DETACHED.append(proc)
    paths.pid_file.write_text(f"{proc.pid}\n")
    password = read_password(paths)
    deadline = started + timeout
    last_error = "no answer yet"
    report(f"launched (pid {proc.pid}); waiting for Bolt and GDS")
    next_report = started + PROGRESS_EVERY
    while time.monotonic() < deadline:
        if time.monotonic() >= next_report:
            report(f"still waiting, {time.monotonic() - started:.0f}s ({last_error})")
            next_report += PROGRESS_EVERY
        if proc.poll() is not None:
            paths.pid_file.unlink(missing_ok=True)
            raise ServerStartFailed(
                f"Neo4j exited during start-up (exit code {proc.returncode}).",
                "read the log lines above; `cib db logs` shows more",
                _log_tail(paths),
            )
        try:
            gds = _probe(settings.bolt_uri, password)
            return StartResult(proc.pid, time.monotonic() - started, False, gds)
        except neo.AuthError:
            try:
                _set_initial_password(settings.bolt_uri, password)
            except neo.AuthError:
                stop(paths)
                raise ServerStartFailed(
                    "Neo4j refused both the stored password and the first-start password.",
                    "the password file no longer matches the database; `cib db reset --yes` "
                    "keeps the password and wipes the data",
                ) from None
        except (neo.ServiceUnavailable, neo.SessionExpired, OSError) as exc:
            last_error = type(exc).__name__
        except neo.ClientError as exc:
            # Bolt answers before the procedures are registered.
            last_error = exc.code or "client error"
        time.sleep(0.5)
    stop(paths)
    raise ServerStartFailed(
        f"Neo4j did not become ready within {timeout:.0f}s (last: {last_error}).",
        "try a longer --timeout; `cib db logs` shows what it was doing",
        _log_tail(paths),
    )


# The server logs this once its last database (system, stopped after every other) is
# closed and checkpointed. What follows is the Bolt server's network shutdown, which
# waits out Netty's quiet periods (10 s in debug.log) with nothing left to write.
_STORES_CLOSED = "Stopped 'DatabaseId{00000000[system]}' successfully"


def _logged_since(log: Path, offset: int, line: str) -> bool:
    try:
        with log.open("rb") as handle:
            if handle.seek(0, os.SEEK_END) < offset:
                offset = 0  # rotated meanwhile: the new file is all new
            handle.seek(offset)
            return line.encode() in handle.read()
    except OSError:
        return False


def stop(paths: InstancePaths, timeout: float = 60.0, *, once_stores_closed: bool = False) -> bool:
    """Stop the server; True if one was running. Escalates to SIGKILL after ``timeout``.

    ``once_stores_closed``: kill it as soon as its log says every database is closed
    and checkpointed, rather than wait for its network shutdown; for callers about to
    replace the store (a bulk import), where those seconds are all waiting.
    """
    pid = running_pid(paths)
    if pid is None:
        return False
    log = paths.logs / "debug.log"
    offset = log.stat().st_size if log.exists() else 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_our_server(pid, paths):
            break
        if once_stores_closed and _logged_since(log, offset, _STORES_CLOSED):
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout  # only the kill to wait for now
            once_stores_closed = False
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
    paths.pid_file.unlink(missing_ok=True)
    return True


def require_running(paths: InstancePaths) -> int:
    pid = running_pid(paths)
    if pid is None:
        raise ServerNotRunning("The local Neo4j is not running.", "start it with `cib db start`")
    return pid
