"""When an affiliation is public: the rule detection, attribution and queries share.

An affiliation row says a tie is disclosed in one of two documented ways (README,
"Input data contract"):

1. its ``disclosed`` column, ``true`` or ``false``, which wins when present;
2. else its ``source``: a tie found where the actor itself states it is public.
   ``DISCLOSURE_SOURCES`` lists those sources; matching ignores case and treats
   ``-``, ``_`` and runs of spaces alike (``Page Transparency``,
   ``page_transparency`` and ``page-transparency`` are one source).

Everything else (investigation, leak, registry, staff list, ...) is a tie that
someone else found, which is exactly what concealment means when the actor says
nothing. A false accusation against a real media group is the worst error this
tool can make, so the list is generous about the ways platforms let a page say who
runs it.
"""

from __future__ import annotations

import re

DISCLOSURE_SOURCES: tuple[str, ...] = (
    "self disclosed",
    "disclosed",
    "page transparency",
    "official website",
    "verified label",
    "state media label",
    "paid for by disclaimer",
    "imprint",
    "public statement",
)

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_source(source: object) -> str:
    """``' Page_Transparency '`` -> ``'page transparency'``; None -> ``''``."""
    if source is None:
        return ""
    return _SEPARATORS.sub(" ", str(source)).strip().lower()


def is_disclosed(source: object, disclosed: object = None) -> bool:
    """Whether one affiliation tie is public: ``disclosed`` when given, else by source."""
    if isinstance(disclosed, bool):
        return disclosed
    return normalise_source(source) in DISCLOSURE_SOURCES
