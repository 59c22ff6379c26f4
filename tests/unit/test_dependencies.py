"""Every runtime dependency declared in pyproject.toml is imported by the package itself.

A dependency nothing imports is weight every user installs for nothing (issue 19 found
two). Distribution names map to import names through the installed metadata
(``importlib.metadata.packages_distributions``), not a hand-kept table; the imports are
read with ``ast`` from every module under the package folders setup.py maps.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Declared for another package to load, never imported by name: the neo4j driver picks
# up its Rust encoder by itself when it is installed (neo4j._rust on the 6.x line,
# neo4j._codec.packstream._rust on 5.x).
LOADED_BY_ANOTHER = {"neo4j-rust-ext": ("neo4j._rust", "neo4j._codec.packstream._rust")}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> list[str]:
    """[project.dependencies], as canonical distribution names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = []
    for spec in project["dependencies"]:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
        assert match, spec
        names.append(canonical(match.group(0)))
    return names


def package_folders() -> list[Path]:
    """The folders setup.py installs as cibgraph.* (its ROOMS tuple)."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "ROOMS" for t in node.targets
        ):
            rooms = ast.literal_eval(node.value)
            return [ROOT / room for room in rooms]
    raise AssertionError("setup.py has no ROOMS")


def imported_top_levels(folders: list[Path]) -> set[str]:
    names: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names


@cache
def _modules_by_distribution() -> dict[str, set[str]]:
    provided: dict[str, set[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            provided.setdefault(canonical(dist), set()).add(module)
    return provided


def import_names(distribution: str) -> set[str]:
    """The top-level modules an installed distribution provides."""
    return _modules_by_distribution().get(distribution, set())


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    imported = imported_top_levels(package_folders())
    unused = {}
    for dist in declared():
        if dist in LOADED_BY_ANOTHER:
            continue
        provides = import_names(dist)
        assert provides, f"{dist} is declared but not installed"
        if not provides & imported:
            unused[dist] = sorted(provides)
    assert unused == {}, f"declared in pyproject.toml, imported nowhere: {unused}"


def test_dependencies_loaded_by_another_are_declared_and_present() -> None:
    for dist, modules in LOADED_BY_ANOTHER.items():
        assert dist in declared(), f"{dist} is no longer declared: drop it from the list"
        found = [m for m in modules if importlib.util.find_spec(m) is not None]
        assert found, f"{dist} provides none of {modules}"


def test_the_scan_tells_used_from_unused() -> None:
    # hypothesis is installed (dev) and only tests use it: the scan must not find it.
    imported = imported_top_levels(package_folders())
    assert "neo4j" in imported and "graphdatascience" in imported and "pydantic" in imported
    assert "hypothesis" in import_names("hypothesis")
    assert "hypothesis" not in imported
    assert "tests" not in {p.name for p in package_folders()}
