"""Cell parsing: every type of the contract, good and bad."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cibgraph.loaders import values as v
from cibgraph.loaders.contract import MAX_ID_LENGTH


def test_timestamps_with_offset_epoch_and_z() -> None:
    expected = datetime(2019, 2, 14, 9, 31, 7, tzinfo=UTC)
    assert v.parse_timestamp("2019-02-14T09:31:07+00:00") == expected
    assert v.parse_timestamp("2019-02-14T15:01:07+05:30") == expected
    assert v.parse_timestamp("2019-02-14T09:31:07Z") == expected
    assert v.parse_timestamp(1550136667) == expected
    assert v.parse_timestamp("1550136667") == expected
    assert v.parse_timestamp(1550136667.0) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2019-02-14T09:31:07", "without offset is ambiguous"),
        ("14/02/2019", "not an ISO 8601"),
        ("1550136667000", "outside 1990-2100"),
        ("1850-01-01T00:00:00+00:00", "outside 1990-2100"),
        (True, "boolean"),
    ],
)
def test_bad_timestamps(raw: object, reason: str) -> None:
    with pytest.raises(v.BadValue, match=reason):
        v.parse_timestamp(raw)


def test_ids() -> None:
    assert v.parse_id("  a1  ") == "a1"
    assert v.parse_id(42) == "42"
    for bad, reason in [
        ("", "empty"),
        ("a\x00b", "control"),
        ("x" * (MAX_ID_LENGTH + 1), "longer"),
        (1.5, "expected"),
    ]:
        with pytest.raises(v.BadValue, match=reason):
            v.parse_id(bad)


def test_numbers() -> None:
    assert v.parse_int("1200") == 1200
    assert v.parse_int(12.0) == 12
    assert v.parse_float("39.50") == 39.5
    for bad, reason in [
        ("12k", "not a number"),
        ("-3", "non-negative"),
        ("1.5", "whole"),
        ("nan", "finite"),
    ]:
        with pytest.raises(v.BadValue, match=reason):
            v.parse_int(bad)


def test_bool_enum_confidence_currency_country() -> None:
    assert v.parse_bool("TRUE") is True and v.parse_bool("0") is False
    with pytest.raises(v.BadValue):
        v.parse_bool("maybe")
    assert v.parse_enum(" Account ", ("account", "page")) == "account"
    with pytest.raises(v.BadValue, match="not one of account, page"):
        v.parse_enum("group", ("account", "page"))
    assert v.parse_confidence("0.7") == 0.7
    with pytest.raises(v.BadValue, match="between 0 and 1"):
        v.parse_confidence("1.2")
    assert v.parse_currency("inr") == "INR"
    with pytest.raises(v.BadValue):
        v.parse_currency("rupees")
    assert v.parse_country("in") == "IN"
    with pytest.raises(v.BadValue):
        v.parse_country("IND")


def test_tags_and_urls() -> None:
    assert v.parse_tags("#Vote;nation  vote") == ["vote", "nation"]
    assert v.parse_tags(["A", "#b"]) == ["a", "b"]
    assert v.parse_url("HTTPS://News.Example/a?b=1#frag") == "https://news.example/a?b=1"
    for bad in ("news.example/a", "ftp://x.example/", "https://x.example/a b"):
        with pytest.raises(v.BadValue):
            v.parse_url(bad)


def test_text_refuses_nul() -> None:
    with pytest.raises(v.BadValue, match="NUL"):
        v.parse_text("a\x00b")
