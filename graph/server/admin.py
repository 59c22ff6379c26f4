"""The admin tool of the assembled server (``neo4j-admin``), run on a stopped instance.

The Maven-assembled server has no ``bin/neo4j-admin`` script, but its ``lib/`` holds
the tool itself (``org.neo4j.cli.AdminTool``); with ``NEO4J_HOME``/``NEO4J_CONF``
pointing at the instance it finds the instance's data folder from ``neo4j.conf``.
Used for the bulk import (``cib load --bulk``) and for wiping a database's store.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cibgraph.core.errors import CibError, UsageError
from cibgraph.graph.server.install import verify_build
from cibgraph.graph.server.instance import load_settings, render_conf
from cibgraph.graph.server.paths import BuildPaths, InstancePaths, build_paths
from cibgraph.graph.server.process import running_pid
from cibgraph.graph.server.tools import find_java

ADMIN_TOOL = "org.neo4j.cli.AdminTool"
DATABASE = "neo4j"
# "IMPORT DONE in 12s 345ms. Imported: 10 nodes 20 relationships 30 properties"
_DONE = re.compile(
    r"IMPORT DONE in (?P<took>.+?)\.\s*Imported:\s*(?P<nodes>\d+) nodes\s+"
    r"(?P<rels>\d+) relationships\s+(?P<props>\d+) properties"
)


_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.]+$")


class AdminToolFailed(CibError):
    """neo4j-admin exited with an error."""

    exit_code = 1


def _file_list(files: Sequence[Path]) -> str:
    """The importer's comma-separated file list.

    It reads each file *name* as a regular expression (the folder literally), so our
    names are kept to letters, digits, '_' and '.', and no folder may hold a comma.
    """
    for f in files:
        if not _SAFE_NAME.match(f.name) or "," in str(f.parent):
            raise UsageError(f"Unsafe file name for neo4j-admin import: {f}")
    return ",".join(str(f) for f in files)


@dataclass(frozen=True)
class ImportSource:
    """One ``--nodes`` or ``--relationships`` group: labels or type, and its CSV files."""

    kind: str  # "nodes" | "relationships"
    files: tuple[Path, ...]  # the first file's first line is the header
    labels: tuple[str, ...] = ()  # node labels, or the relationship type (one item)

    def argument(self) -> str:
        names = _file_list(self.files)
        prefix = ":".join(self.labels)
        return f"--{self.kind}={prefix}={names}" if prefix else f"--{self.kind}={names}"


@dataclass(frozen=True)
class ImportResult:
    seconds: float  # wall time of the admin tool, JVM start included
    nodes: int
    relationships: int
    properties: int
    output: str


def admin_command(
    java: str, paths: InstancePaths, build: BuildPaths, args: Sequence[str], heap: str = "1g"
) -> list[str]:
    return [
        java,
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-Dfile.encoding=UTF-8",
        "-cp",
        f"{build.lib}/*",
        ADMIN_TOOL,
        *args,
    ]


def run_admin(
    paths: InstancePaths,
    args: Sequence[str],
    heap: str = "1g",
    timeout: float | None = None,
) -> str:
    """Run ``neo4j-admin ARGS`` for this instance; return its output or raise AdminToolFailed."""
    build = build_paths()
    verify_build(build)
    settings = load_settings(paths)
    # The tool reads the instance's neo4j.conf; make sure it is the current one.
    paths.conf_file.write_text(render_conf(paths, build, settings))
    env = {**os.environ, "NEO4J_HOME": str(paths.root), "NEO4J_CONF": str(paths.conf)}
    argv = admin_command(find_java(), paths, build, args, heap)
    done = subprocess.run(
        argv,
        cwd=paths.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = (done.stdout or "") + (done.stderr or "")
    if done.returncode != 0:
        lines = [ln for ln in output.splitlines() if ln.strip()]
        raise AdminToolFailed(
            f"neo4j-admin {' '.join(args[:3])} failed (exit code {done.returncode}):\n"
            + "\n".join(lines[-15:]),
            "the full output is in the bulk load's folder (import.log)",
        )
    return output


def import_full(
    paths: InstancePaths,
    sources: Sequence[ImportSource],
    report_file: Path,
    *,
    multiline_files: Sequence[Path] = (),
    heap: str = "1g",
    max_off_heap: str | None = None,
) -> ImportResult:
    """``neo4j-admin database import full`` into this instance's (stopped) database.

    Replaces the database's store (``--overwrite-destination``): callers check that it
    is empty first. ``multiline_files`` lists the files whose values hold newlines
    (parsing those is slower, so only they are named).
    """
    if running_pid(paths) is not None:
        raise UsageError(
            "The database must be stopped for a bulk import.", "run `cib db stop` first"
        )
    args = ["database", "import", "full", DATABASE, "--overwrite-destination=true"]
    args += [source.argument() for source in sources]
    args += [f"--report-file={report_file}", "--skip-bad-entries-logging=false"]
    if multiline_files:
        names = _file_list(multiline_files)
        args += ["--multiline-fields-format=v2", f"--multiline-fields={names}"]
    if max_off_heap:
        args.append(f"--max-off-heap-memory={max_off_heap}")
    started = time.perf_counter()
    output = run_admin(paths, args, heap=heap)
    seconds = time.perf_counter() - started
    match = _DONE.search(output)
    if match is None:
        raise AdminToolFailed(
            "neo4j-admin finished without its 'IMPORT DONE' line:\n" + output[-2000:]
        )
    return ImportResult(
        seconds=seconds,
        nodes=int(match["nodes"]),
        relationships=int(match["rels"]),
        properties=int(match["props"]),
        output=output,
    )


def wipe_store(paths: InstancePaths) -> None:
    """Delete the home database's store and transaction logs (the server must be stopped).

    Users, roles and the password live in the ``system`` database and are kept; the
    next start creates an empty ``neo4j`` database.
    """
    if running_pid(paths) is not None:
        raise UsageError("Stop the server before wiping its store.", "run `cib db stop` first")
    for sub in (f"databases/{DATABASE}", f"transactions/{DATABASE}"):
        target = paths.data / sub
        if target.exists():
            shutil.rmtree(target)
