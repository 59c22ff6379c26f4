"""Handles, names and post texts assembled from the word lists."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache
from string import Formatter

from cibgraph.scenario import names as n


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(n.FIRST_NAMES), rng.choice(n.LAST_NAMES)


def display_name(first: str, last: str) -> str:
    return f"{first.title()} {last.title()}"


def ordinary_handle(rng: random.Random, first: str, last: str) -> str:
    """A handle people choose: mostly names, sometimes a birth year or a short number."""
    roll = rng.random()
    if roll < 0.22:
        return f"{first}.{last}"
    if roll < 0.36:
        return f"{first}{last}"
    if roll < 0.46:
        return f"{first}_{last}"
    if roll < 0.52:
        return f"{last}.{first}"
    if roll < 0.58:
        return f"{first}.{rng.choice(n.CITIES).replace(' ', '')}"
    if roll < 0.74:
        return f"{first}{last}{rng.randrange(70, 100)}"
    if roll < 0.86:
        return f"{first}.{last}{rng.randrange(1975, 2004)}"
    return f"{first}{rng.randrange(100, 100_000)}"


def default_handle(rng: random.Random, first: str, last: str) -> str:
    """The handle a sign-up form suggests: a name and a long run of digits."""
    roll = rng.random()
    if roll < 0.4:
        return f"{first}.{last}.{rng.randrange(10_000, 10_000_000)}"
    if roll < 0.7:
        return f"{first}{rng.randrange(100_000, 1_000_000_000)}"
    if roll < 0.9:
        return f"{first}{last}{rng.randrange(1_000, 100_000_000)}"
    return f"{first}.{last}{rng.randrange(10, 100)}"


class HandleRegistry:
    """Keeps handles unique across the whole scenario, as a platform would.

    A taken handle gets digits appended, which is also what platforms suggest.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, rng: random.Random, wanted: str) -> str:
        handle = wanted
        while handle in self._taken:
            handle = f"{wanted}{rng.randrange(1, 10_000)}"
        self._taken.add(handle)
        return handle


_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "city": lambda r: r.choice(n.CITIES).title(),
    "City": lambda r: r.choice(n.CITIES).title(),
    "place": lambda r: r.choice(n.PLACES),
    "food": lambda r: r.choice(n.FOODS),
    "Food": lambda r: r.choice(n.FOODS).title(),
    "festival": lambda r: r.choice(n.FESTIVALS).title(),
    "feeling": lambda r: r.choice(n.FEELINGS),
    "relative": lambda r: r.choice(n.RELATIVES),
    "adj": lambda r: r.choice(n.ADJECTIVES),
    "Adj": lambda r: r.choice(n.ADJECTIVES).title(),
    "topic": lambda r: r.choice(n.TOPICS),
    "Topic": lambda r: r.choice(n.TOPICS).title(),
    "First": lambda r: r.choice(n.FIRST_NAMES).title(),
    "Last": lambda r: r.choice(n.LAST_NAMES).title(),
    "leader": lambda r: r.choice(n.LEADERS),
}


@cache
def _slots_of(template: str) -> tuple[str, ...]:
    return tuple(field for _, field, _, _ in Formatter().parse(template) if field)


def fill(rng: random.Random, template: str, **given: str) -> str:
    """A template with its slots filled at random (or from ``given``)."""
    values = {slot: given.get(slot) or _SLOTS[slot](rng) for slot in _slots_of(template)}
    return template.format(**values)


def organic_text(rng: random.Random) -> str:
    text = fill(rng, rng.choice(n.ORGANIC_TEMPLATES))
    return text[0].upper() + text[1:]


def headline(rng: random.Random) -> str:
    text = fill(rng, rng.choice(n.HEADLINE_TEMPLATES))
    return text[0].upper() + text[1:]


def slug(text: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:60]


def hashtag_pool(rng: random.Random, size: int) -> list[str]:
    """Lower-case tags without '#': plain words first (the popular ones), then compounds."""
    pool = list(n.TAG_WORDS)
    while len(pool) < size:
        word = rng.choice(n.TAG_WORDS)
        pool.append(f"{rng.choice(n.CITIES).replace(' ', '')}{word}")
    return pool[:size]


def fictional_domain(rng: random.Random) -> str:
    words = rng.sample(n.DOMAIN_WORDS, 2)
    return f"{words[0]}{words[1]}-example.{rng.choice(n.DOMAIN_TLDS)}"


def org_name(rng: random.Random, kind: str) -> str:
    stem = "".join(rng.sample(n.ORG_SYLLABLES, 2)).title()
    return f"{stem} {rng.choice(n.ORG_SUFFIXES[kind])}"


def campaign_message(rng: random.Random) -> str:
    return fill(rng, rng.choice(n.CAMPAIGN_TEMPLATES))


def near_copy(rng: random.Random, base: str) -> str:
    """A small edit of ``base``: a prefix, a synonym, a different ending.

    What copy-paste operators do so that exact-duplicate filters miss them while
    near-duplicate (Jaccard) comparison still links the posts.
    """
    words = base.split(" ")
    for _ in range(rng.randint(1, 2)):
        edit = rng.random()
        if edit < 0.4:
            words.insert(0, rng.choice(n.CAMPAIGN_PREFIXES))
        elif edit < 0.8:
            positions = [i for i, w in enumerate(words) if w.lower() in n.SYNONYMS]
            if positions:
                i = rng.choice(positions)
                words[i] = rng.choice(n.SYNONYMS[words[i].lower()])
        elif len(words) > 6:
            del words[rng.randrange(len(words))]
    return " ".join(words) + rng.choice(n.CAMPAIGN_ENDINGS)
