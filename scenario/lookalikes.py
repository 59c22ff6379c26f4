"""Authentic look-alikes of the tactics in scenario/tactics.py: decoys never to flag.

- ``ActivistCampaign``: an open campaign's day of action. Hundreds of long-standing,
  ordinary accounts post one petition template (copied or lightly edited), with the
  campaign's hashtags, its poster image and the petition link (each copy tagged by the
  app it was shared from), many within minutes of the organisers' call.
- ``ChainMessage``: a chain message ("forward to ten friends") copied by hundreds of
  unrelated accounts over days.
- ``FestivalGreetings``: a festival's greetings, sent by hundreds of unrelated people
  at midnight, each copy its own words and emoji: the paraphrased template's
  construction (scenario/paraphrase.py), authentic.

Each account takes part once (a few twice, with the same objects), so no pair of
them meets on two distinct objects of one kind: the same link, tags, image and text
on one day is a cause, not an operation. They post their everyday content besides.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator

from cibgraph.scenario import names, paraphrase, text
from cibgraph.scenario.decoys import _OpenGroup
from cibgraph.scenario.ids import account_id
from cibgraph.scenario.model import Post, Shared
from cibgraph.scenario.randomness import component_rng
from cibgraph.scenario.tactics import tracked
from cibgraph.scenario.timeline import DAY, HOUR, POSTS_FROM, POSTS_UNTIL, iso, uniform_time

_PETITIONS = (
    "Sign the petition: clean air for {city} now. Our children deserve to breathe",
    "We the people of {city} demand safe roads. Sign and share the petition",
    "Save the lakes of {city}! Sign the petition before the council meets",
)
_CAUSES = ("cleanair", "saferoads", "savelakes", "dayofaction", "signthepetition", "citizens")
_CHAINS = (
    "Forward this to ten friends: from tomorrow all calls will be recorded",
    "Do not open the video called dancing pope, it hacks your phone. Tell everyone",
    "Good morning! Send this to twelve people and good news will reach you today",
)


class ActivistCampaign(_OpenGroup):
    def __init__(self, shared: Shared, seed: int, index: int) -> None:
        rng = component_rng(seed, "decoy", f"activists_{index}", "plan")
        size = 250 if index == 1 else rng.randint(80, 400)
        super().__init__(shared, seed, f"activists_{index}", size, 0)

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        super().bind(accounts, pages)
        self.people = self._make_people(self._rng("profiles"), 220)

    def expected_posts(self) -> int:
        return round(len(self.accounts) * 1.2)

    def posts(self) -> Iterator[Post]:
        rng = self._rng("posts")
        day = uniform_time(rng, POSTS_FROM + 30 * DAY, POSTS_UNTIL - 2 * DAY)
        day -= day % DAY
        call = day + 4 * HOUR  # the organisers' call: 09:30 in India
        petition = text.fill(rng, rng.choice(_PETITIONS))
        url = f"https://petitions-example.org/p/{text.slug(petition)[:40].rstrip('-')}"
        tags = rng.sample(_CAUSES, rng.randint(2, 3))
        poster = f"{rng.getrandbits(64):016x}"
        rows: list[Post] = []
        for person in self.people:
            times = [self._moment(rng, call, day)]
            if rng.random() < 0.2:
                times.append(min(day + DAY - 1, times[0] + rng.randint(2, 8) * HOUR))
            for at in times:
                if at < person.created:
                    continue
                body = petition if rng.random() < 0.5 else text.near_copy(rng, petition)
                rows.append(
                    (
                        at,
                        (
                            self.shared.post_ids.take(),
                            account_id(person.number),
                            "account",
                            iso(at),
                            body,
                            tracked(rng, url) if rng.random() < 0.7 else url,
                            ";".join(tags),
                            "",
                            poster if rng.random() < 0.6 else "",
                        ),
                    )
                )
        rows.sort(key=lambda post: post[0])
        return iter(rows)

    @staticmethod
    def _moment(rng: random.Random, call: int, day: int) -> int:
        if rng.random() < 0.35:
            return call + int(rng.expovariate(1 / 900))  # answering the call, within minutes
        return uniform_time(rng, day + 2 * HOUR, day + DAY - 1)


class _TextOnce(_OpenGroup):
    """Unrelated people posting one text each: no link, tag or image."""

    def __init__(
        self, shared: Shared, seed: int, index: int, name: str, first_size: int, profiles: int
    ) -> None:
        rng = component_rng(seed, "decoy", f"{name}_{index}", "plan")
        size = first_size if index == 1 else rng.randint(100, 500)
        super().__init__(shared, seed, f"{name}_{index}", size, 0)
        self._profiles = profiles

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        super().bind(accounts, pages)
        self.people = self._make_people(self._rng("profiles"), self._profiles)

    def expected_posts(self) -> int:
        return len(self.accounts)

    def _text(self, person_number: int, at: int, body: str) -> Post:
        row = (
            self.shared.post_ids.take(),
            account_id(person_number),
            "account",
            iso(at),
            body,
            "",
            "",
            "",
            "",
        )
        return (at, row)


class ChainMessage(_TextOnce):
    def __init__(self, shared: Shared, seed: int, index: int) -> None:
        super().__init__(shared, seed, index, "chain_message", 300, 120)

    def posts(self) -> Iterator[Post]:
        rng = self._rng("posts")
        start = uniform_time(rng, POSTS_FROM, POSTS_UNTIL - 20 * DAY)
        message = rng.choice(_CHAINS)
        rows: list[Post] = []
        for person in self.people:
            # Passed on friend to friend: a slow spread over days, not a burst.
            at = start + min(14 * DAY, int(rng.lognormvariate(11.5, 0.9)))
            if at < person.created:
                continue
            body = message if rng.random() < 0.6 else text.near_copy(rng, message)
            if rng.random() < 0.3:
                body = f"{rng.choice(names.RESHARE_COMMENTS)} {body}"
            rows.append(self._text(person.number, at, body))
        rows.sort(key=lambda post: post[0])
        return iter(rows)


class FestivalGreetings(_TextOnce):
    def __init__(self, shared: Shared, seed: int, index: int) -> None:
        super().__init__(shared, seed, index, "greetings", 300, 150)

    def posts(self) -> Iterator[Post]:
        rng = self._rng("posts")
        day = uniform_time(rng, POSTS_FROM + 30 * DAY, POSTS_UNTIL - 2 * DAY)
        midnight = day - day % DAY + DAY - 330 * 60  # 00:00 in India
        fixed = [paraphrase.fix(rng, greeting) for greeting in paraphrase.GREETINGS]
        rows: list[Post] = []
        for person in self.people:
            # Half within minutes of midnight, the rest through the day; once each.
            wait = rng.expovariate(1 / 300) if rng.random() < 0.5 else rng.uniform(0, 20 * HOUR)
            at = midnight + int(wait)
            if at < person.created:
                continue
            body = paraphrase.paraphrase(rng, rng.choice(fixed))
            rows.append(self._text(person.number, at, body))
        rows.sort(key=lambda post: post[0])
        return iter(rows)
