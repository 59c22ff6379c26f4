"""Ids that do not give the answer away.

Account and page numbers come from one shuffled sequence shared by every group, so a
planted network's members are interleaved with organic actors in both id and file
order. Post and ad numbers are a counter passed through a bijection, so numbers are
unique yet carry no visible order of who posted what.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Roster:
    """Who holds which number: ``members[g]`` are group g's numbers, in file order;
    ``order[i]`` is the group of the i-th row of the file."""

    members: tuple[array[int], ...]
    order: array[int]

    def rows(self) -> Iterator[tuple[int, int]]:
        """(group index, position within that group) for each row, in file order."""
        seen = [0] * len(self.members)
        for group in self.order:
            yield group, seen[group]
            seen[group] += 1


def interleave(sizes: Sequence[int], rng: random.Random, low: int, high: int) -> Roster:
    """Shuffle the groups' rows together and give each row a rising, unique number.

    Row i owns the slot ``[low + i*gap, low + (i+1)*gap)`` and takes a random number
    inside it: numbers rise down the file, and their gaps say nothing about groups.
    """
    total = sum(sizes)
    order = array("H", (g for g, size in enumerate(sizes) for _ in range(size)))
    rng.shuffle(order)
    gap = max(1, (high - low) // max(total, 1))
    members: tuple[array[int], ...] = tuple(array("q") for _ in sizes)
    for i, group in enumerate(order):
        members[group].append(low + i * gap + rng.randrange(gap))
    return Roster(members, order)


class ScrambledCounter:
    """Unique numbers in ``[low, low + span)`` from a counter, in a scrambled order.

    ``(a*n + b) mod span`` is a bijection when ``a`` and ``span`` are coprime, so no
    set of issued numbers has to be kept to avoid duplicates.
    """

    def __init__(self, rng: random.Random, low: int, span: int) -> None:
        self._low = low
        self._span = span
        a = rng.randrange(span // 3, span)
        while math.gcd(a, span) != 1:
            a += 1
        self._a = a
        self._b = rng.randrange(span)
        self._next = 0

    def take(self) -> int:
        if self._next >= self._span:
            raise OverflowError("scrambled counter exhausted")
        n = (self._a * self._next + self._b) % self._span
        self._next += 1
        return self._low + n


class PostIds:
    """Post ids ``p<12 digits>``, unique across every group of the scenario."""

    def __init__(self, rng: random.Random) -> None:
        self._numbers = ScrambledCounter(rng, 10**11, 9 * 10**11)

    def take(self) -> str:
        return f"p{self._numbers.take()}"


class AdIds:
    """Ad ids ``ad<11 digits>``, unique across every group of the scenario."""

    def __init__(self, rng: random.Random) -> None:
        self._numbers = ScrambledCounter(rng, 10**10, 9 * 10**10)

    def take(self) -> str:
        return f"ad{self._numbers.take()}"


def account_id(number: int) -> str:
    return f"a{number}"


def page_id(number: int) -> str:
    return f"pg{number}"
