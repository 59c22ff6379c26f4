"""Currencies: which country pays in what, and rough USD rates for reporting.

Takedown reports give ad spend "in USD, paid for mostly in Indian rupees"; the
rates are fixed early-2019 levels (the reference case's period), good enough to
compare spend across currencies, not for accounting.
"""

from __future__ import annotations

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
    "RUB": 66.0,
}

CURRENCY_OF: dict[str, str] = {
    "IN": "INR",
    "US": "USD",
    "GB": "GBP",
    "DE": "EUR",
    "FR": "EUR",
    "BD": "BDT",
    "PK": "PKR",
    "AE": "AED",
    "NP": "NPR",
    "LK": "LKR",
    "CA": "CAD",
    "AU": "AUD",
    "SG": "SGD",
    "RU": "RUB",
}


def to_usd(amount: float, currency: str | None) -> float | None:
    """Approximate USD value; None for a currency without a rate."""
    if currency is None:
        return None
    rate = USD_RATE.get(currency.upper())
    return None if rate is None else amount / rate
