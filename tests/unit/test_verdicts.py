"""Verdicts an analyst can defend: disclosure, unknown cues, behaviour, tiers, ranking."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cibgraph.cli.verdicts import TIER_CAPTION, tier_label
from cibgraph.graph.detect.attribution import attribute
from cibgraph.graph.detect.behaviour import (
    FAST_SECONDS,
    MIN_RHYTHM_POSTS,
    MemberPosts,
    behaviour,
)
from cibgraph.graph.detect.disclosure import DISCLOSURE_SOURCES, is_disclosed, normalise_source
from cibgraph.graph.detect.facts import disclosure, member_facts
from cibgraph.graph.detect.scoring import (
    BEHAVIOUR_CUE_WEIGHTS,
    CUE_WEIGHTS,
    METADATA_CUE_WEIGHTS,
    TIER_DISCLOSED,
    TIER_INAUTHENTIC,
    TIER_UNASSESSABLE,
    TIER_WEAK,
    TIERS,
    cues,
    rank_key,
    score_network,
    verdict,
)
from cibgraph.graph.exports.bundle import NetworkRecord
from cibgraph.graph.exports.records import network_row
from cibgraph.loaders.contract import CONTRACT, FieldType
from cibgraph.scenario.behaviour_only import share_rows
from tests.fakes import RecordingRunner
from tests.unit.test_detect_scoring import account, page
from tests.unit.test_export import NETWORKS

QUERIES = Path(__file__).resolve().parents[2] / "queries"
STRONG = {"co_share": 10.0, "shared_admin": 5.0, "shared_identifier": 0.0}

# ---------------------------------------------------------------------------
# Disclosure


@pytest.mark.parametrize(
    "source",
    [
        "self_disclosed",
        "self-disclosed",
        "Self Disclosed",
        "page transparency",
        "Page Transparency",
        " page_transparency ",
        "official website",
        "verified label",
    ],
)
def test_disclosure_sources_match_whatever_the_case_and_separators(source: str) -> None:
    assert is_disclosed(source)


@pytest.mark.parametrize("source", ["investigation", "leak", "registry", "staff list", "", None])
def test_ties_others_found_are_not_disclosure(source: str | None) -> None:
    assert not is_disclosed(source)


def test_the_disclosed_column_wins_over_the_source() -> None:
    assert is_disclosed("investigation", True)
    assert not is_disclosed("page transparency", False)
    assert is_disclosed("page transparency", None)
    assert normalise_source("Page__Transparency") == "page transparency"


def test_contract_documents_the_disclosed_column_and_every_source() -> None:
    spec = CONTRACT["affiliations"]
    assert spec.column("disclosed").type == FieldType.BOOL
    assert not spec.column("disclosed").required
    for source in DISCLOSURE_SOURCES:
        assert source in spec.description


def test_the_browser_query_uses_the_same_disclosure_sources() -> None:
    text = (QUERIES / "shared_admins.cypher").read_text()
    listed = re.search(r"IN \[([^\]]+)\]\)", text)
    assert listed is not None
    assert tuple(re.findall(r"'([^']+)'", listed.group(1))) == DISCLOSURE_SOURCES
    assert "r.disclosed" in text


def test_pages_run_by_the_disclosed_organisations_staff_are_disclosed_through_them() -> None:
    # A page with no tie of its own, run by admins who openly work for the org.
    assert disclosure([], [("org", True)], []) == (True, False, False)
    # The page states its owner; its admins are staff found on a staff list.
    assert disclosure([("org", False)], [], [("org", True)]) == (True, False, False)
    # But a tie to *another* organisation stays concealed.
    assert disclosure([("other", False)], [("org", True)], []) == (True, True, False)
    # Operators known only by investigation: concealed.
    assert disclosure([], [("cell", False)], []) == (False, False, True)


def test_member_facts_apply_the_rule_to_the_query_rows() -> None:
    row: dict[str, Any] = {
        "key": "page:p1", "is_account": False, "is_admin": False, "created_at": None,
        "followers": 10, "handle": None, "name": "P", "country": "IN", "first_post": None,
        "last_post": None, "posts": 0, "has_identifiers": False, "ads": [], "admins": [],
        "ties": [{"org": "syndicate", "source": "page transparency", "disclosed": None}],
        "admin_ties": [{"org": "syndicate", "source": "staff list", "disclosed": None}],
        "page_ties": [],
    }  # fmt: skip
    runner = RecordingRunner(answers={"AS admin_ties": [row]})
    facts = member_facts(runner, ["page:p1"])["page:p1"]
    assert facts.disclosed and not facts.concealed and facts.tied


def test_attribution_is_disclosed_when_every_member_discloses_the_organisation() -> None:
    base = {"org": "s", "name": "Syndicate", "kind": "media", "hops": 0}
    rows = [
        {**base, "key": "page:p1", "source": "Page Transparency", "via": "member"},
        {**base, "key": "page:p2", "source": "page transparency", "via": "member"},
        {**base, "key": "account:e", "source": "staff list", "via": "member"},
        # The editor's pages disclose the syndicate: the editor is disclosed through them.
        {**base, "key": "account:e", "source": "page transparency", "via": "page"},
    ]
    [found] = attribute(["page:p1", "page:p2", "account:e"], rows)
    assert found.disclosed and found.members == 3
    [hidden] = attribute(["page:p1", "account:e"], rows[:1] + rows[2:3])
    assert not hidden.disclosed


def test_a_disclosed_syndicate_is_tiered_disclosed_not_flagged() -> None:
    pages = [page(f"page:s{i}", disclosed=True, affiliated=False) for i in range(25)]
    score = score_network(pages, STRONG, [], set())
    assert score.cues.get("concealed_operators") == 0.0
    assert verdict(score, 0.2) == TIER_DISCLOSED


# ---------------------------------------------------------------------------
# Unknown is not 0


def test_missing_metadata_is_unknown_not_zero() -> None:
    bare = [
        account(f"account:x{i}", created_at=None, followers=None, handle=None) for i in range(5)
    ]
    found = cues(bare, [], set())
    assert all(found[name] is None for name in METADATA_CUE_WEIGHTS)
    score = score_network(bare, STRONG, [], set())
    assert score.coverage == 0.0 and score.metadata_coverage == 0.0
    assert score.inauthenticity == 0.0 and set(score.unknown) == set(CUE_WEIGHTS)
    assert verdict(score, 0.2) == TIER_UNASSESSABLE


def test_inauthenticity_is_the_mean_over_assessable_cues_only() -> None:
    created = datetime(2019, 1, 1, tzinfo=UTC)
    fakes = [
        account(f"account:f{i}", created_at=created, first_post=created, followers=3)
        for i in range(4)
    ]
    score = score_network(fakes, STRONG, [], set())
    # burst 0 (no bursts in the data), new 1, low followers 1, default handles 0.
    assert score.cues["new_accounts"] == 1.0 and score.cues["low_followers"] == 1.0
    assert "identifier_reuse" in score.unknown and "concealed_operators" in score.unknown
    known = ("burst_created", "new_accounts", "low_followers", "default_handles")
    weight = sum(CUE_WEIGHTS[n] for n in known)
    assert score.inauthenticity == pytest.approx((0.15 + 0.15) / weight, abs=1e-4)
    assert score.coverage == pytest.approx(weight / sum(CUE_WEIGHTS.values()), abs=1e-4)
    assert score.metadata_coverage == pytest.approx(weight, abs=1e-4)


# ---------------------------------------------------------------------------
# Tiers and ranking


def _score(**kw: Any) -> Any:
    from cibgraph.graph.detect.scoring import NetworkScore

    base: dict[str, Any] = {
        "coordination": 0.9, "inauthenticity": 0.5, "score": 0.45, "cues": {},
        "disclosed_share": 0.0, "signal_shares": {}, "cue_contributions": {},
        "coverage": 0.9, "metadata_coverage": 1.0,
    }  # fmt: skip
    base.update(kw)
    return NetworkScore(**base)


def test_tiers_in_their_order() -> None:
    assert verdict(_score(), 0.2) == TIER_INAUTHENTIC
    assert verdict(_score(score=0.1), 0.2) == TIER_WEAK
    assert verdict(_score(metadata_coverage=0.3), 0.2) == TIER_UNASSESSABLE
    # Disclosure comes first: open coordination is never flagged.
    assert verdict(_score(disclosed_share=0.6, metadata_coverage=0.3), 0.2) == TIER_DISCLOSED
    assert list(TIERS) == [TIER_INAUTHENTIC, TIER_UNASSESSABLE, TIER_WEAK, TIER_DISCLOSED]


def test_ranking_puts_the_strongest_evidence_first() -> None:
    flagged = _score(score=0.3)
    strong_unknown = _score(score=0.8, metadata_coverage=0.0, coverage=0.2)
    weak_unknown = _score(score=0.1, metadata_coverage=0.0, coverage=0.2)
    weak = _score(score=0.15)
    ranked = sorted(
        [(weak, TIER_WEAK), (weak_unknown, TIER_UNASSESSABLE), (flagged, TIER_INAUTHENTIC),
         (strong_unknown, TIER_UNASSESSABLE)],
        key=lambda item: rank_key(*item),
    )  # fmt: skip
    assert [s for s, _ in ranked] == [flagged, strong_unknown, weak_unknown, weak]


# ---------------------------------------------------------------------------
# Behavioural cues


def _posts(key: str, shares: list[tuple[int, str]], extra: int = 0) -> MemberPosts:
    times = tuple(t for t, _ in shares) + tuple(10_000_000 + i * 3600 for i in range(extra))
    return MemberPosts(key, times, tuple((f"{key}-{t}", t, obj) for t, obj in shares))


def test_near_simultaneous_sharing_is_the_share_of_follows_within_seconds() -> None:
    posts = {
        "a": _posts("a", [(0, "url:x"), (1000, "url:y")]),
        "b": _posts("b", [(3, "url:x"), (1050, "url:y")]),  # 3 s and 50 s behind a
        "c": _posts("c", [(5, "url:x")]),
    }
    found = behaviour(["a", "b", "c"], posts, window=60, background=[1 / 24] * 24)
    assert (found.follows, found.fast_follows) == (3, 2)
    assert found.near_simultaneous == pytest.approx(2 / 3, abs=1e-4)
    assert found.evidence()["fast_seconds"] == FAST_SECONDS


def test_coordinated_posts_is_each_members_share_of_co_shared_posts() -> None:
    posts = {
        "a": _posts("a", [(0, "url:x")], extra=3),  # 1 of 4 posts co-shared
        "b": _posts("b", [(30, "url:x")]),  # 1 of 1
    }
    found = behaviour(["a", "b"], posts, window=60, background=[1 / 24] * 24)
    assert found.coordinated_posts == pytest.approx((0.25 + 1.0) / 2)


def test_no_co_shared_object_and_few_posts_leave_the_cues_unknown() -> None:
    posts = {"a": _posts("a", [(0, "url:x")]), "b": _posts("b", [(0, "url:z")])}
    found = behaviour(["a", "b"], posts, window=60, background=[1 / 24] * 24)
    assert found.near_simultaneous is None
    assert found.shared_rhythm is None, f"fewer than {MIN_RHYTHM_POSTS} posts: noise"
    assert found.coordinated_posts == 0.0


def test_a_shift_rhythm_departs_from_everyones() -> None:
    shift = [(day * 86_400 + 9 * 3600 + i, f"url:{day}-{i}") for day in range(60) for i in range(5)]
    posts = {"a": _posts("a", shift)}
    found = behaviour(["a"], posts, window=60, background=[1 / 24] * 24)
    assert found.shared_rhythm == pytest.approx(1 - 1 / 24, abs=1e-3)
    assert found.peak_hours[0] == 9


def test_behaviour_cues_carry_their_weights_into_inauthenticity() -> None:
    bare = [account(f"account:x{i}", created_at=None, followers=None, handle=None) for i in "ab"]
    posts = {
        "account:xa": _posts("account:xa", [(0, "url:x"), (100, "url:y")]),
        "account:xb": _posts("account:xb", [(1, "url:x"), (101, "url:y")]),
    }
    acted = behaviour(["account:xa", "account:xb"], posts, 60, [1 / 24] * 24)
    score = score_network(bare, STRONG, [], set(), acted)
    assert score.cues == {"near_simultaneous": 1.0, "coordinated_posts": 1.0}
    assert score.inauthenticity == 1.0, "a mean over the assessable (behavioural) cues"
    measured = (
        BEHAVIOUR_CUE_WEIGHTS["near_simultaneous"] + BEHAVIOUR_CUE_WEIGHTS["coordinated_posts"]
    )
    assert score.coverage == pytest.approx(measured / sum(CUE_WEIGHTS.values()), abs=1e-4)
    assert verdict(score, 0.2) == TIER_UNASSESSABLE, "behaviour alone never flags"
    assert score.behaviour["fast_follows"] == 2
    assert set(BEHAVIOUR_CUE_WEIGHTS) <= set(CUE_WEIGHTS)


# ---------------------------------------------------------------------------
# Outputs


def test_exports_carry_the_tier_and_leave_unknown_cues_empty() -> None:
    record = NetworkRecord.from_props(NETWORKS[0]["props"])
    row = network_row(record)
    assert row["tier"] == "coordinated_inauthentic" and row["coverage"] == 0.88
    assert row["cue_identifier_reuse"] is None, "unknown, not 0"
    assert row["unknown_cues"] == ["identifier_reuse"]


def test_cli_tables_name_every_tier_and_escape_unknown_ones() -> None:
    assert "flagged" in tier_label(TIER_INAUTHENTIC)
    assert tier_label("[red]x[/]") == "\\[red]x\\[/]"
    assert tier_label("", flagged=True) == "[bold red]flagged[/]"
    for meaning in TIERS.values():
        assert meaning in TIER_CAPTION
    assert "not findings" in TIER_CAPTION


def test_behaviour_only_rows_follow_coortweet_with_one_row_per_object() -> None:
    post = {
        "post_id": "p1", "author_id": "pg9", "created_at": "2019-01-01T00:00:10+00:00",
        "text": "the very same words here", "url": "https://x.example/a", "shared_post_id": "p0",
    }  # fmt: skip
    rows = share_rows(post)
    at = str(int(datetime(2019, 1, 1, 0, 0, 10, tzinfo=UTC).timestamp()))
    assert rows[0] == ("p0", "pg9", "p1", "", at)
    assert rows[1] == ("", "pg9", "p1", "https://x.example/a", at)
    assert rows[2][0].startswith("text-") and rows[2][1:] == ("pg9", "p1", "", at)
    lone = share_rows({**post, "text": "hi", "url": "", "shared_post_id": ""})
    assert lone == [("", "pg9", "p1", "", at)], "a post without objects still counts its time"
    assert timedelta(seconds=int(at)) > timedelta(0)


def test_one_outlets_own_site_is_one_source_and_a_campaign_many() -> None:
    from cibgraph.graph.detect.behaviour import MIN_SOURCED_OBJECTS, source_of

    assert source_of("url:https://www.kestrel-example.in/a/b", None) == "kestrel-example.in"
    assert source_of("url:urn:anon-url:77", "3498") == "3498", "the loaded domain id wins"
    assert source_of("url:urn:anon-url:77", None) is None
    assert source_of("post:p1", "account:celeb") == "account:celeb"
    assert source_of("text:abc", None) is None

    def network(sites: list[str]) -> Any:
        posts = {}
        for key in ("a", "b"):
            shares = tuple(
                (f"{key}{i}", i * 100, f"url:https://{s}/{i}") for i, s in enumerate(sites)
            )
            posts[key] = MemberPosts(
                key,
                tuple(t for _, t, _ in shares),
                shares,
                {obj: source_of(obj, None) or "" for _, _, obj in shares},
            )
        return behaviour(["a", "b"], posts, 60, [1 / 24] * 24)

    outlet = network(["kestrel-example.in"] * 8)
    assert outlet.many_sources == 0.0 and outlet.top_source == "kestrel-example.in"
    campaign = network([f"site{i % 4}-example.com" for i in range(8)])
    assert campaign.many_sources == pytest.approx(0.75)
    assert network(["one.example"] * (MIN_SOURCED_OBJECTS - 1)).many_sources is None


def test_ties_and_identifiers_are_measured_wherever_the_data_holds_them() -> None:
    from cibgraph.graph.detect.scoring import DataHolds

    people = [account(f"account:p{i}") for i in range(3)]
    assert cues(people, [], set())["concealed_operators"] is None
    found = cues(people, [], set(), data=DataHolds(identifiers=True, affiliations=True))
    assert found["concealed_operators"] == 0.0 and found["identifier_reuse"] == 0.0


def test_unassessable_candidates_rank_by_their_measured_inauthenticity() -> None:
    lockstep = _score(score=0.40, inauthenticity=0.40, coordination=1.0, metadata_coverage=0.0)
    campaign = _score(score=0.38, inauthenticity=0.47, coordination=0.81, metadata_coverage=0.0)
    ranked = sorted([lockstep, campaign], key=lambda s: rank_key(s, TIER_UNASSESSABLE))
    assert ranked == [campaign, lockstep]
    assert rank_key(lockstep, TIER_WEAK) < rank_key(campaign, TIER_WEAK), "else by score"
