"""Time in the scenario: epoch seconds inside, ISO 8601 with a UTC offset outside.

The reference takedown was in April 2019: actors are created from 2008 to mid-March
2019, and posting activity is concentrated in the nine months before it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from functools import lru_cache

DAY = 86_400
HOUR = 3_600
MINUTE = 60


def epoch(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


ACTORS_FROM = epoch(2008, 1, 1)
ACTORS_UNTIL = epoch(2019, 3, 15)
POSTS_FROM = epoch(2018, 7, 1)
POSTS_UNTIL = epoch(2019, 4, 1)  # exclusive: the last posts are on 31 March 2019
ADS_FROM = epoch(2014, 1, 1)
POSTING_DAYS = (POSTS_UNTIL - POSTS_FROM) // DAY

# Share of a day's posts in each UTC hour: Indian evenings (UTC 12-17) are busiest,
# Indian nights (UTC 19-01) are quiet.
HOURLY_ACTIVITY: tuple[float, ...] = (
    1.2, 2.0, 3.0, 4.0, 4.5, 4.8, 5.0, 5.0, 5.2, 5.5, 5.8, 6.2,
    6.8, 7.2, 7.5, 7.2, 6.5, 5.0, 3.5, 2.2, 1.2, 0.7, 0.5, 0.7,
)  # fmt: skip


@lru_cache(maxsize=8192)
def _day_prefix(day_number: int) -> str:
    return datetime.fromtimestamp(day_number * DAY, UTC).strftime("%Y-%m-%d")


def iso(ts: int) -> str:
    """``2019-02-14T09:31:07+00:00``: second precision, explicit UTC offset."""
    day_number, second = divmod(ts, DAY)
    hour, rest = divmod(second, HOUR)
    minute, sec = divmod(rest, MINUTE)
    return f"{_day_prefix(day_number)}T{hour:02d}:{minute:02d}:{sec:02d}+00:00"


def year_month(ts: int) -> tuple[int, int]:
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.year, moment.month


def uniform_time(rng: random.Random, start: int, end: int) -> int:
    """A second in ``[start, end)``."""
    return start + int(rng.random() * (end - start))


def growing_time(rng: random.Random, start: int, end: int, power: float = 1.6) -> int:
    """A second in ``[start, end)``, more likely late: platforms grow over the years."""
    return start + int((rng.random() ** (1.0 / power)) * (end - start))
