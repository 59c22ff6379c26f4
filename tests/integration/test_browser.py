"""Neo4j Browser for real: headless Chromium logs in, loads cibgraph's style from
`cib browser --serve`'s server, plays the guide, runs `network_members` for a flagged
network as its `:param` lines + query, and the result frame must show exactly the
network's nodes, coloured by the style sheet, with their captions.

Needs /usr/bin/chromium and tests/browser/node_modules (`./run test` installs both);
when they are missing this test fails with the command to fix it - it is never skipped.
The screenshot is kept in artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cibgraph.core.errors import CibError
from cibgraph.graph.connection import Database
from cibgraph.graph.guide_server import serve_in_thread
from cibgraph.graph.server.instance import load_settings
from cibgraph.graph.server.paths import instance_paths
from cibgraph.queries.guide import GRASS_FILE, GUIDE_FILE, browser_files, parse_grass
from cibgraph.queries.registry import load_library
from tests.conftest import REPO, DetectedScenario

CHROMIUM = Path(os.environ.get("CIBGRAPH_CHROMIUM", "/usr/bin/chromium"))
SCRIPT_DIR = REPO / "tests" / "browser"
ARTIFACTS = REPO / "artifacts" / "browser"
GUIDE_TITLE = "Coordinated inauthentic behaviour in this graph"

pytestmark = pytest.mark.integration


def _require_tools() -> str:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `./run test` installs it (apt package chromium), or "
            "run `apt-get install -y chromium chromium-driver` as root",
            pytrace=False,
        )
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Node.js 20 or newer", pytrace=False)
    if not (SCRIPT_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.fail(
            "tests/browser/node_modules is missing: `./run test` installs it, or run "
            "`npm ci --prefix tests/browser`",
            pytrace=False,
        )
    return node


def _browser_url() -> str:
    explicit = os.environ.get("CIBGRAPH_BROWSER_URL")
    if explicit:
        return explicit
    try:
        return load_settings(instance_paths()).browser_url
    except CibError as exc:
        pytest.fail(f"no Browser URL: {exc.message} (set CIBGRAPH_BROWSER_URL)", pytrace=False)


def _expected_nodes(db: Database, network_id: str) -> list[dict[str, Any]]:
    """The nodes the library query returns, with their labels: what Browser must draw."""
    query = load_library().get("network_members")
    rows = query.run(db, {"network_id": network_id})
    keys: set[str] = set()
    networks: set[str] = set()
    for row in rows:
        for item in row["path"]:
            if isinstance(item, dict):
                if "key" in item:
                    keys.add(item["key"])
                else:
                    networks.add(item["id"])
    actors = db.read(
        "MATCH (a:Actor) WHERE a.key IN $keys "
        "RETURN a.key AS key, labels(a) AS labels, a.handle AS handle, a.name AS name",
        {"keys": sorted(keys)},
    )
    nets = [{"key": n, "labels": ["Network"], "handle": None, "name": n} for n in networks]
    return actors + nets


def _style_colour(grass: dict[str, dict[str, str]], labels: list[str]) -> str:
    # Browser applies every matching rule in file order; the last colour wins.
    colour = grass["node"]["color"]
    for selector, props in grass.items():
        parts = selector.split(".")
        if parts[0] == "node" and all(p in labels for p in parts[1:]) and "color" in props:
            colour = props["color"]
    return colour.upper()


def test_browser_shows_a_flagged_network_in_cibgraph_style(
    db: Database, detected_scenario: DetectedScenario, tmp_path: Path
) -> None:
    node = _require_tools()
    flagged = detected_scenario.result.flagged
    assert flagged, "the scenario has flagged networks"
    network = min(flagged, key=lambda n: (len(n.members), n.id))
    assert len(network.members) <= 100, "a network small enough to draw whole"
    expected = _expected_nodes(db, network.id)
    grass = parse_grass((browser_files() / GRASS_FILE).read_text(encoding="utf-8"))

    query = load_library().get("network_members")
    params = query.browser_params({"network_id": network.id})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "network_members.png"
    settings = db.settings
    server = serve_in_thread(0)
    base = server.base_url
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "browserUrl": _browser_url(),
                "boltUrl": settings.uri,
                "user": settings.user,
                "password": settings.password,
                "styleUrl": f"{base}/{GRASS_FILE}",
                "guideUrl": f"{base}/{GUIDE_FILE}",
                "guideTitle": GUIDE_TITLE,
                "paramLines": [line.rstrip(";") for line in params],
                "query": query.cypher,
                "screenshot": str(screenshot),
                "failureScreenshot": str(ARTIFACTS / "failure.png"),
                "chromium": str(CHROMIUM),
            }
        )
    )
    config.chmod(0o600)
    try:
        done = subprocess.run(
            [node, str(SCRIPT_DIR / "browser_check.mjs"), str(config)],
            cwd=SCRIPT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
    print(f"Browser screenshot: {screenshot}")
    assert done.stdout.strip(), f"no output from the Browser script; stderr: {done.stderr[-2000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, f"Browser script failed: {report.get('error')} {report}"

    steps = {s["name"]: s for s in report["steps"]}
    assert steps["guide played"]["firstBlock"] == f":style {base}/{GRASS_FILE}"
    assert f":style {base}/{GRASS_FILE}" in steps["guide played"]["editorAfterClick"]

    shown = report["nodes"]
    assert report["displaying"].startswith(f"Displaying {len(expected)} nodes")
    assert len(shown) == len(expected)
    assert Counter((n["fill"] or "").upper() for n in shown) == Counter(
        _style_colour(grass, e["labels"]) for e in expected
    )
    # Browser wraps a caption over lines and cuts words with "…"; every fragment it
    # shows must come from the page's name.
    page_colour = _style_colour(grass, ["Actor", "Page"])
    page_names = [e["name"] for e in expected if "Page" in e["labels"]]
    shown_pages = [n for n in shown if (n["fill"] or "").upper() == page_colour]
    assert len(shown_pages) == len(page_names)
    for shown_page in shown_pages:
        fragments = [line.rstrip("…").strip() for line in shown_page["caption"]]
        fragments = [f for f in fragments if f]
        assert fragments, "every page has a caption"
        assert any(all(f in name for f in fragments) for name in page_names), shown_page
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
