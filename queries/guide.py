"""The Neo4j Browser material: cibgraph's style sheet and the guide built from the library.

``queries/browser/`` holds two files Browser loads: ``cibgraph.grass`` (the style sheet)
and ``guide.html`` (a guide of runnable slides). The guide is generated from the query
library by this module (``python -m cibgraph.queries.guide --write-guide``), and a test
keeps the committed file equal to what it renders. ``graph/guide_server.py`` serves both
to Browser; ``cib browser`` says how to open them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

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
        "<!-- Generated by `python -m cibgraph.queries.guide --write-guide` from the query\n"
        "     library; edit queries/guide.py, not this file. Open it with\n"
        f"     :play {BASE_PLACEHOLDER}/{GUIDE_FILE} (after `cib browser --serve`). -->\n"
        "<title>cibgraph: from networks to evidence</title>\n"
        '<article class="guide">\n<carousel class="deck container-fluid">\n'
        f"{body}\n</carousel>\n</article>\n"
    )


def main(argv: list[str]) -> int:
    """``--write-guide`` regenerates queries/browser/guide.html from the query library."""
    if "--write-guide" not in argv:
        print(render_guide(), end="")
        return 0
    target = Path(__file__).resolve().parent / "browser" / GUIDE_FILE
    target.write_text(render_guide(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
