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
from typing import Any

from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.validate import ValidationContext, post_row
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


def _required(values: dict[str, Any], names: tuple[str, ...], raw: RawRow) -> tuple[str, Any]:
    found = _first_present(values, names)
    if found is None:
        raise _Reject(names[0], f"missing required column {' or '.join(map(repr, names))}")
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


def _url_or_anonymous(cell: Any) -> str:
    text = str(cell).strip()
    if text.lower().startswith(("http://", "https://")):
        return str(parse_url(text))
    # Anonymised datasets give URL ids, not URLs; keep them apart from real links.
    return ANON_URL_PREFIX + parse_id(text)


def _coortweet(values: dict[str, Any], ctx: ValidationContext, raw: RawRow) -> Record:
    time_col, time_cell = _required(values, ("timestamp_share", "timestamp"), raw)
    _, account_cell = _required(values, ("account_id",), raw)
    account_id = _parse("account_id", parse_id, account_cell)
    created_at = _parse(time_col, parse_timestamp, time_cell)
    shared = values.get("object_id")
    shared_id = None if is_missing(shared) else _parse("object_id", parse_id, shared)
    urls = (
        []
        if is_missing(values.get("url_id"))
        else [_parse("url_id", _url_or_anonymous, values["url_id"])]
    )
    tag_cell = values.get("hashtag_id")
    hashtags = (
        [] if is_missing(tag_cell) else [normalise_tag(_parse("hashtag_id", parse_id, tag_cell))]
    )
    extra: dict[str, Any] = {}
    for column, prop in (("phash_id", "image_hash"), ("domain_id", "domain")):
        if not is_missing(values.get(column)):
            extra[prop] = _parse(column, parse_id, values[column])
    found = _first_present(values, ("content_id", "post_id"))
    if found is None or is_missing(found[1]):
        if shared_id is None and not urls and not hashtags and not extra:
            # Nothing was shared: the row still tells us the account exists.
            return Record("account_references", f"account:{account_id}", {"id": account_id})
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
    return Record("shares_by_account", key, row)


def _cnt(values: dict[str, Any], ctx: ValidationContext, raw: RawRow) -> Record:
    _, message_cell = _required(values, ("message_id",), raw)
    _, user_cell = _required(values, ("user_id",), raw)
    _, time_cell = _required(values, ("timestamp",), raw)
    post_id = _parse("message_id", parse_id, message_cell)
    user_id = _parse("user_id", parse_id, user_cell)
    created_at = _parse("timestamp", parse_timestamp, time_cell)
    text = (
        None
        if is_missing(values.get("message"))
        else _parse("message", parse_text, values["message"])
    )
    repost = values.get("repost_id")
    shared_id = None if is_missing(repost) else _parse("repost_id", parse_id, repost)
    urls: list[str] = []
    if not is_missing(values.get("urls")):
        for part in str(values["urls"]).split():
            url = _parse("urls", _url_or_anonymous, part)
            if url not in urls:
                urls.append(url)
    extra: dict[str, Any] = {}
    if not is_missing(values.get("reply_id")):
        extra["reply_to_id"] = _parse("reply_id", parse_id, values["reply_id"])
    author_props: dict[str, Any] = {}
    if not is_missing(values.get("username")):
        author_props["handle"] = _parse("username", parse_text, values["username"])
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
    return Record("posts_by_account", post_id, row)


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
