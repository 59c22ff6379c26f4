"""The web the crowd links to: fictional outlets, stories with Zipf-like popularity.

Each day brings new stories; a few are shared widely, most once or twice, and
interest fades over days. Popular stories are therefore shared by many unrelated
accounts close together in time purely by chance: the innocent co-sharing that
detection must not mistake for coordination.
"""

from __future__ import annotations

import random
from bisect import bisect_right

from cibgraph.scenario import names
from cibgraph.scenario.randomness import mix64, pick_cumulative, zipf_cumulative
from cibgraph.scenario.text import fictional_domain
from cibgraph.scenario.timeline import DAY, POSTS_FROM, year_month

STORY_NUMBER_BASE = 100_000  # story number = day * base + rank, so ranks stay below it


def outlet_domains(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct fictional outlet domains."""
    domains: list[str] = []
    seen: set[str] = set()
    while len(domains) < count:
        domain = fictional_domain(rng)
        if domain not in seen:
            seen.add(domain)
            domains.append(domain)
    return domains


class LinkPool:
    """Story URLs: which one a post links to depends on the day and on popularity."""

    def __init__(self, rng: random.Random, link_posts_per_day: float) -> None:
        self._domains = outlet_domains(rng, 400)
        self._domain_weights = zipf_cumulative(len(self._domains), 1.05)
        # About three link posts per new story on average, at least a few dozen a day.
        self._stories_per_day = min(STORY_NUMBER_BASE - 1, max(40, int(link_posts_per_day / 3)))
        self._story_weights = zipf_cumulative(self._stories_per_day, 1.1)

    def pick(self, rng: random.Random, day: int) -> str:
        """A story URL for a post on ``day`` (days since the posting window opened)."""
        age = 0 if rng.random() < 0.55 else min(30, int(rng.expovariate(0.45)) + 1)
        rank = pick_cumulative(rng, self._story_weights)
        return self.url(day - age, rank)

    def url(self, story_day: int, rank: int) -> str:
        """The same (day, rank) is always the same URL, across runs and processes."""
        h = mix64((story_day + 1000) * STORY_NUMBER_BASE + rank)
        u = (h & 0xFFFFFFFF) / 4294967296.0
        outlet = bisect_right(self._domain_weights, u * self._domain_weights[-1])
        domain = self._domains[min(len(self._domains) - 1, outlet)]
        section = names.URL_SECTIONS[(h >> 32) % len(names.URL_SECTIONS)]
        topic = names.TOPICS[(h >> 40) % len(names.TOPICS)].replace(" ", "-")
        city = names.CITIES[(h >> 48) % len(names.CITIES)].replace(" ", "-")
        year, month = year_month(POSTS_FROM + story_day * DAY)
        # Shifted so that stories from before the window still get positive numbers.
        number = (story_day + 1000) * STORY_NUMBER_BASE + rank
        return f"https://{domain}/{section}/{year}/{month:02d}/{city}-{topic}-{number}"
