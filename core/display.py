"""Data shown to people: bidirectional controls made visible, control characters escaped.

Names, handles and URLs come from the data, so they can hold Unicode's bidi controls
(U+202E RIGHT-TO-LEFT OVERRIDE and its kin): shown raw, ``moc.elgoog\u202e...`` reads as
another name or address than the one stored (display spoofing, CVE-2021-42574 "Trojan
Source"). Every place that shows data to a person - the HTML and Markdown report, the
terminal, the guide server's log - replaces each one with a visible ``[U+202E]`` marker;
the stored value is never changed. Terminal text also gets C0/C1 controls (ESC and its
sequences, CR, BEL...) as ``\\xNN`` escapes, as ``http.server`` does in its own log.
"""

from __future__ import annotations

import re

# Unicode's explicit directional formatting characters (UAX #9): embeddings, overrides,
# isolates and the implicit marks (ALM, LRM, RLM).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
# C0 controls but tab and newline, DEL and C1 controls (CSI, OSC...): what a terminal obeys.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _marker(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def mark_bidi(text: str) -> str:
    """``text`` with every bidi control replaced by a visible ``[U+XXXX]`` marker."""
    return _BIDI.sub(_marker, text)


def has_bidi(text: str) -> bool:
    return _BIDI.search(text) is not None


def terminal_safe(text: str) -> str:
    """Text a terminal shows as it is: controls as ``\\xNN``, bidi controls marked.

    Not Rich markup escaping: print the result as ``rich.text.Text`` (or with
    ``markup=False``) so that ``[link=...]`` stays text too.
    """
    text = _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return mark_bidi(text)
