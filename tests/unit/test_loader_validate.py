"""Row validation: every rejection reason, and the records that valid rows become."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cibgraph.core.errors import UsageError
from cibgraph.loaders.discover import kind_of, plan_load
from cibgraph.loaders.fingerprints import IdentifierHasher, text_hash
from cibgraph.loaders.peers import validate_peer_row
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.validate import ValidationContext, redact, validate_row

CTX = ValidationContext(hasher=IdentifierHasher(b"k" * 32))
# --strict: a bad optional value rejects its row, as every bad value did before.
STRICT = ValidationContext(hasher=CTX.hasher, strict=True)


def _raw(**values: object) -> RawRow:
    return RawRow(2, 2, ",".join(str(x) for x in values.values()), dict(values))


def _reject(file_kind: str, values: dict[str, object]) -> Rejection:
    result = validate_row(file_kind, RawRow(2, 2, "", dict(values)), STRICT)
    assert isinstance(result, Rejection), result
    return result


@pytest.mark.parametrize(
    ("kind", "values", "column", "reason"),
    [
        ("accounts", {"handle": "x"}, "account_id", "missing required column"),
        ("accounts", {"account_id": ""}, "account_id", "missing required value"),
        ("accounts", {"account_id": "a1", "followers": "many"}, "followers", "not a number"),
        ("accounts", {"account_id": "a1", "created_at": "yesterday"}, "created_at", "ISO 8601"),
        (
            "affiliations",
            {"subject_id": "a", "subject_type": "group", "org_id": "o"},
            "subject_type",
            "not one of",
        ),
        (
            "posts",
            {"post_id": "p", "author_id": "a", "author_type": "bot", "created_at": 1550000000},
            "author_type",
            "not one of",
        ),
        ("organizations", {"org_id": "o", "name": "N", "kind": "cult"}, "kind", "not one of"),
        (
            "identifiers",
            {"account_id": "a", "kind": "ip", "value": "not-an-ip"},
            "value",
            "not an IP",
        ),
        ("ads", {"ad_id": "x", "page_id": "p", "currency": "rupees"}, "currency", "3-letter"),
    ],
)
def test_rejection_reasons(kind: str, values: dict[str, object], column: str, reason: str) -> None:
    rejection = _reject(kind, values)
    assert rejection.column == column
    assert reason in rejection.reason
    assert rejection.line == 2


@pytest.mark.parametrize(
    ("kind", "values", "column", "reason"),
    [
        ("accounts", {"account_id": "a1", "followers": "many"}, "followers", "not a number"),
        ("accounts", {"account_id": "a1", "created_at": "yesterday"}, "created_at", "ISO 8601"),
        ("organizations", {"org_id": "o", "name": "N", "kind": "cult"}, "kind", "not one of"),
        ("ads", {"ad_id": "x", "page_id": "p", "currency": "rupees"}, "currency", "3-letter"),
        (
            "page_admins",
            {"page_id": "pg1", "account_id": "a1", "since": "2019-02-15T10:00:00"},
            "since",
            "without offset",
        ),
    ],
)
def test_a_bad_optional_value_is_left_out_and_the_row_kept(
    kind: str, values: dict[str, object], column: str, reason: str
) -> None:
    record = validate_row(kind, RawRow(2, 2, "", dict(values)), CTX)
    assert isinstance(record, Record), record
    assert column not in record.row.get("props", {}) and record.row.get(column) is None
    (warning,) = record.warnings
    assert (warning.line, warning.column) == (2, column)
    assert warning.reason.startswith("value left out: ") and reason in warning.reason


def test_iso_dates_in_date_like_columns_are_that_day() -> None:
    raw = _raw(page_id="pg1", account_id="a1", role="admin", since="2019-02-15")
    record = validate_row("page_admins", raw, STRICT)
    assert isinstance(record, Record) and record.warnings == ()
    assert record.row["props"]["since"] == datetime(2019, 2, 15, tzinfo=UTC)
    for column in ("first_seen", "last_seen"):
        raw = _raw(account_id="a1", kind="device", value="d1", **{column: "2020-01-31"})
        ident = validate_row("identifiers", raw, STRICT)
        assert isinstance(ident, Record)
        assert ident.row["props"][column] == datetime(2020, 1, 31, tzinfo=UTC)
    # A post's time is what co-sharing measures: a day there is still refused.
    post: dict[str, object] = {
        "post_id": "p",
        "author_id": "a",
        "author_type": "account",
        "created_at": "2019-02-15",
    }
    rejection = _reject("posts", post)
    assert rejection.column == "created_at" and "a date is not a time" in rejection.reason


def test_assume_utc_reads_offsetless_times_as_utc() -> None:
    post: dict[str, object] = {
        "post_id": "p",
        "author_id": "a",
        "author_type": "account",
        "created_at": "2019-02-15T10:30:00",
    }
    assert "--assume-utc" in _reject("posts", post).reason
    ctx = ValidationContext(assume_utc=True, strict=True)
    record = validate_row("posts", RawRow(2, 2, "", dict(post)), ctx)
    assert isinstance(record, Record)
    assert record.row["props"]["created_at"] == datetime(2019, 2, 15, 10, 30, tzinfo=UTC)


def test_every_missing_required_column_is_named() -> None:
    rejection = _reject("posts", {"post_id": "p", "text": "hello"})
    assert rejection.column == "author_id"
    assert rejection.reason == "missing required columns 'author_id', 'author_type', 'created_at'"


def test_malformed_record_keeps_its_problem() -> None:
    raw = RawRow(7, 7, "a,b,c\n", problem="expected 2 columns, found 3")
    result = validate_row("accounts", raw, CTX)
    assert result == Rejection(7, None, "expected 2 columns, found 3", "a,b,c\n")


def test_account_record_drops_missing_fields() -> None:
    record = validate_row("accounts", _raw(account_id="a1", followers="12", verified=""), CTX)
    assert isinstance(record, Record)
    assert record.statement == "accounts"
    assert record.row == {"id": "a1", "props": {"followers": 12}}


def test_post_record_routes_by_author_type_and_fingerprints_text() -> None:
    record = validate_row(
        "posts",
        _raw(
            post_id="p1",
            author_id="pg1",
            author_type="page",
            created_at="1550000000",
            text="Vote for the dam, they lie!",
            url="https://x.example/a",
            hashtags="a;b",
        ),
        CTX,
    )
    assert isinstance(record, Record)
    assert record.statement == "posts_by_page"
    assert record.row["urls"] == ["https://x.example/a"]
    assert record.row["hashtags"] == ["a", "b"]
    assert record.row["props"]["text_hash"] == text_hash("vote for the DAM they lie")


def test_identifier_value_is_hashed_never_kept() -> None:
    record = validate_row(
        "identifiers", _raw(account_id="a1", kind="phone", value="+91 98765 43210"), CTX
    )
    assert isinstance(record, Record)
    assert "98765" not in repr(record.row)
    same = validate_row(
        "identifiers", _raw(account_id="a2", kind="phone", value="0091-9876543210"), CTX
    )
    assert isinstance(same, Record)
    assert record.row["id"] == same.row["id"]  # one phone, however it is written
    other_secret = ValidationContext(hasher=IdentifierHasher(b"z" * 32))
    third = validate_row(
        "identifiers", _raw(account_id="a1", kind="phone", value="+919876543210"), other_secret
    )
    assert isinstance(third, Record) and third.row["id"] != record.row["id"]


def test_rejected_identifier_rows_are_redacted() -> None:
    raw = _raw(account_id="a1", kind="email", value="person@mail.example", first_seen="nope")
    assert isinstance(validate_row("identifiers", raw, STRICT), Rejection)
    text = redact("identifiers", raw, CTX.hasher)
    assert "person@mail.example" not in text
    assert "hmac:" in text


def test_keep_extra_columns() -> None:
    ctx = ValidationContext(hasher=None, keep_extra=True)
    record = validate_row("pages", _raw(page_id="pg1", ad_library_id="L-9"), ctx)
    assert isinstance(record, Record)
    assert record.row["props"] == {"x_ad_library_id": "L-9"}


def test_text_hash_ignores_case_punctuation_and_links() -> None:
    a = text_hash("The truth they will not tell you! https://a.example/x")
    b = text_hash("the TRUTH they will not tell you https://b.example/y")
    assert a == b and a is not None
    assert text_hash("too short") is None


def test_coortweet_rows() -> None:
    row = _raw(object_id="o1", account_id="u1", content_id="c1", timestamp_share="1622505600")
    record = validate_peer_row("coortweet", row, CTX)
    assert isinstance(record, Record)
    assert record.statement == "shares_by_account"
    assert (record.row["id"], record.row["author_id"], record.row["shared_post_id"]) == (
        "c1",
        "u1",
        "o1",
    )
    german = _raw(
        account_id="fb_1",
        post_id="9",
        url_id="77",
        hashtag_id="",
        domain_id="5",
        phash_id="",
        timestamp="1629589836",
    )
    record = validate_peer_row("coortweet", german, CTX)
    assert isinstance(record, Record)
    assert record.row["urls"] == ["urn:anon-url:77"]
    assert record.row["props"]["domain"] == "5"
    nothing = _raw(
        account_id="fb_2",
        post_id="",
        url_id="",
        hashtag_id="",
        domain_id="",
        phash_id="",
        timestamp="1629589836",
    )
    record = validate_peer_row("coortweet", nothing, CTX)
    assert isinstance(record, Record) and record.statement == "account_references"
    bad = validate_peer_row(
        "coortweet", _raw(account_id="u", content_id="c", timestamp_share="soon"), CTX
    )
    assert isinstance(bad, Rejection) and bad.column == "timestamp_share"


def test_cnt_rows() -> None:
    row = _raw(
        message_id="m2",
        user_id="u1",
        username="Ann",
        repost_id="m1",
        reply_id="",
        message="hello world this is a test",
        timestamp="1622505600.5",
        urls="https://a.example/x https://b.example/y",
    )
    record = validate_peer_row("cnt", row, CTX)
    assert isinstance(record, Record)
    assert record.row["shared_post_id"] == "m1"
    assert record.row["author_props"] == {"handle": "Ann"}
    assert record.row["urls"] == ["https://a.example/x", "https://b.example/y"]


def test_kind_from_file_names() -> None:
    assert kind_of(Path("accounts.csv")) == "accounts"
    assert kind_of(Path("posts.jsonl.gz")) == "posts"
    assert kind_of(Path("posts-2019-02.csv")) == "posts"
    assert kind_of(Path("page_admins.csv")) == "page_admins"
    assert kind_of(Path("pages.csv")) == "pages"
    assert kind_of(Path("notes.txt")) is None


def test_plan_orders_by_dependency_and_ignores_strays(tmp_path: Path) -> None:
    for name in (
        "posts.csv",
        "affiliations.csv",
        "organizations.csv",
        "accounts.csv",
        "truth.csv",
        "README.md",
    ):
        (tmp_path / name).write_text("x\n")
    plan = plan_load([tmp_path])
    assert [f.kind for f in plan.files] == ["organizations", "accounts", "affiliations", "posts"]
    assert {p.name for p, _ in plan.ignored} == {"truth.csv", "README.md"}


def test_plan_refuses_an_unknown_file_named_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("x\n")
    with pytest.raises(UsageError) as info:
        plan_load([path])
    assert "--kind" in (info.value.hint or "")
    assert plan_load([path], kind="posts").files[0].kind == "posts"
