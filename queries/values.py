"""Parameter values: CLI strings in (typed like each default), Cypher literals out.

The literals are for Browser's ``:param`` lines only; queries always receive values as
driver parameters, never pasted into their text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from cibgraph.core.errors import UsageError

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class InvalidParameterValue(UsageError):
    """A parameter value cannot be turned into the type of its default."""


def coerce_value(query: str, name: str, raw: str, default: Any) -> Any:
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        parsed = raw

    def bad(expected: str) -> InvalidParameterValue:
        return InvalidParameterValue(
            f"Parameter '{name}' of '{query}' expects {expected}, got {raw!r}.",
            f"for example --param {name}={json.dumps(default)}",
        )

    if default is None:
        return parsed
    if isinstance(default, bool):
        if isinstance(parsed, bool):
            return parsed
        if isinstance(parsed, str) and parsed.lower() in ("true", "false", "yes", "no"):
            return parsed.lower() in ("true", "yes")
        if parsed in (0, 1) and not isinstance(parsed, float):
            return bool(parsed)
        raise bad("true or false")
    if isinstance(default, int):
        if isinstance(parsed, int) and not isinstance(parsed, bool):
            return parsed
        if isinstance(parsed, float) and parsed.is_integer():
            return int(parsed)
        raise bad("a whole number")
    if isinstance(default, float):
        if (
            isinstance(parsed, int | float)
            and not isinstance(parsed, bool)
            and math.isfinite(parsed)
        ):
            return float(parsed)
        raise bad("a number")
    if isinstance(default, str):
        # Only a JSON string is unwrapped; anything else is the text exactly as typed.
        return parsed if isinstance(parsed, str) else raw
    if isinstance(default, list):
        if isinstance(parsed, list):
            items = parsed
        elif isinstance(parsed, str):
            items = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            items = [parsed]
        sample = default[0] if default else None
        if sample is None:
            return items
        return [
            coerce_value(query, name, item if isinstance(item, str) else json.dumps(item), sample)
            for item in items
        ]
    if isinstance(default, dict):
        if isinstance(parsed, dict) and all(is_plain(v) for v in parsed.values()):
            return parsed
        raise bad('a JSON object, e.g. {"IN": "INR"}')
    raise bad(type(default).__name__)


def cypher_literal(value: Any) -> str:
    """A Cypher expression for ``value``, for the Browser ``:param`` lines only."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"{value} has no Cypher literal.")
        return repr(value)
    if isinstance(value, str):
        return "'" + _escape_string(value) + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = (f"{_map_key(str(k))}: {cypher_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise UsageError(f"A {type(value).__name__} value has no Cypher literal.")


_STRING_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def _escape_string(text: str) -> str:
    return "".join(
        _STRING_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in text
    )


def _map_key(key: str) -> str:
    return key if IDENTIFIER.match(key) else "`" + key.replace("`", "``") + "`"


def is_plain(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_plain(v) and not isinstance(v, list | dict) for v in value)
    if isinstance(value, dict):
        # Reference tables such as country -> currency; flat, with identifier keys.
        return all(
            isinstance(k, str)
            and IDENTIFIER.match(k)
            and is_plain(v)
            and not isinstance(v, list | dict)
            for k, v in value.items()
        )
    return False
