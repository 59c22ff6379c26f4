"""`cib report` on a real detected scenario: offline HTML with embedded pictures, Markdown
with its PNGs, and the numbers the database holds."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database
from tests.conftest import DetectedScenario

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "poster", "data"):
                self.links.append((tag, name, value or ""))


@pytest.fixture(scope="module")
def report_dir(
    detected_scenario: DetectedScenario, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        app, ["report", "--run", detected_scenario.run_id, "--out", str(out), "--top", "3"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_html_report_opens_offline(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(html)
    assert "script" not in parser.tags and "link" not in parser.tags and "iframe" not in parser.tags
    images = [value for tag, name, value in parser.links if (tag, name) == ("img", "src")]
    assert len(images) == len(parser.links), f"only images carry URLs: {parser.links[:5]}"
    assert images
    for value in images:
        assert value.startswith("data:image/png;base64,")
        assert base64.b64decode(value.split(",", 1)[1]).startswith(PNG)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", html, re.I)
    assert not re.search(r"url\(", html), "no CSS fetches either"


def test_report_states_the_databases_numbers(
    db: Database, detected_scenario: DetectedScenario, report_dir: Path
) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    run_id = detected_scenario.run_id
    networks = db.read(
        "MATCH (:DetectionRun {id: $id})<-[:DETECTED_IN]-(n:Network) "
        "RETURN count(n) AS all, sum(CASE WHEN n.flagged THEN 1 ELSE 0 END) AS flagged",
        {"id": run_id},
    )[0]
    assert f"found {networks['all']:,} candidate networks" in html
    assert f"{networks['flagged']:,} network" in html
    top = db.read(
        "MATCH (n:Network {run_id: $id, rank: 1}) RETURN n.pages AS pages, n.accounts AS accounts",
        {"id": run_id},
    )[0]
    # Candidate wording (issue 15): what was measured, no claim of intent.
    assert f"Candidate network of {top['pages']:,} pages and {top['accounts']:,} accounts" in html
    for heading in ("Run parameters", "data fingerprint", "co-share window", "cib detect"):
        assert heading in html
    assert detected_scenario.result.params.algorithm in html


def test_markdown_references_pngs_beside_it(report_dir: Path) -> None:
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert "scores.png" in images and "network-0001.png" in images
    assert "timeline-0001.png" in images
    for name in images:
        assert "/" not in name
        assert (report_dir / name).read_bytes().startswith(PNG)
    pngs = {p.name for p in report_dir.glob("*.png")}
    assert pngs == set(images), "every PNG written is shown, and only those"
