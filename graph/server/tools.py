"""Finding Java and Maven, and saying clearly what to install when they are missing."""

from __future__ import annotations

import re
import shutil
import subprocess

from cibgraph.core.errors import ToolMissing

DEBIAN_PACKAGES = "openjdk-17-jdk-headless maven"
_INSTALL_HINT = (
    f"install them with `sudo apt-get install -y {DEBIAN_PACKAGES}` "
    "(./run demo and ./run test do this themselves when run as root)"
)


def java_major(version_output: str) -> int | None:
    """Parse `java -version` output ('openjdk version "17.0.15"', '"1.8.0_392"')."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):  # Java 8 and older report "1.x"
        return int(match.group(2))
    return major


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ToolMissing("Java 17 is needed to run Neo4j 5.26 and was not found.", _INSTALL_HINT)
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    major = java_major(proc.stderr + proc.stdout)
    if major is None or major < 17:
        raise ToolMissing(
            f"Neo4j 5.26 needs Java 17 or newer; `{java}` is {major or 'unknown'}.", _INSTALL_HINT
        )
    return java


def find_maven() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ToolMissing(
            "Maven is needed to assemble Neo4j from Maven Central and was not found.",
            _INSTALL_HINT,
        )
    return mvn
