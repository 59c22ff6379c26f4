"""X API v2 pages for the column path (``columns.py``): ``twitter_v2.py``'s mapping,
field for field, with ids, texts, timestamps and URLs handed to ``Cells``."""

from __future__ import annotations

from typing import Any

from cibgraph.loaders.formats import twitter_v2
from cibgraph.loaders.formats.column_fields import Decline, ident, listed, optional_text, post_row
from cibgraph.loaders.formats.columns import Cells
from cibgraph.loaders.formats.common import ItemRow
from cibgraph.loaders.records import Record
from cibgraph.loaders.values import parse_tags


def _x_user(cells: Cells, user: dict[str, Any]) -> Record:
    user_id = ident(cells, user.get("id"))
    props: dict[str, Any] = {"platform": twitter_v2.PLATFORM}
    for field, prop in (("username", "handle"), ("name", "display_name"), ("location", "location")):
        value = optional_text(cells, user.get(field))
        if value is not None:
            props[prop] = value
    created = user.get("created_at")
    if created is not None and created != "":
        if type(created) is not str:
            raise Decline
        cells.time(created, props, "created_at")
    verified = user.get("verified")
    if verified is not None:
        if type(verified) is not bool:
            raise Decline
        props["verified"] = verified
    metrics = user.get("public_metrics")
    if metrics is not None:
        if type(metrics) is not dict:
            raise Decline
        followers = metrics.get("followers_count")
        if followers is not None:
            # parse_int goes through a float: exact up to 2**53.
            if type(followers) is not int or not 0 <= followers <= 2**53:
                raise Decline
            props["followers"] = followers
    return Record("accounts", f"user:{user_id}", {"id": user_id, "props": props})


def _x_refs(cells: Cells, refs: Any, props: dict[str, Any]) -> str | None:
    found: dict[str, str] = {}
    for ref in listed(refs):
        if type(ref) is not dict:
            raise Decline
        kind = ref.get("type")
        if kind in ("retweeted", "quoted", "replied_to"):
            found.setdefault(kind, ident(cells, ref.get("id")))
    return twitter_v2.shared_by(found, props)


def _x_entities(cells: Cells, entities: Any, urls: list[str]) -> list[str]:
    tags: list[str] = []
    if entities is None:
        return tags
    if type(entities) is not dict:
        raise Decline
    for entry in listed(entities.get("urls")):
        if type(entry) is not dict:
            raise Decline
        found = [f for f in ("unwound_url", "expanded_url", "url") if entry.get(f) is not None]
        if found:
            if type(entry[found[0]]) is not str:
                raise Decline
            cells.url(entry[found[0]], urls)
    for entry in listed(entities.get("hashtags")):
        if type(entry) is not dict:
            raise Decline
        for tag in parse_tags([entry.get("tag", "")]):
            if tag not in tags:
                tags.append(tag)
    return tags


def _x_tweet(cells: Cells, tweet: dict[str, Any]) -> Record:
    tweet_id = ident(cells, tweet.get("id"))
    author_id = ident(cells, tweet.get("author_id"))
    created = tweet.get("created_at")
    if type(created) is not str:
        raise Decline
    text = optional_text(cells, tweet.get("text"))
    props: dict[str, Any] = {"platform": twitter_v2.PLATFORM}
    cells.time(created, props, "created_at")
    for field in ("conversation_id", "lang"):
        value = optional_text(cells, tweet.get(field))
        if value is not None:
            props[field] = value
    shared = _x_refs(cells, tweet.get("referenced_tweets"), props)
    urls: list[str] = []
    tags = _x_entities(cells, tweet.get("entities"), urls)
    author_props = {"platform": twitter_v2.PLATFORM}
    post = post_row(tweet_id, author_id, props, text, cells, author_props, shared, tags)
    post["urls"] = urls
    return Record("posts_by_account", f"tweet:{tweet_id}", post)


def map_twitter(reader: twitter_v2.TwitterV2Reader, row: ItemRow, cells: Cells) -> Record | None:
    if type(row.item) is not dict:
        return None
    if row.context == "user":
        return _x_user(cells, row.item)
    if row.context == "tweet":
        return _x_tweet(cells, row.item)
    return None


# Meta Content Library ------------------------------------------------------------------
