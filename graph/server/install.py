"""Assemble the local server from Maven Central into a per-user, per-version cache.

The unix tarball is not on Maven Central, so a small Maven project shipped with this
package (``assembly/``) copies the server's runtime closure into ``lib/`` and builds
one shaded plugin jar each for GDS and APOC. The result is cached under a folder
named for the versions; a second install only checks that cache, offline.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cibgraph.core.errors import CacheCorrupted, InstallFailed
from cibgraph.core.host import file_sha256
from cibgraph.graph.server.paths import BuildPaths, build_paths
from cibgraph.graph.server.tools import find_java, find_maven
from cibgraph.graph.server.versions import PARTS, ServerParts

LineSink = Callable[[str], None]

# A complete build has these; anything less is a broken cache.
_REQUIRED_PLUGINS = ("open-gds.jar", "apoc-core.jar")
_REQUIRED_LIB_PREFIXES = ("neo4j-server-", "neo4j-browser-", "neo4j-kernel-", "neo4j-bolt-")


@dataclass(frozen=True)
class BuildResult:
    paths: BuildPaths
    reused: bool
    seconds: float
    size_bytes: int


def _jar_inventory(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*.jar"))}


def verify_build(paths: BuildPaths, deep: bool = False) -> None:
    """Raise CacheCorrupted unless the build matches its manifest.

    The quick check (sizes) runs on every start; ``deep`` re-hashes every jar.
    """
    hint = "run `cib db install --force` to rebuild it"
    if not paths.manifest.is_file():
        raise CacheCorrupted(f"The server build in {paths.root} has no manifest.", hint)
    try:
        manifest = json.loads(paths.manifest.read_text())
        recorded: dict[str, dict[str, object]] = manifest["files"]
    except (ValueError, KeyError) as exc:
        raise CacheCorrupted(f"The manifest in {paths.root} is unreadable ({exc}).", hint) from None
    actual = _jar_inventory(paths.root)
    missing = sorted(set(recorded) - set(actual))
    if missing:
        raise CacheCorrupted(
            f"{len(missing)} jar(s) are missing from {paths.root}, e.g. {missing[0]}.", hint
        )
    for name, meta in recorded.items():
        if actual[name] != meta["size"]:
            raise CacheCorrupted(f"{name} in {paths.root} changed size since it was built.", hint)
        if deep and file_sha256(paths.root / name) != meta["sha256"]:
            raise CacheCorrupted(f"{name} in {paths.root} does not match its recorded hash.", hint)
    for plugin in _REQUIRED_PLUGINS:
        if not (paths.plugins / plugin).is_file():
            raise CacheCorrupted(f"Plugin {plugin} is missing from {paths.plugins}.", hint)


def is_built(paths: BuildPaths) -> bool:
    try:
        verify_build(paths)
    except CacheCorrupted:
        return False
    return True


def _copy_assembly(dest: Path) -> None:
    source = resources.files("cibgraph.graph.server") / "assembly"
    for rel in ("pom.xml", "lib/pom.xml", "gds/pom.xml", "apoc/pom.xml"):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.joinpath(rel).read_bytes())


def _run_maven(workdir: Path, parts: ServerParts, on_line: LineSink | None) -> None:
    mvn = find_maven()
    argv = [mvn, "-B", "--no-transfer-progress", "package"]
    argv += [f"-D{key}={value}" for key, value in parts.maven_properties().items()]
    log_lines: list[str] = []
    with subprocess.Popen(
        argv, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            log_lines.append(line)
            if on_line is not None:
                on_line(line)
        code = proc.wait()
    if code != 0:
        errors = [ln for ln in log_lines if "[ERROR]" in ln][:8] or log_lines[-15:]
        raise InstallFailed(
            "Maven could not assemble the server:\n" + "\n".join(errors),
            "check that Maven Central is reachable (https://repo.maven.apache.org); "
            "a proxy goes in ~/.m2/settings.xml",
        )


def _collect(workdir: Path, staging: Path) -> None:
    (staging / "lib").mkdir(parents=True)
    (staging / "plugins").mkdir()
    for jar in (workdir / "lib" / "target" / "lib").glob("*.jar"):
        shutil.move(str(jar), staging / "lib" / jar.name)
    shutil.move(
        str(workdir / "gds" / "target" / "open-gds.jar"), staging / "plugins" / "open-gds.jar"
    )
    shutil.move(
        str(workdir / "apoc" / "target" / "apoc-core.jar"), staging / "plugins" / "apoc-core.jar"
    )
    names = {p.name for p in (staging / "lib").iterdir()}
    for prefix in _REQUIRED_LIB_PREFIXES:
        if not any(n.startswith(prefix) for n in names):
            raise InstallFailed(
                f"The assembled lib/ lacks {prefix}*.jar; the Maven build is incomplete."
            )


def _write_manifest(staging: Path, parts: ServerParts, seconds: float) -> None:
    files = {
        name: {"size": size, "sha256": file_sha256(staging / name)}
        for name, size in _jar_inventory(staging).items()
    }
    manifest = {
        "parts": parts.maven_properties(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(seconds, 1),
        "files": files,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


def build_size(paths: BuildPaths) -> int:
    return sum(p.stat().st_size for p in paths.root.rglob("*") if p.is_file())


def ensure_build(
    parts: ServerParts = PARTS, force: bool = False, on_line: LineSink | None = None
) -> BuildResult:
    """Return the cached build, assembling it first when absent, broken or forced."""
    paths = build_paths(parts)
    started = time.monotonic()
    if not force and is_built(paths):
        return BuildResult(paths, True, time.monotonic() - started, build_size(paths))
    find_java()
    paths.root.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the cache and rename into place, so an interrupted build never
    # leaves something that looks complete.
    with tempfile.TemporaryDirectory(prefix=".build-", dir=paths.root.parent) as tmp:
        work = Path(tmp) / "assembly"
        staging = Path(tmp) / "staging"
        _copy_assembly(work)
        _run_maven(work, parts, on_line)
        _collect(work, staging)
        _write_manifest(staging, parts, time.monotonic() - started)
        if paths.root.exists():
            shutil.rmtree(paths.root)
        staging.rename(paths.root)
    verify_build(paths)
    return BuildResult(paths, False, time.monotonic() - started, build_size(paths))
