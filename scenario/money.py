"""Countries, their currencies, and the fixed exchange rates ad spend is drawn with.

The rates and currencies are detection's own table (graph/detect/currency.py): the
generator pays ads at the rates the reports convert them back with, so the reference
case's ~USD 39,000 paid in rupees is USD 39,000 x 70 INR on both sides.
"""

from __future__ import annotations

import random

from cibgraph.graph.detect.currency import CURRENCY_OF as CURRENCY_OF
from cibgraph.graph.detect.currency import USD_RATE as USD_RATE

# Where organic actors say they are; "" is a missing (optional) country.
ACCOUNT_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("IN", 76), ("BD", 4), ("PK", 3), ("AE", 3), ("GB", 2.5), ("US", 3.5), ("NP", 1),
    ("LK", 1), ("CA", 1), ("AU", 0.5), ("SG", 0.5), ("DE", 0.5), ("", 3.5),
)  # fmt: skip
PAGE_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("IN", 75), ("BD", 5), ("PK", 4), ("AE", 3), ("GB", 4), ("US", 5), ("NP", 1),
    ("LK", 1), ("CA", 1), ("AU", 1),
)  # fmt: skip


def pick_country(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    countries = [c for c, _ in table]
    weights = [w for _, w in table]
    return rng.choices(countries, weights)[0]


def local_amount(usd: float, currency: str) -> float:
    return usd * USD_RATE[currency]


def money(amount: float) -> str:
    """Spend as written in ads.csv: two decimals, never negative."""
    return f"{max(0.0, amount):.2f}"


def confidence(value: float) -> str:
    """A confidence in [0, 1] with three decimals."""
    return f"{min(1.0, max(0.0, value)):.3f}"
