"""Why a file's rows were rejected, in words a user can act on.

A file whose every row is rejected is almost always the wrong file or the wrong flag:
the wrong ``--format``, columns named differently, times without an offset. This module
names every absent required column, says which known layout the header does fit, and
groups reject reasons so the top few can be printed with their counts.
"""

from __future__ import annotations

import re
from collections import Counter

from cibgraph.loaders.contract import CONTRACT, LOAD_ORDER
from cibgraph.loaders.discover import PlannedFile
from cibgraph.loaders.peers import CNT_COLUMNS, PEER_FORMATS, missing_columns
from cibgraph.loaders.records import Rejection

# Every column each peer layout reads (required or not), to rank layouts by fit.
PEER_COLUMNS: dict[str, frozenset[str]] = {
    "coortweet": frozenset(
        [
            "object_id",
            "account_id",
            "content_id",
            "post_id",
            "timestamp_share",
            "timestamp",
            "url_id",
            "domain_id",
            "hashtag_id",
            "phash_id",
        ]
    ),
    "cnt": frozenset(CNT_COLUMNS),
}
# Distinct reasons kept per file: a file of a million different bad values must not
# grow the ledger without bound.
MAX_REASONS = 100
OTHER = "(other reasons)"
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def reason_key(rejection: Rejection) -> str:
    """The reason without the quoted value, so rows failing the same way count together.

    Quoted column names (``missing required columns 'a', 'b'``) are the reason itself
    and stay.
    """
    reason = rejection.reason
    if not reason.startswith("missing required"):
        reason = _QUOTED.sub("…", reason)
    return f"{rejection.column}: {reason}" if rejection.column else reason


def count_reason(counts: dict[str, int], rejection: Rejection) -> None:
    key = reason_key(rejection)
    if key not in counts and len(counts) >= MAX_REASONS:
        key = OTHER
    counts[key] = counts.get(key, 0) + 1


def top_reasons(counts: dict[str, int], n: int = 5) -> list[tuple[str, int]]:
    return Counter(counts).most_common(n)


def absent_columns(planned: PlannedFile, header: list[str]) -> list[str]:
    """The required columns of the planned layout that the header does not have."""
    present = set(header)
    if planned.format != "contract":
        return missing_columns(planned.format, present)
    return [repr(name) for name in CONTRACT[planned.kind].required if name not in present]


def looks_like(planned: PlannedFile, header: list[str]) -> str | None:
    """The flag of the known layout whose required columns the header has, best fit first.

    Only asked when the planned layout misses required columns.
    """
    present = set(header)
    candidates: list[tuple[int, int, str]] = []
    for rank, fmt in enumerate(PEER_FORMATS):
        if fmt != planned.format and not missing_columns(fmt, present):
            candidates.append((len(present & PEER_COLUMNS[fmt]), -rank, f"--format {fmt}"))
    for rank, kind in enumerate(LOAD_ORDER):
        spec = CONTRACT[kind]
        if (planned.format, planned.kind) == ("contract", kind):
            continue
        if all(name in present for name in spec.required):
            flag = (
                f"--kind {kind}"
                if planned.format == "contract"
                else f"--format contract --kind {kind}"
            )
            candidates.append((len(present & set(spec.names)), -rank - 10, flag))
    if not candidates:
        return None
    return max(candidates)[2]


def diagnosis(planned: PlannedFile, header: list[str], reasons: dict[str, int]) -> str | None:
    """One hint for a file whose rows were all rejected, or None when there is nothing to add."""
    if header and absent_columns(planned, header):
        flag = looks_like(planned, header)
        if flag is not None:
            return f"this looks like {flag}"
        return None
    top = top_reasons(reasons, 1)
    if top and "without offset" in top[0][0]:
        return "times without an offset: if they are UTC, load with --assume-utc"
    return None
