"""Scoring, grouping, attribution and signal merging, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cibgraph.core.errors import UsageError
from cibgraph.graph.detect.attribution import attribute
from cibgraph.graph.detect.facts import Ad, MemberFacts
from cibgraph.graph.detect.networks import attach_admins, group, summarize
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.scoring import CUE_WEIGHTS, Burst, cues, score_network
from cibgraph.graph.detect.signals import (
    NO_LIMIT,
    WindowEstimateFailed,
    co_share_passes,
    collect_pairs,
    estimate_window,
)
from tests.fakes import RecordingRunner

T0 = datetime(2019, 1, 1, tzinfo=UTC)


def account(key: str, **kw: object) -> MemberFacts:
    base: dict[str, object] = {
        "key": key, "is_account": True, "is_admin": False, "created_at": T0 - timedelta(days=2000),
        "followers": 500, "handle": "ordinary.person", "name": None, "country": "IN",
        "first_post": T0, "last_post": T0 + timedelta(days=30), "posts": 10, "disclosed": False,
        "affiliated": False, "operator_affiliated": False, "ads": (), "admins": (),
    }  # fmt: skip
    base.update(kw)
    return MemberFacts(**base)  # type: ignore[arg-type]


def page(key: str, **kw: object) -> MemberFacts:
    kw.setdefault("is_account", False)
    kw.setdefault("followers", 10000)
    kw.setdefault("handle", None)
    return account(key, **kw)


def test_fake_accounts_score_high_on_every_account_cue() -> None:
    created = T0 - timedelta(days=10)
    fakes = [
        account(
            f"account:f{i}",
            created_at=created,
            followers=3,
            handle=f"patriot_{4400 + i}",
            has_identifiers=i < 2,
        )
        for i in range(10)
    ]
    burst = Burst(created - timedelta(hours=1), created + timedelta(hours=23))
    found = cues(fakes, [burst], identifier_sharers={"account:f0", "account:f1"})
    assert found["burst_created"] == 1.0
    assert found["new_accounts"] == 1.0
    assert found["low_followers"] == 1.0
    assert found["default_handles"] == 1.0
    assert found["identifier_reuse"] == pytest.approx(0.2)
    assert found["foreign_or_undisclosed_ads"] is None  # no pages with ads: unknown, not 0
    assert found["concealed_operators"] is None  # no known ties: unknown, not 0


def test_old_ordinary_accounts_score_low() -> None:
    people = [account(f"account:p{i}") for i in range(10)]
    found = cues(people, [], set())
    assert (
        found["burst_created"] == 0 and found["new_accounts"] == 0 and found["low_followers"] == 0
    )


def test_identifier_sharing_alone_is_not_coordination() -> None:
    members = [account(f"account:o{i}", followers=5) for i in range(4)]
    score = score_network(
        members, {"co_share": 0.0, "shared_admin": 0.0, "shared_identifier": 6.0}, [], set()
    )
    assert score.coordination == 0.0
    assert score.score == 0.0
    assert score.signal_shares["shared_identifier"] == 1.0


def test_disclosure_cancels_inauthenticity() -> None:
    pages = [
        page(
            f"page:m{i}",
            disclosed=True,
            operator_affiliated=True,
            ads=(Ad(100.0, "INR", None, T0),),
        )
        for i in range(5)
    ]
    score = score_network(
        pages, {"co_share": 10.0, "shared_admin": 5.0, "shared_identifier": 0.0}, [], set()
    )
    assert score.coordination > 0.9
    assert score.disclosed_share == 1.0
    assert score.inauthenticity == 0.0 and score.score == 0.0


def test_concealed_pages_with_foreign_ads_are_inauthentic() -> None:
    pages = [
        page(f"page:c{i}", country="GB", operator_affiliated=True, ads=(Ad(7000.0, "INR", "", T0),))
        for i in range(5)
    ]
    score = score_network(
        pages, {"co_share": 10.0, "shared_admin": 5.0, "shared_identifier": 0.0}, [], set()
    )
    assert score.cues == {"concealed_operators": 1.0, "foreign_or_undisclosed_ads": 1.0}
    assert score.inauthenticity == 1.0
    # Pages only, no behaviour measured: the account cues are unknown, and say so.
    assert "burst_created" in score.unknown and "near_simultaneous" in score.unknown
    assert score.coverage == pytest.approx(0.2 / sum(CUE_WEIGHTS.values()), abs=1e-4)
    assert score.score == pytest.approx(score.coordination)
    assert sum(score.cue_contributions.values()) == pytest.approx(score.inauthenticity)


def test_group_keeps_big_enough_communities_largest_first() -> None:
    assignments = {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1, "f": 2, "g": 2, "h": 2, "i": 2}
    assert group(assignments, min_size=3) == [["f", "g", "h", "i"], ["a", "b", "c"]]


def test_admins_join_the_network_of_the_pages_they_run() -> None:
    groups = [["page:1", "page:2", "account:x"], ["page:3", "account:y", "account:z"]]
    facts = {
        "page:1": page("page:1", admins=("account:boss",)),
        "page:2": page("page:2", admins=("account:boss", "account:x")),
        "page:3": page("page:3", admins=("account:boss",)),
    }
    attach_admins(groups, facts)
    assert "account:boss" in groups[0] and "account:boss" not in groups[1]
    assert groups[0].count("account:x") == 1  # already placed: not added twice


def test_summary_counts_spend_by_currency_and_usd() -> None:
    members = [
        page(
            "page:1",
            ads=(Ad(70000.0, "INR", None, T0), Ad(7000.0, "INR", None, T0)),
            admins=("account:a",),
        ),
        account("account:a", followers=10),
    ]
    summary = summarize(members)
    assert summary.ad_spend == {"INR": 77000.0}
    assert summary.ad_spend_usd == pytest.approx(1100.0)
    assert (summary.pages, summary.accounts, summary.admins) == (1, 1, 1)
    assert summary.followers_total == 10010


def test_attribution_follows_part_of_to_parents_with_shares() -> None:
    rows = [
        {
            "key": "account:a",
            "org": "cell",
            "name": "Cell",
            "kind": "it_cell",
            "hops": 0,
            "source": "investigation",
        },
        {
            "key": "account:a",
            "org": "party",
            "name": "Party",
            "kind": "party",
            "hops": 1,
            "source": "investigation",
        },
        {
            "key": "page:p",
            "org": "cell",
            "name": "Cell",
            "kind": "it_cell",
            "hops": 0,
            "source": "investigation",
        },
        {
            "key": "page:p",
            "org": "party",
            "name": "Party",
            "kind": "party",
            "hops": 1,
            "source": "investigation",
        },
        {
            "key": "other:x",
            "org": "cell",
            "name": "Cell",
            "kind": "it_cell",
            "hops": 0,
            "source": "leak",
        },
    ]
    result = attribute(["account:a", "page:p", "account:b", "account:c"], rows)
    assert [(a.org_id, a.members, a.share, a.direct) for a in result] == [
        ("cell", 2, 0.5, True),
        ("party", 2, 0.5, False),
    ]
    assert result[0].sources == ("investigation",) and not result[0].disclosed


def test_signals_are_merged_per_pair_from_the_library_queries() -> None:
    runner = RecordingRunner(
        answers={
            "CALL () {\n  MATCH (o:Url)": [
                {
                    "a": "account:1",
                    "b": "account:2",
                    "weight": 3,
                    "score": 2.5,
                    "min_gap": 4,
                    "urls": 2,
                    "reshares": 1,
                    "texts": 0,
                    "sample_objects": ["url:x"],
                },
            ],
            "(admin:Account)-[:ADMINISTERS]->(p2:Page)": [
                {"a": "page:1", "b": "page:2", "shared": 2}
            ],
            "(a1:Account)-[:USES]->(i)": [{"a": "account:2", "b": "account:1", "shared": 1}],
        }
    )
    pairs = collect_pairs(runner, DetectParams(window=60))
    assert set(pairs.pairs) == {("account:1", "account:2"), ("page:1", "page:2")}
    both = pairs.pairs[("account:1", "account:2")]
    assert (both.co_share_objects, both.co_share_score, both.shared_identifiers) == (3, 2.5, 1)
    fast, slow = [c for c in runner.calls if "MATCH (o:Url)" in c.query]
    assert fast.params["window"] == 60 and fast.params["limit"] == NO_LIMIT
    slow_params = (
        slow.params["window"],
        slow.params["min_weight"],
        slow.params["max_object_shares"],
    )
    assert slow_params == (86_400, 3, 30)
    # The slow pass skips what the fast pass counts: disjoint objects (issue 15).
    assert fast.params["exclude_within"] == -1 and slow.params["exclude_within"] == 60
    assert both.slow_co_share_objects == 3  # the canned row answers both passes
    assert pairs.counts == {
        "co_share": 1,
        "slow_co_share": 1,
        "shared_admin": 1,
        "shared_identifier": 1,
        "co_hashtag": 0,
        "co_image": 0,
        "co_similar_text": 0,
    }
    off = collect_pairs(RecordingRunner(), DetectParams(window=60, slow_window=0))
    assert off.counts["slow_co_share"] == 0


def _pair_row(weight: int, score: float, sample: str) -> dict[str, object]:
    return {
        "a": "account:1",
        "b": "account:2",
        "weight": weight,
        "score": score,
        "min_gap": 3,
        "urls": 0,
        "reshares": 0,
        "texts": 0,
        "sample_objects": [sample],
    }


def test_hashtag_image_and_similar_text_signals_are_their_own_contributions() -> None:
    runner = RecordingRunner(
        answers={
            "WHERE COUNT { (p)-[:TAGS]->(:Hashtag) } >= 2": [_pair_row(4, 3.0, "tags:#a #b")],
            "WHERE p.image_hash IS NOT NULL": [_pair_row(2, 1.5, "image:ff00")],
            "WHERE p.text_cluster IS NOT NULL": [_pair_row(3, 2.0, "similar:ab12")],
        }
    )
    params = DetectParams(window=60)
    pairs = collect_pairs(runner, params)
    evidence = pairs.pairs[("account:1", "account:2")]
    assert (evidence.co_hashtag_objects, evidence.co_hashtag_score) == (4, 3.0)
    assert (evidence.co_image_objects, evidence.co_image_score) == (2, 1.5)
    assert evidence.co_share_objects == 0 and evidence.sample_objects == ["tags:#a #b"]
    contributions = evidence.contributions(params)
    assert contributions["co_hashtag"] == params.co_hashtag_weight * 3.0
    assert contributions["co_image"] == params.co_image_weight * 1.5
    assert (evidence.co_similar_text_objects, evidence.co_similar_text_score) == (3, 2.0)
    assert contributions["co_similar_text"] == params.co_similar_text_weight * 2.0
    assert contributions["co_share"] == 0.0
    tags = next(c for c in runner.calls if "(p)-[:TAGS]->(:Hashtag)" in c.query)
    assert tags.params["max_object_shares"] == params.hashtag_max_object_shares
    assert tags.params["exclude_within"] == -1
    assert pairs.counts["co_hashtag"] == 1 and pairs.counts["co_image"] == 1
    assert pairs.counts["co_similar_text"] == 1
    similar = next(c for c in runner.calls if "p.text_cluster IS NOT NULL" in c.query)
    assert similar.params["max_object_shares"] == params.similar_max_object_shares


def test_slow_pass_counts_only_objects_slower_than_the_fast_window() -> None:
    fast, slow = co_share_passes(DetectParams(window=45, slow_window=3600, slow_min_weight=4))
    assert (fast.window, fast.exclude_within) == (45, -1)
    assert slow is not None
    assert (slow.window, slow.min_weight, slow.exclude_within) == (3600, 4, 45)
    assert co_share_passes(DetectParams(window=45, slow_window=0)) == (fast, None)
    with pytest.raises(ValueError):
        co_share_passes(DetectParams())  # the window must be resolved first


def test_an_engine_answers_the_co_share_passes_instead_of_cypher() -> None:
    asked = []

    def engine(pass_: Any, signal: str = "co_share") -> list[dict[str, Any]]:
        asked.append((signal, pass_))
        if signal != "co_share":
            return []
        return [
            {
                "a": "account:b",
                "b": "account:a",
                "weight": 2,
                "score": 1.5,
                "min_gap": 3,
                "urls": 1,
                "reshares": 1,
                "texts": 0,
                "sample_objects": ["url:x"],
            }
        ]

    runner = RecordingRunner()
    pairs = collect_pairs(runner, DetectParams(window=60), co_share=engine)
    assert [(signal, p.exclude_within) for signal, p in asked] == [
        ("co_share", -1),
        ("co_share", 60),
        ("co_hashtag", -1),
        ("co_image", -1),
        ("co_similar_text", -1),
    ]
    assert not [c for c in runner.calls if "MATCH (o:Url)" in c.query]
    evidence = pairs.pairs[("account:a", "account:b")]
    assert (evidence.co_share_objects, evidence.slow_co_share_objects) == (2, 2)


def test_auto_window_refuses_a_degenerate_estimate() -> None:
    runner = RecordingRunner(
        answers={"percentileCont(object[1], 0.5) AS window": [{"window": 0.0}]}
    )
    with pytest.raises(WindowEstimateFailed) as info:
        estimate_window(runner, DetectParams())
    assert "--window" in (info.value.hint or "")
    runner = RecordingRunner(
        answers={"percentileCont(object[1], 0.5) AS window": [{"window": 122.5}]}
    )
    assert estimate_window(runner, DetectParams()) == 123


@pytest.mark.parametrize(
    "params",
    [
        DetectParams(algorithm="kmeans"),
        DetectParams(concurrency=8),
        DetectParams(window=0),
        DetectParams(window=2**23),  # the pair engine's packed sample key holds 2^23 s
        DetectParams(slow_window=2**23),
        DetectParams(threshold=2),
        DetectParams(engine="polars"),
        DetectParams(engine_memory="lots"),
        DetectParams(engine_memory="2.5GB"),
    ],
)
def test_bad_parameters_are_refused(params: DetectParams) -> None:
    with pytest.raises(UsageError):
        params.checked()


def test_edge_rows_fill_every_positional_column() -> None:
    from cibgraph.graph.detect.edges import EDGE_PROPERTIES, _positional, edge_rows
    from cibgraph.graph.detect.signals import CoordinationPairs

    pairs = CoordinationPairs()
    evidence = pairs.get("account:b", "account:a")
    evidence.co_share_objects, evidence.co_share_score, evidence.min_gap = 2, 1.5, 7
    evidence.slow_co_share_objects, evidence.slow_co_share_score = 3, 1.0
    evidence.shared_admins, evidence.shared_identifiers = 1, 1
    (row,) = list(edge_rows(pairs, DetectParams(window=60)))
    assert (row["a"], row["b"]) == ("account:a", "account:b")
    props = row["props"]
    assert isinstance(props, dict)
    assert set(props) == set(EDGE_PROPERTIES)
    positional = _positional(row)
    assert positional[2 + EDGE_PROPERTIES.index("slow_co_share")] == 0.5
    assert positional[2 + EDGE_PROPERTIES.index("min_gap")] == 7
