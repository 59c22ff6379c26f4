"""Fictional identifier values (IPs, devices, phones, emails, payment cards).

Values are unique unless a group deliberately shares one (an office IP, a family
tablet, a network's burner phone): each kind draws from its own scrambled counter,
so uniqueness holds without remembering what was issued. The loader hashes them.
"""

from __future__ import annotations

import random

from cibgraph.scenario.ids import ScrambledCounter
from cibgraph.scenario.names import FIRST_NAMES, LAST_NAMES
from cibgraph.scenario.timeline import POSTS_UNTIL, iso, uniform_time

KINDS = ("ip", "device", "phone", "email", "payment")
MAIL_DOMAINS = ("mail.example", "inbox.example", "post.example", "webmail.example")


class IdentifierValues:
    """Issues fresh identifier values of each kind, never the same one twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._ip = ScrambledCounter(rng, 0, 1 << 24)
        self._device = ScrambledCounter(rng, 0, 1 << 48)
        self._phone = ScrambledCounter(rng, 0, 10**8)
        self._email = ScrambledCounter(rng, 100, 10**7)
        self._payment = ScrambledCounter(rng, 0, 1 << 48)

    def fresh(self, kind: str) -> str:
        if kind == "ip":
            n = self._ip.take()
            return f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"
        if kind == "device":
            return f"dev-{self._device.take():012x}"
        if kind == "phone":
            return f"+919{self._rng.choice('6789')}{self._phone.take():08d}"
        if kind == "email":
            name = self._rng.choice(FIRST_NAMES) + self._rng.choice(LAST_NAMES)[:3]
            return f"{name}{self._email.take()}@{self._rng.choice(MAIL_DOMAINS)}"
        if kind == "payment":
            return f"card-{self._payment.take():012x}"
        raise ValueError(f"unknown identifier kind {kind!r}")


def identifier_row(
    rng: random.Random, account: str, kind: str, value: str, since: int
) -> tuple[str, ...]:
    """One sighting of ``value`` on ``account``, first seen after ``since``."""
    first = uniform_time(rng, since, POSTS_UNTIL - 1)
    last = uniform_time(rng, first, POSTS_UNTIL)
    return (account, kind, value, iso(first), iso(last))
