"""Value helpers every room shares."""

from __future__ import annotations

from typing import Any


def native(value: Any) -> Any:
    """Neo4j temporal values (``neo4j.time.DateTime``, ...) as Python ones; others unchanged.

    Duck-typed on ``to_native`` so this kernel needs no driver import.
    """
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value
