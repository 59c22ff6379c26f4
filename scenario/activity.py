"""Everyday posting by everyone: the background every signal has to stand out from.

Posts are made day by day in time order, so a reshare can only point at a post that
already exists and memory holds one day of posts, never the whole file. Planted and
decoy members post here too, at their own rates, so that their everyday behaviour
looks like everybody else's.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate

from cibgraph.scenario import names, text
from cibgraph.scenario.ids import PostIds, account_id, page_id
from cibgraph.scenario.links import LinkPool
from cibgraph.scenario.model import Post, PostingPopulation
from cibgraph.scenario.randomness import pick_cumulative, zipf_cumulative
from cibgraph.scenario.timeline import (
    DAY,
    HOUR,
    HOURLY_ACTIVITY,
    POSTING_DAYS,
    POSTS_FROM,
    iso,
)

POSTS_PER_SCALE = 100_000
PAGE_POST_SHARE = 0.15
# Reshares follow their original by a log-normal lag (median three hours), measured
# in time rather than in posts so that the lag does not shrink as the crowd grows.
RESHARE_LAG_MEDIAN = 3 * HOUR
RESHARE_LAG_SIGMA = 1.3
RESHARE_HORIZON = 3 * DAY
HASHTAG_POOL = 400
POLITICAL_POST_SHARE = 0.05
_HOURS = list(accumulate(HOURLY_ACTIVITY))
_AUTHOR_TRIES = 8


def posts_per_day(total: int) -> list[int]:
    """``total`` posts spread over the window: weekends busier, growth toward the
    2019 election season."""
    weights = []
    for day in range(POSTING_DAYS):
        weekday = (6 + day) % 7  # 1 July 2018 was a Sunday
        weekend = 1.15 if weekday >= 5 else 1.0
        weights.append(weekend * (1.0 + 0.7 * day / POSTING_DAYS))
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[-1 - i % len(counts)] += 1
    return counts


class RecentPosts:
    """Posts of the last few days in time order, for picking what gets reshared."""

    def __init__(self) -> None:
        self._times: list[int] = []
        self._ids: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._ids)

    def add(self, at: int, post_id: str) -> None:
        self._times.append(at)
        self._ids.append(post_id)
        # Drop old posts in chunks: deleting from a list's front is O(n) per call.
        if len(self._times) % 4096 == 0:
            cut = bisect_left(self._times, at - RESHARE_HORIZON)
            del self._times[:cut]
            del self._ids[:cut]

    def before(self, moment: int) -> str:
        """The latest post at or before ``moment`` (the oldest kept one if none is)."""
        index = bisect_right(self._times, moment) - 1
        return self._ids[max(0, index)]


class EverydayPosts:
    """The time-ordered stream of background posts for the whole population."""

    def __init__(
        self, rng: random.Random, population: PostingPopulation, total: int, post_ids: PostIds
    ) -> None:
        self._rng = rng
        self._people = population
        self._total = total
        self._post_ids = post_ids
        self._links = LinkPool(rng, 0.3 * total / POSTING_DAYS)
        self._tags = text.hashtag_pool(rng, HASHTAG_POOL)
        self._tag_weights = zipf_cumulative(len(self._tags), 1.0)
        self._recent = RecentPosts()
        self._recent_page = RecentPosts()

    def __iter__(self) -> Iterator[Post]:
        rng = self._rng
        for day, count in enumerate(posts_per_day(self._total)):
            day_start = POSTS_FROM + day * DAY
            moments = sorted(
                day_start + pick_cumulative(rng, _HOURS) * HOUR + rng.randrange(HOUR)
                for _ in range(count)
            )
            for at in moments:
                post = self._post(rng, day, at)
                if post is not None:
                    yield post

    def _post(self, rng: random.Random, day: int, at: int) -> Post | None:
        if self._people.page_numbers and rng.random() < PAGE_POST_SHARE:
            number = self._author(rng, self._people.page_cumulative, self._people.page_created, at)
            if number is None:
                return None
            return at, self._page_post(rng, day, at, page_id(self._people.page_numbers[number]))
        number = self._author(
            rng, self._people.account_cumulative, self._people.account_created, at
        )
        if number is None:
            return None
        return at, self._account_post(
            rng, day, at, account_id(self._people.account_numbers[number])
        )

    @staticmethod
    def _author(
        rng: random.Random, cumulative: Sequence[float], created: Sequence[int], at: int
    ) -> int | None:
        """An active author who already existed at ``at`` (a few tries, then give up)."""
        total = cumulative[-1]
        for _ in range(_AUTHOR_TRIES):
            index = bisect_right(cumulative, rng.random() * total)
            if index < len(created) and created[index] <= at:
                return index
        return None

    def _account_post(self, rng: random.Random, day: int, at: int, author: str) -> tuple[str, ...]:
        roll = rng.random()
        post_id = self._post_ids.take()
        url = tags = shared = ""
        if roll < 0.38:
            # Some ordinary people talk politics too, in the same words the campaigns use.
            political = rng.random() < POLITICAL_POST_SHARE
            body = text.campaign_message(rng) if political else text.organic_text(rng)
            tags = self._hashtags(rng) if rng.random() < 0.25 else ""
        elif roll < 0.68:
            url = self._links.pick(rng, day)
            body = rng.choice(names.LINK_COMMENTS)
            tags = self._hashtags(rng) if rng.random() < 0.15 else ""
        elif roll < 0.95 and self._recent:
            shared = self._reshare_target(rng, at)
            body = rng.choice(names.RESHARE_COMMENTS)
        else:
            body = text.organic_text(rng)
            tags = self._hashtags(rng, rng.randint(2, 4))
        self._recent.add(at, post_id)
        return (post_id, author, "account", iso(at), body, url, tags, shared)

    def _page_post(self, rng: random.Random, day: int, at: int, author: str) -> tuple[str, ...]:
        roll = rng.random()
        post_id = self._post_ids.take()
        url = shared = ""
        if roll < 0.55:
            url = self._links.pick(rng, day)
            body = text.headline(rng)
        elif roll < 0.9 or not self._recent:
            body = text.organic_text(rng)
        else:
            shared = self._reshare_target(rng, at)
            body = ""
        tags = self._hashtags(rng) if rng.random() < 0.3 else ""
        self._recent.add(at, post_id)
        self._recent_page.add(at, post_id)
        return (post_id, author, "page", iso(at), body, url, tags, shared)

    def _reshare_target(self, rng: random.Random, at: int) -> str:
        """An earlier post, often a page's, posted about a typical lag before ``at``."""
        pool = self._recent_page if self._recent_page and rng.random() < 0.6 else self._recent
        lag = rng.lognormvariate(math.log(RESHARE_LAG_MEDIAN), RESHARE_LAG_SIGMA)
        return pool.before(at - int(lag))

    def _hashtags(self, rng: random.Random, count: int = 0) -> str:
        wanted = count or rng.choices((1, 2, 3), (60, 30, 10))[0]
        chosen: list[str] = []
        for _ in range(wanted * 2):
            tag = self._tags[pick_cumulative(rng, self._tag_weights)]
            if tag not in chosen:
                chosen.append(tag)
            if len(chosen) == wanted:
                break
        return ";".join(chosen)
