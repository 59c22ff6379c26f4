"""What CI checks for every query file (the database EXPLAINs them too).

Headers against the schema, parameters declared and used, a ``LIMIT`` unless the query
says it is unbounded, and no write clause in a library query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from typing import Any

from cibgraph.queries.registry import (
    CATEGORIES,
    OPTIONAL_KEYS,
    REQUIRED_KEYS,
    SUFFIX,
    InvalidQueryFile,
    LibraryQuery,
    _package_files,
    _query_files,
    parse_query,
)
from cibgraph.queries.values import IDENTIFIER, is_plain

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LIMIT = re.compile(r"\bLIMIT\b", re.IGNORECASE)
_WRITE = re.compile(
    r"(?<![.\w`$:])(CREATE|MERGE|DELETE|SET|REMOVE|FOREACH|LOAD\s+CSV)\b", re.IGNORECASE
)


def validate_query(query: LibraryQuery) -> list[str]:
    """Everything wrong with one query's header and its use of parameters."""
    header = query.header
    problems = [f"missing header key '{key}'" for key in REQUIRED_KEYS if key not in header]
    unknown = sorted(set(header) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    problems += [f"unknown header key '{key}'" for key in unknown]

    name = header.get("name")
    if "name" in header:
        if not isinstance(name, str) or not _SNAKE.match(name):
            problems.append(f"name {name!r} is not snake_case")
        elif name != query.stem:
            problems.append(f"name '{name}' differs from the file name '{query.stem}{SUFFIX}'")
    for key in ("title", "description"):
        if key in header and not (isinstance(header[key], str) and header[key].strip()):
            problems.append(f"{key} must be non-empty text")
    if "category" in header and header["category"] not in CATEGORIES:
        problems.append(f"category {header['category']!r} is not one of {', '.join(CATEGORIES)}")
    revision = header.get("revision")
    if "revision" in header and not (
        isinstance(revision, int) and not isinstance(revision, bool) and revision > 0
    ):
        problems.append(f"revision {revision!r} is not a positive integer")
    problems += _reference_problems(header)
    if "unbounded" in header and not isinstance(header["unbounded"], bool):
        problems.append("unbounded must be true or false")
    problems += _parameter_problems(header.get("parameters"), "parameters" in header)

    code = strip_literals(query.cypher)
    if not code.strip():
        problems.append("no Cypher after the header")
    used = set(_PARAM.findall(code))
    declared = {p.name for p in query.parameters}
    problems += [f"${name} is used but not declared" for name in sorted(used - declared)]
    problems += [f"parameter '{name}' is declared but not used" for name in sorted(declared - used)]
    if not query.unbounded and not _LIMIT.search(code):
        problems.append("no LIMIT: cap the rows, or say `unbounded: true` in the header")
    write = _WRITE.search(code)
    if write:
        problems.append(f"writes ({write.group(1).upper()}): library queries are read-only")
    return problems


def _reference_problems(header: Mapping[str, Any]) -> list[str]:
    if "references" not in header:
        return []
    refs = header["references"]
    if not isinstance(refs, list) or not all(
        isinstance(r, str) and r.startswith(("https://", "http://")) for r in refs
    ):
        return ["references must be a list of http(s) URLs"]
    return []


def _parameter_problems(raw: Any, present: bool) -> list[str]:
    if not present:
        return []
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return ["parameters must be a mapping (write `parameters: {}` for none)"]
    problems = []
    for name, spec in raw.items():
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            problems.append(f"parameter name {name!r} is not an identifier")
            continue
        if not isinstance(spec, dict) or set(spec) != {"default", "description"}:
            problems.append(f"parameter '{name}' needs exactly `default` and `description`")
            continue
        if not (isinstance(spec["description"], str) and spec["description"].strip()):
            problems.append(f"parameter '{name}' has no description")
        if not is_plain(spec["default"]):
            problems.append(
                f"parameter '{name}' default {spec['default']!r} is not null, a boolean, "
                "a number, text, or a flat list or map of those (quote dates: '2019-04-01')"
            )
    return problems


def validate_library(root: Traversable | None = None) -> list[str]:
    """Every problem in every library file, each prefixed with its file name."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for file in _query_files(root or _package_files()):
        try:
            query = parse_query(file.read_text(encoding="utf-8"), str(file))
        except InvalidQueryFile as exc:
            problems.append(exc.message)
            continue
        problems += [f"{file.name}: {problem}" for problem in validate_query(query)]
        if query.name in seen:
            problems.append(f"{file.name}: name '{query.name}' is also used by {seen[query.name]}")
        seen[query.name] = file.name
    return problems


def strip_literals(cypher: str) -> str:
    """The Cypher with comments, string literals and `quoted` names blanked out.

    Keeps offsets and line breaks, so a ``$name`` or ``LIMIT`` inside a string or a
    comment is not mistaken for code.
    """
    out: list[str] = []
    i, n = 0, len(cypher)
    while i < n:
        two = cypher[i : i + 2]
        char = cypher[i]
        if two == "//":
            end = cypher.find("\n", i)
            end = n if end == -1 else end
        elif two == "/*":
            end = cypher.find("*/", i + 2)
            end = n if end == -1 else end + 2
        elif char in "'\"`":
            end = i + 1
            while end < n and cypher[end] != char:
                # Backslash escapes apply in strings; a doubled backtick is an escaped one.
                end += 2 if cypher[end] == "\\" and char != "`" else 1
            end = min(end + 1, n)
        else:
            out.append(char)
            i += 1
            continue
        out.append("".join(c if c == "\n" else " " for c in cypher[i:end]))
        i = end
    return "".join(out)
