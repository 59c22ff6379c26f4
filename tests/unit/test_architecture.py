"""The rooms' import order: arrows run one way, with no cycle (ARCHITECTURE.md).

    cli -> scenario -> loaders -> graph -> queries -> core

A room may import itself and any room to its right, never one to its left; nothing but
``cli/`` imports ``cli/``. Imports are read from the source (``ast``), including those
inside functions, so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ORDER = ("cli", "scenario", "loaders", "graph", "queries", "core")


def _room_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "cibgraph":
                names = [f"cibgraph.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "cibgraph" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def violations(repo: Path) -> list[str]:
    """Every import that runs against ORDER, as ``file:line room -> room``."""
    rank = {room: i for i, room in enumerate(ORDER)}
    bad: list[str] = []
    for room in ORDER:
        for path in sorted((repo / room).rglob("*.py")):
            for line, target in _room_imports(path):
                if target not in rank:
                    bad.append(f"{path.relative_to(repo)}:{line} imports unknown room {target}")
                elif rank[target] < rank[room]:
                    bad.append(f"{path.relative_to(repo)}:{line} {room} -> {target}")
    return bad


def test_every_room_is_in_the_order() -> None:
    packaged = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert packaged == set(ORDER)


def test_imports_run_one_way() -> None:
    assert violations(REPO) == []


@pytest.mark.parametrize(
    ("room", "source"),
    [
        ("core", "from cibgraph.graph.connection import Database\n"),
        ("graph", "def f():\n    from cibgraph.loaders.contract import CONTRACT\n"),
        ("queries", "import cibgraph.cli.main\n"),
        ("loaders", "from cibgraph import scenario\n"),
    ],
)
def test_an_import_against_the_order_is_caught(tmp_path: Path, room: str, source: str) -> None:
    # A copy of the order's shape with one offending module: the check must see it.
    for name in ORDER:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / room / "offender.py").write_text(source)
    found = violations(tmp_path)
    assert len(found) == 1
    assert found[0].startswith(f"{room}/offender.py:")
