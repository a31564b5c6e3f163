"""The formulas on plain numbers: no database, no models, each figure worked out by hand."""

import ast
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from feedback.models import Choice
from feedback.results import statistics
from feedback.results.statistics import (
    Consensus,
    GroupResult,
    Sort,
    Thresholds,
    consensus_of,
    participation,
    percentages,
    protect_residual,
    rank,
    recommendation_results,
)

LIMITS = Thresholds(min_sector_voters=3, min_total_voters=10, min_sectors=2, majority=0.5)
SECTORS = [("gemeente", "Gemeente"), ("bedrijfsleven", "Bedrijfsleven"), ("kennis", "Kennis")]


def group(code, agree, neutral, disagree, minimum=3):
    counts = {"agree": agree, "neutral": neutral, "disagree": disagree}
    return GroupResult.build(code=code, label=code, counts=counts, priority=0, minimum=minimum)


def rec(pk, position=1):
    return SimpleNamespace(pk=pk, position=position)


def rows(pk, spec, confirmed=False):
    """GROUP BY rows as the selector gets them: spec = {sector: (agree, neutral, disagree)}."""
    return [
        {
            "recommendation_id": pk,
            "sector": sector,
            "confirmed": confirmed,
            "choice": choice,
            "prioritised": False,
            "n": n,
        }
        for sector, counts in spec.items()
        for choice, n in zip(statistics.CHOICES, counts, strict=True)
        if n
    ]


def test_statistics_imports_no_database_code():
    tree = ast.parse(Path(statistics.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [m for m in imported if m.startswith(("django.db", "django.conf", "topics", "participants", "feedback"))]
    assert all(node.level == 0 for node in ast.walk(tree) if isinstance(node, ast.ImportFrom))


def test_choice_codes_match_the_vote_model():
    assert tuple(Choice.values) == statistics.CHOICES


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 1], [34, 33, 33]),  # the earlier position takes the remaining point
        ([2, 2, 3], [29, 28, 43]),  # 28.57, 28.57, 42.86: the largest remainder, then the earlier of equals
        ([1, 0, 0], [100, 0, 0]),
        ([0, 0, 0], None),
    ],
)
def test_percentages_add_up_to_100(counts, expected):
    assert percentages(counts) == expected
    if expected:
        assert sum(expected) == 100


def test_a_group_below_the_minimum_shows_no_figures():
    small = group("kennis", 2, 0, 0)
    assert small.enough is False
    assert (small.voters, small.agree, small.shares, small.percentages) == (None, None, None, None)
    assert small.as_dict() == {
        "enough_votes": False,
        "voters": None,
        "agree": None,
        "neutral": None,
        "disagree": None,
        "priority": None,
        "shares": None,
    }


def test_shares_are_within_the_group():
    g = group("gemeente", 2, 0, 1)
    assert g.shares == {"agree": 0.6667, "neutral": 0.0, "disagree": 0.3333}
    assert g.percentages == {"agree": 67, "neutral": 0, "disagree": 33}


def test_broadly_supported_by_hand():
    sectors = [group("gemeente", 4, 1, 0), group("bedrijfsleven", 3, 0, 1)]
    label, score, divisiveness, support = consensus_of(sectors, total_voters=10, thresholds=LIMITS)
    assert label == Consensus.BROAD
    assert score == round(math.sqrt(5 / 7 * 4 / 6), 4)  # geometric mean of (a+1)/(n+2)
    assert support == 0.775  # (4/5 + 3/4) / 2
    assert divisiveness == 0.15  # nets 0.8 and 0.5: population standard deviation 0.15


def test_divided_by_hand():
    sectors = [group("gemeente", 4, 0, 1), group("bedrijfsleven", 0, 1, 4)]
    label, score, divisiveness, support = consensus_of(sectors, total_voters=10, thresholds=LIMITS)
    assert (label, score, divisiveness, support) == (Consensus.DIVIDED, 0.3194, 0.7, 0.4)


def test_exactly_the_majority_is_not_a_majority():
    sectors = [group("gemeente", 3, 0, 3), group("bedrijfsleven", 4, 0, 0)]
    assert consensus_of(sectors, total_voters=10, thresholds=LIMITS)[0] == Consensus.UNCLEAR


@pytest.mark.parametrize(
    ("total_voters", "sectors"),
    [
        (9, [group("gemeente", 5, 0, 0), group("bedrijfsleven", 4, 0, 0)]),  # too few voters in total
        (12, [group("gemeente", 10, 0, 0), group("kennis", 2, 0, 0)]),  # one sector with enough voters
    ],
)
def test_too_few_votes_still_has_a_score(total_voters, sectors):
    label, score, _divisiveness, _support = consensus_of(sectors, total_voters=total_voters, thresholds=LIMITS)
    assert label == Consensus.TOO_FEW
    assert score is not None


def test_no_sector_with_enough_voters_has_no_figures():
    assert consensus_of([group("kennis", 1, 0, 0)], total_voters=1, thresholds=LIMITS) == (
        Consensus.TOO_FEW,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("rest", [1, 2])
def test_a_residual_of_one_or_two_people_hides_the_smallest_sector(rest):
    sectors = [group("gemeente", 5, 1, 0), group("bedrijfsleven", 2, 0, 2), group("natuur", 3, 0, 0)]
    protected = protect_residual(sectors, total_voters=13 + rest, minimum=3)
    assert [g.code for g in protected if g.enough] == ["gemeente", "bedrijfsleven"]
    assert protected[2].voters is None and protected[2].code == "natuur"


@pytest.mark.parametrize("rest", [0, 3])
def test_a_residual_of_none_or_enough_people_hides_nothing(rest):
    sectors = [group("gemeente", 3, 0, 0), group("bedrijfsleven", 3, 0, 0)]
    assert protect_residual(sectors, total_voters=6 + rest, minimum=3) is sectors


def test_a_tie_for_smallest_hides_the_first_in_sector_order():
    sectors = [group("gemeente", 3, 0, 0), group("bedrijfsleven", 3, 0, 0)]
    protected = protect_residual(sectors, total_voters=7, minimum=3)
    assert [g.enough for g in protected] == [False, True]


def test_recommendation_results_from_rows():
    first, second, hidden = rec(1, 1), rec(2, 2), rec(3, 3)
    vote_rows = rows(1, {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1), "kennis": (1, 0, 0), None: (3, 0, 0)})
    vote_rows += rows(2, {"gemeente": (4, 0, 1), "bedrijfsleven": (0, 1, 4)})
    vote_rows += rows(3, {"gemeente": (9, 0, 0)})
    # Two of the agreeing voters of gemeente also gave it a priority; one person without a position did.
    vote_rows += [
        {
            "recommendation_id": 1,
            "sector": "gemeente",
            "confirmed": False,
            "choice": "agree",
            "prioritised": True,
            "n": 2,
        },
        {"recommendation_id": 1, "sector": "gemeente", "confirmed": False, "choice": "", "prioritised": True, "n": 1},
    ]
    vote_rows[0]["n"] -= 2
    results = recommendation_results(
        [first, second, hidden],
        rows=vote_rows,
        visible=lambda r: r is not hidden,
        sectors=SECTORS,
        thresholds=LIMITS,
    )
    one, two, three = results
    # No sector: in the total only; the one voter of kennis counts nowhere.
    assert (one.total.voters, one.total.agree, one.total.priority) == (12, 10, 3)
    assert one.by_sector["gemeente"].priority == 3 and one.by_sector["gemeente"].agree == 4
    assert one.by_sector["kennis"].enough is False
    assert one.consensus == Consensus.BROAD
    assert two.consensus == Consensus.DIVIDED and two.total.voters == 10
    assert three.visible is False and three.total is None and three.sectors == []


def test_ranking_orders_and_ties():
    def result(pk, position, *, support, score, divisiveness, agree, priority):
        total = GroupResult(code="total", label="", enough=True, agree=agree, priority=priority)
        return statistics.RecommendationResult(
            recommendation=rec(pk, position),
            visible=True,
            total=total,
            support=support,
            score=score,
            divisiveness=divisiveness,
        )

    a = result(1, 3, support=0.8, score=0.7, divisiveness=0.1, agree=8, priority=0)
    b = result(2, 2, support=0.5, score=None, divisiveness=0.9, agree=5, priority=4)
    c = result(3, 1, support=0.5, score=0.2, divisiveness=None, agree=5, priority=4)
    hidden = statistics.RecommendationResult(recommendation=rec(4, 1), visible=False)
    assert [r.id for r in rank([hidden, c, b, a])] == [1, 3, 2, 4]  # support; tie: agree, then position
    assert [r.rank for r in rank([hidden, c, b, a])] == [1, 2, 3, None]
    assert [r.id for r in rank([a, b, c], sort=Sort.CONSENSUS)] == [1, 3, 2]  # unknown score last
    assert [r.id for r in rank([a, b, c], sort=Sort.DIVISIVE)] == [2, 1, 3]
    assert [r.id for r in rank([a, b, c], sort=Sort.PRIORITY)] == [3, 2, 1]
    assert [r.id for r in rank([a, b, c], sort="onzin")] == [1, 3, 2]


def test_participation_is_protected_like_the_figures():
    counts = {("gemeente", False): 5, ("bedrijfsleven", False): 3, ("kennis", False): 1, ("kennis", True): 2}
    groups, total = participation(counts, sectors=SECTORS, minimum=3)
    assert total == 8  # small cells count nowhere, so total minus the sectors shown is 0
    assert {g.code: g.voters for g in groups} == {"gemeente": 5, "bedrijfsleven": 3, "kennis": None}
    counts[("kennis", True)] = 3
    groups, total = participation(counts, sectors=SECTORS, minimum=3, confirmed_only=True)
    assert total == 3 and {g.code: g.voters for g in groups} == {"gemeente": None, "bedrijfsleven": None, "kennis": 3}


def test_confirmed_only_counts_confirmed_cells_and_each_cell_needs_enough_voters():
    one = rec(1)
    data = rows(1, {"gemeente": (3, 0, 0), "bedrijfsleven": (2, 0, 0)}, confirmed=True)
    data += rows(1, {"gemeente": (1, 1, 0), "bedrijfsleven": (0, 0, 3)})
    kwargs = {"visible": lambda r: True, "sectors": SECTORS, "thresholds": LIMITS}
    (everyone,) = recommendation_results([one], rows=data, **kwargs)
    # gemeente: the confirmed cell (3) counts, the unconfirmed one (2) does not; bedrijfsleven the other way.
    assert (everyone.by_sector["gemeente"].voters, everyone.by_sector["gemeente"].agree) == (3, 3)
    assert (everyone.by_sector["bedrijfsleven"].voters, everyone.by_sector["bedrijfsleven"].disagree) == (3, 3)
    assert everyone.total.voters == 6
    (confirmed,) = recommendation_results([one], rows=data, confirmed_only=True, **kwargs)
    assert confirmed.by_sector["gemeente"].voters == 3 and confirmed.by_sector["bedrijfsleven"].enough is False
    assert confirmed.total.voters == 3
