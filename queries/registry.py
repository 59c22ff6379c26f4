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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from cibgraph.core.errors import CibError, QueryFailed, UsageError
from cibgraph.core.runner import QueryRunner, Row
from cibgraph.queries.values import coerce_value, cypher_literal

CATEGORIES = ("signal", "exploration", "network", "provenance")
REQUIRED_KEYS = ("name", "title", "category", "description", "parameters", "revision")
OPTIONAL_KEYS = ("references", "unbounded")
SUFFIX = ".cypher"

# A dot, colon or $ before the keyword makes it a property, label or parameter, not a clause.
_TIMEOUT_CODES = ("TransactionTimedOut",)  # ...TimedOut and ...TimedOutClientConfiguration


class InvalidQueryFile(CibError):
    """A library file has no readable header (not YAML, or not a mapping)."""

    exit_code = 3


class UnknownQuery(UsageError):
    """No query in the library has this name."""


class UnknownParameter(UsageError):
    """A parameter was given that the query does not declare."""


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
            values[key] = coerce_value(self.name, key, raw, values[key])
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
