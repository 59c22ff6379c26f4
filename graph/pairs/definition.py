"""The co-share signal's one definition (co_share.sql), rendered for each engine.

The SQL is written once, in DuckDB's dialect; SQLGlot transpiles it to Spark SQL, so
the two engines cannot drift apart (tests prove both give the Cypher query's pairs).
Parameters are bound by SQLGlot as literals after an integer check: the statement
never carries text from outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import sqlglot
from sqlglot import exp

DIALECTS = ("duckdb", "spark")
# The columns of a pair row, as co_share_pairs.cypher returns them.
PAIR_COLUMNS = (
    "a",
    "b",
    "weight",
    "score",
    "min_gap",
    "urls",
    "reshares",
    "texts",
    "sample_objects",
)
# co_share.sql ranks a pair's objects by gap * 2^40 + object number in one BIGINT, so
# a window (a gap's upper bound) stays below 2^23 seconds: about 97 days.
MAX_WINDOW = 2**23 - 1


@dataclass(frozen=True)
class ObjectSignal:
    """One co-share signal: the same SQL over the share rows of some object kinds."""

    name: str
    kinds: tuple[str, ...]
    # The query library's Cypher for the same pairs (a test holds the two equal).
    query: str

    @property
    def view(self) -> str:
        # The engines register one view per signal under this name (a code constant,
        # never input): the statement's table is renamed to it.
        return f"shares_{self.name}"


# Every object signal, by name. co_share is the original three objects; each newer
# object is its own signal with its own weight (README, "Signals").
OBJECT_SIGNALS: dict[str, ObjectSignal] = {
    s.name: s
    for s in (
        ObjectSignal("co_share", ("url", "post", "text"), "co_share_pairs"),
        ObjectSignal("co_hashtag", ("tags",), "co_hashtag_pairs"),
        ObjectSignal("co_image", ("image",), "co_image_pairs"),
        ObjectSignal("co_similar_text", ("similar",), "co_similar_text_pairs"),
    )
}


@dataclass(frozen=True)
class CoShareParams:
    """One pass of the signal: the fast window, or the slow pass over rare objects."""

    window: int
    min_weight: int
    max_object_shares: int
    # Skip objects the pair co-shared within this many seconds (the fast pass's
    # window), so a slow pass counts only objects the fast pass did not; -1 = none.
    exclude_within: int = -1

    def bindings(self) -> dict[str, int]:
        values = {
            "window": self.window,
            "min_weight": self.min_weight,
            "max_object_shares": self.max_object_shares,
            "exclude_within": self.exclude_within,
        }
        for name, value in values.items():
            # bool is an int too; neither it nor text may reach the statement.
            if type(value) is not int:
                raise TypeError(f"{name} must be an integer, not {value!r}")
        if not 0 <= self.window <= MAX_WINDOW:
            raise ValueError(f"window must be 0..{MAX_WINDOW} s, not {self.window}")
        return values


@cache
def _parsed() -> exp.Expr:
    text = files("cibgraph.graph.pairs").joinpath("co_share.sql").read_text(encoding="utf-8")
    return sqlglot.parse_one(text, read="duckdb")


def co_share_sql(params: CoShareParams, dialect: str = "duckdb", table: str = "shares") -> str:
    """The statement over the table ``table``, parameters bound, in ``dialect``.

    ``table`` is ``shares`` or a signal's view (``ObjectSignal.view``), nothing else.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    if table != "shares" and table not in {s.view for s in OBJECT_SIGNALS.values()}:
        raise ValueError(f"unknown share table {table!r}")
    bound = exp.replace_placeholders(_parsed().copy(), **params.bindings())
    if table != "shares":
        for node in bound.find_all(exp.Table):
            if node.name == "shares":
                node.set("this", exp.to_identifier(table))
    return bound.sql(dialect=dialect, comments=False)


def pair_row(values: tuple[Any, ...]) -> dict[str, Any]:
    """An engine's result row as the Cypher query's row (sample_1..5 -> a list); its
    keys are PAIR_COLUMNS (tests/unit/test_co_share_definition.py). Spelled
    out, not zipped: one call a pair, a third of the time."""
    a, b, weight, score, min_gap, urls, reshares, texts, *samples = values
    return {
        "a": a,
        "b": b,
        "weight": weight,
        "score": float(score),
        "min_gap": min_gap,
        "urls": urls,
        "reshares": reshares,
        "texts": texts,
        "sample_objects": [s for s in samples if s is not None],
    }
