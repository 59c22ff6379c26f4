"""What `cib db status` reports, as one plain dictionary (the --json form)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import neo4j
from neo4j import exceptions as neo

from cibgraph.core.errors import NotInstalled
from cibgraph.graph.server.install import is_built
from cibgraph.graph.server.instance import load_settings, read_password
from cibgraph.graph.server.paths import InstancePaths, build_paths
from cibgraph.graph.server.process import running_pid


def dir_size(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _server_versions(uri: str, password: str) -> dict[str, Any]:
    with neo4j.GraphDatabase.driver(
        uri, auth=("neo4j", password), connection_timeout=3.0
    ) as driver:
        session = driver.session()
        with session:
            row = session.run(
                "CALL dbms.components() YIELD name, versions, edition "
                "RETURN versions[0] AS neo4j, edition, gds.version() AS gds, apoc.version() AS apoc"
            ).single(strict=True)
    return {
        "neo4j": row["neo4j"],
        "edition": row["edition"],
        "gds": row["gds"],
        "apoc": row["apoc"],
    }


def collect_status(paths: InstancePaths) -> dict[str, Any]:
    build = build_paths()
    try:
        settings = load_settings(paths)
    except NotInstalled:
        return {
            "installed": False,
            "running": False,
            "home": str(paths.root),
            "build": str(build.root),
        }
    pid = running_pid(paths)
    built_versions: dict[str, Any] = {}
    if build.manifest.is_file():
        built_versions = json.loads(build.manifest.read_text()).get("parts", {})
    status: dict[str, Any] = {
        "installed": is_built(build),
        "running": pid is not None,
        "pid": pid,
        "bolt_uri": settings.bolt_uri,
        "browser_url": settings.browser_url,
        "heap": settings.heap,
        "pagecache": settings.pagecache,
        "home": str(paths.root),
        "build": str(build.root),
        "data_bytes": dir_size(paths.data),
        "versions": {
            "neo4j": built_versions.get("neo4j.version"),
            "gds": built_versions.get("gds.version"),
            "apoc": built_versions.get("apoc.version"),
            "browser": built_versions.get("browser.version"),
        },
        "versions_source": "build manifest",
    }
    if pid is not None:
        try:
            live = _server_versions(settings.bolt_uri, read_password(paths))
            status["versions"].update({k: live[k] for k in ("neo4j", "gds", "apoc")})
            status["edition"] = live["edition"]
            status["versions_source"] = "server"
        except neo.AuthError:
            status["error"] = (
                "running, but it refused the stored password (AuthError): the password "
                "file no longer matches the server's"
            )
        except (neo.Neo4jError, neo.DriverError, OSError) as exc:
            status["error"] = f"running, but not answering queries ({type(exc).__name__})"
    return status
