"""Countries, their currencies, and the fixed exchange rates ad spend is drawn with.

Rates are early-2019 levels, fixed so that generated totals are reproducible; the
reference case's ~USD 39,000 paid in rupees is USD 39,000 x 70 INR.
"""

from __future__ import annotations

import random

USD_RATE: dict[str, float] = {
    "USD": 1.0,
    "INR": 70.0,
    "GBP": 0.77,
    "EUR": 0.88,
    "BDT": 84.0,
    "PKR": 140.0,
    "AED": 3.67,
    "NPR": 112.0,
    "LKR": 178.0,
    "CAD": 1.33,
    "AUD": 1.41,
    "SGD": 1.36,
}

CURRENCY_OF: dict[str, str] = {
    "IN": "INR",
    "US": "USD",
    "GB": "GBP",
    "DE": "EUR",
    "BD": "BDT",
    "PK": "PKR",
    "AE": "AED",
    "NP": "NPR",
    "LK": "LKR",
    "CA": "CAD",
    "AU": "AUD",
    "SG": "SGD",
}

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
