"""What cibgraph writes for people and tools (issue 13 item 10): exports and reports that
never stop halfway on a symlink or keep an older report's pictures, and names whose bidi
controls cannot make them read as something else."""

from __future__ import annotations

from pathlib import Path

import pytest

from cibgraph.core.display import mark_bidi, terminal_safe
from cibgraph.core.errors import UnsafeOutputPath
from cibgraph.graph.exports.export import export_run
from cibgraph.graph.report import write_report
from cibgraph.graph.report.html import escape as html_escape
from cibgraph.graph.report.markdown import md_escape
from cibgraph.loaders.sources import detect_format
from tests.unit import test_export as export
from tests.unit.test_export import fake_run
from tests.unit.test_report import report_runner

SPOOFED = "evil\u202egnp.exe"  # shows as "evilexe.png"


@pytest.mark.parametrize("force", [False, True])
def test_an_in_folder_symlink_is_refused_before_anything_is_written(
    tmp_path: Path, force: bool
) -> None:
    # members.csv -> networks.csv: the export wrote networks.csv, then found "members.csv"
    # there already and stopped halfway (without --force), or wrote one file over the other.
    (tmp_path / "members.csv").symlink_to(tmp_path / "networks.csv")
    with pytest.raises(UnsafeOutputPath, match=r"symlink to networks\.csv") as caught:
        export_run(fake_run(), "csv", tmp_path, force=force)
    assert "remove the symlink" in (caught.value.hint or "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["members.csv"], "nothing written"


def test_report_force_removes_an_earlier_reports_extra_pictures(tmp_path: Path) -> None:
    first = write_report(report_runner(), None, tmp_path)
    assert (tmp_path / "network-0001.png").is_file()
    # An earlier report described three networks; this run has one flagged.
    for stale in ("network-0002.png", "timeline-0002.png", "network-0003.png"):
        (tmp_path / stale).write_bytes(b"old picture")
    (tmp_path / "mine.png").write_bytes(b"not the report's")
    second = write_report(report_runner(), None, tmp_path, force=True)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([*(p.name for p in second.files), "mine.png"])
    assert [p.name for p in first.files] == [p.name for p in second.files]


def test_bidi_controls_are_marked_in_html_markdown_and_the_terminal() -> None:
    for shown in (html_escape(SPOOFED), md_escape(SPOOFED), terminal_safe(SPOOFED)):
        assert "\u202e" not in shown
        assert "U+202E" in shown
    assert mark_bidi("a\u2066b\u2069c\u200fd") == "a[U+2066]b[U+2069]c[U+200F]d"
    assert terminal_safe("x\x1b[2Jy\x9bz") == "x\\x1b[2Jy\\x9bz"
    assert mark_bidi("مرحبا and שלום") == "مرحبا and שלום", "RTL text itself is untouched"


def test_bidi_names_are_marked_in_a_written_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spoofed = [{**m, "name": f"page{SPOOFED}"} if m["is_page"] else m for m in export.MEMBERS]
    monkeypatch.setattr(export, "MEMBERS", spoofed)
    attribution = [{**a, "name": f"@Org{SPOOFED}"} for a in export.ATTRIBUTION]
    monkeypatch.setattr(export, "ATTRIBUTION", attribution)
    write_report(report_runner(), None, tmp_path)
    for name in ("report.html", "report.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "\u202e" not in text, name
        assert "U+202E" in text, name


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("posts.tsv", "tsv"), ("posts.tsv.gz", "tsv"), ("posts.csv", "csv"), ("a.jsonl", "jsonl")],
)
def test_tsv_is_its_own_format(tmp_path: Path, name: str, fmt: str) -> None:
    assert detect_format(tmp_path / name)[0] == fmt
