"""`cib browser`: open Neo4j Browser on cibgraph's data, with its style sheet and guide.

The style sheet and the guide are ``queries/browser/`` (the guide is rendered by
``queries/guide.py``); ``--serve`` serves them with ``graph/guide_server.py``, which
explains why the URLs say ``localhost`` and why it binds both loopback addresses.
"""

from __future__ import annotations

import webbrowser
from typing import Annotated

import typer
from rich.text import Text

from cibgraph.cli.common import err, out
from cibgraph.core.errors import CibError
from cibgraph.graph.guide_server import GuideServer, make_server
from cibgraph.graph.server.instance import browser_link, load_settings
from cibgraph.graph.server.paths import instance_paths
from cibgraph.graph.settings import resolve_settings
from cibgraph.queries.guide import BASE_PLACEHOLDER, GRASS_FILE, GUIDE_FILE, browser_files


def _log(line: str) -> None:
    # Already escaped by the server; printed as Text so Rich reads no markup in it.
    err.print(Text(line, style="dim"), highlight=False)


# ---------------------------------------------------------------------------
# The command


def _browser_url() -> str | None:
    try:
        return load_settings(instance_paths()).browser_url
    except CibError:
        return None


def _login_url(url: str | None, connect: str, user: str, database: str) -> str | None:
    """The Browser URL with the connect form filled in as printed below it."""
    return None if url is None else browser_link(url, connect, user, database)


def browser_command(
    open_: Annotated[
        bool, typer.Option("--open", help="Open the Browser URL in your web browser.")
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve", help="Serve the style and the guide on localhost until Ctrl-C (for :play)."
        ),
    ] = False,
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port for --serve (default: any free port)."),
    ] = 0,
) -> None:
    """How to open Neo4j Browser on this data, and load cibgraph's style and guide.

    Prints the Browser URL, the login, and the exact commands that load the style sheet
    (colours and captions for accounts, pages, admins, organisations, networks...) and
    the guide that walks from the networks overview to a network's evidence.

    [bold]Examples[/]

      cib browser

      cib browser --serve --open
    """
    folder = browser_files()
    url = _browser_url()
    try:
        settings = resolve_settings()
        connect, user, database = settings.uri, settings.user, settings.database
        local = settings.is_local
    except CibError:
        connect, user, database, local = "bolt://127.0.0.1:7687", "neo4j", "neo4j", True
    url = _login_url(url, connect, user, database)
    out.print(
        f"[bold]Neo4j Browser:[/] {url or 'the Browser of your Neo4j server (port 7474)'}",
        markup=True,
        highlight=False,
        soft_wrap=True,
    )
    filled = "   (the link above fills it in)" if url else ""
    out.print(f"[bold]Connect URL:[/]   {connect}{filled}")
    password = "`cib db password` prints it" if local else "the one in NEO4J_PASSWORD"
    out.print(f"[bold]Login:[/]         user {user}; password: {password}")
    out.print("")
    out.print("[bold]Style[/] (colours and captions), one of:")
    out.print(f"  drag and drop {folder / GRASS_FILE} onto the Browser window, or")
    out.print(f"  type :style, then paste the contents of {folder / GRASS_FILE} after it, or")
    server: GuideServer | None = None
    if serve:
        server = make_server(port, log=_log)
        base = server.base_url
        out.print(f"  run  :style {base}/{GRASS_FILE}")
        out.print("")
        out.print("[bold]Guide[/] (from the networks overview to the evidence):")
        out.print(f"  run  :play {base}/{GUIDE_FILE}")
        out.print(f"  or   :guide {base}/{GUIDE_FILE}   (opens it in the side drawer)")
    else:
        out.print(f"  run  :style {BASE_PLACEHOLDER}/{GRASS_FILE}   (needs --serve)")
        out.print("")
        out.print("[bold]Guide:[/] run `cib browser --serve`, then in Browser:")
        out.print(f"  :play {BASE_PLACEHOLDER}/{GUIDE_FILE}")
        out.print(
            "  (Browser fetches guides only over HTTP from allowed hosts; localhost is "
            "allowed by default.)"
        )
    if open_ and url:
        webbrowser.open(url)
    if server is None:
        return
    err.print(
        Text(
            f"Serving {folder} on {server.base_url} (127.0.0.1 and [::1]); Ctrl-C stops.",
            style="dim",
        )
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.print("[dim]Stopped.[/]")
    finally:
        server.server_close()
