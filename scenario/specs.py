"""What a planted network is made of: its operator, size, speed, reuse and money.

The two networks of the April 2019 reference takedown (an IT cell and an IT firm) and
the random specifications larger scales add; scenario/planted.py builds the actors,
posts and ads of a network from its specification.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from cibgraph.scenario import text
from cibgraph.scenario.campaigns import CampaignStyle
from cibgraph.scenario.timeline import epoch


@dataclass(frozen=True)
class Operator:
    """Who really runs a network: an organisation, maybe part of a party."""

    kind: str  # it_cell | it_firm | agency
    name: str
    party: str = ""  # the parent party's name, for an IT cell


@dataclass(frozen=True)
class NetworkSpec:
    label: str
    accounts: int
    pages: int
    ordinary_share: float  # accounts that look old and ordinary (some are the operators)
    bursts: int  # creation bursts holding most of the fake accounts (0: none)
    admins: int  # operator accounts that run most of the pages
    identifier_groups: int  # groups of accounts sharing a device, IP or phone
    identifier_group_size: tuple[int, int]
    campaigns: CampaignStyle
    page_followers_total: int
    foreign_page_share: float  # pages claiming a diaspora country while paying at home
    ad_count: int
    ad_spend_usd: float
    ad_currencies: tuple[str, ...]
    operator: Operator | None
    leaked_members: int = 0  # members tied to the operator by a leak, beyond the admins
    page_created: tuple[int, int] = (epoch(2013, 6, 1), epoch(2018, 12, 1))
    pages_followed_like_news: bool = False


def it_cell_spec() -> NetworkSpec:
    """The reference IT cell: 138 pages, 549 accounts, ~USD 39,000 of ads in INR."""
    return NetworkSpec(
        label="it_cell_1",
        accounts=549,
        pages=138,
        ordinary_share=0.28,
        bursts=3,
        admins=5,
        identifier_groups=22,
        identifier_group_size=(4, 20),
        campaigns=CampaignStyle(
            count=80,
            reach=(0.04, 0.25),
            delay_seconds=75.0,
            exact_copy_share=0.3,
            reshare_share=0.3,
        ),
        page_followers_total=206_000,
        foreign_page_share=0.15,
        ad_count=450,
        ad_spend_usd=39_000.0,
        ad_currencies=("INR",),
        operator=Operator("it_cell", "Zenith Digital Volunteers Cell", "Zenith People's Party"),
        leaked_members=3,
    )


def it_firm_spec() -> NetworkSpec:
    """The reference IT firm: 15 assets (9 pages, 6 accounts), ~2.6M page followers."""
    return NetworkSpec(
        label="it_firm_1",
        accounts=6,
        pages=9,
        ordinary_share=0.5,
        bursts=0,
        admins=3,
        identifier_groups=0,
        identifier_group_size=(0, 0),
        campaigns=CampaignStyle(
            count=45,
            reach=(0.4, 1.0),
            delay_seconds=75 * 60.0,
            exact_copy_share=0.15,
            reshare_share=0.2,
        ),
        page_followers_total=2_600_000,
        foreign_page_share=0.0,
        ad_count=12,
        ad_spend_usd=1_500.0,
        ad_currencies=("INR", "USD"),
        operator=Operator("it_firm", "Quillbyte Technologies"),
        page_created=(epoch(2014, 1, 1), epoch(2017, 12, 1)),
        pages_followed_like_news=True,
    )


# (mean follower delay in seconds, how that reads): from bots to shift workers.
_SPEEDS = (15.0, 60.0, 240.0, 900.0, 2_700.0, 7_200.0)
_EXTRA_OPERATORS = ("it_cell", "it_firm", "agency", "")


def random_spec(rng: random.Random, label: str) -> NetworkSpec:
    """Another planted network for larger scales: 20-600 members, any speed."""
    size = int(math.exp(rng.uniform(math.log(20), math.log(600))))
    pages = round(size * rng.uniform(0.0, 0.35))
    accounts = max(3, size - pages)
    reuse = rng.random() < 0.5
    kind = rng.choice(_EXTRA_OPERATORS)
    operator = None
    if kind:
        party = text.org_name(rng, "party") if kind == "it_cell" else ""
        operator = Operator(kind, text.org_name(rng, kind), party)
    return NetworkSpec(
        label=label,
        accounts=accounts,
        pages=pages,
        ordinary_share=rng.uniform(0.1, 0.6),
        bursts=rng.choice((0, 1, 2, 3)) if accounts >= 30 else 0,
        admins=min(accounts, rng.randint(1, 8)),
        identifier_groups=rng.randint(1, max(1, accounts // 25)) if reuse else 0,
        identifier_group_size=(2, min(20, max(3, accounts // 3))),
        campaigns=CampaignStyle(
            count=rng.randint(10, 60),
            reach=(rng.uniform(0.03, 0.2), rng.uniform(0.25, 0.8)),
            delay_seconds=rng.choice(_SPEEDS) * rng.uniform(0.7, 1.4),
            exact_copy_share=rng.uniform(0.0, 0.6),
            reshare_share=rng.uniform(0.0, 0.5),
        ),
        page_followers_total=int(pages * math.exp(rng.uniform(math.log(300), math.log(50_000)))),
        foreign_page_share=rng.choice((0.0, 0.0, 0.1, 0.3)),
        ad_count=rng.choice((0, 0, 5, 20, 80)),
        ad_spend_usd=rng.uniform(500.0, 20_000.0),
        ad_currencies=rng.choice((("INR",), ("INR", "USD"), ("PKR",), ("BDT",), ("USD",))),
        operator=operator,
        leaked_members=rng.randint(0, 3),
    )
