"""Contributions are limited per account and per address: people never notice, scripts get the 429 page."""

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


def test_the_window_slides_a_burst_at_the_end_of_a_minute_still_counts_after_it(client, rec, settings, monkeypatch):
    from feedback import ratelimits

    settings.CONTRIBUTION_RATE_LIMITS = {"vote": "3/m/user"}
    client.force_login(ParticipantFactory())
    vote_url = reverse("feedback:vote", args=[rec.pk])
    clock = [60 * 1000 + 55.0]  # five seconds before a minute ends
    monkeypatch.setattr(ratelimits, "_now", lambda: clock[0])
    assert [client.post(vote_url, {"choice": "agree"}).status_code for _ in range(3)] == [302] * 3
    clock[0] += 10  # five seconds into the next minute: the three are still within the last minute
    assert client.post(vote_url, {"choice": "agree"}).status_code == 429
    clock[0] += 60  # a full minute without a vote
    assert client.post(vote_url, {"choice": "agree"}).status_code == 302
