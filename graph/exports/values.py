"""Query results as plain Python values that JSON, CSV and tables can all print.

``Record.data()`` already turns nodes into property dicts, relationships into
``(start, type, end)`` tuples and paths into alternating node/type lists; what is
left are Neo4j's temporal and spatial types, which no serialiser knows.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time


def plain(value: Any) -> Any:
    """Return ``value`` built only from None, bool, int, float, str, list and dict.

    Temporal values become ISO 8601 strings (durations too: ``P1DT2H``); points become
    ``{"srid": ..., "x": ..., "y": ...}``; non-finite floats become the strings
    ``"NaN"``/``"Infinity"``/``"-Infinity"`` because JSON has no literal for them.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Date | DateTime | Time | Duration):
        return value.iso_format()
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return Duration(seconds=value.total_seconds()).iso_format()
    if isinstance(value, Point):
        return {"srid": value.srid, **dict(zip(("x", "y", "z"), value, strict=False))}
    # Rows from Record.data() never hold these; rows built from Result objects might.
    if isinstance(value, Node):
        return {key: plain(v) for key, v in value.items()}
    if isinstance(value, Relationship):
        return [plain(value.start_node), value.type, plain(value.end_node)]
    if isinstance(value, Path):
        items: list[Any] = [plain(value.start_node)]
        for rel, node in zip(value.relationships, value.nodes[1:], strict=True):
            items += [rel.type, plain(node)]
        return items
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): plain(v) for key, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)
