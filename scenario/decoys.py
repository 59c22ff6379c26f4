"""Decoys: groups that coordinate in the open and are labelled organic.

Coordination alone is not inauthentic behaviour. A media group posts the same story
on twenty pages within minutes, and says who runs them; fans reshare their idol's
posts within minutes; thousands of strangers share a viral clip in its first hour.
A detector that flags these has learned "coordination", not "CIB".
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from cibgraph.scenario import names, text
from cibgraph.scenario.identifiers import KINDS, identifier_row
from cibgraph.scenario.ids import account_id, page_id
from cibgraph.scenario.model import Group, Post, PostingPopulation, Row, Shared
from cibgraph.scenario.money import (
    ACCOUNT_COUNTRIES,
    CURRENCY_OF,
    confidence,
    local_amount,
    money,
    pick_country,
)
from cibgraph.scenario.ordering import in_time_order
from cibgraph.scenario.organic import (
    IDENTIFIER_KIND_WEIGHTS,
    MISSING_SHARE,
    PLATFORM,
    OrganicCrowd,
)
from cibgraph.scenario.randomness import component_rng, lognormal_int, pareto_weight
from cibgraph.scenario.timeline import (
    DAY,
    HOUR,
    MINUTE,
    POSTING_DAYS,
    POSTS_FROM,
    POSTS_UNTIL,
    epoch,
    iso,
    uniform_time,
    year_month,
)

_OLD_FROM = epoch(2009, 1, 1)
_OLD_UNTIL = epoch(2016, 1, 1)


@dataclass(frozen=True, slots=True)
class Person:
    """An ordinary, long-standing account."""

    number: int
    created: int
    first: str
    last: str
    followers: int


class _OpenGroup(Group):
    """Shared plumbing: people with ordinary profiles and ordinary habits."""

    kind = "decoy"

    def __init__(self, shared: Shared, seed: int, name: str, accounts: int, pages: int) -> None:
        super().__init__(shared, accounts, pages)
        self.name = name
        self._seed = seed
        self.people: list[Person] = []

    def _rng(self, purpose: str) -> random.Random:
        return component_rng(self._seed, "decoy", self.name, purpose)

    def _make_people(self, rng: random.Random, median_followers: float) -> list[Person]:
        people = []
        for number in self.accounts:
            first, last = text.person(rng)
            created = uniform_time(rng, _OLD_FROM, _OLD_UNTIL)
            followers = lognormal_int(rng, median_followers, 1.3, 2_000_000)
            people.append(Person(number, created, first, last, followers))
        return people

    def account_row(self, position: int) -> Row:
        rng = self._rng(f"account-row-{position}")
        person = self.people[position]
        handle = text.ordinary_handle(rng, person.first, person.last)
        return (
            account_id(person.number),
            PLATFORM,
            self.shared.handles.claim(rng, handle),
            "" if rng.random() < MISSING_SHARE else text.display_name(person.first, person.last),
            iso(person.created),
            "" if rng.random() < MISSING_SHARE else str(person.followers),
            pick_country(rng, ACCOUNT_COUNTRIES),
            "false",
        )

    def identifiers(self) -> Iterator[Row]:
        rng = self._rng("identifiers")
        values = self.shared.identifier_values
        for person in self.people:
            if rng.random() < 0.4:
                for kind in rng.choices(KINDS, IDENTIFIER_KIND_WEIGHTS, k=rng.randint(1, 3)):
                    yield identifier_row(
                        rng, account_id(person.number), kind, values.fresh(kind), person.created
                    )

    def add_posters(self, population: PostingPopulation) -> None:
        rng = self._rng("activity")
        for person in self.people:
            weight = 0.05 if rng.random() < 0.25 else pareto_weight(rng, 1.4, 300.0)
            population.add_account(person.number, person.created, weight)


# -- media group ---------------------------------------------------------------------

_DESKS = ("Live", "Sports", "Business", "Entertainment", "Politics", "Tech", "Health", "World")
_EDITION_HOURS = (2, 4, 6, 8, 11, 14)  # UTC: morning to evening in India


class MediaGroup(_OpenGroup):
    """~20 pages openly run by a few shared admins, publishing the same story at once."""

    prefix = "media_group"
    first_name = "Kestrel Morning Media"
    first_size = (20, 4)  # pages, admins of the first group

    def __init__(self, shared: Shared, seed: int, index: int) -> None:
        rng = component_rng(seed, "decoy", f"{self.prefix}_{index}", "plan")
        pages = self.first_size[0] if index == 1 else rng.randint(8, 40)
        admins = self.first_size[1] if index == 1 else rng.randint(2, 5)
        super().__init__(shared, seed, f"{self.prefix}_{index}", admins, pages)
        self.org_name = self.first_name if index == 1 else text.org_name(rng, "media")
        self.org_id = shared.org_id(self.org_name)
        self.country = "IN" if index == 1 else rng.choice(("IN", "IN", "IN", "BD", "PK", "GB"))
        self.brand = self.org_name.rsplit(" ", 2)[0]
        self.domain = (
            f"{text.slug(self.brand).replace('-', '')}-example.{rng.choice(('in', 'com'))}"
        )
        self._page_names: list[str] = []
        self._page_created: list[int] = []

    def organizations(self) -> Iterator[Row]:
        yield (self.org_id, self.org_name, "media", self.country, "")

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        super().bind(accounts, pages)
        rng = self._rng("profiles")
        self.people = self._make_people(rng, 400)
        desks = list(_DESKS) + [c.title() for c in names.CITIES]
        chosen = rng.sample(desks, len(self.pages))
        self._page_names = [f"{self.brand} {desk}" for desk in chosen]
        self._page_created = [uniform_time(rng, _OLD_FROM, _OLD_UNTIL) for _ in self.pages]

    def page_row(self, position: int) -> Row:
        rng = self._rng(f"page-row-{position}")
        return (
            page_id(self.pages[position]),
            PLATFORM,
            self._page_names[position],
            rng.choice(("News & Media Website", "Media/News Company")),
            iso(self._page_created[position]),
            str(lognormal_int(rng, 40_000, 1.2, 10_000_000)),
            self.country,
        )

    def page_admins(self) -> Iterator[Row]:
        rng = self._rng("admins")
        for position, number in enumerate(self.pages):
            team = rng.sample(self.people, rng.randint(min(2, len(self.people)), len(self.people)))
            for i, person in enumerate(team):
                since = uniform_time(
                    rng, max(person.created, self._page_created[position]), POSTS_FROM
                )
                role = "admin" if i == 0 else "editor"
                yield (page_id(number), account_id(person.number), role, iso(since))

    def affiliations(self) -> Iterator[Row]:
        """Disclosed the real-world ways: the pages through Page Transparency (the source
        says it), the staff on their profiles (the ``disclosed`` column says it)."""
        for number in self.pages:
            yield (
                page_id(number),
                "page",
                self.org_id,
                "Page Transparency",
                confidence(1.0),
                f"Page transparency: this page is managed by {self.org_name}",
                "",
            )
        for person in self.people:
            yield (
                account_id(person.number),
                "account",
                self.org_id,
                "profile",
                confidence(1.0),
                f"Profile says: social media desk at {self.org_name}",
                "true",
            )

    def ads(self) -> Iterator[Row]:
        rng = self._rng("ads")
        currency = CURRENCY_OF[self.country]
        for _ in range(rng.randint(10, 30)):
            position = rng.randrange(len(self.pages))
            started = uniform_time(rng, POSTS_FROM, POSTS_UNTIL - DAY)
            yield (
                self.shared.ad_ids.take(),
                page_id(self.pages[position]),
                money(local_amount(rng.uniform(50, 500), currency)),
                currency,
                iso(started),
                iso(min(POSTS_UNTIL - 1, started + rng.randint(1, 14) * DAY)),
                self.org_name,
            )

    def identifiers(self) -> Iterator[Row]:
        yield from super().identifiers()
        rng = self._rng("office")
        office = self.shared.identifier_values.fresh("ip")
        for person in self.people:
            yield identifier_row(rng, account_id(person.number), "ip", office, person.created)

    def add_posters(self, population: PostingPopulation) -> None:
        super().add_posters(population)
        for number, created in zip(self.pages, self._page_created, strict=True):
            population.add_page(number, created, 0.2)

    def expected_posts(self) -> int:
        return round(POSTING_DAYS * 0.5 * 1.5 * self.pages_needed)

    def posts(self) -> Iterator[Post]:
        """Editions on a schedule: every page carries the story within a few minutes."""
        rng = self._rng("editions")
        brand_tag = text.slug(self.brand).replace("-", "")

        def editions() -> Iterator[list[Post]]:
            for day in range(POSTING_DAYS):
                if rng.random() >= 0.5:
                    continue
                hours = sorted(rng.sample(_EDITION_HOURS, rng.randint(1, 2)))
                for hour in hours:
                    start = POSTS_FROM + day * DAY + hour * HOUR + rng.randrange(10 * MINUTE)
                    yield self._edition(rng, start, brand_tag)

        return in_time_order(editions())

    def _edition(self, rng: random.Random, start: int, brand_tag: str) -> list[Post]:
        headline = text.headline(rng)
        year, month = year_month(start)
        section = rng.choice(names.URL_SECTIONS)
        story = f"{text.slug(headline)}-{rng.randrange(10_000, 1_000_000)}"
        url = f"https://{self.domain}/{section}/{year}/{month:02d}/{story}"
        batch: list[Post] = []
        for position, number in enumerate(self.pages):
            at = start + rng.randrange(0, 4 * MINUTE)
            body = headline if rng.random() < 0.7 else f"{headline} | {self._page_names[position]}"
            row = (
                self.shared.post_ids.take(),
                page_id(number),
                "page",
                iso(at),
                body,
                url,
                brand_tag,
                "",
            )
            batch.append((at, row))
        return batch


# -- fan club --------------------------------------------------------------------------


class FanClub(_OpenGroup):
    """Old, ordinary fans resharing a celebrity page's posts within minutes."""

    def __init__(self, shared: Shared, seed: int, index: int) -> None:
        rng = component_rng(seed, "decoy", f"fan_club_{index}", "plan")
        fans = 150 if index == 1 else rng.randint(50, 400)
        super().__init__(shared, seed, f"fan_club_{index}", fans + 1, 1)  # + the manager
        self.celebrity = f"{rng.choice(names.CELEBRITY_FIRST)} {rng.choice(names.CELEBRITY_LAST)}"
        self._page_created = uniform_time(rng, epoch(2011, 1, 1), epoch(2015, 1, 1))

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        super().bind(accounts, pages)
        self.people = self._make_people(self._rng("profiles"), 250)

    @property
    def fans(self) -> list[Person]:
        return self.people[1:]

    def page_row(self, position: int) -> Row:
        rng = self._rng("page-row")
        return (
            page_id(self.pages[position]),
            PLATFORM,
            self.celebrity,
            rng.choice(("Actor", "Public Figure", "Musician/Band")),
            iso(self._page_created),
            str(lognormal_int(rng, 2_000_000, 0.6, 40_000_000)),
            "IN",
        )

    def page_admins(self) -> Iterator[Row]:
        manager = self.people[0]
        since = max(manager.created, self._page_created)
        yield (page_id(self.pages[0]), account_id(manager.number), "admin", iso(since))

    def ads(self) -> Iterator[Row]:
        rng = self._rng("ads")
        for _ in range(rng.randint(0, 4)):
            started = uniform_time(rng, POSTS_FROM, POSTS_UNTIL - DAY)
            yield (
                self.shared.ad_ids.take(),
                page_id(self.pages[0]),
                money(local_amount(rng.uniform(100, 2_000), "INR")),
                "INR",
                iso(started),
                iso(min(POSTS_UNTIL - 1, started + rng.randint(3, 20) * DAY)),
                f"{self.celebrity} Films",
            )

    def add_posters(self, population: PostingPopulation) -> None:
        super().add_posters(population)
        population.add_page(self.pages[0], self._page_created, 0.1)

    def expected_posts(self) -> int:
        return round(90 * (1 + 0.375 * len(self.fans)))

    def posts(self) -> Iterator[Post]:
        rng = self._rng("posts")
        count = rng.randint(70, 110)
        starts = sorted(uniform_time(rng, POSTS_FROM, POSTS_UNTIL - DAY) for _ in range(count))
        fan_tag = text.slug(self.celebrity).replace("-", "") + "fans"
        return in_time_order(self._post_and_reshares(rng, start, fan_tag) for start in starts)

    def _post_and_reshares(self, rng: random.Random, start: int, fan_tag: str) -> list[Post]:
        celebrity_post = self.shared.post_ids.take()
        body = text.fill(rng, rng.choice(names.CELEBRITY_TEMPLATES), n=str(rng.randint(2, 90)))
        batch: list[Post] = [
            (start, (celebrity_post, page_id(self.pages[0]), "page", iso(start), body, "", "", ""))
        ]
        fans = rng.sample(self.fans, max(1, round(len(self.fans) * rng.uniform(0.15, 0.6))))
        for fan in fans:
            if rng.random() < 0.75:
                delay = 1 + int(rng.expovariate(1 / 150))
            else:
                delay = int(rng.lognormvariate(7.5, 1.2))  # median ~30 minutes
            at = start + delay
            comment = rng.choice(names.FAN_TEMPLATES).format(celeb=self.celebrity.split()[0])
            tags = fan_tag if rng.random() < 0.4 else ""
            row = (
                self.shared.post_ids.take(),
                account_id(fan.number),
                "account",
                iso(at),
                comment,
                "",
                tags,
                celebrity_post,
            )
            batch.append((at, row))
        return batch


# -- viral links -----------------------------------------------------------------------

_VIRAL_SITES = ("clipshare-example.com", "viralvids-example.net", "trendingnow-example.in")
_VIRAL_COMMENTS = ("", "", "OMG", "Watch till the end", "Haha", "Must watch", "Wow", "So cute")


class ViralLink(Group):
    """One clip shared by thousands of unrelated accounts: a dense first burst, then a
    long tail. Pure chance co-sharing on a grand scale."""

    kind = "decoy"

    def __init__(self, shared: Shared, seed: int, index: int, crowd: OrganicCrowd, scale: float):
        super().__init__(shared, 0, 0)
        self.name = f"viral_link_{index}"
        self._rng = component_rng(seed, "decoy", self.name, "shares")
        self._crowd = crowd
        self._shares = round(self._rng.randint(1_000, 3_000) * min(1.0, scale))

    def expected_posts(self) -> int:
        return min(self._shares, len(self._crowd.accounts) * 4 // 5)

    def posts(self) -> Iterator[Post]:
        rng = self._rng
        crowd = self._crowd
        people = len(crowd.accounts)
        start = uniform_time(rng, POSTS_FROM + 7 * DAY, POSTS_UNTIL - 21 * DAY)
        url = (
            f"https://{rng.choice(_VIRAL_SITES)}/watch/"
            f"{text.slug(text.organic_text(rng))[:40].rstrip('-')}-{rng.randrange(10**6, 10**7)}"
        )
        moments: list[tuple[int, int]] = []
        for position in rng.sample(range(people), min(self._shares, people * 4 // 5)):
            if rng.random() < 0.15:
                delay = int(rng.expovariate(1 / 90))
            else:
                delay = min(14 * DAY, int(rng.lognormvariate(8.9, 1.6)))  # median ~2 hours
            at = start + delay
            if crowd.account_created[position] <= at:
                moments.append((at, position))
        moments.sort()
        for at, position in moments:
            row = (
                self.shared.post_ids.take(),
                account_id(crowd.accounts[position]),
                "account",
                iso(at),
                rng.choice(_VIRAL_COMMENTS),
                url,
                "viral" if rng.random() < 0.1 else "",
                "",
            )
            yield at, row
