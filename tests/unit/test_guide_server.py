"""`cib browser --serve`'s little server against what any web page (or local process) can
do to it (issue 13 items 8-10): markup and terminal escapes in the request path, a
look-alike server on [::1], idle connections, a port already taken."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cibgraph.cli import browser as browser_cli
from cibgraph.cli.common import err
from cibgraph.cli.main import app
from cibgraph.core.errors import PortInUse
from cibgraph.graph.guide_server import GuideServer, make_server, serve_in_thread
from cibgraph.queries.guide import GRASS_FILE, GUIDE_FILE


@pytest.fixture()
def logged() -> Iterator[tuple[GuideServer, list[str]]]:
    lines: list[str] = []
    server = serve_in_thread(0, log=lines.append)
    yield server, lines
    server.shutdown()
    server.server_close()


def _raw_request(port: int, request_line: bytes, host: str = "127.0.0.1") -> bytes:
    with socket.create_connection((host, port), timeout=5) as conn:
        conn.sendall(request_line + b"\r\n\r\n")
        return conn.recv(4096)


def _wait_for(lines: list[str], count: int) -> None:
    deadline = time.monotonic() + 5
    while len(lines) < count and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (b"/[/]x", "/[/]x"),
        (b"/[link=https://evil.example]x[/link]", "/[link=https://evil.example]x[/link]"),
        (b"/\x1b]8;;https://evil.example\x07x\x1b[2J", "/\\x1b]8;;https://evil.example\\x07x"),
        # http.server reads the request line as Latin-1: U+202E's UTF-8 bytes arrive as
        # three characters, the middle one a C1 control.
        ("/a\u202ecod.exe".encode(), "/a\u00e2\\x80\u00aecod.exe"),
    ],
)
def test_request_paths_are_logged_as_plain_escaped_text(
    logged: tuple[GuideServer, list[str]], path: bytes, shown: str
) -> None:
    server, lines = logged
    answer = _raw_request(server.port, b"GET " + path + b" HTTP/1.0")
    assert answer.startswith(b"HTTP/1.0 404"), "the client gets its answer"
    _wait_for(lines, 1)
    (line,) = lines
    assert shown in line
    assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line
    # What `cib browser --serve` does with the line: Rich must print it as it is.
    with err.capture() as captured:
        browser_cli._log(line)
    printed = captured.get()
    assert line in printed and "\x1b]8;" not in printed, "no markup, no terminal link"


def test_localhost_is_ours_on_both_loopback_addresses(
    logged: tuple[GuideServer, list[str]],
) -> None:
    server, _ = logged
    assert server.base_url == f"http://localhost:{server.port}"
    for host in ("127.0.0.1", "[::1]"):
        with urllib.request.urlopen(f"http://{host}:{server.port}/{GRASS_FILE}") as response:
            assert response.status == 200
    # Whatever localhost resolves to first, it is this server's guide.
    with urllib.request.urlopen(f"http://localhost:{server.port}/{GUIDE_FILE}") as response:
        assert f":style {server.base_url}/{GRASS_FILE}" in response.read().decode()


def test_a_process_on_ipv6_loopback_stops_the_server_from_starting() -> None:
    # A look-alike on [::1]:PORT would answer Chromium's first try for localhost.
    with socket.socket(socket.AF_INET6) as squatter:
        squatter.bind(("::1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(PortInUse, match=r"in use on \[::1\]"):
            make_server(port)
        # Port 0 (the default) just picks another port, free on both addresses.
        server = make_server(0)
        try:
            assert server.port != port and len(server.servers) == 2
        finally:
            server.server_close()


def test_idle_connections_time_out_and_threads_are_bounded() -> None:
    # 400 half-open requests held 403 threads, for ever.
    before = threading.active_count()
    server = serve_in_thread(0, max_connections=4, timeout=0.5, log=lambda line: None)
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(40)]
    try:
        for conn in idle:
            conn.sendall(b"GET /")  # never finished
        time.sleep(0.2)
        assert threading.active_count() <= before + 2 + 4 + 1
        time.sleep(1.0)
        # Over the limit: closed at once; within it: closed at the timeout.
        assert [conn.recv(100) for conn in idle] == [b""] * len(idle)
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/{GRASS_FILE}") as response:
            assert response.status == 200, "still serving after the idle ones were closed"
    finally:
        for conn in idle:
            conn.close()
        server.shutdown()
        server.server_close()


def test_a_busy_port_is_a_one_line_error_with_a_hint() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(app, ["browser", "--serve", "--port", str(port)])
    assert result.exit_code == PortInUse.exit_code, result.output
    assert f"Port {port} is in use on 127.0.0.1" in result.stderr
    assert "Hint:" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("port", ["-1", "65536", "99999999999"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    # bind() raised OverflowError ("port must be 0-65535"): a traceback.
    result = CliRunner().invoke(app, ["browser", "--serve", "--port", port])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
