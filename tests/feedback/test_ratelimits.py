"""Contributions are limited per account and per address: people never notice, scripts get the 429 page."""

from unittest import mock

import pytest
from django.urls import reverse

from feedback.models import Comment, Proposal, Report, Vote
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec():
    return RecommendationFactory(topic=TopicFactory())


def _comment(client, rec, n):
    url = reverse("feedback:comment_create", args=[rec.topic.slug])
    return client.post(url, {"text": f"Reactie nummer {n}", "recommendation": rec.pk})


def test_a_person_commenting_by_hand_is_never_stopped_by_the_defaults(client, rec):
    client.force_login(ParticipantFactory())
    statuses = [_comment(client, rec, n).status_code for n in range(8)]
    assert statuses == [302] * 8
    assert Comment.objects.count() == 8


def test_a_script_posting_comments_gets_the_429_page_and_nothing_more_is_stored(client, rec):
    client.force_login(ParticipantFactory())
    statuses = [_comment(client, rec, n).status_code for n in range(15)]
    assert statuses[:10] == [302] * 10 and set(statuses[10:]) == {429}
    assert Comment.objects.count() == 10
    response = _comment(client, rec, 99)
    assert response.status_code == 429 and "Te veel pogingen" in response.content.decode()


def test_many_accounts_from_one_address_are_limited_per_address(client, rec, settings):
    settings.CONTRIBUTION_RATE_LIMITS = {**settings.CONTRIBUTION_RATE_LIMITS, "comment": "10/m/user,4/m/ip"}
    statuses = []
    for n in range(6):
        client.force_login(ParticipantFactory())  # a fresh account each time, the same address
        statuses.append(_comment(client, rec, n).status_code)
    assert statuses == [302] * 4 + [429] * 2
    # Another address is not affected.
    client.force_login(ParticipantFactory())
    url = reverse("feedback:comment_create", args=[rec.topic.slug])
    response = client.post(url, {"text": "Van elders", "recommendation": rec.pk}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


def test_votes_proposals_and_reports_are_limited_too(client, rec, settings):
    settings.CONTRIBUTION_RATE_LIMITS = {"vote": "3/m/user", "proposal": "2/m/user", "report": "1/m/user"}
    client.force_login(ParticipantFactory())
    vote_url = reverse("feedback:vote", args=[rec.pk])
    votes = [client.post(vote_url, {"choice": c}).status_code for c in ("agree", "disagree", "neutral", "agree")]
    assert votes[:3] == [302] * 3 and votes[3] == 429
    assert Vote.objects.get().choice == "neutral"
    proposal_url = reverse("feedback:proposal_create", args=[rec.topic.slug])
    proposals = [client.post(proposal_url, {"text": f"Voorstel {n}"}).status_code for n in range(3)]
    assert proposals[2] == 429 and Proposal.objects.count() <= 2
    others = [
        Comment.objects.create(topic=rec.topic, recommendation=rec, author=ParticipantFactory(), text=f"T{n}")
        for n in range(2)
    ]
    reports = [
        client.post(reverse("feedback:comment_report", args=[c.pk]), {"reason": "spam"}).status_code for c in others
    ]
    assert reports[1] == 429 and Report.objects.count() == 1


# --- The counter itself (feedback.ratelimits.hit) -------------------------------------------------

MINUTE = 60 * 29_000_000  # the start of some minute (epoch seconds)


def _hits(rf, n, *, at, rates="3/m/ip", address="203.0.113.5"):
    from feedback.ratelimits import hit

    request = rf.post("/", REMOTE_ADDR=address)
    with mock.patch("feedback.ratelimits.time.time", return_value=at):
        return [hit(request, app="test", action="thing", rates=rates) for _ in range(n)]


def test_a_burst_across_the_turn_of_the_minute_does_not_get_twice_the_rate(rf):
    assert _hits(rf, 4, at=MINUTE + 58) == [True] * 3 + [False]
    # Two seconds later a new minute has begun, but the last 60 seconds already had three.
    assert _hits(rf, 2, at=MINUTE + 62) == [False, False]
    # Later in that minute the earlier hits count for less and less: one more fits at +80 s.
    assert _hits(rf, 2, at=MINUTE + 80) == [True, False]
    # Two minutes on, the rate is free again.
    assert _hits(rf, 4, at=MINUTE + 180) == [True] * 3 + [False]


def test_refused_hits_are_not_counted_so_waiting_works(rf):
    assert _hits(rf, 10, at=MINUTE + 1) == [True] * 3 + [False] * 7
    # 40 s into the next minute a third of the last one still counts: 3 × 1/3 = 1, so two more fit.
    # (Had the seven refused hits counted, 10 × 1/3 would leave room for none.)
    assert _hits(rf, 3, at=MINUTE + 100) == [True, True, False]


def test_every_rate_counts_and_a_refusal_takes_back_all_of_them(rf):
    rates = "2/m/ip,3/h/ip"
    assert _hits(rf, 3, at=MINUTE + 1, rates=rates) == [True, True, False]
    # Next minute: the minute rate is free again (mostly), the hour rate has one place left.
    assert _hits(rf, 3, at=MINUTE + 119, rates=rates) == [True, False, False]


def test_other_addresses_have_their_own_count(rf):
    assert _hits(rf, 4, at=MINUTE + 1) == [True] * 3 + [False]
    assert _hits(rf, 1, at=MINUTE + 1, address="198.51.100.7") == [True]


def test_simultaneous_hits_are_each_counted_without_waiting_on_each_other(rf):
    """Twenty requests at once from one address against 10/m: ten pass, ten get 429, none waits on a lock."""
    import threading
    import time

    from feedback.ratelimits import hit

    results, start = [], threading.Barrier(20)

    def one():
        start.wait()
        results.append(hit(rf.post("/", REMOTE_ADDR="203.0.113.5"), app="test", action="thing", rates="10/m/ip"))

    threads = [threading.Thread(target=one) for _ in range(20)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 10 + [True] * 10
    assert time.monotonic() - began < 1


def test_while_the_cache_is_unreachable_contributions_are_not_limited(client, rec, settings):
    settings.CONTRIBUTION_RATE_LIMITS = {**settings.CONTRIBUTION_RATE_LIMITS, "comment": "1/m/user"}
    client.force_login(ParticipantFactory())
    with mock.patch("feedback.ratelimits._count", return_value=None):
        assert [_comment(client, rec, n).status_code for n in range(3)] == [302] * 3
