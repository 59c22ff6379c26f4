"""README's command reference, generated from the commands' own help text.

`python -m cibgraph.cli.reference` prints it; a test checks README holds exactly
this, so the reference cannot drift from `--help`.
"""

from __future__ import annotations

from typing import Any

import typer

from cibgraph.cli.main import app


def _walk(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name, command in sorted(getattr(group, "commands", {}).items()):
        path = (*prefix, name)
        if getattr(command, "commands", None):
            rows.extend(_walk(command, path))
            continue
        first_line = (command.help or "").strip().split("\n", 1)[0].strip()
        rows.append(("cib " + " ".join(path), first_line))
    return rows


def reference() -> str:
    lines = ["| command | what it does |", "| --- | --- |"]
    for path, text in _walk(typer.main.get_command(app)):
        escaped = text.replace("|", "\\|")
        lines.append(f"| `{path}` | {escaped} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
