"""Planted networks that avoid the three classic objects (same URL, reshare, text).

Each tactic is one way operators dodge exact-match co-sharing, and the signal that
still meets them (README, "Signals"):

- ``tracking_links``: the same article, each copy with its own ``utm_*``/``fbclid``/
  ``gclid`` parameters, a default port or a trailing slash (canonical URLs);
- ``hashtag_swarm``: the same set of hashtags in shuffled order, varied words, no
  link (co_hashtag);
- ``reused_images``: the same image under varied words (co_image), four copies in
  five re-encoded: their 64-bit perceptual hash is 1-3 bits off the original's
  (``near_copy``), so only near-equal hashes meet them all;
- ``boosted_pages``: fresh fake accounts resharing a few small pages' posts within
  seconds; the pages only post, so they join through ``amplified`` (README,
  "Amplified assets");
- ``paraphrased_templates``: one template per campaign, every copy with its own
  words and emoji (scenario/paraphrase.py), no link, no hashtag, no image: no two
  copies need be identical, so only near-duplicate clusters meet them
  (co_similar_text).

The accounts are fakes in the planted networks' fashion: made in one creation burst,
new at their first post, few followers, sign-up-form handles. Added to a scenario
with ``tactics=True`` (``cib demo generate --tactics``); scale 1 has one network
per tactic at the sizes of the issue that asked for them, larger scales about
``scale / 2`` more of each, of varied sizes.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from cibgraph.scenario import names, paraphrase, text
from cibgraph.scenario.ids import account_id, page_id
from cibgraph.scenario.model import Group, Post, PostingPopulation, Row, Shared
from cibgraph.scenario.ordering import in_time_order
from cibgraph.scenario.organic import MISSING_SHARE, PLATFORM
from cibgraph.scenario.randomness import component_rng, lognormal_int
from cibgraph.scenario.timeline import DAY, POSTS_UNTIL, epoch, iso, uniform_time, year_month

TACTICS = (
    "tracking_links",
    "hashtag_swarm",
    "reused_images",
    "boosted_pages",
    "paraphrased_templates",
)
# Accounts (and boosted pages) of the first network of each tactic.
_FIRST_SIZES = {
    "tracking_links": (40, 0),
    "hashtag_swarm": (35, 0),
    "reused_images": (30, 0),
    "boosted_pages": (60, 6),
    "paraphrased_templates": (45, 0),
}
_BURSTS_FROM = epoch(2018, 5, 1)
_BURSTS_UNTIL = epoch(2018, 11, 1)
# Tracking parameters as ad platforms, mail tools and share buttons add them.
_SOURCES = ("facebook", "twitter", "whatsapp", "telegram", "newsletter", "instagram")


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


# Bits a copy's hash is off the original's: re-encoding and resizing move a pHash by a
# few bits; one copy in five keeps it exactly.
_COPY_BITS = (0, 1, 1, 2, 3)


def near_copy(rng: random.Random, image: str) -> str:
    """A re-encoded copy's hash: ``image`` (16 hex digits) with a few bits flipped."""
    bits = int(image, 16)
    for bit in rng.sample(range(64), rng.choice(_COPY_BITS)):
        bits ^= 1 << bit
    return f"{bits:016x}"


def tracked(rng: random.Random, url: str) -> str:
    """``url`` as one copy of a tracked campaign link: its own parameters, maybe a
    default port or a trailing slash (all of which canonical_url removes)."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    if rng.random() < 0.2:
        host += ":443" if scheme == "https" else ":80"
    if rng.random() < 0.3:
        path += "/"
    params: list[str] = []
    roll = rng.random()
    if roll < 0.5:
        params += [
            f"utm_source={rng.choice(_SOURCES)}",
            "utm_medium=social",
            f"utm_campaign=c{rng.randrange(100, 1000)}",
        ]
    if roll > 0.3:
        params.append(f"{rng.choice(('fbclid', 'gclid', 'igshid', 'mc_eid'))}={_hex(rng, 24)}")
    if not params:
        params.append(f"ref_src=twsrc%5E{rng.randrange(10**6)}")
    return f"{scheme}://{host}/{path}?{'&'.join(params)}"


@dataclass(frozen=True, slots=True)
class Fake:
    number: int
    created: int
    first: str
    last: str
    followers: int


@dataclass(frozen=True)
class TacticSpec:
    tactic: str
    label: str
    accounts: int
    pages: int
    campaigns: int
    delay_seconds: float  # mean seconds from a campaign's first post to each other


def tactic_specs(scale: float, seed: int) -> list[TacticSpec]:
    """The tactic networks of a scenario: one of each, plus about scale/2 more of each."""
    rng = component_rng(seed, "tactics", "specs")
    extra = 0 if scale <= 1 else round(scale / 2)
    specs: list[TacticSpec] = []
    for tactic in TACTICS:
        for index in range(1, 2 + extra):
            if index == 1:
                accounts, pages = _FIRST_SIZES[tactic]
            else:
                accounts = rng.randint(12, 120)
                pages = rng.randint(3, 10) if tactic == "boosted_pages" else 0
            campaigns = rng.randint(20, 40)
            delay = rng.choice((8.0, 15.0, 25.0))
            specs.append(TacticSpec(tactic, f"{tactic}_{index}", accounts, pages, campaigns, delay))
    return specs


class TacticNetwork(Group):
    """One planted network using one tactic (module docstring)."""

    kind = "planted"

    def __init__(self, shared: Shared, seed: int, spec: TacticSpec) -> None:
        super().__init__(shared, spec.accounts, spec.pages)
        self.spec = spec
        self.name = self.label = spec.label
        self._seed = seed
        self._fakes: list[Fake] = []
        self._page_created: list[int] = []

    def _rng(self, purpose: str) -> random.Random:
        return component_rng(self._seed, "tactics", self.spec.label, purpose)

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        super().bind(accounts, pages)
        rng = self._rng("profiles")
        burst = uniform_time(rng, _BURSTS_FROM, _BURSTS_UNTIL)
        self._burst_end = burst + 2 * DAY
        for number in accounts:
            first, last = text.person(rng)
            created = uniform_time(rng, burst, self._burst_end)
            self._fakes.append(Fake(number, created, first, last, int(rng.expovariate(1 / 22))))
        self._page_created = [
            uniform_time(rng, epoch(2016, 1, 1), epoch(2018, 1, 1)) for _ in pages
        ]

    def account_row(self, position: int) -> Row:
        rng = self._rng(f"account-row-{position}")
        fake = self._fakes[position]
        return (
            account_id(fake.number),
            PLATFORM,
            self.shared.handles.claim(rng, text.default_handle(rng, fake.first, fake.last)),
            "" if rng.random() < MISSING_SHARE else text.display_name(fake.first, fake.last),
            iso(fake.created),
            str(fake.followers),
            "IN",
            "false",
        )

    def page_row(self, position: int) -> Row:
        rng = self._rng(f"page-row-{position}")
        return (
            page_id(self.pages[position]),
            PLATFORM,
            text.fill(rng, rng.choice(names.NETWORK_PAGE_TEMPLATES)),
            rng.choice(names.NETWORK_CATEGORIES),
            iso(self._page_created[position]),
            str(lognormal_int(rng, 300, 0.8, 20_000)),
            "IN",
        )

    def add_posters(self, population: PostingPopulation) -> None:
        # A little everyday posting, as fakes do to look alive.
        for fake in self._fakes:
            population.add_account(fake.number, fake.created, 0.05)

    def expected_posts(self) -> int:
        return round(self.spec.campaigns * (1 + 0.7 * self.spec.accounts))

    def posts(self) -> Iterator[Post]:
        rng = self._rng("posts")
        first = self._burst_end + 7 * DAY
        last = min(self._burst_end + 150 * DAY, POSTS_UNTIL - DAY)
        starts = sorted(uniform_time(rng, first, last) for _ in range(self.spec.campaigns))
        return in_time_order(self._campaign(rng, start) for start in starts)

    def _at(self, rng: random.Random, start: int) -> int:
        return start + int(rng.expovariate(1.0 / self.spec.delay_seconds))

    def _campaign(self, rng: random.Random, start: int) -> list[Post]:
        tactic = self.spec.tactic
        if tactic == "boosted_pages":
            return self._boost(rng, start)
        posters = rng.sample(self._fakes, max(2, round(len(self._fakes) * rng.uniform(0.5, 0.9))))
        if tactic == "paraphrased_templates":
            return self._paraphrased(rng, start, posters)
        url, tags, image = "", [""], ""
        if tactic == "tracking_links":
            year, month = year_month(start)
            story = text.slug(text.headline(rng))[:48].rstrip("-")
            url = f"https://{self._domain()}/{year}/{month:02d}/{story}-{rng.randrange(10**5)}"
        elif tactic == "hashtag_swarm":
            tags = self._tag_set(rng)
        else:
            image = _hex(rng, 16)
        batch: list[Post] = []
        for fake in posters:
            at = self._at(rng, start)
            shown = tracked(rng, url) if url else ""
            order = ";".join(rng.sample(tags, len(tags)))
            copy = near_copy(rng, image) if image else ""
            batch.append((at, self._row(fake, at, text.organic_text(rng), shown, order, "", copy)))
        return batch

    def _paraphrased(self, rng: random.Random, start: int, posters: list[Fake]) -> list[Post]:
        fixed = paraphrase.fix(rng, paraphrase.template(rng))
        batch: list[Post] = []
        for fake in posters:
            at = self._at(rng, start)
            body = paraphrase.paraphrase(rng, fixed)
            batch.append((at, self._row(fake, at, body, "", "", "", "")))
        return batch

    def _boost(self, rng: random.Random, start: int) -> list[Post]:
        position = rng.randrange(len(self.pages))
        post_id = self.shared.post_ids.take()
        body = text.headline(rng)
        page = page_id(self.pages[position])
        batch: list[Post] = [(start, (post_id, page, "page", iso(start), body, "", "", "", ""))]
        boosters = rng.sample(self._fakes, max(2, round(len(self._fakes) * rng.uniform(0.4, 0.8))))
        for fake in boosters:
            at = self._at(rng, start) + 1
            comment = rng.choice(names.RESHARE_COMMENTS)
            batch.append((at, self._row(fake, at, comment, "", "", post_id, "")))
        return batch

    def _domain(self) -> str:
        rng = self._rng("domain")
        return text.fictional_domain(rng)

    def _tag_set(self, rng: random.Random) -> list[str]:
        # Compound tags of the operation's own (rare: no organic post carries them).
        size = rng.randint(2, 4)
        tags: list[str] = []
        while len(tags) < size:
            tag = (
                f"{rng.choice(names.CITIES).replace(' ', '').lower()}{rng.choice(names.TAG_WORDS)}"
            )
            if tag not in tags:
                tags.append(tag)
        return tags

    def _row(
        self, fake: Fake, at: int, body: str, url: str, tags: str, shared: str, image: str
    ) -> Row:
        post_id = self.shared.post_ids.take()
        return (
            post_id,
            account_id(fake.number),
            "account",
            iso(at),
            body,
            url,
            tags,
            shared,
            image,
        )
