"""Serving the style sheet and the guide to Neo4j Browser over HTTP, on loopback only.

How Neo4j Browser 5 loads local files (read from its source, checked by
tests/integration/test_browser.py against the Browser the local server ships):

- ``:style <grass>`` applies a style sheet given inline; ``:style <url>`` fetches one;
  a ``.grass`` file dropped on the Browser window is applied too.
- ``:play <url>`` (a frame) and ``:guide <url>`` (the guide drawer) fetch a guide. Both
  fetch over HTTP from the page itself, so the host must be on the server's
  ``browser.remote_content_hostname_allowlist`` - by default ``guides.neo4j.com,localhost``:
  ``localhost`` by name, not 127.0.0.1 - and the server must answer CORS, including the
  preflight the Browser triggers with its ``cache-control``/``pragma`` headers.

So the URLs must say ``localhost``, and ``localhost`` is two addresses: Chromium tries
``[::1]`` first. A server on 127.0.0.1 alone leaves ``[::1]:PORT`` free for any local
process to answer in its place (with a guide of its own, runnable Cypher included), so
the server binds the same port on both loopback addresses, and refuses to start when it
cannot hold both (on a host without IPv6 loopback nobody can listen on ``::1`` either).

Any web page the user visits can make the browser send requests here, so the server
serves exactly two fixed files, logs each request path as escaped plain text, gives
every connection a timeout and runs at most ``MAX_CONNECTIONS`` at once.
"""

from __future__ import annotations

import errno
import itertools
import socket
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cibgraph.core.display import mark_bidi
from cibgraph.core.errors import PortInUse
from cibgraph.queries.guide import BASE_PLACEHOLDER, GUIDE_FILE, SERVED, browser_files

# Browser fetches two small files; anything more at once is not Browser.
MAX_CONNECTIONS = 16
# Seconds a connection may take to send its request (a half-open one holds a thread).
CONNECTION_TIMEOUT = 10.0
LOOPBACK = (("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET6))

# Like http.server's own log escaping: C0 and C1 controls (ESC starts a terminal
# sequence) become \xNN, and a backslash is doubled so an escape cannot be faked.
_LOG_ESCAPES = str.maketrans(
    {c: rf"\x{c:02x}" for c in itertools.chain(range(0x20), range(0x7F, 0xA0))}
)
_LOG_ESCAPES[ord("\\")] = r"\\"

LogSink = Callable[[str], None]


def log_safe(text: str) -> str:
    """A request line as plain text: controls escaped, bidi controls marked."""
    return mark_bidi(text.translate(_LOG_ESCAPES))


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


class GuideHandler(BaseHTTPRequestHandler):
    """Serves exactly the fixed files, with the CORS answers Neo4j Browser needs."""

    folder: Path = Path()
    base_url: str = ""
    log: LogSink = staticmethod(_stderr)
    timeout = CONNECTION_TIMEOUT  # StreamRequestHandler sets it on the socket
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
        # The path is whatever a web page asked for: text for the log, never markup.
        self.log(log_safe(f"{self.address_string()} {format % args}"))


class _LoopbackServer(ThreadingHTTPServer):
    """One address family; a connection over ``max_connections`` is closed at once."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        family: socket.AddressFamily,
        handler: type[GuideHandler],
        max_connections: int,
    ) -> None:
        self.address_family = family
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class GuideServer:
    """The two files on ``127.0.0.1:port`` and ``[::1]:port``; ``localhost`` means either."""

    def __init__(self, servers: list[_LoopbackServer], port: int) -> None:
        self.servers = servers
        self.port = port
        self.base_url = f"http://localhost:{port}"

    def serve_forever(self) -> None:
        """Serve until ``shutdown()`` (or Ctrl-C in the calling thread)."""
        first, *others = self.servers
        for server in others:
            threading.Thread(
                target=server.serve_forever, name="cib-browser-files", daemon=True
            ).start()
        first.serve_forever()

    def shutdown(self) -> None:
        for server in self.servers:
            server.shutdown()

    def server_close(self) -> None:
        for server in self.servers:
            server.server_close()


def _in_use(port: int, host: str) -> PortInUse:
    shown = f"[{host}]" if ":" in host else host
    return PortInUse(
        f"Port {port} is in use on {shown}; the guide server needs it on 127.0.0.1 and [::1].",
        "choose another --port, or leave --port out for any free one",
    )


def _bind(
    host: str, family: socket.AddressFamily, port: int, handler: type[GuideHandler], limit: int
) -> _LoopbackServer | None:
    """A server on ``host:port``; None when this host has no such loopback address."""
    try:
        return _LoopbackServer((host, port), family, handler, limit)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise _in_use(port, host) from None
        if family == socket.AF_INET6 and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            return None  # no IPv6 loopback: then nobody can listen on [::1] either
        raise PortInUse(
            f"Cannot listen on {host} port {port}: {exc.strerror}.",
            "choose another --port, or leave --port out for any free one",
        ) from None


def make_server(
    port: int = 0,
    folder: Path | None = None,
    log: LogSink | None = None,
    max_connections: int = MAX_CONNECTIONS,
    timeout: float = CONNECTION_TIMEOUT,
) -> GuideServer:
    """A server for the guide and the style on both loopback addresses (port 0: any free).

    Raises ``PortInUse`` (one line, with a hint) when the port is taken on either address.
    """
    handler: type[GuideHandler] = type(
        "BoundGuideHandler",
        (GuideHandler,),
        {
            "folder": folder or browser_files(),
            "log": staticmethod(log or _stderr),
            "timeout": timeout,
        },
    )
    # Port 0 picks a free port on 127.0.0.1; [::1] may hold it already: try another.
    for _attempt in range(1 if port else 20):
        v4 = _bind("127.0.0.1", socket.AF_INET, port, handler, max_connections)
        assert v4 is not None
        bound = int(v4.server_address[1])
        try:
            v6 = _bind("::1", socket.AF_INET6, bound, handler, max_connections)
        except PortInUse:
            v4.server_close()
            if port:
                raise
            continue
        handler.base_url = f"http://localhost:{bound}"
        servers: list[_LoopbackServer] = [v4] if v6 is None else [v4, v6]
        return GuideServer(servers, bound)
    raise PortInUse("No port was free on both 127.0.0.1 and [::1].", "pass a free one with --port")


def serve_in_thread(port: int = 0, folder: Path | None = None, **options: Any) -> GuideServer:
    """Start the server on daemon threads (tests, and anything embedding it)."""
    server = make_server(port, folder, **options)
    threading.Thread(target=server.serve_forever, name="cib-browser-files", daemon=True).start()
    return server
