"""`cib report` as a library call: gather the facts, draw the pictures, write HTML + Markdown.

Files written (names fixed here, never taken from data): ``report.html`` (self-contained),
``report.md`` and the PNGs it shows (``scores.png``, ``network-0001.png``,
``timeline-0001.png``, ... numbered by position in the report).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cibgraph.core.runner import QueryRunner
from cibgraph.graph.exports.output import OutputDir
from cibgraph.graph.exports.progress import NoProgress, Progress
from cibgraph.graph.report.document import Pictures, build_document
from cibgraph.graph.report.facts import ReportFacts, gather_facts
from cibgraph.graph.report.html import render_html
from cibgraph.graph.report.markdown import render_markdown

HTML_FILE = "report.html"
MARKDOWN_FILE = "report.md"
SCORES_FILE = "scores.png"
DEFAULT_TOP = 10


def network_file(index: int) -> str:
    return f"network-{index:04d}.png"


def timeline_file(index: int) -> str:
    return f"timeline-{index:04d}.png"


# The numbered pictures of an earlier report: --force removes those this one does not write.
_NUMBERED = re.compile(r"^(network|timeline)-\d{4}\.png$")


def report_files(networks: int) -> list[str]:
    names = [HTML_FILE, MARKDOWN_FILE, SCORES_FILE]
    for index in range(1, networks + 1):
        names += [network_file(index), timeline_file(index)]
    return names


@dataclass(frozen=True)
class ReportResult:
    run_id: str
    out: Path
    files: list[Path]
    flagged: int
    described: int
    candidates: int

    @property
    def html(self) -> Path:
        return self.out / HTML_FILE

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "out": str(self.out),
            "html": str(self.html),
            "markdown": str(self.out / MARKDOWN_FILE),
            "files": [str(f) for f in self.files],
            "counts": {
                "candidates": self.candidates,
                "flagged": self.flagged,
                "described": self.described,
            },
        }


def draw(facts: ReportFacts, progress: Progress) -> tuple[Pictures, dict[str, bytes]]:
    """Every picture of the report, as PNG bytes under its fixed file name."""
    # Matplotlib and networkx take most of a second to import: only a report pays it,
    # not every `cib` command.
    from cibgraph.graph.report.charts import network_picture, scores_picture, timeline_picture

    progress.stage("Drawing pictures", 1 + 2 * len(facts.detailed))
    images: dict[str, bytes] = {}
    captions: dict[str, str] = {}
    scores = scores_picture(facts.scores, facts.run.threshold)
    images[SCORES_FILE], captions[SCORES_FILE] = scores.png, scores.caption
    progress.advance()
    networks: dict[str, str] = {}
    timelines: dict[str, str] = {}
    for index, network in enumerate(facts.detailed, start=1):
        nid = network.network.id
        drawing = network_picture(nid, network.members, network.edges)
        name = network_file(index)
        images[name], captions[name], networks[nid] = drawing.png, drawing.caption, name
        progress.advance()
        timeline = timeline_picture(nid, network.posts_per_day)
        name = timeline_file(index)
        images[name], captions[name], timelines[nid] = timeline.png, timeline.caption, name
        progress.advance()
    return Pictures(SCORES_FILE, networks, timelines, captions), images


def _remove_stale_pictures(root: Path, kept: set[str]) -> None:
    """An earlier report's numbered PNGs that this one did not write (it describes fewer
    networks): left behind, report.md's folder would hold pictures of other networks."""
    for path in root.iterdir():
        if _NUMBERED.match(path.name) and path.name not in kept:
            path.unlink()


def write_report(
    runner: QueryRunner,
    run_id: str | None,
    out: str | Path,
    force: bool = False,
    top: int = DEFAULT_TOP,
    progress: Progress | None = None,
) -> ReportResult:
    """Write the HTML and Markdown report of one complete run (default: the newest)."""
    progress = progress or NoProgress()
    folder = OutputDir(out, force=force)
    # Refuse early (existing report, bad folder) before the queries and the drawing.
    folder.plan([HTML_FILE, MARKDOWN_FILE, SCORES_FILE])
    facts = gather_facts(runner, run_id, top, progress)
    facts.generated_at = datetime.now(UTC)
    folder.plan(report_files(len(facts.detailed)))
    pictures, images = draw(facts, progress)
    blocks = build_document(facts, pictures)
    title = f"CIB report: {facts.run.id}"
    progress.stage("Writing the report", len(images) + 2)
    for name in sorted(images):
        folder.write_bytes(name, images[name])
        progress.advance()
    folder.write_text(MARKDOWN_FILE, render_markdown(blocks))
    progress.advance()
    folder.write_text(HTML_FILE, render_html(blocks, images, title))
    progress.advance()
    if force:
        _remove_stale_pictures(folder.resolved_root, set(images))
    return ReportResult(
        run_id=facts.run.id,
        out=folder.resolved_root,
        files=list(folder.written),
        flagged=len(facts.flagged),
        described=len(facts.detailed),
        candidates=facts.candidates,
    )
