"""X (Twitter) API v2 responses, one response page per line, as twarc2 writes them.

Each line is ``{"data": [tweets], "includes": {"users": [...], "tweets": [...]},
"meta": ...}`` (``data`` is one object for a single-tweet lookup). Every tweet of
``data`` and ``includes.tweets`` becomes a post by ``author_id``; every user of
``includes.users`` an account (``username`` -> handle, ``name`` -> display_name,
``created_at``, ``public_metrics.followers_count`` -> followers, ``verified``), so
the account cues (creation bursts, new accounts, few followers, default handles)
apply. From ``referenced_tweets``: a ``retweeted`` tweet is the post it ``SHARES``
(``share_kind = 'retweet'``), else a ``quoted`` one (``'quote'``); ``replied_to``
is kept as ``reply_to_id``. Links are ``entities.urls[].expanded_url`` (the
``unwound_url`` when X gives one, never the t.co wrapper), hashtags
``entities.hashtags[].tag``. A tweet met on several pages is written once per
batch (the last copy wins) and merged across batches. ``line`` is the page's line,
``column`` the item's path (``data[3].created_at``). Lines with no tweets and no
users (``meta`` only, errors) are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cibgraph.loaders.formats.common import (
    ItemRow,
    JsonlReader,
    Reject,
    array,
    obj,
    optional,
    parsed,
    required,
    text_id,
    within,
)
from cibgraph.loaders.records import Record
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.validate import post_row
from cibgraph.loaders.values import (
    parse_bool,
    parse_int,
    parse_tags,
    parse_text,
    parse_timestamp,
    parse_url,
)

PLATFORM = "twitter"


class TwitterV2Reader(JsonlReader):
    name = "twitter-v2"

    def items(self, line: RawRow) -> Iterator[ItemRow]:
        page = line.values
        found = False
        data = page.get("data")
        if isinstance(data, dict):
            found = True
            yield ItemRow(line.line, data, "data", "tweet")
        elif data is not None:
            for index, tweet in enumerate(data if isinstance(data, list) else [data]):
                found = True
                yield ItemRow(line.line, tweet, f"data[{index}]", "tweet")
        includes = page.get("includes")
        if isinstance(includes, dict):
            for key, kind in (("users", "user"), ("tweets", "tweet")):
                listed = includes.get(key)
                if listed is None:
                    continue
                if not isinstance(listed, list):
                    found = True
                    yield ItemRow(line.line, listed, f"includes.{key}", "not a list")
                    continue
                for index, item in enumerate(listed):
                    found = True
                    yield ItemRow(line.line, item, f"includes.{key}[{index}]", kind)
        elif includes is not None:
            found = True
            yield ItemRow(line.line, includes, "includes", "includes")
        if not found:
            self.skipped["pages without tweets or users"] += 1

    def record(self, row: ItemRow) -> Record:
        if row.context == "not a list":
            raise Reject(None, f"expected a list, got {type(row.item).__name__}")
        if row.context == "includes":
            raise Reject(None, "expected includes to be an object of lists")
        if not isinstance(row.item, dict):
            raise Reject(None, f"expected an object, got {type(row.item).__name__}")
        if row.context == "user":
            return _user(row.item)
        return _tweet(row.item)


def _user(user: dict[str, Any]) -> Record:
    user_id = required(user, "id", text_id)
    props: dict[str, Any] = {"platform": PLATFORM}
    for field, prop, parser in (
        ("username", "handle", parse_text),
        ("name", "display_name", parse_text),
        ("created_at", "created_at", parse_timestamp),
        ("verified", "verified", parse_bool),
        ("location", "location", parse_text),
    ):
        value = optional(user, field, parser)
        if value is not None:
            props[prop] = value
    metrics = obj(user.get("public_metrics"), "public_metrics")
    with within("public_metrics"):
        followers = optional(metrics, "followers_count", parse_int)
    if followers is not None:
        props["followers"] = followers
    return Record("accounts", f"user:{user_id}", {"id": user_id, "props": props})


def shared_by(refs: dict[str, str], props: dict[str, Any]) -> str | None:
    """The post a tweet shares (a retweet's, else a quote's), with the reference props,
    from its referenced ids by kind (also the column path's, column_maps.py)."""
    shared: str | None = None
    if "retweeted" in refs:
        shared, props["share_kind"] = refs["retweeted"], "retweet"
    elif "quoted" in refs:
        shared, props["share_kind"] = refs["quoted"], "quote"
    if "quoted" in refs:
        props["quoted_id"] = refs["quoted"]
    if "replied_to" in refs:
        props["reply_to_id"] = refs["replied_to"]
    return shared


def _tweet(tweet: dict[str, Any]) -> Record:
    tweet_id = required(tweet, "id", text_id)
    author_id = required(tweet, "author_id", text_id)
    created_at = required(tweet, "created_at", parse_timestamp)
    text = optional(tweet, "text", parse_text)
    props: dict[str, Any] = {"platform": PLATFORM}
    for field, prop in (("conversation_id", "conversation_id"), ("lang", "lang")):
        value = optional(tweet, field, parse_text)
        if value is not None:
            props[prop] = value
    refs: dict[str, str] = {}
    for index, ref in enumerate(array(tweet.get("referenced_tweets"), "referenced_tweets")):
        ref = obj(ref, f"referenced_tweets[{index}]")
        kind = ref.get("type")
        if kind in ("retweeted", "quoted", "replied_to"):
            with within(f"referenced_tweets[{index}]"):
                refs.setdefault(kind, required(ref, "id", text_id))
    shared = shared_by(refs, props)
    entities = obj(tweet.get("entities"), "entities")
    urls: list[str] = []
    for index, entry in enumerate(array(entities.get("urls"), "entities.urls")):
        entry = obj(entry, f"entities.urls[{index}]")
        found = [f for f in ("unwound_url", "expanded_url", "url") if entry.get(f) is not None]
        if not found:
            continue
        url = parsed(f"entities.urls[{index}].{found[0]}", parse_url, entry[found[0]])
        if url not in urls:
            urls.append(url)
    tags: list[str] = []
    for index, entry in enumerate(array(entities.get("hashtags"), "entities.hashtags")):
        entry = obj(entry, f"entities.hashtags[{index}]")
        for tag in parsed(f"entities.hashtags[{index}].tag", parse_tags, [entry.get("tag", "")]):
            if tag not in tags:
                tags.append(tag)
    row = post_row(
        tweet_id, author_id, created_at, text=text, urls=urls, hashtags=tags,
        shared_post_id=shared, extra_props=props,
    )  # fmt: skip
    row["author_props"] = {"platform": PLATFORM}
    return Record("posts_by_account", f"tweet:{tweet_id}", row)
