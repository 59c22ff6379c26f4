"""The field's existing layouts, loaded unchanged: CooRTweet/CooRnet shares and
coordination-network-toolkit's CSV. Both become posts by accounts.

CooRTweet's shares table (``object_id, account_id, content_id, timestamp_share``)
names the coordinated-on object per share; extra object columns (the German
elections data has ``url_id, domain_id, hashtag_id, phash_id``) become URLs,
hashtags and post properties. coordination-network-toolkit's CSV is
``message_id, user_id, username, repost_id, reply_id, message, timestamp, urls``.
A reshare becomes a SHARES relationship to the shared post; URLs become Url nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.validate import ValidationContext, Warnings, post_row
from cibgraph.loaders.values import (
    BadValue,
    is_missing,
    normalise_tag,
    parse_id,
    parse_text,
    parse_timestamp,
    parse_url,
)

PEER_FORMATS = ("coortweet", "cnt")
ANON_URL_PREFIX = "urn:anon-url:"


def _first_present(values: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    for name in names:
        if name in values:
            return name, values[name]
    return None


# coordination-network-toolkit's CSV, in its column order (what its `preprocess` reads).
CNT_COLUMNS = (
    "message_id",
    "user_id",
    "username",
    "repost_id",
    "reply_id",
    "message",
    "timestamp",
    "urls",
)

# Each format's required columns; a tuple is "one of these".
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "coortweet": (("timestamp_share", "timestamp"), ("account_id",)),
    "cnt": (("message_id",), ("user_id",), ("timestamp",)),
}


def _spelled(names: tuple[str, ...]) -> str:
    return " or ".join(map(repr, names))


def missing_columns(fmt: str, present: set[str] | dict[str, Any]) -> list[str]:
    """The required columns (as 'a' or 'b' for alternatives) not among ``present``."""
    return [_spelled(names) for names in REQUIRED[fmt] if not any(n in present for n in names)]


def _required(values: dict[str, Any], names: tuple[str, ...], fmt: str) -> tuple[str, Any]:
    found = _first_present(values, names)
    if found is None:
        absent = missing_columns(fmt, values)
        if len(absent) > 1:
            raise _Reject(names[0], f"missing required columns {', '.join(absent)}")
        raise _Reject(names[0], f"missing required column {_spelled(names)}")
    name, cell = found
    if is_missing(cell):
        raise _Reject(name, f"missing required value for {name!r}")
    return name, cell


class _Reject(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _parse(column: str, parser: Callable[[Any], Any], cell: Any) -> Any:
    try:
        return parser(cell)
    except BadValue as exc:
        raise _Reject(column, str(exc)) from None


class _Optional:
    """Parsing optional cells of one row: a bad value is left out with a warning
    (or, under --strict, rejects the row)."""

    def __init__(self, ctx: ValidationContext, raw: RawRow) -> None:
        self.ctx, self.raw = ctx, raw
        self.warnings = Warnings()

    def __call__(self, column: str, parser: Callable[[Any], Any], cell: Any) -> Any:
        if is_missing(cell):
            return None
        try:
            return parser(cell)
        except BadValue as exc:
            if self.ctx.strict:
                raise _Reject(column, str(exc)) from None
            self.warnings.keep(self.ctx, self.raw, column, exc)
            return None


def _url_or_anonymous(cell: Any) -> str:
    text = str(cell).strip()
    if text.lower().startswith(("http://", "https://")):
        return str(parse_url(text))
    # Anonymised datasets give URL ids, not URLs; keep them apart from real links.
    return ANON_URL_PREFIX + parse_id(text)


def _coortweet(values: dict[str, Any], ctx: ValidationContext, raw: RawRow) -> Record:
    optional = _Optional(ctx, raw)
    time_col, time_cell = _required(values, ("timestamp_share", "timestamp"), "coortweet")
    _, account_cell = _required(values, ("account_id",), "coortweet")
    account_id = _parse("account_id", parse_id, account_cell)
    created_at = _parse(time_col, partial(parse_timestamp, assume_utc=ctx.assume_utc), time_cell)
    shared_id = optional("object_id", parse_id, values.get("object_id"))
    url = optional("url_id", _url_or_anonymous, values.get("url_id"))
    urls = [] if url is None else [url]
    tag = optional("hashtag_id", parse_id, values.get("hashtag_id"))
    hashtags = [] if tag is None else [normalise_tag(tag)]
    extra: dict[str, Any] = {}
    for column, prop in (("phash_id", "image_hash"), ("domain_id", "domain")):
        value = optional(column, parse_id, values.get(column))
        if value is not None:
            extra[prop] = value
    found = _first_present(values, ("content_id", "post_id"))
    if found is None or is_missing(found[1]):
        if shared_id is None and not urls and not hashtags and not extra:
            # Nothing was shared: the row still tells us the account exists.
            return Record(
                "account_references",
                f"account:{account_id}",
                {"id": account_id},
                tuple(optional.warnings),
            )
        # A share without its own id keeps its object under a surrogate id.
        post_id = f"{account_id}@{int(created_at.timestamp())}"
        extra["surrogate_id"] = True
    else:
        post_id = _parse(found[0], parse_id, found[1])
    row = post_row(
        post_id,
        account_id,
        created_at,
        urls=urls,
        hashtags=hashtags,
        shared_post_id=shared_id,
        extra_props=extra,
    )
    # Rows of one post with different objects add up; only exact repeats collapse.
    key = "|".join([post_id, shared_id or "", *urls, *hashtags, str(sorted(extra.items()))])
    return Record("shares_by_account", key, row, tuple(optional.warnings))


def _cnt(values: dict[str, Any], ctx: ValidationContext, raw: RawRow) -> Record:
    optional = _Optional(ctx, raw)
    _, message_cell = _required(values, ("message_id",), "cnt")
    _, user_cell = _required(values, ("user_id",), "cnt")
    _, time_cell = _required(values, ("timestamp",), "cnt")
    post_id = _parse("message_id", parse_id, message_cell)
    user_id = _parse("user_id", parse_id, user_cell)
    created_at = _parse("timestamp", partial(parse_timestamp, assume_utc=ctx.assume_utc), time_cell)
    text = optional("message", parse_text, values.get("message"))
    shared_id = optional("repost_id", parse_id, values.get("repost_id"))
    urls: list[str] = []
    if not is_missing(values.get("urls")):
        for part in str(values["urls"]).split():
            url = optional("urls", _url_or_anonymous, part)
            if url is not None and url not in urls:
                urls.append(url)
    extra: dict[str, Any] = {}
    reply_to = optional("reply_id", parse_id, values.get("reply_id"))
    if reply_to is not None:
        extra["reply_to_id"] = reply_to
    author_props: dict[str, Any] = {}
    handle = optional("username", parse_text, values.get("username"))
    if handle is not None:
        author_props["handle"] = handle
    row = post_row(
        post_id,
        user_id,
        created_at,
        text=text,
        urls=urls,
        shared_post_id=shared_id,
        extra_props=extra,
        author_props=author_props,
    )
    return Record("posts_by_account", post_id, row, tuple(optional.warnings))


_PARSERS: dict[str, Callable[[dict[str, Any], ValidationContext, RawRow], Record]] = {
    "coortweet": _coortweet,
    "cnt": _cnt,
}


def validate_peer_row(fmt: str, raw: RawRow, ctx: ValidationContext) -> Record | Rejection:
    if raw.problem is not None:
        return Rejection(raw.line, raw.column, raw.problem, raw.raw)
    try:
        return _PARSERS[fmt](raw.values, ctx, raw)
    except _Reject as exc:
        return Rejection(raw.line, exc.column, exc.reason, raw.raw)
