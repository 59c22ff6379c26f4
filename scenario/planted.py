"""Planted networks: coordinated *and* inauthentic, the behaviour detection must find.

Sized like the April 2019 reference takedown at scale 1: an IT cell's 138 pages and
549 accounts (fake accounts made in bursts, a handful of admins running most pages,
reused devices and phones, links pushed within seconds to minutes, about USD 39,000
of ads paid in rupees, operators concealed) and an IT firm's 15 assets (staff
accounts mixed with fakes, pages with about 2.6 million followers, slower
co-sharing). Larger scales add more networks of varied size and speed.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from cibgraph.scenario import names, text
from cibgraph.scenario.campaigns import CampaignPlanner, Member
from cibgraph.scenario.identifiers import KINDS, identifier_row
from cibgraph.scenario.ids import account_id, page_id
from cibgraph.scenario.model import Group, Post, PostingPopulation, Row, Shared
from cibgraph.scenario.money import (
    ACCOUNT_COUNTRIES,
    confidence,
    local_amount,
    money,
    pick_country,
)
from cibgraph.scenario.organic import (
    IDENTIFIER_KIND_WEIGHTS,
    MISSING_SHARE,
    PLATFORM,
    OpenOrganisation,
)
from cibgraph.scenario.randomness import (
    component_rng,
    lognormal_int,
    pareto_weight,
    split_count,
    split_total,
)
from cibgraph.scenario.specs import NetworkSpec, Operator
from cibgraph.scenario.timeline import (
    ADS_FROM,
    DAY,
    POSTS_FROM,
    POSTS_UNTIL,
    epoch,
    iso,
    uniform_time,
)


@dataclass(frozen=True, slots=True)
class PlantedAccount:
    number: int
    created: int
    ordinary: bool
    first: str
    last: str
    followers: int
    country: str


@dataclass(frozen=True, slots=True)
class PlantedPage:
    number: int
    name: str
    category: str
    created: int
    followers: int
    country: str


# Fake accounts appear from 2016 on; the ordinary-looking members are older than that.
_FAKES_FROM = epoch(2016, 1, 1)
_FAKES_UNTIL = epoch(2019, 3, 1)
_BURSTS_FROM = epoch(2017, 3, 1)
_BURSTS_UNTIL = epoch(2018, 12, 15)
_ORDINARY_FROM = epoch(2009, 1, 1)
_ORDINARY_UNTIL = epoch(2016, 1, 1)
_OPERATORS_UNTIL = epoch(2012, 12, 31)


class PlantedNetwork(Group):
    kind = "planted"

    def __init__(self, shared: Shared, seed: int, spec: NetworkSpec) -> None:
        super().__init__(shared, spec.accounts, spec.pages)
        self.name = spec.label
        self.label = spec.label
        self.spec = spec
        self._seed = seed
        self.operator_id = ""
        self._org_rows, self.party = self._plan_operator(spec.operator)
        self._profiles: list[PlantedAccount] = []
        self._page_profiles: list[PlantedPage] = []
        self._admins: list[int] = []

    def _rng(self, purpose: str) -> random.Random:
        return component_rng(self._seed, "planted", self.spec.label, purpose)

    # -- operator --------------------------------------------------------------------

    def _plan_operator(
        self, operator: Operator | None
    ) -> tuple[list[Row], OpenOrganisation | None]:
        if operator is None:
            return [], None
        rows: list[Row] = []
        party: OpenOrganisation | None = None
        if operator.party:
            party = OpenOrganisation(
                self.shared.org_id(operator.party), operator.party, "party", "IN"
            )
            rows.append((party.org_id, party.name, "party", "IN", ""))
        self.operator_id = self.shared.org_id(operator.name)
        parent = party.org_id if party else ""
        rows.append((self.operator_id, operator.name, operator.kind, "IN", parent))
        return rows, party

    def organizations(self) -> Iterator[Row]:
        return iter(self._org_rows)

    # -- members ---------------------------------------------------------------------

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        super().bind(accounts, pages)
        self._profiles = self._make_accounts(self._rng("accounts"))
        self._page_profiles = self._make_pages(self._rng("pages"))

    def _make_accounts(self, rng: random.Random) -> list[PlantedAccount]:
        spec = self.spec
        count = len(self.accounts)
        ordinary_count = min(count, max(spec.admins, round(spec.ordinary_share * count)))
        # Roles are shuffled, never tied to position: positions follow id order.
        roles = [True] * ordinary_count + [False] * (count - ordinary_count)
        rng.shuffle(roles)
        fakes = [i for i, ordinary in enumerate(roles) if not ordinary]
        created = self._fake_creation_times(rng, len(fakes))
        fake_created = dict(zip(fakes, created, strict=True))
        ordinary_positions = [i for i, ordinary in enumerate(roles) if ordinary]
        self._admins = rng.sample(ordinary_positions, min(spec.admins, len(ordinary_positions)))
        profiles = []
        for position, number in enumerate(self.accounts):
            first, last = text.person(rng)
            if roles[position]:
                until = _OPERATORS_UNTIL if position in self._admins else _ORDINARY_UNTIL
                when = uniform_time(rng, _ORDINARY_FROM, until)
                followers = lognormal_int(rng, 160, 1.3, 500_000)
                country = pick_country(rng, ACCOUNT_COUNTRIES)
            else:
                when = fake_created[position]
                followers = int(rng.expovariate(1 / 22))
                country = "IN" if rng.random() < 0.9 else ""
            profiles.append(
                PlantedAccount(number, when, roles[position], first, last, followers, country)
            )
        return profiles

    def _fake_creation_times(self, rng: random.Random, count: int) -> list[int]:
        """Most fakes are made in a few bursts of one to three days; the rest trickle in."""
        in_bursts = round(count * 0.88) if self.spec.bursts else 0
        times: list[int] = []
        if in_bursts:
            # One burst per slice of the burst period, so bursts never run together.
            slice_length = (_BURSTS_UNTIL - _BURSTS_FROM) // self.spec.bursts
            sizes = split_count(rng, in_bursts, self.spec.bursts, 0.1)
            for i, size in enumerate(sizes):
                slice_start = _BURSTS_FROM + i * slice_length
                start = uniform_time(rng, slice_start, slice_start + slice_length - 3 * DAY)
                length = rng.randint(1, 3) * DAY
                times.extend(uniform_time(rng, start, start + length) for _ in range(size))
        times.extend(uniform_time(rng, _FAKES_FROM, _FAKES_UNTIL) for _ in range(count - in_bursts))
        rng.shuffle(times)
        return times

    def _make_pages(self, rng: random.Random) -> list[PlantedPage]:
        spec = self.spec
        followers = split_total(rng, float(spec.page_followers_total), len(self.pages), 1.1)
        pages = []
        for number, audience in zip(self.pages, followers, strict=True):
            if rng.random() < spec.foreign_page_share:
                place, country = rng.choice(names.DIASPORA_PLACES)
                name = rng.choice(names.DIASPORA_PAGE_TEMPLATES).format(Place=place.title())
            else:
                country = "IN"
                name = text.fill(rng, rng.choice(names.NETWORK_PAGE_TEMPLATES))
            category = (
                "News & Media Website"
                if spec.pages_followed_like_news
                else rng.choice(names.NETWORK_CATEGORIES)
            )
            created = uniform_time(rng, *spec.page_created)
            pages.append(PlantedPage(number, name, category, created, round(audience), country))
        return pages

    def account_row(self, position: int) -> Row:
        rng = self._rng(f"account-row-{position}")
        profile = self._profiles[position]
        if profile.ordinary:
            wanted = text.ordinary_handle(rng, profile.first, profile.last)
        else:
            wanted = text.default_handle(rng, profile.first, profile.last)
        return (
            account_id(profile.number),
            PLATFORM,
            self.shared.handles.claim(rng, wanted),
            "" if rng.random() < MISSING_SHARE else text.display_name(profile.first, profile.last),
            iso(profile.created),
            "" if rng.random() < MISSING_SHARE else str(profile.followers),
            profile.country,
            "false",
        )

    def page_row(self, position: int) -> Row:
        page = self._page_profiles[position]
        return (
            page_id(page.number),
            PLATFORM,
            page.name,
            page.category,
            iso(page.created),
            str(page.followers),
            page.country,
        )

    # -- who runs the pages ----------------------------------------------------------

    def page_admins(self) -> Iterator[Row]:
        """A handful of operator accounts run most pages; fakes run or help with the rest."""
        rng = self._rng("admins")
        fakes = [i for i, p in enumerate(self._profiles) if not p.ordinary]
        helpers = fakes or list(range(len(self._profiles)))
        for position, page in enumerate(self._page_profiles):
            if self._admins and rng.random() < 0.88:
                team = rng.sample(self._admins, min(len(self._admins), rng.choice((1, 1, 2))))
            else:
                team = [rng.choice(helpers)]
            if rng.random() < 0.1:
                team.append(rng.choice(helpers))
            for i, admin in enumerate(dict.fromkeys(team)):
                account = self._profiles[admin]
                since = uniform_time(
                    rng,
                    max(page.created, account.created),
                    min(POSTS_UNTIL, max(page.created, account.created) + 90 * DAY),
                )
                role = "admin" if i == 0 else "editor"
                yield (page_id(self.pages[position]), account_id(account.number), role, iso(since))

    def affiliations(self) -> Iterator[Row]:
        """Operators tied to their organisation by investigation or leak, never by the
        pages themselves: the pages say nothing about who runs them."""
        if self.spec.operator is None:
            return
        rng = self._rng("affiliations")
        for admin in self._admins:
            yield (
                account_id(self._profiles[admin].number),
                "account",
                self.operator_id,
                "investigation",
                confidence(rng.uniform(0.6, 0.95)),
                "Administers pages of the network; linked to the organisation's staff list",
                "",
            )
        others = [i for i in range(len(self._profiles)) if i not in self._admins]
        for member in rng.sample(others, min(len(others), self.spec.leaked_members)):
            yield (
                account_id(self._profiles[member].number),
                "account",
                self.operator_id,
                "leak",
                confidence(rng.uniform(0.45, 0.7)),
                "Named in a leaked volunteer roster",
                "false",
            )

    # -- money -------------------------------------------------------------------------

    def ads(self) -> Iterator[Row]:
        """Ads paid at home (often in rupees) with no disclosed payer, whatever country
        the page claims."""
        spec = self.spec
        if not spec.ad_count or not self._page_profiles:
            return
        rng = self._rng("ads")
        for usd in split_total(rng, spec.ad_spend_usd, spec.ad_count, 1.0):
            page = rng.choice(self._page_profiles)
            currency = rng.choice(spec.ad_currencies)
            earliest = max(ADS_FROM, page.created + DAY)
            if rng.random() < 0.7 or earliest >= POSTS_FROM:
                started = uniform_time(rng, max(earliest, POSTS_FROM), POSTS_UNTIL - DAY)
            else:
                started = uniform_time(rng, earliest, POSTS_FROM)
            ended = min(POSTS_UNTIL - 1, started + rng.randint(1, 21) * DAY)
            yield (
                self.shared.ad_ids.take(),
                page_id(page.number),
                money(local_amount(usd, currency)),
                currency,
                iso(started),
                iso(ended),
                "",
            )

    # -- identifiers -------------------------------------------------------------------

    def identifiers(self) -> Iterator[Row]:
        rng = self._rng("identifiers")
        values = self.shared.identifier_values
        for profile in self._profiles:
            if rng.random() < 0.45:
                for kind in rng.choices(KINDS, IDENTIFIER_KIND_WEIGHTS, k=rng.randint(1, 2)):
                    yield self._identifier(rng, profile, kind, values.fresh(kind))
        if len(self._admins) >= 2:
            # The operators work from one place.
            office = values.fresh("ip")
            for admin in self._admins:
                yield self._identifier(rng, self._profiles[admin], "ip", office)
        low, high = self.spec.identifier_group_size
        for _ in range(self.spec.identifier_groups):
            kind = rng.choices(("device", "ip", "phone"), (40, 35, 25))[0]
            shared_value = values.fresh(kind)
            size = min(len(self._profiles), rng.randint(low, high))
            for profile in rng.sample(self._profiles, size):
                yield self._identifier(rng, profile, kind, shared_value)

    @staticmethod
    def _identifier(rng: random.Random, profile: PlantedAccount, kind: str, value: str) -> Row:
        return identifier_row(rng, account_id(profile.number), kind, value, profile.created)

    # -- activity ----------------------------------------------------------------------

    def add_posters(self, population: PostingPopulation) -> None:
        """Ordinary-looking members post like anyone; fakes and pages mostly push."""
        rng = self._rng("activity")
        for profile in self._profiles:
            if profile.ordinary:
                weight = 0.05 if rng.random() < 0.25 else pareto_weight(rng, 1.4, 300.0)
            else:
                weight = rng.uniform(0.05, 0.4)
            population.add_account(profile.number, profile.created, weight)
        for page in self._page_profiles:
            population.add_page(page.number, page.created, rng.uniform(0.1, 0.6))

    def expected_posts(self) -> int:
        style = self.spec.campaigns
        reach = sum(style.reach) / 2
        return round(style.count * (1 + reach * (self.spec.accounts + self.spec.pages)))

    def members(self) -> list[Member]:
        accounts = [Member(account_id(p.number), "account", p.created) for p in self._profiles]
        pages = [Member(page_id(p.number), "page", p.created) for p in self._page_profiles]
        return accounts + pages

    def posts(self) -> Iterator[Post]:
        rng = self._rng("campaigns")
        domains = [self._campaign_domain(rng) for _ in range(rng.randint(3, 8))]
        tags = [self._campaign_tag(rng) for _ in range(rng.randint(6, 14))]
        planner = CampaignPlanner(
            rng, self.spec.campaigns, self.members(), domains, tags, self.shared.post_ids
        )
        return planner.posts()

    @staticmethod
    def _campaign_domain(rng: random.Random) -> str:
        """Sites a network runs for itself: low-traffic, partisan-sounding."""
        stem = rng.choice(("real", "true", "nation", "desh", "proud", "fact", "jan", "first"))
        return f"{stem}{rng.choice(names.DOMAIN_WORDS)}-example.{rng.choice(('in', 'com'))}"

    @staticmethod
    def _campaign_tag(rng: random.Random) -> str:
        stems = (
            "truth",
            "nationfirst",
            "vikas",
            "progress",
            "realnews",
            "youth",
            "proud",
            "change",
        )
        return f"{rng.choice(stems)}{rng.choice(('', '2019', 'now', 'india', 'again'))}"
