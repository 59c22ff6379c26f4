"""Coordinated pushes: one opening post, then many members posting the same link or
a near-copy of the same text, or resharing the opener, within a short delay.

The delay is what separates the planted networks from each other: an IT cell's
members follow within seconds to minutes, a firm's staff within tens of minutes
to hours.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from cibgraph.scenario import names, text
from cibgraph.scenario.ids import PostIds
from cibgraph.scenario.model import Post, Row
from cibgraph.scenario.ordering import in_time_order
from cibgraph.scenario.randomness import pick_cumulative
from cibgraph.scenario.timeline import (
    DAY,
    HOUR,
    HOURLY_ACTIVITY,
    POSTS_FROM,
    POSTS_UNTIL,
    growing_time,
    iso,
    year_month,
)

# Members created this recently before a campaign sit it out: a brand-new account
# cannot be "seen" pushing a link before it exists.
_MIN_AGE = 6 * HOUR
_HOUR_WEIGHTS = [sum(HOURLY_ACTIVITY[: h + 1]) for h in range(24)]


@dataclass(frozen=True, slots=True)
class Member:
    actor_id: str
    actor_type: str  # account | page
    created: int


@dataclass(frozen=True)
class CampaignStyle:
    count: int
    reach: tuple[float, float]  # share of eligible members taking part
    delay_seconds: float  # mean delay of a follower after the opening post
    exact_copy_share: float  # followers pasting the opener's text unchanged
    reshare_share: float  # followers resharing the opener instead of posting
    url_reuse_share: float = 0.2  # campaigns pushing a link pushed before


class CampaignPlanner:
    """Turns a network's members and style into its campaign posts, in time order."""

    def __init__(
        self,
        rng: random.Random,
        style: CampaignStyle,
        members: list[Member],
        domains: list[str],
        tags: list[str],
        post_ids: PostIds,
    ) -> None:
        self._rng = rng
        self._style = style
        self._members = members
        self._domains = domains
        self._tags = tags
        self._post_ids = post_ids
        self._urls: list[str] = []

    def posts(self) -> Iterator[Post]:
        rng = self._rng
        starts = sorted(self._start(rng) for _ in range(self._style.count))
        return in_time_order(self._campaign(rng, start) for start in starts)

    @staticmethod
    def _start(rng: random.Random) -> int:
        """Campaigns intensify toward the election season and follow waking hours."""
        day = growing_time(rng, POSTS_FROM, POSTS_UNTIL - DAY, 1.5)
        day -= day % DAY
        return day + pick_cumulative(rng, _HOUR_WEIGHTS) * HOUR + rng.randrange(HOUR)

    def _campaign(self, rng: random.Random, start: int) -> list[Post]:
        eligible = [m for m in self._members if m.created <= start - _MIN_AGE]
        if len(eligible) < 2:
            return []
        pages = [m for m in eligible if m.actor_type == "page"]
        opener = rng.choice(pages) if pages else rng.choice(eligible)
        others = [m for m in eligible if m is not opener]
        share = rng.uniform(*self._style.reach)
        followers = rng.sample(others, max(1, min(len(others), round(share * len(others)))))
        message = text.campaign_message(rng)
        url = self._url(rng, start, message)
        tags = rng.sample(self._tags, min(len(self._tags), rng.randint(1, 3)))
        opening_id = self._post_ids.take()
        batch: list[Post] = [
            (start, self._row(opening_id, opener, start, message, url, ";".join(tags), ""))
        ]
        for member in followers:
            at = start + max(1, int(rng.expovariate(1.0 / self._style.delay_seconds)))
            batch.append((at, self._follow(rng, member, at, message, url, tags, opening_id)))
        return batch

    def _follow(
        self,
        rng: random.Random,
        member: Member,
        at: int,
        message: str,
        url: str,
        tags: list[str],
        opening_id: str,
    ) -> Row:
        post_id = self._post_ids.take()
        if rng.random() < self._style.reshare_share:
            comment = rng.choice(names.RESHARE_COMMENTS)
            return self._row(post_id, member, at, comment, "", "", opening_id)
        if rng.random() < self._style.exact_copy_share:
            body = message
        else:
            body = text.near_copy(rng, message)
        order = rng.sample(tags, len(tags))
        return self._row(post_id, member, at, body, url, ";".join(order), "")

    def _url(self, rng: random.Random, start: int, message: str) -> str:
        if self._urls and rng.random() < self._style.url_reuse_share:
            return rng.choice(self._urls)
        year, month = year_month(start)
        story = f"{text.slug(message)[:48].rstrip('-')}-{rng.randrange(1000, 100_000)}"
        url = f"https://{rng.choice(self._domains)}/{year}/{month:02d}/{story}"
        self._urls.append(url)
        return url

    @staticmethod
    def _row(
        post_id: str, member: Member, at: int, body: str, url: str, tags: str, shared: str
    ) -> Row:
        return (post_id, member.actor_id, member.actor_type, iso(at), body, url, tags, shared)
