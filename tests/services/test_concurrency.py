"""Concurrent requests against real PostgreSQL: the unique constraint and the row lock hold."""

import threading

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection

from feedback import services
from feedback.models import Priority, Vote
from participants.models import User
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory

# PostgreSQL's default max_connections is 100: at most 50 threads hold a connection at once.
MAX_CONNECTIONS = 50


def _run_concurrently(calls):
    """Start every call at the same moment, each in its own thread with its own database connection."""
    barrier = threading.Barrier(len(calls))
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
    errors, results = [], []

    def worker(call):
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            with slots:
                try:
                    results.append(call())
                finally:
                    connections.close_all()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.fixture
def recommendation(transactional_db):
    assert connection.vendor == "postgresql"
    return RecommendationFactory(topic=TopicFactory(), position=1)


def test_fifty_identical_votes_by_one_participant_store_one(recommendation):
    participant = ParticipantFactory()
    calls = [
        lambda: services.vote_cast(
            participant=User.objects.get(pk=participant.pk), recommendation=recommendation, choice="agree"
        )
        for _ in range(50)
    ]
    results, errors = _run_concurrently(calls)
    assert errors == []
    assert len(results) == 50
    assert Vote.objects.filter(participant=participant, recommendation=recommendation).count() == 1
    assert {vote.pk for vote in results} == {Vote.objects.get().pk}


def test_two_hundred_participants_store_two_hundred_votes(recommendation):
    users = User.objects.bulk_create([User(email=f"gelijk{i}@example.org", sector="gemeente") for i in range(200)])
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users])
    calls = [
        lambda user=user, i=i: services.vote_cast(
            participant=User.objects.get(pk=user.pk),
            recommendation=recommendation,
            choice=["agree", "neutral", "disagree"][i % 3],
        )
        for i, user in enumerate(users)
    ]
    results, errors = _run_concurrently(calls)
    assert errors == []
    assert len(results) == 200
    assert Vote.objects.filter(recommendation=recommendation).count() == 200


def test_concurrent_priorities_never_exceed_three(recommendation):
    participant = ParticipantFactory()
    recs = [recommendation, *[RecommendationFactory(topic=recommendation.topic, position=i) for i in range(2, 11)]]
    calls = [
        lambda rec=rec: services.priority_add(participant=User.objects.get(pk=participant.pk), recommendation=rec)
        for rec in recs
    ]
    results, errors = _run_concurrently(calls)
    assert Priority.objects.filter(participant=participant).count() == 3
    assert len(results) == 3
    assert len(errors) == 7 and all(isinstance(e, ValidationError) for e in errors)
