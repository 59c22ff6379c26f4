"""Regressions found by the loader fuzzer (tests/unit/test_fuzz_loaders.py), one per fix."""

from __future__ import annotations

import pytest

from cibgraph.loaders import values as v


@pytest.mark.parametrize("bad", ["a\tb", "a\nb", "a\rb", "a\x85b", "a\u2029b", "a\x9fb"])
def test_ids_refuse_every_control_character(bad: str) -> None:
    # The contract says ids hold no control characters; tab, CR, LF and C1 slipped through.
    with pytest.raises(v.BadValue, match="control characters"):
        v.parse_id(bad)


def test_ids_still_strip_surrounding_blanks() -> None:
    assert v.parse_id(" a1\t") == "a1"


@pytest.mark.parametrize("bad", ["2019-04-01T10:00:00Z\x00", "2019-04-01T10:00:00+00:00\x00junk"])
def test_timestamps_with_a_nul_are_refused(bad: str) -> None:
    # datetime.fromisoformat ignores everything from a NUL on, so these used to load.
    with pytest.raises(v.BadValue, match="control characters"):
        v.parse_timestamp(bad)
