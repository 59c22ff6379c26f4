"""Maps the top-level rooms onto the `cibgraph.*` namespace.

`graph`, `queries` and `loaders` are taken on PyPI, so the folders install as
`cibgraph.graph`, `cibgraph.queries`, ... ; everything else lives in pyproject.toml.

The mapping is the folder `.typecheck/cibgraph/`, one symlink per room (mypy reads the
same tree). It is a plain source folder to setuptools (`package_dir = {"": ".typecheck"}`),
so an editable install is one `.pth` line and prints nothing, and every folder of a room,
data-only ones included (the Maven assembly, Browser's files), is a package whose files
are package data by extension: setuptools warns about any importable folder left out of
`packages`. Adding a room is one word in ROOMS and its symlink.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

ROOMS = ("core", "queries", "graph", "loaders", "scenario", "cli")

SOURCE = ".typecheck"
# Build output and caches are not part of a room: Maven's target/ under the assembly.
NOT_PACKAGES = ("*.__pycache__", "*.__pycache__.*", "*.target", "*.target.*")
# The non-Python files the rooms read at run time (queries, Maven poms, Browser's style
# and guide); README's screenshots stay out of the install.
DATA = ["*.cypher", "pom.xml", "*.grass", "*.html", "*.sql"]


def _packages(rooms: tuple[str, ...]) -> list[str]:
    missing = [r for r in rooms if not Path(SOURCE, "cibgraph", r, "__init__.py").is_file()]
    if missing:
        raise SystemExit(
            f"setup.py: no {SOURCE}/cibgraph/<room> link for {', '.join(missing)}; "
            f"add one per room: ln -s ../../ROOM {SOURCE}/cibgraph/ROOM"
        )
    found = find_namespace_packages(
        where=SOURCE,
        include=[p for r in rooms for p in (f"cibgraph.{r}", f"cibgraph.{r}.*")],
        exclude=NOT_PACKAGES,
    )
    return ["cibgraph", *found]


setup(
    packages=_packages(ROOMS),
    package_dir={"": SOURCE},
    package_data={"": DATA},
)
