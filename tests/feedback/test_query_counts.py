"""The topic and recommendation pages cost the same number of queries whatever the volume."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Comment, Priority, Vote
from participants.models import User
from participants.selectors import forget_signup_mode
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory


def _fill(topic, recommendations, author, *, comments, voters):
    users = User.objects.bulk_create(
        [User(email=f"massa{voters}-{i}@example.org", sector="bedrijfsleven", first_name="M") for i in range(voters)]
    )
    votes = [
        Vote(participant=u, recommendation=r, choice=["agree", "neutral", "disagree"][i % 3])
        for i, u in enumerate(users)
        for r in recommendations
    ]
    Vote.objects.bulk_create(votes)
    Priority.objects.bulk_create(
        [Priority(participant=u, recommendation=recommendations[0], topic=topic) for u in users]
    )
    per_place = comments // (len(recommendations) + 1)
    rows = []
    for place in [None, *recommendations]:
        rows += [
            Comment(topic=topic, recommendation=place, author=users[i % len(users)], text=f"Reactie {i}")
            for i in range(per_place)
        ]
    parents = Comment.objects.bulk_create(rows)
    # Some replies in the general discussion.
    general = [c for c in parents if c.recommendation_id is None][:5]
    Comment.objects.bulk_create(
        [Comment(topic=topic, parent=p, author=author, text="Antwoord") for p in general for _ in range(2)]
    )


def _count(client, url, *, cold=True):
    if cold:  # the cost of rendering with nothing cached (after a change, or a restart)
        cache.clear()
        forget_signup_mode()  # kept per worker for a few seconds: cold too
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["anonymous", "participant", "moderator"])
def test_topic_page_query_count_is_flat(client, topic, participant, who, django_assert_num_queries):
    recommendations = [RecommendationFactory(topic=topic, position=i) for i in range(1, 11)]
    user = {"anonymous": None, "participant": participant, "moderator": ModeratorFactory()}[who]
    if user:
        client.force_login(user)
        client.get("/")  # the session's first request stamps its start; later ones within a minute do not write
    url = topic.get_absolute_url()
    rec_url = f"/onderwerpen/{topic.slug}/adviezen/{recommendations[0].pk}/"
    # A worker that has served a topic page before: it keeps the names of permission ids (read once).
    client.get(url)

    _fill(topic, recommendations, participant, comments=11, voters=1)
    small, small_rec = _count(client, url), _count(client, rec_url)
    _fill(topic, recommendations, participant, comments=2000, voters=499)
    assert Comment.objects.count() > 2000 and Vote.objects.filter(recommendation=recommendations[0]).count() == 500
    # Pinned, rendered in full (the first reader of a kind; anonymous: the first visitor): user for logged-in
    # users (the session comes from the cache) and their facts (positions, priorities, following, confirmed
    # addresses, permissions: one query); topic; considerations; recommendations with counts; general
    # comments: count, page, replies; the header's sign-up mode (anonymous) or, logged in, the coming events
    # (kept per worker) and the visitor's invitations to them; whether the user follows the topic (logged
    # in); the next topic. Logged in: one GROUP BY over the published positions for the compact counts that
    # the shared copy keeps for every reader (cached until the next publication step).
    expected = TOPIC_PAGE_QUERIES[who]
    cache.clear()
    forget_signup_mode()  # kept per worker for a few seconds: cold too
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert small == expected
    html = response.content.decode()
    assert "Reactie" in html
    # The recommendation page: as above, but no considerations; a priority count for participants.
    assert small_rec == RECOMMENDATION_PAGE_QUERIES[who]
    assert _count(client, rec_url) == small_rec
    # An anonymous visitor gets the whole page from the cache; a logged-in one the shared copy of their kind
    # of reader with their own parts filled in: their facts (the user comes from the cache; no coming event
    # here; with one, +1 for the invitations; tests/feedback/test_reader_page.py).
    warm = {"anonymous": 0, "participant": 1, "moderator": 1}[who]
    client.get(url)
    assert _count(client, url, cold=False) == warm


TOPIC_PAGE_QUERIES = {"anonymous": 8, "participant": 13, "moderator": 13}
RECOMMENDATION_PAGE_QUERIES = {"anonymous": 6, "participant": 10, "moderator": 11}


def _vote(client, recommendation, choice):
    return client.post(f"/adviezen/{recommendation.pk}/stem/", {"choice": choice}, HTTP_ACCEPT="application/json")


def test_the_vote_answer_costs_the_pinned_queries(client, recommendation, publication_by_worker, participant):
    client.force_login(participant)
    client.get("/")  # the session's first request stamps its start; later ones within a minute do not write
    _vote(client, recommendation, "agree")  # the recommendation is now in the cache
    with CaptureQueriesContext(connection) as ctx:
        response = _vote(client, recommendation, "disagree")
    assert response.status_code == 200 and response.json()["ok"]
    # The participant's standing (verified e-mail, roles, priorities in the topic), the upsert; the session
    # and the user come from the cache.
    assert len(ctx.captured_queries) == VOTE_QUERIES, [q["sql"][:80] for q in ctx.captured_queries]
    cache.clear()
    forget_signup_mode()  # kept per worker for a few seconds: cold too
    with CaptureQueriesContext(connection) as ctx:
        _vote(client, recommendation, "neutral")
    # With nothing cached: also the session, the user, the recommendation and the published cells of its topic.
    assert len(ctx.captured_queries) == VOTE_QUERIES + 4
    assert Vote.objects.get(participant=participant).choice == "neutral"


# The participant's standing (verified e-mail, roles, priorities in the topic), the upsert; the session and
# the user come from the cache (participants.usercache).
VOTE_QUERIES = 2


# The moderators' pages, on a second request of the session (the first stores the visit). Start page,
# cold (the cache emptied, so the session too is read from the database): session, user, two-step
# verification, model permissions (2); open reports, proposals waiting and the topics; the oldest open
# reports; new comments per topic; the admin's recent actions. Warm: the session, the user and the attention
# figures come from the cache. Comment list of a topic: session and user (cold only), two-step verification,
# permissions (2), the topics of the filter, the page's count, the page. Warm, the rendered rows come from
# the cache with what was counted with them (the number of results, the page's length): no count, no page.
STAFF_PAGE_QUERIES = {"start": {"cold": 11, "warm": 4}, "comments": {"cold": 8, "warm": 4}}


def staff_page_urls(topic):
    return {"start": "/admin/", "comments": f"/admin/feedback/comment/?is_hidden__exact=0&topic__id__exact={topic.pk}"}


def _fill_queues(topic, n):
    from feedback import services

    reporter = ParticipantFactory()
    for i in range(n):
        author = ParticipantFactory()
        comment = services.comment_create(author=author, topic=topic, text=f"Reactie {i}")
        services.report_create(comment=comment, reporter=reporter, reason="spam")
        services.proposal_submit(author=author, topic=topic, text=f"Voorstel {i}")


@pytest.mark.parametrize("page", ["start", "comments"])
def test_staff_page_query_counts_are_flat(client, topic, participant, page):
    staff_mfa_login(client, ModeratorFactory())
    url = staff_page_urls(topic)[page]
    client.get(url)  # the session's first request stores the visit
    _fill_queues(topic, 2)
    small = _count(client, url)
    _fill_queues(topic, 60)
    _fill(topic, [RecommendationFactory(topic=topic, position=1)], participant, comments=500, voters=20)
    assert small == _count(client, url) == STAFF_PAGE_QUERIES[page]["cold"]
    assert _count(client, url, cold=False) == STAFF_PAGE_QUERIES[page]["warm"]


@pytest.mark.django_db(transaction=True)  # as in production: the request runs outside a transaction
def test_posting_a_comment_costs_the_pinned_queries(client, topic, participant, django_assert_num_queries):
    """Topic, recommendation, the permission's verified address (the session and the account come from the cache),
    the repeat check and the insert: each one statement, without a transaction around them. A repeat of the
    same text is answered with the comment already there, without a write."""
    from django.urls import reverse

    rec = RecommendationFactory(topic=topic)
    client.force_login(participant)
    client.get("/")  # the session's first request stamps its start
    url = reverse("feedback:comment_create", args=[topic.slug])
    data = {"text": "Graag meer aandacht voor de uitvoering.", "recommendation": rec.pk}
    with django_assert_num_queries(5):
        assert client.post(url, data).status_code == 302
    with django_assert_num_queries(4):
        assert client.post(url, data).status_code == 302
    assert Comment.objects.filter(recommendation=rec).count() == 1
