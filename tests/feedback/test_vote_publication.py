"""A vote is saved in the request and published by the worker within seconds, by the same rule as before."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import moderation
from feedback.models import Priority, PublishedPosition, Vote
from feedback.results import selectors
from feedback.results.tasks import publish_all_results, publish_pending_results
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def vote(client, rec, choice):
    return client.post(reverse("feedback:vote", args=[rec.pk]), {"choice": choice}, **JSON)


def agree_total(rec):
    return selectors.topic_results(topic=rec.topic, visibility=selectors.ALL).get(rec.pk).total.agree


def test_votes_wait_for_the_worker_then_publish_by_the_same_step_rule(
    client, recommendation, publication_by_worker, django_capture_on_commit_callbacks
):
    people = [ParticipantFactory(sector="gemeente") for _ in range(4)]
    for person in people[:3]:
        client.force_login(person)
        with django_capture_on_commit_callbacks(execute=True):
            assert vote(client, recommendation, "agree").status_code == 200
    # Saved at once, published only by the worker's next run.
    assert Vote.objects.filter(recommendation=recommendation).count() == 3
    assert not PublishedPosition.objects.exists()
    assert len(publication_by_worker.members) == 3
    assert publish_pending_results() == 3
    assert agree_total(recommendation) == 3 and not publication_by_worker.members
    # One more change is below the step: the worker leaves the cell as it was published.
    client.force_login(people[3])
    with django_capture_on_commit_callbacks(execute=True):
        vote(client, recommendation, "agree")
    publish_pending_results()
    assert agree_total(recommendation) == 3


def test_a_worker_run_moves_the_results_on_once_and_leaves_the_pages_without_figures_alone(
    client, recommendation, publication_by_worker, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """While people vote, the worker publishes every few seconds: each run moves the results scopes on once
    (not once per recommendation), and never the content scope that every page depends on."""
    from topics import pagecache

    settings.RESULTS_MIN_SECTOR_VOTERS = 1
    others = [RecommendationFactory(topic=recommendation.topic, position=n) for n in (2, 3, 4)]
    with django_capture_on_commit_callbacks(execute=True):
        for rec in [recommendation, *others]:
            client.force_login(ParticipantFactory(sector="gemeente"))
            vote(client, rec, "agree")
    bumps = []
    real_bump_now = pagecache._bump_now
    monkeypatch.setattr(pagecache, "_bump_now", lambda scopes: bumps.append(tuple(scopes)) or real_bump_now(scopes))
    content = pagecache.generations(pagecache.CONTENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_pending_results() == 4
    assert bumps == [(pagecache.RESULTS, pagecache.results_scope(recommendation.topic.slug))]
    assert pagecache.generations(pagecache.CONTENT) == content
    assert all(agree_total(rec) == 1 for rec in [recommendation, *others])


def test_a_change_is_noted_only_when_the_vote_commits(client, recommendation, publication_by_worker):
    client.force_login(ParticipantFactory())
    assert vote(client, recommendation, "agree").status_code == 200
    # The test's transaction never commits: a worker must not look for a vote it could not see yet.
    assert not publication_by_worker.members


def test_priorities_and_withdrawals_go_the_same_way(
    client, recommendation, publication_by_worker, django_capture_on_commit_callbacks
):
    client.force_login(ParticipantFactory())
    with django_capture_on_commit_callbacks(execute=True):
        vote(client, recommendation, "agree")
        client.post(reverse("feedback:priority", args=[recommendation.pk]), {"action": "add"}, **JSON)
        vote(client, recommendation, "withdraw")
    assert len(publication_by_worker.members) == 1  # one person on one recommendation, noted once
    assert Priority.objects.count() == 1 and not Vote.objects.exists()


def test_a_failed_publication_puts_the_changes_back(
    client, recommendation, publication_by_worker, django_capture_on_commit_callbacks, monkeypatch
):
    from feedback.results import publication

    client.force_login(ParticipantFactory())
    with django_capture_on_commit_callbacks(execute=True):
        vote(client, recommendation, "agree")

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(publication, "publish", broken)
    with pytest.raises(RuntimeError):
        publish_pending_results()
    assert len(publication_by_worker.members) == 1


def test_the_json_answer_matches_the_topic_page_block(client, recommendation, topic, participant, settings):
    settings.RESULTS_MIN_TOTAL_VOTERS = 1
    for _ in range(2):  # two of the same sector first: this vote is the third in that cell, so it is published
        client.force_login(ParticipantFactory(sector=participant.sector))
        vote(client, recommendation, "agree")
    client.force_login(participant)
    other = RecommendationFactory(topic=topic, position=2)
    client.post(reverse("feedback:priority", args=[other.pk]), {"action": "add"}, **JSON)
    data = vote(client, recommendation, "agree").json()
    assert (data["ok"], data["priorities_left"]) == (True, 2)
    assert data["priority_status"] == "U heeft 1 van de 3 prioriteiten gekozen."
    assert 'aria-pressed="true">Eens</button>' in data["html"]
    assert "Eens <strong>3</strong>" in data["html"]
    assert 'value="add"' in data["html"]  # the priority is on the other one
    client.post(reverse("feedback:priority", args=[recommendation.pk]), {"action": "add"}, **JSON)
    data = vote(client, recommendation, "neutral").json()
    assert data["priorities_left"] == 1 and 'value="remove"' in data["html"]


def test_a_moderator_sees_the_figures_in_the_answer_as_on_the_page(client, recommendation, settings):
    settings.RESULTS_MIN_TOTAL_VOTERS = 1
    moderator = ModeratorFactory()
    client.force_login(moderator)
    data = vote(client, recommendation, "withdraw").json()
    assert data["ok"] and "results__hidden" not in data["html"] and "results__counts" in data["html"]


def test_a_topic_that_closes_refuses_the_next_vote_at_once(client, recommendation, topic, participant, monkeypatch):
    client.force_login(participant)
    assert vote(client, recommendation, "agree").status_code == 200  # the recommendation is cached now
    later = topic.closes_at + timedelta(seconds=1)
    # The clock of the topic's phase only (the session keeps its own).
    monkeypatch.setattr("topics.models.timezone", SimpleNamespace(now=lambda: later))
    response = vote(client, recommendation, "disagree")
    assert response.status_code == 403 and "gesloten" in response.json()["message"]
    assert Vote.objects.get(participant=participant).choice == "agree"


def test_rescheduling_is_honoured_at_once(client, recommendation, topic, participant):
    client.force_login(participant)
    assert vote(client, recommendation, "agree").status_code == 200
    now = timezone.now()
    moderation.topic_schedule(
        topic=topic, moderator=ModeratorFactory(), opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=9)
    )
    response = vote(client, recommendation, "disagree")
    assert response.status_code == 403 and "nog niet open" in response.json()["message"]


def test_changes_that_were_not_noted_are_published_by_the_full_comparison(
    client, recommendation, publication_by_worker
):
    for _ in range(3):
        client.force_login(ParticipantFactory(sector="gemeente"))
        vote(client, recommendation, "agree")  # never committed here, so never noted (as with Redis down)
    assert publish_pending_results() == 0 and agree_total(recommendation) == 0
    publish_all_results()  # the beat task, every minute
    assert agree_total(recommendation) == 3


def test_voting_again_updates_the_one_row_and_keeps_when_it_was_first_cast(recommendation, settings):
    from feedback.services import vote_cast

    settings.SECTOR_CHANGE_MIN_DAYS = 0
    person = ParticipantFactory(sector="gemeente")
    first = vote_cast(participant=person, recommendation=recommendation, choice="agree")
    stored = Vote.objects.get()
    assert (first.pk, stored.choice, stored.sector) == (stored.pk, "agree", "gemeente")
    person.sector = "kennis"
    person.save(update_fields=["sector"])
    again = vote_cast(participant=person, recommendation=recommendation, choice="disagree")
    updated = Vote.objects.get()
    assert again.pk == updated.pk == stored.pk
    assert (updated.choice, updated.sector, updated.created_at) == ("disagree", "kennis", stored.created_at)
    assert updated.updated_at >= stored.updated_at


def test_while_the_cache_is_down_a_vote_reads_the_recommendation_afresh(
    client, recommendation, participant, monkeypatch
):
    """Kept per worker only under a generation the cache gave: without one, nothing is kept (as for pages)."""
    from topics import pagecache

    client.force_login(participant)
    monkeypatch.setattr(pagecache, "current_generations", lambda *scopes: None)
    assert vote(client, recommendation, "agree").status_code == 200
    # Taken offline while the cache cannot tell anyone: the next vote is refused all the same.
    type(recommendation).objects.filter(pk=recommendation.pk).update(is_published=False)
    assert vote(client, recommendation, "disagree").status_code == 404
    assert Vote.objects.get(participant=participant).choice == "agree"
