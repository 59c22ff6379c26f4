"""The query library: one ``.cypher`` file per query, its metadata in a comment header.

A file starts with a block of ``//`` lines holding YAML; the first line that is not a
``//`` comment (blank or Cypher) ends the header, and the rest is the query, runnable
unchanged in Neo4j Browser after the ``:param`` lines from ``browser_params()``::

    // name: shared_admins
    // title: Pages that share admins
    // category: signal
    // description: >
    //   Pairs of pages administered by the same accounts.
    // parameters:
    //   limit: {default: 100, description: "maximum rows"}
    // revision: 1

    MATCH ...
    RETURN ...
    LIMIT $limit

Comments about the Cypher itself go below the header's end. Values reach Neo4j only as
parameters: nothing a user types is ever pasted into the Cypher text.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from cibgraph.core.errors import CibError, QueryFailed, UsageError
from cibgraph.core.runner import QueryRunner, Row

CATEGORIES = ("signal", "exploration", "network", "provenance")
REQUIRED_KEYS = ("name", "title", "category", "description", "parameters", "revision")
OPTIONAL_KEYS = ("references", "unbounded")
SUFFIX = ".cypher"

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LIMIT = re.compile(r"\bLIMIT\b", re.IGNORECASE)
# A dot, colon or $ before the keyword makes it a property, label or parameter, not a clause.
_WRITE = re.compile(
    r"(?<![.\w`$:])(CREATE|MERGE|DELETE|SET|REMOVE|FOREACH|LOAD\s+CSV)\b", re.IGNORECASE
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TIMEOUT_CODES = ("TransactionTimedOut",)  # ...TimedOut and ...TimedOutClientConfiguration


class InvalidQueryFile(CibError):
    """A library file has no readable header (not YAML, or not a mapping)."""

    exit_code = 3


class UnknownQuery(UsageError):
    """No query in the library has this name."""


class UnknownParameter(UsageError):
    """A parameter was given that the query does not declare."""


class InvalidParameterValue(UsageError):
    """A parameter value cannot be turned into the type of its default."""


class QueryTimedOut(QueryFailed):
    """The query ran longer than its transaction timeout and was stopped by Neo4j."""


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    description: str


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    title: str
    category: str
    description: str
    parameters: tuple[Parameter, ...]
    revision: int
    cypher: str
    path: str
    references: tuple[str, ...] = ()
    unbounded: bool = False
    # The header as read, kept so validation can report what the dataclass cannot hold.
    header: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def stem(self) -> str:
        base = self.path.replace("\\", "/").rsplit("/", 1)[-1]
        return base.removesuffix(SUFFIX)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}

    def bind(self, overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Every declared parameter with its value: the default, or the override typed.

        Overrides are CLI strings. Each is read as JSON first (numbers, lists, booleans,
        null, quoted strings), else kept as the raw string, then coerced to the type of
        the parameter's default. A string default keeps the raw text, so
        ``actor_key=123`` binds ``"123"`` and an injection-looking value stays a string.
        """
        values = self.defaults
        for key, raw in (overrides or {}).items():
            if key not in values:
                known = ", ".join(sorted(values)) or "none"
                raise UnknownParameter(
                    f"Query '{self.name}' has no parameter '{key}'.",
                    f"its parameters are: {known}",
                )
            values[key] = _coerce(self.name, key, raw, values[key])
        return values

    def browser_params(self, values: Mapping[str, Any] | None = None) -> list[str]:
        """The ``:param name => value;`` lines that set this query's parameters in Browser."""
        bound = {**self.defaults, **(values or {})}
        return [f":param {name} => {cypher_literal(bound[name])};" for name in self.defaults]

    def browser_script(self, values: Mapping[str, Any] | None = None) -> str:
        """Exactly what to paste into Neo4j Browser: the ``:param`` lines, then the query."""
        return "\n".join([*self.browser_params(values), self.cypher]) + "\n"

    def run(
        self,
        runner: QueryRunner,
        overrides: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> list[Row]:
        """Bind ``overrides`` and run the query in a read transaction bounded by ``timeout``."""
        params = self.bind(overrides)
        try:
            return runner.read(self.cypher, params, timeout=timeout)
        except QueryFailed as exc:
            if is_timeout(exc):
                raise QueryTimedOut(
                    f"Query '{self.name}' did not finish within {timeout:g} s and was stopped."
                    if timeout
                    else f"Query '{self.name}' hit the server's transaction timeout.",
                    "allow more time with --timeout SECONDS, or ask for less "
                    "(a smaller --param limit=..., a narrower filter)",
                ) from None
            raise


@dataclass(frozen=True)
class Library:
    queries: tuple[LibraryQuery, ...]

    def __iter__(self) -> Iterator[LibraryQuery]:
        return iter(self.queries)

    def __len__(self) -> int:
        return len(self.queries)

    def names(self) -> list[str]:
        return [q.name for q in self.queries]

    def get(self, name: str) -> LibraryQuery:
        for query in self.queries:
            if query.name == name:
                return query
        close = difflib.get_close_matches(name, self.names(), n=3)
        hint = (
            f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else "`cib query list` shows every query"
        )
        raise UnknownQuery(f"No query named '{name}' in the library.", hint)

    def in_category(self, category: str | None) -> list[LibraryQuery]:
        if category is None:
            return list(self.queries)
        if category not in CATEGORIES:
            raise UsageError(
                f"Unknown category '{category}'.", f"categories are: {', '.join(CATEGORIES)}"
            )
        return [q for q in self.queries if q.category == category]


def is_timeout(exc: QueryFailed) -> bool:
    """Whether Neo4j stopped the query for running past its transaction timeout."""
    if isinstance(exc, QueryTimedOut):
        return True
    # The connection layer passes the Neo4j status code as the hint.
    return any(code in (exc.hint or "") for code in _TIMEOUT_CODES)


# ---------------------------------------------------------------------------
# Reading files


def split_header(text: str) -> tuple[str, str]:
    """Split a file into its YAML header (comment markers removed) and its Cypher."""
    lines = text.lstrip("\ufeff").splitlines()
    header: list[str] = []
    index = 0
    while index < len(lines) and lines[index].startswith("//"):
        line = lines[index][2:]
        # Drop exactly one space after // so YAML indentation below it survives.
        header.append(line[1:] if line.startswith(" ") else line)
        index += 1
    return "\n".join(header), "\n".join(lines[index:]).strip()


def parse_query(text: str, path: str) -> LibraryQuery:
    """Read one library file. Raises ``InvalidQueryFile`` when it has no usable header;
    everything else (missing keys, wrong types, unused parameters) is for ``validate_query``.
    """
    header_text, cypher = split_header(text)
    try:
        header = yaml.safe_load(header_text) if header_text.strip() else None
    except yaml.YAMLError as exc:
        raise InvalidQueryFile(
            f"{path}: the // header is not valid YAML ({_yaml_problem(exc)}).",
            "each header line is `// key: value`; see queries/registry.py",
        ) from None
    if not isinstance(header, dict):
        raise InvalidQueryFile(
            f"{path}: no metadata header (a block of `// key: value` lines at the top).",
            "copy the header of an existing query in queries/",
        )
    raw_params = header.get("parameters")
    parameters = tuple(
        Parameter(
            str(name),
            spec.get("default") if isinstance(spec, dict) else None,
            str(spec.get("description", "")) if isinstance(spec, dict) else "",
        )
        for name, spec in (raw_params.items() if isinstance(raw_params, dict) else ())
    )
    references = header.get("references") or ()
    revision = header.get("revision")
    return LibraryQuery(
        name=str(header.get("name", "")),
        title=str(header.get("title", "")),
        category=str(header.get("category", "")),
        description=" ".join(str(header.get("description", "")).split()),
        parameters=parameters,
        revision=revision if isinstance(revision, int) and not isinstance(revision, bool) else 0,
        cypher=cypher,
        path=path,
        references=tuple(str(r) for r in references) if isinstance(references, list) else (),
        unbounded=header.get("unbounded") is True,
        header=header,
    )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "unreadable"
    return f"{problem}, header line {mark.line + 1}" if mark is not None else str(problem)


def _package_files() -> Traversable:
    return resources.files("cibgraph.queries")


def _query_files(root: Traversable) -> list[Traversable]:
    return sorted(
        (f for f in root.iterdir() if f.is_file() and f.name.endswith(SUFFIX)),
        key=lambda f: f.name,
    )


def load_library(root: Traversable | None = None) -> Library:
    """Every query shipped in the package (or in ``root``, for tests), sorted by name."""
    files = _query_files(root or _package_files())
    queries = [parse_query(f.read_text(encoding="utf-8"), str(f)) for f in files]
    return Library(tuple(sorted(queries, key=lambda q: q.name)))


# ---------------------------------------------------------------------------
# Validation: what CI checks for every file (the database EXPLAINs them too)


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
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            problems.append(f"parameter name {name!r} is not an identifier")
            continue
        if not isinstance(spec, dict) or set(spec) != {"default", "description"}:
            problems.append(f"parameter '{name}' needs exactly `default` and `description`")
            continue
        if not (isinstance(spec["description"], str) and spec["description"].strip()):
            problems.append(f"parameter '{name}' has no description")
        if not _is_plain(spec["default"]):
            problems.append(
                f"parameter '{name}' default {spec['default']!r} is not null, a boolean, "
                "a number, text, or a flat list or map of those (quote dates: '2019-04-01')"
            )
    return problems


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_plain(v) and not isinstance(v, list | dict) for v in value)
    if isinstance(value, dict):
        # Reference tables such as country -> currency; flat, with identifier keys.
        return all(
            isinstance(k, str)
            and _IDENTIFIER.match(k)
            and _is_plain(v)
            and not isinstance(v, list | dict)
            for k, v in value.items()
        )
    return False


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


# ---------------------------------------------------------------------------
# Values: CLI strings in, Cypher literals out (for Browser only)


def _coerce(query: str, name: str, raw: str, default: Any) -> Any:
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
            _coerce(query, name, item if isinstance(item, str) else json.dumps(item), sample)
            for item in items
        ]
    if isinstance(default, dict):
        if isinstance(parsed, dict) and all(_is_plain(v) for v in parsed.values()):
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
    return key if _IDENTIFIER.match(key) else "`" + key.replace("`", "``") + "`"
