"""Canonical URLs: one Url node per article, whatever tracking each copy carries."""

from __future__ import annotations

import pytest

from cibgraph.loaders.records import Record
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.urls import TRACKING_PARAMETERS, canonical_url
from cibgraph.loaders.validate import ValidationContext, validate_row
from cibgraph.loaders.values import parse_url

ARTICLE = "https://news.example/2019/03/story"


@pytest.mark.parametrize(
    "given",
    [
        ARTICLE,
        "HTTPS://News.Example/2019/03/story#comments",
        "https://news.example:443/2019/03/story",
        "https://news.example/2019/03/story/",
        "https://news.example/2019/03/story?utm_source=whatsapp&utm_medium=social",
        "https://news.example/2019/03/story?UTM_Campaign=x&fbclid=IwAR0abc",
        "https://news.example/2019/03/story?gclid=1&igshid=2&mc_cid=3&mc_eid=4&ref_src=twsrc",
        "https://news.example:443/2019/03/story/?utm_term=a&pk_campaign=b&mtm_source=c#x",
    ],
)
def test_tracked_copies_of_one_article_are_one_url(given: str) -> None:
    assert canonical_url(given) == ARTICLE
    assert parse_url(given) == ARTICLE


def test_other_parameters_stay_byte_for_byte_and_in_order() -> None:
    given = "https://shop.example/item?id=7&utm_source=x&q=a+b%20c&flag&fbclid=z&page="
    assert canonical_url(given) == "https://shop.example/item?id=7&q=a+b%20c&flag&page="


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://news.example:80/a", "http://news.example/a"),
        ("http://news.example:443/a", "http://news.example:443/a"),  # not http's default
        ("https://news.example:8443/a/", "https://news.example:8443/a"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("http://[2001:db8::1]/x", "http://[2001:db8::1]/x"),
        ("https://user@news.example:443/", "https://user@news.example/"),
        ("https://news.example", "https://news.example/"),
        ("https://news.example/?utm_source=x", "https://news.example/"),
    ],
)
def test_ports_slashes_and_hosts(given: str, expected: str) -> None:
    assert canonical_url(given) == expected


def test_canonical_is_idempotent() -> None:
    for given in (
        "https://a.example:443/b/?utm_x=1&k=v#f",
        "http://[::1]:80/",
        "https://a.example/b//",
    ):
        once = canonical_url(given)
        assert canonical_url(once) == once


def test_the_documented_list_is_what_is_removed() -> None:
    for name in TRACKING_PARAMETERS:
        assert canonical_url(f"https://a.example/p?{name}=1&keep=2") == "https://a.example/p?keep=2"


def test_a_contract_post_keeps_its_url_as_given() -> None:
    given = "https://news.example:443/2019/03/story/?utm_source=whatsapp"
    values = {
        "post_id": "p1",
        "author_id": "a1",
        "author_type": "account",
        "created_at": "2019-01-01T10:00:00Z",
        "url": f"  {given} ",
        "image_hash": "ff00ee11dd22cc33",
    }
    record = validate_row("posts", RawRow(2, 2, "", values), ValidationContext())
    assert isinstance(record, Record)
    assert record.row["urls"] == [ARTICLE]
    assert record.row["props"]["url_given"] == given
    assert record.row["props"]["image_hash"] == "ff00ee11dd22cc33"
    plain = validate_row("posts", RawRow(2, 2, "", {**values, "url": ARTICLE}), ValidationContext())
    assert isinstance(plain, Record) and "url_given" not in plain.row["props"]
