"""The pinned server parts. Changing one changes the cache key, so builds never mix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerParts:
    neo4j: str = "5.26.30"
    # 5.24.0 is the newest Browser published to Maven Central; it pairs with 5.26.
    browser: str = "5.24.0"
    # GDS 2.13 is the line documented for Neo4j 5.26 (newer lines need Neo4j 2025.x / Java 21).
    gds: str = "2.13.9"
    # The newest APOC 5.26.x on Maven Central; close to, not equal to, the engine patch.
    apoc: str = "5.26.19"

    @property
    def cache_key(self) -> str:
        return f"neo4j-{self.neo4j}_gds-{self.gds}_apoc-{self.apoc}_browser-{self.browser}"

    def maven_properties(self) -> dict[str, str]:
        return {
            "neo4j.version": self.neo4j,
            "browser.version": self.browser,
            "gds.version": self.gds,
            "apoc.version": self.apoc,
        }


PARTS = ServerParts()
