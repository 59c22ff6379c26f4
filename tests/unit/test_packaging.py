"""The install maps every room, and only rooms, onto `cibgraph.*` (setup.py).

setup.py installs from `.typecheck/cibgraph/`, one symlink per room, so a room without
its link would silently be missing from the install (and from mypy).
"""

from __future__ import annotations

import ast

from tests.conftest import REPO

LINKS = REPO / ".typecheck" / "cibgraph"
NOT_ROOMS = {"tests", "bench"}


def _setup_rooms() -> tuple[str, ...]:
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "ROOMS" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, tuple)
            return tuple(str(v) for v in value)
    raise AssertionError("setup.py has no ROOMS")


def test_every_room_is_in_setup_and_has_its_link() -> None:
    folders = {
        p.name
        for p in REPO.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and p.name not in NOT_ROOMS
    }
    assert set(_setup_rooms()) == folders
    links = {p.name: p for p in LINKS.iterdir()}
    assert set(links) == folders
    for name, link in links.items():
        assert link.is_symlink() and link.resolve() == REPO / name, name


def test_data_only_folders_are_inside_rooms_not_loose() -> None:
    # Every file a room reads at run time must be package data of its own folder: the
    # extensions setup.py ships are all the non-Python files under the rooms (except
    # README's screenshots and build output).
    shipped = {".cypher", ".grass", ".html", ".sql"}
    for room in _setup_rooms():
        for path in (REPO / room).rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts or "target" in path.parts:
                continue
            if path.suffix == ".py" or "screenshots" in path.parts:
                continue
            assert path.suffix in shipped or path.name == "pom.xml", path.relative_to(REPO)
