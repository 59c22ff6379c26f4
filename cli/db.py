"""`cib db ...`: the local Neo4j server (install, start, stop, status, logs, password, reset)."""

from __future__ import annotations

import shutil
import sys
import time
from typing import Annotated

import typer
from rich.table import Table

from cibgraph.cli.common import (
    JsonOpt,
    QuietOpt,
    YesOpt,
    err,
    human_bytes,
    new_app,
    out,
    print_json,
    progress_lines,
    status,
)
from cibgraph.core.errors import CibError, UsageError
from cibgraph.graph.connection import open_database
from cibgraph.graph.runs import live_runs
from cibgraph.graph.schema import apply_schema
from cibgraph.graph.server import process
from cibgraph.graph.server.install import ensure_build, verify_build
from cibgraph.graph.server.instance import init_instance, load_settings, read_password
from cibgraph.graph.server.paths import InstancePaths, instance_paths
from cibgraph.graph.server.status import collect_status
from cibgraph.graph.settings import resolve_settings

app = new_app(
    "The local Neo4j 5.26 + GDS + APOC server, assembled from Maven Central. "
    "Loopback only, auth on. Set CIBGRAPH_HOME to run a second instance (tests do)."
)

TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds to wait for the server.")]


@app.command()
def install(
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild the cached server even if it looks complete.")
    ] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Re-hash every cached jar against the manifest.")
    ] = False,
    bolt_port: Annotated[
        int | None,
        typer.Option("--bolt-port", help="Bolt port [default 7687].", show_default=False),
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option("--http-port", help="HTTP/Browser port [default 7474].", show_default=False),
    ] = None,
    heap: Annotated[
        str | None,
        typer.Option(
            "--heap",
            help="JVM heap, e.g. 4g [default: a quarter of RAM, 1-8g].",
            show_default=False,
        ),
    ] = None,
    pagecache: Annotated[
        str | None,
        typer.Option(
            "--pagecache",
            help="Page cache, e.g. 2g [default: 15% of RAM, 1-8g].",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Assemble Neo4j + Browser + GDS + APOC from Maven Central into the per-user cache.

    The first install runs Maven (a minute or two, ~200 MB download); later installs
    reuse the cache offline. Creates the instance (config, a random password with mode
    0600, the identifier-hashing secret) and keeps existing data and password.
    """
    last = {"line": "starting Maven"}

    def on_line(line: str) -> None:
        if "Downloading" in line or "Building" in line or "shade" in line:
            last["line"] = line.split("]", 1)[-1].strip()[:100]
            if spinner is not None:
                spinner.update(f"Assembling Neo4j from Maven Central: {last['line']}")

    spinner = None
    if not quiet and err.is_terminal:
        spinner = err.status("Assembling Neo4j from Maven Central")
        spinner.start()
    try:
        result = ensure_build(force=force, on_line=on_line)
    finally:
        if spinner is not None:
            spinner.stop()
    if verify:
        verify_build(result.paths, deep=True)
    paths = instance_paths()
    settings = init_instance(paths, result.paths, bolt_port, http_port, heap, pagecache)
    if not quiet:
        how = "reused cache" if result.reused else f"built in {result.seconds:.0f}s"
        err.print(
            f"[green]Installed[/] {result.paths.root.name} "
            f"({how}, {human_bytes(result.size_bytes)})"
        )
        err.print(
            f"Instance: {paths.root}  (Bolt {settings.bolt_uri}, Browser {settings.browser_url})"
        )
        err.print(
            f"Heap {settings.heap}, page cache {settings.pagecache}. Next: [bold]cib db start[/]"
        )


@app.command()
def start(timeout: TimeoutOpt = 120.0, quiet: QuietOpt = False) -> None:
    """Start the local server and wait until Bolt answers and GDS is loaded."""
    paths = instance_paths()
    with progress_lines("Starting Neo4j", quiet) as update:
        result = process.start(paths, timeout=timeout, on_progress=update)
    settings = load_settings(paths)
    if quiet:
        return
    if result.already_running:
        err.print(f"Neo4j is already running (pid {result.pid}) at {settings.bolt_uri}")
    else:
        err.print(
            f"[green]Neo4j started[/] in {result.seconds:.1f}s "
            f"(pid {result.pid}, GDS {result.gds_version})\n"
            f"Bolt {settings.bolt_uri}   user neo4j, password: `cib db password`\n"
            f"Browser {settings.browser_login_url}"
        )


@app.command()
def stop(timeout: TimeoutOpt = 60.0, quiet: QuietOpt = False) -> None:
    """Stop the local server (SIGTERM, then SIGKILL after --timeout)."""
    with status("Stopping Neo4j", quiet):
        was_running = process.stop(instance_paths(), timeout=timeout)
    if not quiet:
        err.print("Neo4j stopped." if was_running else "Neo4j was not running.")


@app.command("status")
def status_cmd(json_: JsonOpt = False) -> None:
    """Running or stopped; Neo4j, GDS and APOC versions; URLs; data size.

    Exits 2 when the server runs but does not answer queries (a wrong stored password,
    say), so scripts can tell it from a healthy server.
    """
    info = collect_status(instance_paths())
    if json_:
        print_json(info)
        if "error" in info:
            raise typer.Exit(2)
        return
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    state = "[green]running[/]" if info["running"] else "[red]stopped[/]"
    if not info.get("installed"):
        state += "  (not installed: run `cib db install`)"
    table.add_row("state", state + (f" (pid {info['pid']})" if info.get("pid") else ""))
    for key in ("neo4j", "gds", "apoc", "browser"):
        version = info.get("versions", {}).get(key)
        if version:
            table.add_row(key, str(version))
    for key in ("bolt_uri", "browser_url", "heap", "pagecache", "home", "build"):
        if key in info:
            table.add_row(key.replace("_", " "), str(info[key]))
    if "data_bytes" in info:
        table.add_row("data size", human_bytes(info["data_bytes"]))
    if "error" in info:
        table.add_row("problem", f"[red]{info['error']}[/]")
    out.print(table)
    if "error" in info:
        raise typer.Exit(2)


@app.command()
def logs(
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many lines.")] = 50,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show debug.log instead of neo4j.log.")
    ] = False,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines.")
    ] = False,
) -> None:
    """Print the last lines of the server log."""
    paths = instance_paths()
    log = paths.logs / ("debug.log" if debug else "neo4j.log")
    if not log.is_file():
        log = paths.console_log
    text = process.tail(log, lines)
    sys.stdout.write(text + ("\n" if text else ""))
    if follow:
        with log.open() as handle:
            handle.seek(0, 2)
            try:
                while True:
                    line = handle.readline()
                    if line:
                        sys.stdout.write(line)
                        sys.stdout.flush()
                    else:
                        time.sleep(0.5)
            except KeyboardInterrupt:
                return


@app.command()
def password() -> None:
    """Print the local server's password (the only command that does)."""
    sys.stdout.write(read_password(instance_paths()) + "\n")


@app.command()
def reset(yes: YesOpt = False, timeout: TimeoutOpt = 120.0, quiet: QuietOpt = False) -> None:
    """Wipe the local database's data, restart, and apply the schema.

    Users and password are kept. Asks first unless --yes. Refused while a load or a
    detection run is writing to the database (it would go on writing into the wiped one).
    """
    paths = instance_paths()
    load_settings(paths)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                "reset wipes all data and needs confirmation.", "pass --yes in scripts"
            )
        typer.confirm(f"Delete every node and relationship in {paths.data}?", abort=True)
    _refuse_while_runs_write(paths)
    with progress_lines("Resetting Neo4j", quiet) as update:
        update("stopping the server")
        process.stop(paths, once_stores_closed=True)  # the store is deleted next
        update("deleting the data")
        for sub in ("databases/neo4j", "transactions/neo4j"):
            target = paths.data / sub
            if target.exists():
                shutil.rmtree(target)
        update("starting the server")
        process.start(paths, timeout=timeout, on_progress=update)
        update("applying the schema")
        with open_database(resolve_settings()) as db:
            apply_schema(db)
    if not quiet:
        err.print("[green]Database wiped[/]; server running with the schema applied.")


def _refuse_while_runs_write(paths: InstancePaths) -> None:
    """A load rides out the restart on driver retries and goes on writing into the wiped
    database; refuse while one (or a detection run) is running."""
    if process.running_pid(paths) is None:
        return  # nothing can be writing to a stopped server
    try:
        with open_database(resolve_settings(env={}, local=paths)) as db:
            running = live_runs(db)
    except CibError:
        return  # an unreachable server: nothing can be writing to it through Bolt either
    if running:
        names = "; ".join(run.describe() for run in running[:3])
        pids = " ".join(str(r.pid) for r in running if r.here and r.pid is not None)
        raise UsageError(
            f"Not resetting: {len(running)} run(s) are writing to this database: {names}.",
            "wait for them to finish, or stop them first"
            + (f" (`kill -INT {pids}`)" if pids else "")
            + "; a stopped run is marked failed, then reset",
        )
