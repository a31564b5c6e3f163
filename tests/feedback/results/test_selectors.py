"""The one results selector on real votes: hand-computed consensus labels, scores, small sectors, ties, visibility."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.results import selectors
from feedback.results.statistics import Consensus, Sort
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory, publish_baseline

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return TopicFactory(closes_at=timezone.now() - timedelta(days=1), opens_at=timezone.now() - timedelta(days=30))


def result_of(topic, rec, **kwargs):
    return selectors.topic_results(topic=topic, visibility=selectors.ALL, **kwargs).get(rec.pk)


def test_broadly_supported_with_a_small_sector_left_out(topic, voters):
    rec = RecommendationFactory(topic=topic)
    # Three participants without a sector count in the total; the two of natuur_milieu count nowhere.
    voters(rec, {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1), "natuur_milieu": (0, 0, 2), "": (3, 0, 0)})
    r = result_of(topic, rec)
    assert r.consensus == Consensus.BROAD
    # geometric mean of (a+1)/(n+2): sqrt(5/7 * 4/6)
    assert r.score == round(math.sqrt(5 / 7 * 4 / 6), 4) == 0.6901
    assert r.support == 0.775  # (4/5 + 3/4) / 2
    assert r.divisiveness == 0.15  # nets 0.8 and 0.5: standard deviation 0.15
    assert (r.total.voters, r.total.agree, r.total.neutral, r.total.disagree) == (12, 10, 1, 1)
    small = r.by_sector["natuur_milieu"]
    assert small.enough is False
    assert (small.voters, small.agree, small.disagree, small.shares, small.percentages) == (None,) * 5
    gemeente = r.by_sector["gemeente"]
    assert gemeente.shares == {"agree": 0.8, "neutral": 0.2, "disagree": 0.0}
    assert gemeente.percentages == {"agree": 80, "neutral": 20, "disagree": 0}


@pytest.mark.parametrize("rest", [1, 2])
def test_votes_of_one_or_two_people_count_nowhere(topic, voters, rest):
    """A sector with 1 or 2 voters is left out of the total too, so no subtraction can find its votes."""
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (5, 1, 0), "bedrijfsleven": (2, 0, 2), "natuur_milieu": (3, 0, 0), "kennis": (0, 0, rest)})
    r = result_of(topic, rec)
    assert (r.total.voters, r.total.disagree) == (13, 2)
    shown = [g for g in r.sectors if g.enough]
    assert [g.code for g in shown] == ["gemeente", "bedrijfsleven", "natuur_milieu"]
    hidden = r.by_sector["kennis"]
    assert (hidden.enough, hidden.voters, hidden.agree, hidden.shares) == (False, None, None, None)
    assert r.total.voters - sum(g.voters for g in shown) == 0
    assert r.support == round((5 / 6 + 2 / 4 + 3 / 3) / 3, 4)


def test_a_rest_of_zero_or_three_needs_no_extra_hiding(topic, voters):
    whole, three = RecommendationFactory(topic=topic, position=1), RecommendationFactory(topic=topic, position=2)
    voters(whole, {"gemeente": (3, 0, 0), "bedrijfsleven": (3, 0, 0)})
    voters(three, {"gemeente": (3, 0, 0), "bedrijfsleven": (3, 0, 0), "kennis": (2, 0, 0), "": (1, 0, 0)})
    data = selectors.topic_results(topic=topic, visibility=selectors.ALL)
    for rec in (whole, three):
        assert {g.code for g in data.get(rec.pk).sectors if g.enough} == {"gemeente", "bedrijfsleven"}


def test_participation_per_sector_protects_one_or_two_people(voters):
    topic = TopicFactory()
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (5, 0, 0), "bedrijfsleven": (3, 0, 0), "kennis": (1, 0, 0)})
    overview = selectors.overview_results()
    shown = {g.code: g.voters for g in overview.participation if g.enough}
    assert shown == {"gemeente": 5, "bedrijfsleven": 3}
    assert all(g.voters is None for g in overview.participation if not g.enough)
    assert overview.participants_total == 8  # the one voter of kennis counts nowhere


def test_divided(topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (4, 0, 1), "bedrijfsleven": (0, 1, 4)})
    r = result_of(topic, rec)
    assert r.consensus == Consensus.DIVIDED
    assert r.score == round(math.sqrt(5 / 7 * 1 / 7), 4) == 0.3194
    assert r.divisiveness == 0.7  # nets 0.6 and -0.8
    assert r.support == 0.4


def test_no_clear_picture(topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (3, 2, 0), "bedrijfsleven": (2, 2, 1)})
    r = result_of(topic, rec)
    assert r.consensus == Consensus.UNCLEAR


def test_exactly_half_is_no_majority(topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (3, 0, 3), "bedrijfsleven": (4, 0, 0)})
    r = result_of(topic, rec)
    assert r.by_sector["gemeente"].shares["agree"] == 0.5
    assert r.consensus == Consensus.UNCLEAR  # 0.5 agree is not a majority, nor 0.5 disagree


def test_too_few_votes_in_total(topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (3, 0, 0), "bedrijfsleven": (3, 0, 0)})
    r = result_of(topic, rec)
    assert r.consensus == Consensus.TOO_FEW
    assert r.score == 0.8  # still ranks: (3+1)/(3+2) in both sectors


def test_too_few_sectors_with_enough_voters(topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (10, 0, 0), "kennis": (2, 0, 0)})
    r = result_of(topic, rec)
    assert r.consensus == Consensus.TOO_FEW
    assert r.divisiveness is None  # needs two sectors


def test_no_votes_at_all(topic):
    rec = RecommendationFactory(topic=topic)
    r = result_of(topic, rec)
    assert r.consensus == Consensus.TOO_FEW
    assert (r.score, r.support, r.divisiveness) == (None, None, None)
    assert r.total.voters == 0 and r.total.percentages is None
    assert all(not g.enough for g in r.sectors)


def test_thresholds_come_from_settings(topic, voters, settings):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (2, 0, 0), "bedrijfsleven": (2, 0, 0)})
    assert result_of(topic, rec).consensus == Consensus.TOO_FEW
    settings.RESULTS_MIN_SECTOR_VOTERS = 2
    settings.RESULTS_MIN_TOTAL_VOTERS = 4
    assert result_of(topic, rec).consensus == Consensus.BROAD


def test_percentages_add_up_to_100(topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (1, 1, 1), "bedrijfsleven": (2, 2, 3)})
    r = result_of(topic, rec)
    assert r.by_sector["gemeente"].percentages == {"agree": 34, "neutral": 33, "disagree": 33}
    assert sum(r.by_sector["bedrijfsleven"].percentages.values()) == 100


def test_ranking_orders(topic, voters):
    broad = RecommendationFactory(topic=topic, position=1)
    divided = RecommendationFactory(topic=topic, position=2)
    unclear = RecommendationFactory(topic=topic, position=3)
    voters(broad, {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1)})
    voters(divided, {"gemeente": (4, 0, 1), "bedrijfsleven": (0, 1, 4)}, priorities={"gemeente": 5})
    voters(unclear, {"gemeente": (3, 2, 0), "bedrijfsleven": (2, 2, 1)}, priorities={"gemeente": 1})

    def order(sort):
        data = selectors.topic_results(topic=topic, visibility=selectors.ALL, sort=sort)
        return [r.id for r in data.recommendations], data.sort

    # support: 0.775, 0.5 (3/5 and 2/5), 0.4
    assert order("support") == ([broad.pk, unclear.pk, divided.pk], "support")
    # score: broad 0.6901 > unclear sqrt(4/7*3/7)=0.4949 > divided 0.3194
    assert order("consensus") == ([broad.pk, unclear.pk, divided.pk], "consensus")
    assert order("divisive")[0][0] == divided.pk
    assert order("priority")[0][:2] == [divided.pk, unclear.pk]
    assert order("nonsense") == order("support")
    assert order(None)[1] == Sort.DEFAULT


def test_ties_are_broken_by_agree_count_then_position(topic, voters):
    later = RecommendationFactory(topic=topic, position=2)
    earlier = RecommendationFactory(topic=topic, position=1)
    more = RecommendationFactory(topic=topic, position=3)
    for rec in (later, earlier):
        voters(rec, {"gemeente": (3, 0, 0), "bedrijfsleven": (3, 0, 0)})
    voters(more, {"gemeente": (4, 0, 0), "bedrijfsleven": (4, 0, 0)})
    data = selectors.topic_results(topic=topic, visibility=selectors.ALL)
    assert [r.support for r in data.recommendations] == [1.0, 1.0, 1.0]
    assert [r.id for r in data.recommendations] == [more.pk, earlier.pk, later.pk]
    assert [r.rank for r in data.recommendations] == [1, 2, 3]


def test_deleted_and_blocked_participants_count_with_their_sector(topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (2, 0, 0)}, deleted_at=timezone.now())
    voters(rec, {"gemeente": (1, 0, 0)}, is_blocked=True)
    voters(rec, {"": (3, 0, 0)})  # no sector declared: counts in the total only
    r = result_of(topic, rec)
    assert r.by_sector["gemeente"].agree == 3
    assert r.total.agree == 6


def test_unpublished_recommendations_are_left_out(topic, voters):
    hidden = RecommendationFactory(topic=topic, is_published=False)
    voters(hidden, {"gemeente": (3, 0, 0)})
    assert selectors.topic_results(topic=topic, visibility=selectors.ALL).recommendations == []


def test_visibility_follows_the_voting_rule(voters):
    from feedback.models import Vote

    topic = TopicFactory()  # open
    seen, unseen = RecommendationFactory(topic=topic), RecommendationFactory(topic=topic)
    voters(seen, {"gemeente": (3, 0, 0)})
    participant = ParticipantFactory()
    Vote.objects.create(participant=participant, recommendation=seen, choice="agree")
    publish_baseline()

    data = selectors.topic_results(topic=topic, user=participant)
    assert data.get(seen.pk).visible and data.get(seen.pk).total.agree == 4
    assert not data.get(unseen.pk).visible and data.get(unseen.pk).total is None
    anonymous = selectors.topic_results(topic=topic, user=None)
    assert not any(r.visible for r in anonymous.recommendations)
    assert all(r.visible for r in selectors.topic_results(topic=topic, user=ModeratorFactory()).recommendations)
    # The overview applies the same rule per topic.
    overview = selectors.overview_results(user=participant)
    assert [r.id for r in overview.all_visible] == [seen.pk]

    topic.opens_at = timezone.now() - timedelta(days=2)
    topic.closes_at = timezone.now() - timedelta(days=1)
    topic.save()
    assert all(r.visible for r in selectors.topic_results(topic=topic, user=None).recommendations)
