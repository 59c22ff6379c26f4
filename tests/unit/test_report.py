"""The report without a server: its words, its escaping, its pictures, and a whole report
written from the hand-made run of test_export (attacker-controlled names included)."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cibgraph.core.errors import OutputExists
from cibgraph.graph.exports.bundle import AttributionRecord, MemberRecord, read_bundle
from cibgraph.graph.report import write_report
from cibgraph.graph.report.charts import (
    drawn_members,
    network_picture,
    scores_picture,
    timeline_picture,
)
from cibgraph.graph.report.markdown import md_escape
from cibgraph.graph.report.text import (
    about,
    attribution_phrase,
    duration,
    network_paragraph,
    plural,
    spend_phrase,
)
from tests.unit.test_export import RUN, fake_run

PNG = b"\x89PNG\r\n\x1a\n"
EVIL_TEXT = "<img src=x onerror=alert(1)> see http://tracker.example/p.png"


def report_runner() -> Any:
    evidence = [
        {
            "section": "coordination",
            "subject": "account:a1",
            "object": "account:a2",
            "detail": {
                "weight": 2.5,
                "co_share": 1.5,
                "shared_admin": 1.0,
                "shared_identifier": 0.0,
                "objects": 3,
                "fastest_gap_s": 12,
                "sample": ["url:https://evil.example/?q=<script>", "text:abc123"],
            },
        },
        {
            "section": "shared admin",
            "subject": "account:a1",
            "object": "2 pages",
            "detail": {"pages": ["page:p1", "page:p2"]},
        },
        {
            "section": "shared identifier",
            "subject": "device:0123456789ab",
            "object": "3 accounts",
            "detail": {"accounts": ["account:a1", "account:a2", "account:a3"]},
        },
        {"section": "attribution", "subject": "@Org", "object": "it_cell", "detail": {}},
    ]
    t0 = datetime(2019, 3, 1, 10, 0, 0, tzinfo=UTC)
    shares = [
        {"actor": "account:a1", "at": t0, "text": EVIL_TEXT},
        {"actor": "account:a2", "at": t0.replace(second=9), "text": EVIL_TEXT},
        {"actor": "account:a3", "at": t0.replace(minute=4), "text": EVIL_TEXT},
    ]
    days = [{"day": date(2019, 3, d), "posts": d} for d in range(1, 20)]
    return fake_run(
        extra={
            "n.score AS score, n.flagged AS flagged": [
                {"score": 0.52, "flagged": True},
                {"score": 0.05, "flagged": False},
                {"score": 0.01, "flagged": False},
            ],
            "'coordination' AS section": evidence,
            "AS actor": shares,
            "date(p.created_at) AS day": days,
        }
    )


# ---------------------------------------------------------------------------
# Words


def test_rounded_figures_for_prose() -> None:
    assert about(206412) == "206,000"
    assert about(39000) == "39,000"
    assert about(2600283) == "2,600,000"
    assert about(999.6) == "1,000"
    assert about(12) == "12"
    assert plural(1, "page") == "1 page" and plural(138, "page") == "138 pages"
    assert plural(2, "other organisation") == "2 other organisations"


DURATIONS = [
    (None, "-"),
    (0, "0 s"),
    (59, "59 s"),
    (75, "1 min 15 s"),
    (120, "2 min"),
    (18180, "5 h 3 min"),
    (86400 * 3 + 3600 * 2, "3 d 2 h"),
    (86400, "1 d"),
]


@pytest.mark.parametrize(("seconds", "text"), DURATIONS)
def test_durations(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


def test_ad_spend_in_takedown_words() -> None:
    assert spend_phrase({}, 0) is None
    assert (
        spend_phrase({"INR": 2730000.0}, 39000.0)
        == "about USD 39,000 in ads, paid for in Indian rupees"
    )
    mostly = spend_phrase({"INR": 2730000.0, "USD": 900.0}, 39900.0)
    assert mostly == "about USD 39,900 in ads, paid for mostly in Indian rupees"
    mixed = spend_phrase({"USD": 1000.0, "GBP": 770.0, "EUR": 880.0}, 3000.0)
    assert mixed is not None and "paid for in euros, British pounds and US dollars" in mixed, (
        "ties: by code"
    )
    unknown = spend_phrase({"XYZ": 5.0, "USD": 10.0}, 10.0)
    assert unknown is not None and "XYZ" in unknown and "no USD rate" in unknown


def test_network_paragraph_reads_like_a_takedown() -> None:
    bundle = read_bundle(fake_run())
    network = bundle.networks[0]
    text = " ".join(network_paragraph(network, bundle.attribution_of(network.id)))
    assert text.startswith(
        "Candidate network of 1 page and 3 accounts (1 of them running the pages), linked by "
        "the coordination signals measured below."
    )
    assert "Verdict tier: coordinated and inauthentic by the measured cues (flagged)." in text
    assert "over cues covering 88% of the cue weight" in text
    assert "not a finding about anyone's intent" in text
    for claim in ("We identified", "misled", "acted together"):
        assert claim not in text, "the words say what was measured, never intent"
    assert "About 206,000 accounts followed one or more of these pages" in text
    assert "about USD 39,000 in ads, paid for in Indian rupees" in text
    assert "First activity: 2014-03-02; most recent: 2019-03-30." in text
    assert "Attributed to: @Org | *bold* (50% of members, IT cell)." in text


def test_attribution_phrase_names_the_rest() -> None:
    orgs = [
        AttributionRecord("n", f"o{i}", f"Org {i}", None, None, 0.1, 1, 0, (), None)
        for i in range(5)
    ]
    phrase = attribution_phrase(orgs)
    assert phrase is not None and phrase.endswith("2 other organisations")


def test_markdown_escaping_leaves_no_markup() -> None:
    assert md_escape("<b>x</b> & *y* [z](u) | `c`") == (
        "\\<b\\>x\\</b\\> \\& \\*y\\* \\[z\\](u) \\| \\`c\\`"
    )
    assert md_escape("# title") == "\\# title"
    assert md_escape("1. item") == "1\\. item"
    assert md_escape("two\nlines") == "two lines"
    assert md_escape("go to https://x.example or www.y.example") == (
        "go to https\\://x.example or www\\.y.example"
    )


# ---------------------------------------------------------------------------
# Pictures


def _members(n: int, role: str = "account") -> list[MemberRecord]:
    return [
        MemberRecord(
            "net",
            f"{role}:{i:03d}",
            str(i),
            "page" if role == "page" else "account",
            role,
            f"$\\frac{{{i}}}{{2}}$ name",
            None,
            10,
            None,
            None,
            None,
            None,
            strength=float(i),
        )
        for i in range(n)
    ]


def test_network_drawing_is_deterministic_and_survives_mathtext_names() -> None:
    members = _members(8) + _members(3, "page") + _members(2, "admin")
    first = network_picture("net", members, [])
    again = network_picture("net", members, [])
    assert first.png.startswith(PNG) and first.png == again.png
    assert "Only" not in first.caption


def test_huge_networks_are_capped_and_the_caption_says_so() -> None:
    members = _members(300) + _members(60, "page") + _members(10, "admin")
    drawn = drawn_members(members, 150)
    assert len(drawn) == 150
    roles = [m.role for m in drawn]
    assert roles.count("admin") == 10, "every admin is drawn"
    assert roles.count("page") == round(140 * 60 / 360)
    picture = network_picture("net", members, [], cap=150)
    assert "Only 150 of 370 members are drawn" in picture.caption


def test_timeline_and_scores() -> None:
    daily = timeline_picture("net", [(date(2019, 3, d), d) for d in range(1, 10)])
    assert daily.png.startswith(PNG) and "per day" in daily.caption
    weekly = timeline_picture("net", [(date(2018, 1, 1), 3), (date(2019, 1, 1), 4)])
    assert "per week" in weekly.caption
    assert timeline_picture("net", []).png.startswith(PNG)
    scores = scores_picture([(0.5, True), (0.1, False)], 0.2)
    assert scores.png.startswith(PNG) and "1 reach the threshold of 0.2" in scores.caption


# ---------------------------------------------------------------------------
# A whole report


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "poster", "srcset", "data", "background"):
                self.urls.append((tag, name, value or ""))


def test_report_is_self_contained_escaped_and_matches_its_markdown(tmp_path: Path) -> None:
    result = write_report(report_runner(), None, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    parser = _Attributes()
    parser.feed(html)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert parser.urls, "the pictures are there"
    for tag, name, value in parser.urls:
        assert (tag, name) == ("img", "src") and value.startswith("data:image/png;base64,")
        assert base64.b64decode(value.split(",", 1)[1]).startswith(PNG)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)
    assert "url(" not in html
    # Data is escaped, never markup.
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;" in html
    assert "@Org | *bold*" in html
    assert f"detection run {RUN}" in html
    for words in ("Candidate network of 1 page and 3 accounts", "Indian rupees", "co-sharing"):
        assert words in html
    assert "device:0123456789ab" in html, "identifiers appear as hash prefixes"

    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert sorted(images) == ["network-0001.png", "scores.png", "timeline-0001.png"]
    for name in images:
        assert (tmp_path / name).read_bytes().startswith(PNG)
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S)  # fenced Cypher keeps its arrows
    assert not re.search(r"(?<!\\)<", prose), "no raw HTML from data"
    assert "\\<img src=x" in markdown
    assert "Candidate network of 1 page and 3 accounts" in markdown
    assert "IT cell" in markdown and "it cell" not in markdown
    assert "coordinated\\_inauthentic" in markdown, "the tier is in the tables"
    assert "unknown cues (no data; not counted)" in markdown
    assert result.to_dict()["counts"] == {"candidates": 3, "flagged": 1, "described": 1}
    assert {p.name for p in result.files} == {
        "report.html",
        "report.md",
        "scores.png",
        "network-0001.png",
        "timeline-0001.png",
    }


def test_report_does_not_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("mine")
    with pytest.raises(OutputExists):
        write_report(report_runner(), None, tmp_path)
    assert (tmp_path / "report.md").read_text() == "mine"
    write_report(report_runner(), None, tmp_path, force=True)
    assert (tmp_path / "report.md").read_text() != "mine"


def test_top_zero_keeps_the_summary_only(tmp_path: Path) -> None:
    result = write_report(report_runner(), None, tmp_path, top=0)
    assert result.described == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Flagged candidate networks" in html and "Candidate network n0001" not in html
    assert "cib report --top N" in html


def _nothing_flagged() -> Any:
    """The test run with every network unassessable: behaviour-only data."""
    from tests.unit import test_export as data

    networks = []
    for n in data.NETWORKS:
        props = {**n["props"], "flagged": False, "tier": "coordinated_unassessable"}
        networks.append({"props": props})

    def pick(rows: list[dict[str, Any]], network_of: Any) -> Any:
        def answer(params: dict[str, Any]) -> list[dict[str, Any]]:
            if params.get("flagged_only"):
                return []
            top = params.get("max_rank")
            ranks = {n["props"]["id"]: n["props"]["rank"] for n in networks}
            return [r for r in rows if top is None or all(ranks[x] <= top for x in network_of(r))]

        return answer

    runner = report_runner()
    runner.answers.update(
        {
            "properties(n) AS props": pick(networks, lambda r: [r["props"]["id"]]),
            "a:Page AS is_page": pick(data.MEMBERS, lambda r: [r["network"]]),
            "properties(e) AS props": pick(
                data.EDGES, lambda r: [r["source_network"], r["target_network"]]
            ),
            "org.id AS org_id": pick(data.ATTRIBUTION, lambda r: [r["network"]]),
            "n.score AS score, n.flagged AS flagged": [
                {"score": 0.52, "flagged": False, "tier": "coordinated_unassessable"},
                {"score": 0.05, "flagged": False, "tier": "coordinated_unassessable"},
            ],
        }
    )
    return runner


def test_report_describes_the_top_candidates_when_none_is_flagged(tmp_path: Path) -> None:
    result = write_report(_nothing_flagged(), None, tmp_path, top=1)
    assert result.to_dict()["counts"] == {"candidates": 2, "flagged": 0, "described": 1}
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "No network reached the threshold in this run, so none is flagged" in markdown
    assert "described below all the same, as candidates for review, not findings" in markdown
    assert "Candidate network n0001 (rank 1): coordinated\\_unassessable" in markdown
    assert "Candidate network n0002" not in markdown, "only the top one, as asked"
    assert "coordinated; authenticity not assessable (no account metadata)" in markdown


def test_drawing_caption_counts_accounts_as_the_tables_do() -> None:
    bundle = read_bundle(fake_run())
    network = bundle.networks[0]
    members = bundle.members_of(network.id)
    caption = network_picture(network.id, members, bundle.edges_of(network.id)).caption
    # The table says 3 accounts, 1 of them an admin; the caption must say the same.
    assert (network.accounts, network.admins) == (3, 1)
    assert "(1 pages and 3 accounts, 1 of them admins of member pages)" in caption
