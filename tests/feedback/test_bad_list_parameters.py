"""Hostile list parameters on every list page, as the participant or staff member who sees it.

``?page=999999``, ``?page=-1``, ``?sort=__import__``, ``?per_page=100000``, ``?order=x``:
the default page, a 404 or (in the admin, Django's own answer to an unknown
lookup) a redirect to the plain list; never a 500, never more queries or rows
than the normal page. tests/feedback/test_bad_query_parameters.py does the same
for the anonymous pages with its own data.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from feedback.models import Comment, Vote
from tests.auth import staff_mfa_login
from tests.factories import (
    EventFactory,
    InvitationFactory,
    OrganiserFactory,
    ParticipantFactory,
    RecommendationFactory,
)

BAD = ["page=999999", "page=-1", "sort=__import__", "per_page=100000", "order=x", "o=__import__"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(topic, closed_topic):
    participant = ParticipantFactory(sector="gemeente")
    rec = RecommendationFactory(topic=topic, position=1, text="Schone lucht rond scholen")
    closed_rec = RecommendationFactory(topic=closed_topic, position=1, text="Minder stikstof")
    voters = [ParticipantFactory(sector="gemeente") for _ in range(12)]
    Vote.objects.bulk_create([Vote(participant=v, recommendation=closed_rec, choice="agree") for v in voters])
    Vote.objects.create(participant=participant, recommendation=rec, choice="agree")
    for n in range(3):
        Comment.objects.create(topic=topic, recommendation=rec, author=participant, text=f"Over lucht {n}")
        Comment.objects.create(topic=topic, author=participant, text=f"Algemeen over water {n}")
    now = timezone.now()
    event = EventFactory(
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=3),
        rsvp_deadline=now + timedelta(days=10),
    )
    InvitationFactory(event=event, email=participant.email, user=participant, state="sent")
    return {"participant": participant, "topic": topic, "closed": closed_topic, "rec": rec, "closed_rec": closed_rec,
            "event": event}  # fmt: skip


def _participant_pages(d):
    return [
        d["topic"].get_absolute_url(),
        reverse("feedback:recommendation_detail", args=[d["topic"].slug, d["rec"].pk]),
        reverse("results:overview"),
        reverse("results:topic", args=[d["closed"].slug]),
        reverse("results:recommendation", args=[d["closed"].slug, d["closed_rec"].pk]),
        reverse("results:topic-csv", args=[d["closed"].slug]),
        reverse("results_api:topic-results", args=[d["closed"].slug]),
        reverse("feedback:search") + "?q=lucht",
        reverse("feedback:my_contributions"),
        reverse("feedback:follows"),
        reverse("invitations:event", args=[d["event"].slug]),
    ]


def _staff_pages(d):
    pages = ["/admin/", reverse("results:briefing"), reverse("results:briefing-topic", args=[d["closed"].slug])]
    for model in admin.site._registry:
        try:
            pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        except NoReverseMatch:
            continue
    return pages


def _with(url, query):
    return f"{url}{'&' if urlsplit(url).query else '?'}{query}"


def _check(client, url, allowed):
    cache.clear()
    normal = client.get(url)
    if normal.status_code == 302 and 302 in allowed:
        return False  # an admin "list" that is a single object (the portal settings) redirects to it
    assert normal.status_code == 200, url
    cache.clear()
    with CaptureQueriesContext(connection) as normal_queries:
        client.get(url)
    normal_rows = normal.content.count(b"<tr") if hasattr(normal, "content") else 0
    for query in BAD:
        cache.clear()
        with CaptureQueriesContext(connection) as bad_queries:
            response = client.get(_with(url, query))
        assert response.status_code in allowed, f"{_with(url, query)}: {response.status_code}"
        # The session's first request may write it: one query of slack.
        assert len(bad_queries) <= len(normal_queries) + 1, _with(url, query)
        if response.status_code == 200 and not response.streaming:
            assert response.content.count(b"<tr") <= max(1, normal_rows) * 2, _with(url, query)
    return True


def test_participant_list_pages_answer_hostile_parameters_with_the_default_or_a_404(client, data):
    client.force_login(data["participant"])
    for url in _participant_pages(data):
        _check(client, url, allowed=(200, 404))


def test_staff_list_pages_answer_hostile_parameters_with_the_default_a_404_or_the_plain_list(client, data):
    staff = OrganiserFactory(is_superuser=True)
    staff_mfa_login(client, staff)
    pages = _staff_pages(data)
    assert len(pages) > 10  # every admin list, not a few
    checked = [url for url in pages if _check(client, url, allowed=(200, 302, 404))]
    assert len(checked) >= len(pages) - 2, set(pages) - set(checked)
