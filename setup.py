"""Maps the top-level rooms onto the `cibgraph.*` namespace.

`graph`, `queries` and `loaders` are taken on PyPI, so the folders install as
`cibgraph.graph`, `cibgraph.queries`, ... ; everything else lives in pyproject.toml.
"""

from setuptools import find_packages, setup

ROOMS = ("core", "queries", "graph", "loaders", "scenario", "cli")

setup(
    packages=[f"cibgraph.{name}" for name in find_packages(include=[f"{r}*" for r in ROOMS])],
    package_dir={f"cibgraph.{room}": room for room in ROOMS},
    package_data={
        "cibgraph.graph.server": ["assembly/pom.xml", "assembly/*/pom.xml"],
        "cibgraph.queries": ["*.cypher", "browser/*"],
    },
)
