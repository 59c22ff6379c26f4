"""The organic crowd: ordinary accounts and pages, and the organisations that openly
run some of them.

Everything here is authentic by construction, including the parts that look
coordinated at first glance: agencies whose staff administer many client pages,
offices whose staff share one IP address, families sharing a tablet, official pages
that say which party or charity runs them.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from cibgraph.scenario import names, text
from cibgraph.scenario.identifiers import KINDS, identifier_row
from cibgraph.scenario.ids import account_id, page_id
from cibgraph.scenario.model import Group, PostingPopulation, Row, Shared
from cibgraph.scenario.money import (
    ACCOUNT_COUNTRIES,
    CURRENCY_OF,
    PAGE_COUNTRIES,
    confidence,
    local_amount,
    money,
    pick_country,
)
from cibgraph.scenario.randomness import (
    component_rng,
    lognormal_int,
    pareto_weight,
)
from cibgraph.scenario.timeline import (
    ACTORS_FROM,
    ACTORS_UNTIL,
    ADS_FROM,
    DAY,
    POSTS_FROM,
    POSTS_UNTIL,
    growing_time,
    iso,
    uniform_time,
)

ACCOUNTS_PER_SCALE = 10_000
PAGES_PER_SCALE = 1_000
PLATFORM = "friendsbook"  # a fictional platform; every actor lives on it
MISSING_SHARE = 0.01  # optional profile fields left empty, in every group alike

# Ordinary political pages (supporters, local causes), so that a partisan page name
# says nothing by itself about who runs the page.
POLITICAL_PAGE_SHARE = 0.03
OFFICIAL_CATEGORIES = {
    "party": "Political Party",
    "ngo": "Nonprofit Organization",
    "government": "Government Organization",
    "media": "News & Media Website",
    "it_cell": "Political Organization",
    "it_firm": "Company",
    "other": "Organization",
}

# Kinds of identifier an ordinary account leaves behind, and how often.
IDENTIFIER_KIND_WEIGHTS = (35, 30, 10, 20, 5)  # in KINDS order: ip, device, phone, email, payment


@dataclass(frozen=True)
class OpenOrganisation:
    """An organisation that runs some organic pages and says so."""

    org_id: str
    name: str
    kind: str
    country: str
    parent: str = ""


class OrganicCrowd(Group):
    name = "organic"
    kind = "organic"

    def __init__(self, shared: Shared, seed: int, scale: float, parties: list[OpenOrganisation]):
        super().__init__(
            shared,
            max(1, round(ACCOUNTS_PER_SCALE * scale)),
            max(1, round(PAGES_PER_SCALE * scale)),
        )
        self._seed = seed
        self._scale = scale
        self._rng = component_rng(seed, "organic", "rows")
        # Parties come from the planted networks (which write their rows); the crowd
        # only gives each one an official, openly labelled page.
        self._borrowed = len(parties)
        self._organisations = self._plan_organisations(
            component_rng(seed, "organic", "orgs"), parties
        )
        self.account_created: array[int] = array("q")
        self.page_created: array[int] = array("q")
        self._page_country: list[str] = []
        self._page_name: list[str] = []
        self._page_category: list[str] = []
        self._official: dict[int, OpenOrganisation] = {}

    # -- organisations ------------------------------------------------------------

    def _plan_organisations(
        self, rng: random.Random, parties: list[OpenOrganisation]
    ) -> list[OpenOrganisation]:
        per_kind = {"ngo": 4, "government": 4, "agency": 3, "media": 2, "party": 2}
        plan: list[OpenOrganisation] = list(parties)
        for kind, count in per_kind.items():
            for _ in range(max(1, round(count * self._scale))):
                name = text.org_name(rng, kind)
                plan.append(OpenOrganisation(self.shared.org_id(name), name, kind, "IN"))
        return plan

    def organizations(self) -> Iterator[Row]:
        for org in self._organisations[self._borrowed :]:
            yield (org.org_id, org.name, org.kind, org.country, org.parent)

    # -- actors -------------------------------------------------------------------

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        super().bind(accounts, pages)
        rng = component_rng(self._seed, "organic", "profiles")
        self.account_created = array(
            "q", (growing_time(rng, ACTORS_FROM, ACTORS_UNTIL) for _ in accounts)
        )
        self.page_created = array(
            "q", (growing_time(rng, ACTORS_FROM, ACTORS_UNTIL, 1.3) for _ in pages)
        )
        self._page_country = [pick_country(rng, PAGE_COUNTRIES) for _ in pages]
        self._page_name = []
        self._page_category = []
        for _ in pages:
            if rng.random() < POLITICAL_PAGE_SHARE:
                template = rng.choice(names.NETWORK_PAGE_TEMPLATES)
                category = rng.choice(names.NETWORK_CATEGORIES)
            else:
                template, category = rng.choice(names.ORGANIC_PAGE_TEMPLATES)
            self._page_name.append(text.fill(rng, template))
            self._page_category.append(category)
        self._official = self._official_pages(component_rng(self._seed, "organic", "official"))

    def _official_pages(self, rng: random.Random) -> dict[int, OpenOrganisation]:
        """Pages that openly belong to an organisation, named and filed accordingly."""
        wanted = [
            org
            for org in self._organisations
            if org.kind != "agency"
            for _ in range(1 if org.kind == "party" else rng.randint(1, 3))
        ]
        positions = rng.sample(range(len(self.pages)), min(len(wanted), len(self.pages)))
        official = dict(zip(positions, wanted, strict=False))
        for position, org in official.items():
            desk = rng.choice(("", " Official", f" {rng.choice(names.CITIES).title()}"))
            self._page_name[position] = f"{org.name}{desk}"
            self._page_category[position] = OFFICIAL_CATEGORIES[org.kind]
            self._page_country[position] = org.country
        return official

    def account_row(self, position: int) -> Row:
        rng = self._rng
        first, last = text.person(rng)
        handle = self.shared.handles.claim(rng, text.ordinary_handle(rng, first, last))
        followers = lognormal_int(rng, 180, 1.5, 8_000_000)
        verified = followers > 100_000 and rng.random() < 0.6
        return (
            account_id(self.accounts[position]),
            PLATFORM,
            handle,
            "" if rng.random() < MISSING_SHARE else text.display_name(first, last),
            iso(self.account_created[position]),
            "" if rng.random() < MISSING_SHARE else str(followers),
            pick_country(rng, ACCOUNT_COUNTRIES),
            "true" if verified else "false",
        )

    def page_row(self, position: int) -> Row:
        rng = self._rng
        return (
            page_id(self.pages[position]),
            PLATFORM,
            self._page_name[position],
            self._page_category[position],
            iso(self.page_created[position]),
            str(lognormal_int(rng, 900, 1.9, 30_000_000)),
            self._page_country[position],
        )

    # -- who runs the pages ---------------------------------------------------------

    def page_admins(self) -> Iterator[Row]:
        rng = component_rng(self._seed, "organic", "admins")
        for position in range(len(self.pages)):
            count = rng.choices((1, 2, 3), (60, 28, 12))[0]
            for i, admin in enumerate(self._pick_accounts(rng, count)):
                role = "admin" if i == 0 else rng.choice(("admin", "editor", "moderator"))
                yield self._admin_row(rng, position, admin, role)
        yield from self._agency_admins()

    def _agency_admins(self) -> Iterator[Row]:
        """Agency staff who look after many client pages: shared admins, openly."""
        rng = component_rng(self._seed, "organic", "agency-admins")
        for org in self._organisations:
            if org.kind != "agency":
                continue
            staff = self._agency_staff(org)
            for position in rng.sample(
                range(len(self.pages)), min(len(self.pages), rng.randint(5, 12))
            ):
                for admin in staff:
                    yield self._admin_row(rng, position, admin, "editor")

    def _agency_staff(self, org: OpenOrganisation) -> list[int]:
        """The same staff every time they are asked for (derived from the org id)."""
        rng = component_rng(self._seed, "organic", "agency-staff", org.org_id)
        return rng.sample(range(len(self.accounts)), min(len(self.accounts), rng.randint(1, 3)))

    def _pick_accounts(self, rng: random.Random, count: int) -> list[int]:
        return rng.sample(range(len(self.accounts)), min(count, len(self.accounts)))

    def _admin_row(self, rng: random.Random, page: int, account: int, role: str) -> Row:
        since = uniform_time(
            rng, max(self.page_created[page], self.account_created[account]), POSTS_UNTIL
        )
        return (page_id(self.pages[page]), account_id(self.accounts[account]), role, iso(since))

    # -- openly declared ties ---------------------------------------------------------

    def affiliations(self) -> Iterator[Row]:
        rng = component_rng(self._seed, "organic", "affiliations")
        for org in self._organisations:
            if org.kind == "agency":
                for admin in self._agency_staff(org):
                    yield (
                        account_id(self.accounts[admin]),
                        "account",
                        org.org_id,
                        "self-disclosed",
                        confidence(1.0),
                        f"Profile says: works at {org.name}",
                        "",
                    )
                continue
        for position, org in self._official.items():
            yield (
                page_id(self.pages[position]),
                "page",
                org.org_id,
                # Disclosure the ways platforms and sites show it (README, contract).
                "official website" if position % 2 else "page transparency",
                confidence(1.0),
                f"Page transparency: this page is managed by {org.name}",
                "",
            )
            if org.kind == "ngo" and rng.random() < 0.5:
                yield (
                    page_id(self.pages[position]),
                    "page",
                    org.org_id,
                    "registry",
                    confidence(rng.uniform(0.85, 1.0)),
                    "Listed in the charity registry with this page as its contact",
                    "",
                )

    # -- advertising ----------------------------------------------------------------

    def ads(self) -> Iterator[Row]:
        """Pages advertising openly, in their own country's currency, payer named."""
        rng = component_rng(self._seed, "organic", "ads")
        advertisers = rng.sample(range(len(self.pages)), max(1, len(self.pages) * 12 // 100))
        for position in advertisers:
            currency = CURRENCY_OF.get(self._page_country[position], "USD")
            owner = self._official.get(position)
            payer = owner.name if owner else self._page_name[position]
            for _ in range(rng.choices((1, 2, 3, 5, 8), (40, 25, 15, 12, 8))[0]):
                earliest = max(ADS_FROM, self.page_created[position] + DAY)
                window_start = max(earliest, POSTS_FROM)
                if rng.random() < 0.85:
                    started = uniform_time(rng, window_start, POSTS_UNTIL - DAY)
                else:
                    started = uniform_time(rng, earliest, max(earliest + DAY, POSTS_FROM))
                ended = min(POSTS_UNTIL - 1, started + rng.randint(1, 30) * DAY)
                usd = rng.lognormvariate(3.7, 1.0)  # median about USD 40
                yield (
                    self.shared.ad_ids.take(),
                    page_id(self.pages[position]),
                    money(local_amount(usd, currency)),
                    currency,
                    iso(started),
                    iso(max(started, ended)),
                    payer,
                )

    # -- identifiers ----------------------------------------------------------------

    def identifiers(self) -> Iterator[Row]:
        rng = component_rng(self._seed, "organic", "identifiers")
        values = self.shared.identifier_values
        for position in range(len(self.accounts)):
            if rng.random() >= 0.4:
                continue
            for kind in rng.choices(KINDS, IDENTIFIER_KIND_WEIGHTS, k=rng.randint(1, 3)):
                yield self._identifier(rng, position, kind, values.fresh(kind))
        # Authentic collisions: a shared office connection, a family's tablet.
        for _ in range(max(1, round(15 * self._scale))):
            shared_ip = values.fresh("ip")
            for position in self._pick_accounts(rng, rng.randint(3, 8)):
                yield self._identifier(rng, position, "ip", shared_ip)
        for _ in range(max(1, round(25 * self._scale))):
            family_device = values.fresh("device")
            for position in self._pick_accounts(rng, rng.randint(2, 3)):
                yield self._identifier(rng, position, "device", family_device)

    def _identifier(self, rng: random.Random, position: int, kind: str, value: str) -> Row:
        return identifier_row(
            rng, account_id(self.accounts[position]), kind, value, self.account_created[position]
        )

    # -- everyday activity ----------------------------------------------------------

    def add_posters(self, population: PostingPopulation) -> None:
        rng = component_rng(self._seed, "organic", "activity")
        for number, created in zip(self.accounts, self.account_created, strict=True):
            # A quarter of accounts mostly read; the rest post with a heavy tail.
            weight = 0.05 if rng.random() < 0.25 else pareto_weight(rng, 1.4, 300.0)
            population.add_account(number, created, weight)
        for number, created in zip(self.pages, self.page_created, strict=True):
            population.add_page(number, created, pareto_weight(rng, 1.3, 300.0))
