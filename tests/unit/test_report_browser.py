"""The Browser side without a browser: the style sheet as Browser reads it, the guide as
generated from the query library, the little server's CORS answers, `cib browser`."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from http.client import HTTPConnection

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.guide_server import serve_in_thread
from cibgraph.queries.guide import (
    BASE_PLACEHOLDER,
    GRASS_FILE,
    GUIDE_FILE,
    browser_files,
    parse_grass,
    render_guide,
)
from cibgraph.queries.registry import load_library

LABELS = ("Account", "Page", "Admin", "Organization", "Network", "Post", "Url", "Identifier")
TYPES = (
    "COORDINATED_WITH",
    "MEMBER_OF",
    "ADMINISTERS",
    "AFFILIATED_WITH",
    "ATTRIBUTED_TO",
    "PART_OF",
    "DETECTED_IN",
    "POSTED",
    "LINKS_TO",
    "SHARES",
    "RAN_AD",
    "USES",
)
# What each label's caption may show (the loaders' and detection's property names).
PROPERTIES = {
    "Actor": {"key"},
    "Account": {"handle", "display_name", "id"},
    "Admin": {"handle", "display_name", "id"},
    "Page": {"name", "id"},
    "Organization": {"name", "id"},
    "Network": {"id", "rank"},
    "DetectionRun": {"id"},
    "Post": {"text", "id"},
    "Url": {"url"},
    "Identifier": {"kind"},
    "Hashtag": {"tag"},
    "Ad": {"currency", "spend"},
    "LoadRun": {"id"},
    "LoadFile": {"name"},
}
GUIDE_QUERIES = (
    "networks_overview",
    "network_members",
    "network_evidence",
    "pair_evidence",
    "actor_neighbourhood",
    "pages_by_organization",
)


def grass_text() -> str:
    return (browser_files() / GRASS_FILE).read_text(encoding="utf-8")


def test_grass_parses_the_way_browser_reads_it() -> None:
    text = grass_text()
    assert "/*" not in text and "//" not in text, "Browser's grass reader has no comments"
    rules = parse_grass(text)
    declared = sum(
        len(re.findall(r"^\s*[a-z-]+\s*:", body, re.M)) for body in re.findall(r"\{([^}]*)\}", text)
    )
    assert sum(len(props) for props in rules.values()) == declared, "no declaration is dropped"
    for selector, props in rules.items():
        assert re.fullmatch(r"(node|relationship)(\.[A-Za-z_]+)?", selector), selector
        for name, value in props.items():
            if "color" in name:
                assert re.fullmatch(r"#[0-9A-F]{6}", value), (selector, name, value)
            if name in ("diameter", "shaft-width", "border-width", "font-size", "padding"):
                assert re.fullmatch(r"\d+px", value), (selector, name, value)


def test_grass_styles_every_label_and_relationship_type() -> None:
    rules = parse_grass(grass_text())
    for label in LABELS:
        assert {"color", "caption"} <= set(rules[f"node.{label}"]), label
    for rel in TYPES:
        assert "color" in rules[f"relationship.{rel}"], rel
    for selector, props in rules.items():
        caption = props.get("caption", "")
        for prop in re.findall(r"\{(\w+)\}", caption):
            if selector.startswith("node."):
                assert prop in PROPERTIES[selector.split(".")[1]], (selector, prop)


def test_grass_order_lets_the_specific_label_win() -> None:
    # Browser applies every matching rule in order; a node that is Actor + Account + Admin
    # must end up admin red, an Actor + Page page orange.
    order = list(parse_grass(grass_text()))
    assert order.index("node.Actor") < order.index("node.Account") < order.index("node.Admin")
    assert order.index("node.Actor") < order.index("node.Page")
    rules = parse_grass(grass_text())
    assert rules["node.Admin"]["color"] != rules["node.Account"]["color"]


def test_parse_grass_matches_browsers_quirks() -> None:
    parsed = parse_grass(
        'node.A { caption: "{a}: x"; color: #FFFFFF; } /* c */ node.B {color:#000000}'
    )
    assert parsed["node.A"] == {"color": "#FFFFFF"}, "a second ':' drops the declaration"
    assert "/*c*/node.B" in parsed, "comments become part of the next selector"


def test_committed_guide_is_the_generated_one() -> None:
    committed = (browser_files() / GUIDE_FILE).read_text(encoding="utf-8")
    assert committed == render_guide(), "run `python -m cibgraph.queries.guide --write-guide`"


class _Guide(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.slides = 0
        self.runnable: list[str] = []
        self._in_runnable = False
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += attrs
        if tag == "slide":
            self.slides += 1
        if tag == "pre" and "runnable" in (dict(attrs).get("class") or ""):
            self._in_runnable = True
            self.runnable.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_runnable = False

    def handle_data(self, data: str) -> None:
        if self._in_runnable:
            self.runnable[-1] += data


def test_guide_walks_the_library_with_runnable_scripts() -> None:
    guide = _Guide()
    guide.feed(render_guide())
    assert guide.slides >= 7
    assert not [a for a, _ in guide.attrs if a.startswith("on")], "Browser strips on* anyway"
    library = load_library()
    blocks = guide.runnable
    assert blocks[0] == f":style {BASE_PLACEHOLDER}/{GRASS_FILE}"
    positions = []
    for name in GUIDE_QUERIES:
        query = library.get(name)
        found = [i for i, b in enumerate(blocks) if query.cypher in b]
        assert found, f"{name} is in the guide unchanged"
        block = blocks[found[0]]
        for line in query.browser_params():
            assert line.split("=>")[0] in block, f"{name} sets its parameters with :param"
        positions.append(found[0])
    assert positions == sorted(positions), "overview -> members -> evidence -> ..."


@pytest.fixture()
def server() -> Iterator[int]:
    running = serve_in_thread(0)
    yield running.port
    running.shutdown()
    running.server_close()


def test_server_substitutes_its_address_into_the_guide(server: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{server}/{GUIDE_FILE}") as response:
        body = response.read().decode()
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert BASE_PLACEHOLDER not in body
    assert f":style http://localhost:{server}/{GRASS_FILE}" in body
    with urllib.request.urlopen(f"http://127.0.0.1:{server}/{GRASS_FILE}") as response:
        assert response.read().decode() == grass_text()


def test_server_answers_browsers_preflight(server: int) -> None:
    connection = HTTPConnection("127.0.0.1", server, timeout=5)
    connection.request(
        "OPTIONS",
        f"/{GUIDE_FILE}",
        headers={
            "Origin": "http://127.0.0.1:7474",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "cache-control,pragma,sentry-trace,baggage",
        },
    )
    response = connection.getresponse()
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert (
        response.getheader("Access-Control-Allow-Headers")
        == "cache-control,pragma,sentry-trace,baggage"
    )
    connection.close()


@pytest.mark.parametrize(
    "path", ["/", "/../pyproject.toml", "/registry.py", "/%2e%2e/run", "/guide.html/x"]
)
def test_server_serves_nothing_but_its_two_files(server: int, path: str) -> None:
    connection = HTTPConnection("127.0.0.1", server, timeout=5)
    connection.request("GET", path)
    assert connection.getresponse().status == 404
    connection.close()


def test_cib_browser_prints_url_login_style_and_guide(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("CIBGRAPH_HOME", str(tmp_path))
    for var in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(app, ["browser"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Login:" in text and "cib db password" in text
    assert f"{GRASS_FILE}" in text and ":style" in text
    assert f":play {BASE_PLACEHOLDER}/{GUIDE_FILE}" in text and "--serve" in text
