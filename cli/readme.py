"""README's generated blocks: the command reference, the query catalogue, the contract.

`python -m cibgraph.cli.readme --write` refreshes them in place; the docs test
fails when README differs from what this would write, so documentation cannot drift
from `--help`, the query headers or the contract.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from cibgraph.cli.reference import reference
from cibgraph.loaders.contract import contract_table
from cibgraph.queries.catalogue import render_catalogue
from cibgraph.queries.registry import load_library

BLOCKS: dict[str, Callable[[], str]] = {
    "cli-reference": reference,
    "query-catalogue": lambda: render_catalogue(load_library()),
    "data-contract": contract_table,
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", re.S)


def refreshed(text: str) -> str:
    for name, make in BLOCKS.items():
        pattern = _pattern(name)
        if not pattern.search(text):
            raise SystemExit(f"README has no <!-- {name}:start --> ... <!-- {name}:end --> block")
        body = make()

        def replace(match: re.Match[str], body: str = body) -> str:
            return match.group(1) + body + match.group(3)

        text = pattern.sub(replace, text)
    return text


def main(argv: list[str]) -> int:
    path = Path(argv[argv.index("--file") + 1]) if "--file" in argv else Path("README.md")
    current = path.read_text()
    updated = refreshed(current)
    if "--write" in argv:
        path.write_text(updated)
        return 0
    if updated != current:
        print(
            f"{path} is out of date: run `python -m cibgraph.cli.readme --write`", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
