"""Scoring candidate networks: coordination AND inauthenticity.

Coordination alone is not CIB - media groups, fan clubs and campaigns coordinate
openly - so a network's ``score`` is its coordination times its inauthenticity,
and a network is ``flagged`` when the score reaches the run's threshold
(default 0.2, chosen on the seeded scenarios: README, Detection quality).

- coordination = 1 - exp(-d / 2), d the members' mean weighted degree inside the
  network counting *behaviour* only: co-sharing and shared admins. Shared
  identifiers pull an operator's accounts into its network, but a group that only
  shares an office IP or a family device has not acted together: identifier reuse
  counts as an inauthenticity cue, not as coordination;
- inauthenticity = the weighted mean of the cues below that apply, times
  (1 - the share of members that openly disclose who runs them).

The cues follow the platform's published reports and astrodetection-style
indicators: accounts created in bursts, new at their first post, with few
followers, default-looking handles, sharing devices/phones/IPs; operators known
from investigation but not disclosed; ads paid in another country's currency or by
no one named.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cibgraph.graph.detect.currency import CURRENCY_OF, to_usd
from cibgraph.graph.detect.facts import MemberFacts

CUE_WEIGHTS: dict[str, float] = {
    "burst_created": 0.25,
    "new_accounts": 0.15,
    "low_followers": 0.15,
    "default_handles": 0.10,
    "identifier_reuse": 0.15,
    "concealed_operators": 0.10,
    "foreign_or_undisclosed_ads": 0.10,
}
# The pair signals that are coordinated behaviour (see the module docstring).
BEHAVIOUR_SIGNALS = ("co_share", "slow_co_share", "shared_admin")
NEW_ACCOUNT_DAYS = 180
LOW_FOLLOWERS = 50
DEFAULT_HANDLE = re.compile(r"\d{3,}$")


@dataclass(frozen=True)
class Burst:
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class NetworkScore:
    coordination: float
    inauthenticity: float
    score: float
    cues: dict[str, float]  # each applicable cue's value in [0, 1]
    disclosed_share: float
    # How much each pair signal contributes to the internal edge weight (sums to 1).
    signal_shares: dict[str, float]
    # How much each cue contributes to inauthenticity (sums to inauthenticity).
    cue_contributions: dict[str, float]


def _share(hits: Iterable[bool]) -> float | None:
    values = list(hits)
    return sum(values) / len(values) if values else None


def _ads_cue(pages: Sequence[MemberFacts]) -> float | None:
    total = suspicious = 0.0
    for page in pages:
        local = CURRENCY_OF.get((page.country or "").upper())
        for ad in page.ads:
            usd = to_usd(ad.spend, ad.currency) or 0.0
            total += usd
            foreign = local is not None and ad.currency is not None and ad.currency.upper() != local
            undisclosed = not (ad.payer or "").strip()
            if foreign or undisclosed:
                suspicious += usd
    return suspicious / total if total > 0 else None


def cues(
    members: Sequence[MemberFacts],
    bursts: Sequence[Burst],
    identifier_sharers: set[str],
) -> dict[str, float]:
    """Each inauthenticity cue that applies to this network, as a share in [0, 1]."""
    accounts = [m for m in members if m.is_account]
    pages = [m for m in members if not m.is_account]
    values: dict[str, float | None] = {
        "burst_created": _share(
            any(b.contains(a.created_at) for b in bursts)
            for a in accounts
            if a.created_at is not None
        ),
        "new_accounts": _share(
            (a.first_post - a.created_at) < timedelta(days=NEW_ACCOUNT_DAYS)
            for a in accounts
            if a.created_at is not None and a.first_post is not None
        ),
        "low_followers": _share(
            a.followers < LOW_FOLLOWERS for a in accounts if a.followers is not None
        ),
        "default_handles": _share(
            bool(DEFAULT_HANDLE.search(a.handle)) for a in accounts if a.handle
        ),
        "identifier_reuse": _share(a.key in identifier_sharers for a in accounts),
        "concealed_operators": _share(m.concealed for m in members),
        "foreign_or_undisclosed_ads": _ads_cue(pages),
    }
    return {name: value for name, value in values.items() if value is not None}


def score_network(
    members: Sequence[MemberFacts],
    internal_weights: dict[str, float],
    bursts: Sequence[Burst],
    identifier_sharers: set[str],
) -> NetworkScore:
    """Score one candidate network.

    ``internal_weights`` sums each pair signal's contribution over the edges
    between members; ``identifier_sharers`` are members sharing an identifier
    with another member.
    """
    size = max(len(members), 1)
    total_weight = sum(internal_weights.values())
    behaviour = sum(w for name, w in internal_weights.items() if name in BEHAVIOUR_SIGNALS)
    mean_degree = 2.0 * behaviour / size
    coordination = 1.0 - math.exp(-mean_degree / 2.0)
    present = cues(members, bursts, identifier_sharers)
    weight_sum = sum(CUE_WEIGHTS[name] for name in present)
    disclosed = _share(m.disclosed for m in members) or 0.0
    contributions = {
        name: (CUE_WEIGHTS[name] * value / weight_sum) * (1.0 - disclosed) if weight_sum else 0.0
        for name, value in present.items()
    }
    inauthenticity = sum(contributions.values())
    signal_shares = {
        k: (v / total_weight if total_weight else 0.0) for k, v in internal_weights.items()
    }
    return NetworkScore(
        coordination=round(coordination, 4),
        inauthenticity=round(inauthenticity, 4),
        score=round(coordination * inauthenticity, 4),
        cues={k: round(v, 4) for k, v in present.items()},
        disclosed_share=round(disclosed, 4),
        signal_shares={k: round(v, 4) for k, v in signal_shares.items()},
        cue_contributions={k: round(v, 4) for k, v in contributions.items()},
    )
