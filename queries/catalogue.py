"""The README's query catalogue, generated from the library so it cannot drift.

    python -m cibgraph.queries.catalogue > /tmp/catalogue.md

prints a Markdown table (one row per query, by category then name) to paste under
README's ``## Query catalogue`` heading; ``tests/unit/test_docs.py`` checks that every
query is listed there.
"""

from __future__ import annotations

import json

from cibgraph.queries.registry import CATEGORIES, Library, LibraryQuery, load_library


def _cell(text: str) -> str:
    # A pipe would end the cell; a newline would end the row.
    return " ".join(text.split()).replace("|", "\\|")


def _parameters(query: LibraryQuery) -> str:
    if not query.parameters:
        return "none"
    return "<br>".join(
        f"`{p.name}` = `{json.dumps(p.default, ensure_ascii=False)}`: {_cell(p.description)}"
        for p in query.parameters
    )


def render_catalogue(library: Library) -> str:
    order = {category: i for i, category in enumerate(CATEGORIES)}
    rows = [
        "| query | category | what it finds | parameters (default) |",
        "| --- | --- | --- | --- |",
    ]
    for q in sorted(library, key=lambda q: (order.get(q.category, len(order)), q.name)):
        what = f"**{_cell(q.title)}.** {_cell(q.description)}"
        rows.append(f"| `{q.name}` | {q.category} | {what} | {_parameters(q)} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    print(render_catalogue(load_library()), end="")


if __name__ == "__main__":
    main()
