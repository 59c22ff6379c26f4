"""README's query catalogue lists every query in the library (and nothing that is gone)."""

from __future__ import annotations

import re
from pathlib import Path

from cibgraph.queries.catalogue import render_catalogue
from cibgraph.queries.registry import load_library

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Query catalogue"
REGENERATE = "regenerate the table with `python -m cibgraph.queries.catalogue`"


def catalogue_section(text: str) -> str | None:
    """The text under README's `## Query catalogue` heading, up to the next `## ` heading."""
    match = re.search(rf"^{re.escape(HEADING)}[ \t]*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else None


def test_every_query_in_catalogue() -> None:
    section = catalogue_section(README.read_text(encoding="utf-8"))
    assert section is not None, f"README.md has no '{HEADING}' section; {REGENERATE}"
    missing = [name for name in load_library().names() if not re.search(rf"\b{name}\b", section)]
    assert missing == [], f"queries missing from README's catalogue: {missing}; {REGENERATE}"


def test_catalogue_lists_no_query_that_is_gone() -> None:
    section = catalogue_section(README.read_text(encoding="utf-8")) or ""
    # Rows as the generator writes them: | `name` | category | ...
    listed = re.findall(r"^\|\s*`([a-z0-9_]+)`\s*\|", section, re.M)
    stale = sorted(set(listed) - set(load_library().names()))
    assert stale == [], (
        f"README's catalogue lists queries that no longer exist: {stale}; {REGENERATE}"
    )


def test_catalogue_section_is_found_between_headings() -> None:
    text = "# x\n## Query catalogue\n\n| `a_b` | x |\n\n## Next\n`c_d`\n"
    section = catalogue_section(text)
    assert section is not None
    assert "a_b" in section and "c_d" not in section
    assert catalogue_section("# x\n## Other\n") is None


def test_generated_catalogue_satisfies_these_checks() -> None:
    library = load_library()
    section = catalogue_section(f"# cibgraph\n{HEADING}\n\n{render_catalogue(library)}\n## Next\n")
    assert section is not None
    listed = re.findall(r"^\|\s*`([a-z0-9_]+)`\s*\|", section, re.M)
    assert listed and sorted(listed) == sorted(library.names())
