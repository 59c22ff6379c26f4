"""Docs cannot drift: every command has help text and appears in README."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from cibgraph.cli.main import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    found: list[tuple[tuple[str, ...], object]] = []
    for name, command in getattr(group, "commands", {}).items():
        path = (*prefix, name)
        found.append((path, command))
        found.extend(_commands(command, path))
    return found


def test_every_command_has_help_text() -> None:
    root = typer.main.get_command(app)
    missing = [
        " ".join(path) for path, command in _commands(root) if not getattr(command, "help", None)
    ]
    assert missing == [], f"commands without help text: {missing}"


def test_every_command_appears_in_readme() -> None:
    text = README.read_text()
    root = typer.main.get_command(app)
    missing = []
    for path, _ in _commands(root):
        pattern = r"\bcib " + r"\s+".join(re.escape(p) for p in path) + r"\b"
        if not re.search(pattern, text):
            missing.append("cib " + " ".join(path))
    assert missing == [], f"commands missing from README: {missing}"


def test_readme_quick_start_is_two_commands() -> None:
    text = README.read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.S)
    assert block, "the quick start has a code block"
    commands = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]
    assert commands == ["./run demo", "./run test"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text()
    runs = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert "./run test" in runs


def test_generated_readme_blocks_are_current() -> None:
    from cibgraph.cli.readme import refreshed

    text = README.read_text()
    assert refreshed(text) == text, "run `python -m cibgraph.cli.readme --write`"
