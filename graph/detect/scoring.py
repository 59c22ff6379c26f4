"""Scoring candidate networks: coordination AND inauthenticity, then a verdict tier.

Coordination alone is not CIB - media groups, fan clubs and campaigns coordinate
openly - so a network's ``score`` is its coordination times its inauthenticity,
and a network is flagged only in the tier ``coordinated_inauthentic``.

- coordination = 1 - exp(-d / 2), d the members' mean weighted degree inside the
  network counting *behaviour* only: co-sharing and shared admins. Shared
  identifiers pull an operator's accounts into its network, but a group that only
  shares an office IP or a family device has not acted together: identifier reuse
  counts as an inauthenticity cue, not as coordination;
- inauthenticity = the weighted mean of the cues that could be *assessed*, times
  (1 - the share of members that openly disclose who runs them). A cue whose data
  is missing (no creation dates, no identifiers, no known ties, no ads) is unknown
  (None), never 0: it neither raises nor lowers the mean, and ``coverage`` (the
  share of all cue weight that was assessable) is shown beside the score.

The metadata cues follow the platform's published reports and astrodetection-style
indicators: accounts created in bursts, new at their first post, with few
followers, default-looking handles, sharing devices/phones/IPs; operators known
from investigation but not disclosed; ads paid in another country's currency or by
no one named. The behavioural cues (graph/detect/behaviour.py) need no metadata:
near-simultaneous sharing, the share of members' posts that are coordinated, a
shared posting rhythm, and pushing many sources rather than one outlet's own.

Verdict tiers (``TIERS``), decided in this order:

1. ``coordinated_disclosed``: at least half the members openly disclose who runs
   them; coordination in the open is not CIB, whatever else is measured.
2. ``coordinated_unassessable``: less than half of the *metadata* cue weight could
   be assessed (behaviour-only data): coordination is measured, authenticity is
   not, so nothing is flagged; the behavioural cues still rank the candidates.
3. ``coordinated_inauthentic``: the score reaches the run's threshold (default 0.2,
   chosen on the seeded scenarios: README, Detection quality). Flagged.
4. ``weak``: a candidate below the threshold: weak measured evidence of CIB.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cibgraph.graph.detect.behaviour import Behaviour
from cibgraph.graph.detect.currency import CURRENCY_OF, to_usd
from cibgraph.graph.detect.facts import MemberFacts

METADATA_CUE_WEIGHTS: dict[str, float] = {
    "burst_created": 0.25,
    "new_accounts": 0.15,
    "low_followers": 0.15,
    "default_handles": 0.10,
    "identifier_reuse": 0.15,
    "concealed_operators": 0.10,
    "foreign_or_undisclosed_ads": 0.10,
}
# Lighter than the metadata cues: media groups and fan clubs also share fast and on a
# schedule, so behaviour alone ranks candidates but must not outweigh who they are.
BEHAVIOUR_CUE_WEIGHTS: dict[str, float] = {
    "near_simultaneous": 0.05,
    "coordinated_posts": 0.05,
    "shared_rhythm": 0.025,
    "many_sources": 0.05,
}
CUE_WEIGHTS: dict[str, float] = {**METADATA_CUE_WEIGHTS, **BEHAVIOUR_CUE_WEIGHTS}

TIER_INAUTHENTIC = "coordinated_inauthentic"
TIER_UNASSESSABLE = "coordinated_unassessable"
TIER_DISCLOSED = "coordinated_disclosed"
TIER_WEAK = "weak"
# Ranking order, and what each tier means in every output.
TIERS: dict[str, str] = {
    TIER_INAUTHENTIC: "coordinated and inauthentic by the measured cues (flagged)",
    TIER_UNASSESSABLE: "coordinated; authenticity not assessable (no account metadata)",
    TIER_WEAK: "candidate below the threshold: weak measured evidence",
    TIER_DISCLOSED: "coordinated, openly disclosed",
}
MIN_METADATA_COVERAGE = 0.5
DISCLOSED_MAJORITY = 0.5
# The pair signals that are coordinated behaviour (see the module docstring).
BEHAVIOUR_SIGNALS = (
    "co_share",
    "slow_co_share",
    "shared_admin",
    "co_hashtag",
    "co_image",
    "co_similar_text",
)
NEW_ACCOUNT_DAYS = 180
LOW_FOLLOWERS = 50
DEFAULT_HANDLE = re.compile(r"\d{3,}$")


@dataclass(frozen=True)
class DataHolds:
    """Which kinds of metadata the whole data set holds (pipeline: one query each)."""

    identifiers: bool = False
    affiliations: bool = False


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
    cues: dict[str, float]  # each assessable cue's value in [0, 1]
    disclosed_share: float
    # How much each pair signal contributes to the internal edge weight (sums to 1).
    signal_shares: dict[str, float]
    # How much each cue contributes to inauthenticity (sums to inauthenticity).
    cue_contributions: dict[str, float]
    # Share of all cue weight (and of the metadata cues' weight) that was assessable.
    coverage: float = 1.0
    metadata_coverage: float = 1.0
    unknown: tuple[str, ...] = ()  # cues whose data is missing
    # The numbers behind the behavioural cues (graph/detect/behaviour.py).
    behaviour: dict[str, object] = field(default_factory=dict)

    def tier(self, threshold: float) -> str:
        return verdict(self, threshold)


def verdict(score: NetworkScore, threshold: float) -> str:
    """The network's tier (module docstring: the order matters)."""
    if score.disclosed_share >= DISCLOSED_MAJORITY:
        return TIER_DISCLOSED
    if score.metadata_coverage < MIN_METADATA_COVERAGE:
        return TIER_UNASSESSABLE
    if score.score >= threshold:
        return TIER_INAUTHENTIC
    return TIER_WEAK


def rank_key(score: NetworkScore, tier: str) -> tuple[int, float, float, float]:
    """Strongest case first: by tier, then score (coordination x assessable
    inauthenticity), then coverage.

    Not assessable networks rank by their measured inauthenticity first: they are
    candidates because they coordinate, and coordination saturates for groups that
    publish in lockstep (a syndicate's pages, measured on the behaviour-only scenarios),
    so the behavioural evidence of inauthenticity is what tells their cases apart.
    """
    if tier == TIER_UNASSESSABLE:
        return (list(TIERS).index(tier), -score.inauthenticity, -score.score, -score.coverage)
    return (list(TIERS).index(tier), -score.score, -score.inauthenticity, -score.coverage)


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
    behaviour: Behaviour | None = None,
    data: DataHolds | None = None,
) -> dict[str, float | None]:
    """Every cue of this network: a share in [0, 1], or None when its data is missing.

    Identifier reuse and concealment are measured (possibly 0) when the data set
    holds identifiers / affiliations at all: then "no member is tied to anyone" is what
    the data says. In data without any, they are unknown.
    """
    data = data or DataHolds()
    accounts = [m for m in members if m.is_account]
    pages = [m for m in members if not m.is_account]
    dated = [a for a in accounts if a.created_at is not None]
    values: dict[str, float | None] = {
        # No creation bursts anywhere in the data is a measurement only when the data
        # has creation dates at all.
        "burst_created": _share(
            any(b.contains(a.created_at) for b in bursts) for a in dated if a.created_at
        ),
        "new_accounts": _share(
            (a.first_post - a.created_at) < timedelta(days=NEW_ACCOUNT_DAYS)
            for a in dated
            if a.created_at is not None and a.first_post is not None
        ),
        "low_followers": _share(
            a.followers < LOW_FOLLOWERS for a in accounts if a.followers is not None
        ),
        "default_handles": _share(
            bool(DEFAULT_HANDLE.search(a.handle)) for a in accounts if a.handle
        ),
        "identifier_reuse": _share(a.key in identifier_sharers for a in accounts)
        if data.identifiers or any(a.has_identifiers for a in accounts)
        else None,
        "concealed_operators": _share(m.concealed for m in members)
        if data.affiliations or any(m.tied for m in members)
        else None,
        "foreign_or_undisclosed_ads": _ads_cue(pages),
    }
    measured = behaviour.cues() if behaviour is not None else {}
    for name in BEHAVIOUR_CUE_WEIGHTS:
        values[name] = measured.get(name)
    return values


def score_network(
    members: Sequence[MemberFacts],
    internal_weights: dict[str, float],
    bursts: Sequence[Burst],
    identifier_sharers: set[str],
    behaviour: Behaviour | None = None,
    data: DataHolds | None = None,
) -> NetworkScore:
    """Score one candidate network.

    ``internal_weights`` sums each pair signal's contribution over the edges
    between members; ``identifier_sharers`` are members sharing an identifier
    with another member.
    """
    size = max(len(members), 1)
    total_weight = sum(internal_weights.values())
    behaviour_weight = sum(w for name, w in internal_weights.items() if name in BEHAVIOUR_SIGNALS)
    mean_degree = 2.0 * behaviour_weight / size
    coordination = 1.0 - math.exp(-mean_degree / 2.0)
    every = cues(members, bursts, identifier_sharers, behaviour, data)
    present = {name: value for name, value in every.items() if value is not None}
    weight_sum = sum(CUE_WEIGHTS[name] for name in present)
    metadata_known = sum(METADATA_CUE_WEIGHTS[n] for n in present if n in METADATA_CUE_WEIGHTS)
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
        coverage=round(weight_sum / sum(CUE_WEIGHTS.values()), 4),
        metadata_coverage=round(metadata_known / sum(METADATA_CUE_WEIGHTS.values()), 4),
        unknown=tuple(name for name, value in every.items() if value is None),
        behaviour=behaviour.evidence() if behaviour is not None else {},
    )
