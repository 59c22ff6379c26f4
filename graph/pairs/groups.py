"""Single-link groups over candidate links, named by their smallest member.

Text clusters and near-equal image hashes both turn links between keys into groups
whose id must be stable from run to run: the smallest key of the group roots it.
"""

from __future__ import annotations


class SmallestRootGroups:
    """Union-find over the linked keys only; a key never linked is in no group."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _find(self, x: str) -> str:
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def link(self, x: str, y: str) -> None:
        self._parent.setdefault(x, x)
        self._parent.setdefault(y, y)
        rx, ry = self._find(x), self._find(y)
        if rx != ry:
            # The smaller key roots the merged tree: the id is the group's minimum.
            self._parent[max(rx, ry)] = min(rx, ry)

    def groups(self) -> dict[str, str]:
        """key -> its group's id (smallest key), for every linked key."""
        return {x: self._find(x) for x in self._parent}
