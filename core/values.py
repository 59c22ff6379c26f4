"""Value helpers every room shares."""

from __future__ import annotations

import json
from typing import Any


def native(value: Any) -> Any:
    """Neo4j temporal values (``neo4j.time.DateTime``, ...) as Python ones; others unchanged.

    Duck-typed on ``to_native`` so this kernel needs no driver import.
    """
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def stored_json(value: Any, default: Any) -> Any:
    """A property stored as a JSON string, decoded; ``default`` when absent or unreadable."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return default
    return default if value is None else value
