"""`cib browser`: open Neo4j Browser on cibgraph's data, with its style sheet and guide.

How Neo4j Browser 5 loads local files (read from its source, checked by
tests/integration/test_browser.py against the Browser the local server ships):

- ``:style <grass>`` applies a style sheet given inline; ``:style <url>`` fetches one;
  a ``.grass`` file dropped on the Browser window is applied too.
- ``:play <url>`` (a frame) and ``:guide <url>`` (the guide drawer) fetch a guide. Both
  fetch over HTTP from the page itself, so the host must be on the server's
  ``browser.remote_content_hostname_allowlist`` - by default ``guides.neo4j.com,localhost``:
  ``localhost`` by name, not 127.0.0.1 - and the server must answer CORS, including the
  preflight the Browser triggers with its ``cache-control``/``pragma`` headers.

So ``--serve`` serves ``queries/browser/`` (two fixed files, nothing else) on
127.0.0.1 with CORS, and prints ``http://localhost:PORT/...`` URLs. The guide is
generated from the query library (``python -m cibgraph.cli.browser --write-guide``), and a
test keeps the committed file equal to what this module renders.
"""

from __future__ import annotations

import sys
import threading
import webbrowser
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from cibgraph.cli.common import err, out
from cibgraph.core.errors import CibError
from cibgraph.graph.server.instance import load_settings
from cibgraph.graph.server.paths import instance_paths
from cibgraph.graph.settings import resolve_settings
from cibgraph.queries.registry import Library, load_library

GRASS_FILE = "cibgraph.grass"
GUIDE_FILE = "guide.html"
SERVED = (GUIDE_FILE, GRASS_FILE)
# Written in the guide where the served address goes; replaced when served.
BASE_PLACEHOLDER = "http://localhost:PORT"


def browser_files() -> Path:
    """The folder holding the style sheet and the guide (inside the installed package)."""
    return Path(str(resources.files("cibgraph.queries") / "browser"))


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """A style sheet read the way Neo4j Browser reads it (its ``parseGrassCSS``).

    Browser's reader is simple and strict in ways CSS is not: no comments (they become
    part of the next selector), quotes are stripped, and a declaration with a second
    ``:`` in it is dropped. Reading ours the same way lets a test catch what Browser
    would silently ignore.
    """
    rules: dict[str, str] = {}
    keyword, props = "", ""
    in_string = in_props = in_binding = False
    for char in text:
        skip = True
        if char == "{":
            if in_string:
                skip = False
            elif in_props:
                in_binding = True
            else:
                in_props = True
        elif char == "}":
            if in_string:
                skip = False
            elif in_binding:
                in_binding = False
            else:
                in_props = False
                rules[keyword] = props
                keyword, props = "", ""
        elif char in "'\"":
            in_string = not in_string
        else:
            skip = False
        if skip:
            continue
        if in_props:
            props += char
        elif not char.isspace():
            keyword += char
    parsed: dict[str, dict[str, str]] = {}
    for selector, body in rules.items():
        declarations: dict[str, str] = {}
        for declaration in body.split(";"):
            parts = declaration.split(":")
            if len(parts) == 2:
                declarations[parts[0].strip()] = parts[1].strip()
        parsed[selector] = declarations
    return parsed


# ---------------------------------------------------------------------------
# The guide: one slide per step of an analyst's walk, each with runnable code


@dataclass(frozen=True)
class Step:
    title: str
    lead: str
    text: str
    query: str | None = None
    values: dict[str, Any] | None = None
    extra: str | None = None  # a runnable block that is not a library query


STEPS: tuple[Step, ...] = (
    Step(
        "Coordinated inauthentic behaviour in this graph",
        "From the list of candidate networks to the evidence behind one pair of accounts.",
        "cibgraph links accounts and pages that co-share the same links, posts or texts "
        "within seconds, run the same pages or use the same devices, groups them into "
        "candidate networks, gives each a verdict tier and flags those that also look "
        "inauthentic by the measured cues: candidates for review, not findings. First load the "
        "style sheet: click the block below, then run it (or drag cibgraph.grass onto this "
        "window). Accounts are blue, pages orange, page admins red, organisations green.",
        extra=f":style {BASE_PLACEHOLDER}/{GRASS_FILE}",
    ),
    Step(
        "1. The candidate networks",
        "Every network of the newest complete run, strongest evidence first.",
        "tier says what was measured: coordinated_inauthentic (flagged: coordination times "
        "inauthenticity reached the threshold), coordinated_unassessable (no account "
        "metadata to judge authenticity: behaviour-only data), coordinated_disclosed, weak; "
        "coverage is the share of the inauthenticity cues' weight that had data. Set "
        "flagged_only to true for the flagged ones. Copy the id of a network to look at "
        "(run-...:n0001) for the next steps. Set run_id to look at an older run; "
        "`cib runs list` shows them.",
        query="networks_overview",
        values={"flagged_only": False},
    ),
    Step(
        "2. A network's members",
        "The accounts and pages of one network, and the coordination between them.",
        "Paste the network id into the first line, then run. Each COORDINATED_WITH edge "
        "carries its weight and each signal's part of it: co_share, shared_admin, "
        "shared_identifier. Click an edge to read them.",
        query="network_members",
        values={"network_id": "run-...:n0001"},
    ),
    Step(
        "3. What was measured",
        "The strongest evidence inside the network, section by section.",
        "The strongest pairs with the objects they co-shared and their fastest gap in "
        "seconds; accounts running several of its pages; identifiers its accounts share "
        "(hash prefixes only, never values); the organisations behind it.",
        query="network_evidence",
        values={"network_id": "run-...:n0001"},
    ),
    Step(
        "4. Two actors",
        "Everything that links two members: the proof for one edge.",
        "Take two keys from the previous step (account:... or page:...). Every co-shared "
        "URL, reshared post or identical text with the gap between the two shares, admin "
        "links, shared identifiers and affiliations.",
        query="pair_evidence",
        values={"a": "account:...", "b": "account:..."},
    ),
    Step(
        "5. Around one actor",
        "The neighbourhood of one account or page, as paths.",
        "The pages it runs or the admins running it, its organisations up the PART_OF "
        "chain, the accounts sharing an identifier with it, and who else posts its links.",
        query="actor_neighbourhood",
        values={"actor_key": "page:..."},
    ),
    Step(
        "6. Who runs the pages",
        "From an organisation to the pages run for it.",
        "Pages affiliated with the organisation (or with anything up to three levels "
        "below it), and pages whose admins are affiliated. Take an organisation id from "
        "step 3's attribution rows.",
        query="pages_by_organization",
        values={"org_id": "org_..."},
    ),
    Step(
        "7. Hand it on",
        "Files for other tools and a report for people.",
        "From a terminal: `cib export --format csv|json|graphml|gexf --out DIR` writes the "
        "networks, members, evidence edges and attribution (GEXF opens in Gephi); "
        "`cib report --out DIR` writes a takedown-style report as HTML and Markdown; "
        "`cib runs diff RUN_A RUN_B` shows which networks came back.",
    ),
)


def render_guide(library: Library | None = None) -> str:
    """The Browser guide as HTML: a carousel of slides with runnable code blocks."""
    library = library or load_library()
    slides: list[str] = []
    for step in STEPS:
        code: list[str] = []
        if step.extra:
            code.append(step.extra)
        if step.query:
            query = library.get(step.query)
            code.append(query.browser_script(step.values).rstrip("\n"))
        blocks = "".join(
            f'\n  <figure>\n    <pre class="code runnable">{escape(c)}</pre>\n'
            + (
                f"    <figcaption>{escape(library.get(step.query).title)} "
                f"(query <code>{escape(step.query)}</code>)</figcaption>\n"
                if step.query and c is code[-1]
                else ""
            )
            + "  </figure>"
            for c in code
        )
        slides.append(
            '<slide class="row-fluid">\n'
            f'  <div class="col-sm-3">\n    <h3>{escape(step.title)}</h3>\n'
            f'    <p class="lead">{escape(step.lead)}</p>\n  </div>\n'
            f'  <div class="col-sm-9">\n    <p>{escape(step.text)}</p>{blocks}\n  </div>\n'
            "</slide>"
        )
    body = "\n".join(slides)
    return (
        "<!-- Generated by `python -m cibgraph.cli.browser --write-guide` from the query\n"
        "     library; edit cli/browser.py, not this file. Open it with\n"
        f"     :play {BASE_PLACEHOLDER}/{GUIDE_FILE} (after `cib browser --serve`). -->\n"
        "<title>cibgraph: from networks to evidence</title>\n"
        '<article class="guide">\n<carousel class="deck container-fluid">\n'
        f"{body}\n</carousel>\n</article>\n"
    )


# ---------------------------------------------------------------------------
# Serving the two files to Browser


class GuideHandler(BaseHTTPRequestHandler):
    """Serves exactly the fixed files, with the CORS answers Neo4j Browser needs."""

    folder: Path = Path()
    base_url: str = ""
    server_version = "cibgraph"
    sys_version = ""

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        # Browser's fetches carry cache-control and pragma, and its error reporting adds
        # sentry-trace and baggage: each makes the request "non-simple", so Chromium asks
        # first with a preflight OPTIONS. These are two public, read-only files, so we
        # allow whatever headers the preflight names.
        asked = self.headers.get("Access-Control-Request-Headers")
        if asked:
            self.send_header("Access-Control-Allow-Headers", asked)
            self.send_header("Vary", "Access-Control-Request-Headers")

    # do_OPTIONS / do_GET / do_HEAD: the names http.server dispatches to.
    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _body(self) -> tuple[bytes, str] | None:
        name = self.path.split("?", 1)[0].lstrip("/")
        if name not in SERVED:
            return None
        data = (self.folder / name).read_bytes()
        if name == GUIDE_FILE:
            data = data.replace(BASE_PLACEHOLDER.encode(), self.base_url.encode())
            return data, "text/html; charset=utf-8"
        return data, "text/plain; charset=utf-8"

    def _send(self, head_only: bool) -> None:
        body = self._body()
        if body is None:
            self.send_response(HTTPStatus.NOT_FOUND)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data, kind = body
        self.send_response(HTTPStatus.OK)
        self._cors()
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head_only:
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(head_only=False)

    def do_HEAD(self) -> None:
        self._send(head_only=True)

    def log_message(self, format: str, *args: Any) -> None:
        err.print(f"[dim]{self.address_string()} {format % args}[/]", highlight=False)


def make_server(port: int = 0, folder: Path | None = None) -> ThreadingHTTPServer:
    """A server for the guide and the style on 127.0.0.1 (port 0: any free port)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), GuideHandler)
    bound = server.server_address[1]
    handler = type(
        "BoundGuideHandler",
        (GuideHandler,),
        {"folder": folder or browser_files(), "base_url": f"http://localhost:{bound}"},
    )
    server.RequestHandlerClass = handler
    return server


def serve_in_thread(port: int = 0, folder: Path | None = None) -> ThreadingHTTPServer:
    """Start the server on a daemon thread (tests, and anything embedding it)."""
    server = make_server(port, folder)
    threading.Thread(target=server.serve_forever, name="cib-browser-files", daemon=True).start()
    return server


# ---------------------------------------------------------------------------
# The command


def _browser_url() -> str | None:
    try:
        return load_settings(instance_paths()).browser_url
    except CibError:
        return None


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
        int, typer.Option("--port", help="Port for --serve (default: any free port).")
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
        connect, user = settings.uri, settings.user
        local = settings.is_local
    except CibError:
        connect, user, local = "bolt://127.0.0.1:7687", "neo4j", True
    out.print(f"[bold]Neo4j Browser:[/] {url or 'the Browser of your Neo4j server (port 7474)'}")
    out.print(f"[bold]Connect URL:[/]   {connect}")
    password = "`cib db password` prints it" if local else "the one in NEO4J_PASSWORD"
    out.print(f"[bold]Login:[/]         user {user}; password: {password}")
    out.print("")
    out.print("[bold]Style[/] (colours and captions), one of:")
    out.print(f"  drag and drop {folder / GRASS_FILE} onto the Browser window, or")
    out.print(f"  type :style, then paste the contents of {folder / GRASS_FILE} after it, or")
    server: ThreadingHTTPServer | None = None
    if serve:
        server = make_server(port)
        base = f"http://localhost:{server.server_address[1]}"
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
        f"[dim]Serving {folder} on http://localhost:{server.server_address[1]}; Ctrl-C stops.[/]"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.print("[dim]Stopped.[/]")
    finally:
        server.server_close()


def main(argv: list[str]) -> int:
    """``--write-guide`` regenerates queries/browser/guide.html from the query library."""
    if "--write-guide" not in argv:
        print(render_guide(), end="")
        return 0
    target = Path(__file__).resolve().parent.parent / "queries" / "browser" / GUIDE_FILE
    target.write_text(render_guide(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
