"""Hostile and clumsy input: scripts in every text field, retries, closed topics, bad URL parameters."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feedback import moderation, services
from feedback.models import Comment, Priority, Proposal, Report, Vote
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory

JSON = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: makes "gnp.exe" read as "exe.png"
NASTY = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(2)">klik</a>',
    'http://example.org/"onmouseover=alert(3)',
    f"bestand{RLO}gnp.exe",
    "W" * 400,
]
NASTY_TEXT = "\n".join(NASTY)
# What must never appear raw anywhere: tags and attributes the nasty strings try to smuggle in.
RAW = ["<script>alert(1)", "<img src=x", 'href="javascript:', '<a href="javascript', '"onmouseover=']


def _assert_literal(html):
    for raw in RAW:
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:alert(1)" in html  # shown as text ...
    assert "javascript:alert(1)</a>" not in html and 'href="javascript' not in html  # ... never a link


@pytest.fixture
def nasty_other(other):
    other.first_name = '<img src=x onerror=alert("naam")>'
    other.last_name = RLO + "Jansen"
    other.organisation = "<script>alert('org')</script>"
    other.save()
    return other


def test_plain_text_links_only_http_and_mailto_with_rel():
    from feedback.templatetags.feedback_tags import plain_text

    html = plain_text(
        "zie https://example.org/a?b=1&c=2 en www.example.nl, mail a@example.org, "
        "niet javascript:alert(1) of data:text/html,x of ftp://example.org"
    )
    links = re.findall(r'<a href="([^"]*)"( rel="[^"]*")?>', html)
    assert links == [
        ("https://example.org/a?b=1&amp;c=2", ' rel="nofollow ugc noopener"'),
        ("http://www.example.nl", ' rel="nofollow ugc noopener"'),
        ("mailto:a@example.org", ""),
    ]
    # Someone typing the attribute themselves gets it escaped, never a second real attribute.
    assert plain_text('x rel="nofollow">') == "x rel=&quot;nofollow&quot;&gt;"


def test_nasty_text_literal_on_the_pages_and_names_isolated(client, participant, nasty_other, recommendation, topic):
    thread = services.comment_create(
        author=nasty_other, topic=topic, recommendation=recommendation, text=NASTY_TEXT, stance="against"
    )
    services.comment_create(author=nasty_other, topic=topic, recommendation=recommendation, parent=thread, text="x")
    services.comment_create(author=nasty_other, topic=topic, text=NASTY_TEXT)  # general discussion
    client.force_login(participant)
    for url in (
        topic.get_absolute_url(),
        reverse("feedback:recommendation_detail", args=[topic.slug, recommendation.pk]),
        reverse("feedback:comment_report", args=[thread.pk]),
    ):
        html = client.get(url).content.decode()
        _assert_literal(html)
        assert '<img src=x onerror=alert("naam")' not in html and "<script>alert('org')" not in html
        # The author's name sits in a <bdi>, so a right-to-left mark in it cannot turn the rest of the line.
        assert re.search(r"<bdi>&lt;img src=x onerror=alert\(&quot;naam&quot;\)&gt; " + RLO + "Jansen", html)
    # The author's own pages too.
    client.force_login(nasty_other)
    for url in (reverse("feedback:my_contributions"), reverse("feedback:comment_edit", args=[thread.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_nasty_text_literal_in_the_reply_mail(
    participant, nasty_other, recommendation, topic, django_capture_on_commit_callbacks
):
    thread = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Punt")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(
            author=nasty_other, topic=topic, recommendation=recommendation, parent=thread, text=NASTY_TEXT
        )
    (message,) = mail.outbox
    assert NASTY_TEXT in message.body  # plain text: exactly as typed
    # Plain text carries no invisible characters: the name's own right-to-left override is dropped.
    assert f"{nasty_other.public_name.replace(RLO, '')}:" in message.body
    assert "\u2068" not in message.body and "\u2069" not in message.body
    html = message.alternatives[0][0]
    _assert_literal(html)
    assert "<bdi>&lt;img src=x onerror=alert(&quot;naam&quot;)&gt;" in html
    assert "\n" not in message.subject and "<" not in message.subject


def test_nasty_text_literal_in_the_admin(client, participant, nasty_other, recommendation, topic):
    comment = services.comment_create(author=nasty_other, topic=topic, recommendation=recommendation, text=NASTY_TEXT)
    report = services.report_create(comment=comment, reporter=participant, reason="spam", explanation=NASTY_TEXT)
    proposal = services.proposal_submit(author=nasty_other, topic=topic, text=NASTY[1], explanation=NASTY_TEXT)
    staff_mfa_login(client, ModeratorFactory(is_superuser=True))
    pages = [
        "/admin/feedback/comment/",
        f"/admin/feedback/comment/{comment.pk}/change/",
        "/admin/feedback/report/",
        f"/admin/feedback/report/{report.pk}/change/",
        "/admin/feedback/proposal/",
        f"/admin/feedback/proposal/{proposal.pk}/change/",
        "/admin/participants/user/",
        f"/admin/participants/user/{nasty_other.pk}/change/",
    ]
    for url in pages:
        response = client.get(url, follow=True)  # a report opens its comment's page
        assert response.status_code == 200, url
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html, (url, raw)
        assert '<img src=x onerror=alert("naam")' not in html and "<script>alert('org')" not in html
    step = client.post("/admin/feedback/comment/", {"action": "hide_selected", "_selected_action": [comment.pk]})
    assert "<script>alert(1)" not in step.content.decode() and "&lt;script&gt;alert(1)" in step.content.decode()


def test_approved_nasty_proposal_is_literal_on_the_topic_page(client, nasty_other, topic):
    proposal = services.proposal_submit(author=nasty_other, topic=topic, text=NASTY_TEXT[:600])
    moderation.proposal_approve(proposal=proposal, moderator=ModeratorFactory())
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "Voorgesteld door een deelnemer: <bdi>" in html


# --- Double submissions ----------------------------------------------------------------


def test_second_post_of_the_same_comment_form_stores_one_and_answers_like_the_first(client, participant, topic):
    client.force_login(participant)
    url = reverse("feedback:comment_create", args=[topic.slug])
    data = {"text": "Twee keer verstuurd", "token": "6f1c2b4e-0000-4000-8000-000000000002"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1
    # A mangled token (old cached page, proxy) neither loses the text nor stores it twice.
    data = {"text": "Token kapot", "token": "geen-uuid"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Comment.objects.filter(text="Token kapot").count() == 1


def test_repeated_vote_priority_report_and_proposal_posts_store_one(client, participant, other, recommendation, topic):
    comment = services.comment_create(author=other, topic=topic, text="Meld mij")
    client.force_login(participant)
    for _ in range(2):
        assert client.post(reverse("feedback:vote", args=[recommendation.pk]), {"choice": "agree"}).status_code == 302
        assert client.post(reverse("feedback:priority", args=[recommendation.pk]), {"action": "add"}).status_code == 302
        response = client.post(reverse("feedback:proposal_create", args=[topic.slug]), {"text": "Nog een advies"})
        assert response.status_code == 302
    assert Vote.objects.count() == 1 and Priority.objects.count() == 1 and Proposal.objects.count() == 1
    url = reverse("feedback:comment_report", args=[comment.pk])
    assert client.post(url, {"reason": "spam"}).status_code == 302
    again = client.post(url, {"reason": "spam", "explanation": "Nog eens"})
    assert again.status_code == 400 and "al gemeld" in again.content.decode()
    assert Report.objects.count() == 1


# --- Topics that are not open ------------------------------------------------------------


@pytest.fixture(params=["closed", "upcoming"])
def shut(request, participant, other):
    """A topic that is not open, with a recommendation and comments, as it was while it was open."""
    now = timezone.now()
    topic = TopicFactory(opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=30))
    recommendation = RecommendationFactory(topic=topic)
    own = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Eigen")
    theirs = services.comment_create(author=other, topic=topic, recommendation=recommendation, text="Andermans")
    services.vote_cast(participant=participant, recommendation=recommendation, choice="agree")
    services.priority_add(participant=participant, recommendation=recommendation)
    if request.param == "closed":
        topic.opens_at, topic.closes_at = now - timedelta(days=30), now - timedelta(days=1)
    else:
        topic.opens_at, topic.closes_at = now + timedelta(days=1), now + timedelta(days=30)
    topic.save()
    return topic, recommendation, own, theirs


def test_every_write_on_a_topic_that_is_not_open_is_refused_through_every_door(client, participant, shut):
    topic, recommendation, own, theirs = shut
    client.force_login(participant)
    before = (Vote.objects.get().choice, Priority.objects.count(), Comment.objects.count(), own.text)
    vote_url = reverse("feedback:vote", args=[recommendation.pk])
    priority_url = reverse("feedback:priority", args=[recommendation.pk])
    for data in ({"choice": "disagree"}, {"choice": "withdraw"}):
        assert client.post(vote_url, data).status_code == 403
        response = client.post(vote_url, data, **JSON)
        assert response.status_code == 403 and response.json()["ok"] is False
        assert re.search("gesloten|nog niet open", response.json()["message"])
    for data in ({"action": "remove"}, {"action": "add"}):
        assert client.post(priority_url, data).status_code == 403
        assert client.post(priority_url, data, **JSON).status_code == 403
    create = reverse("feedback:comment_create", args=[topic.slug])
    response = client.post(create, {"text": "Te laat getypt", "recommendation": recommendation.pk})
    assert response.status_code == 403 and "Te laat getypt" in response.content.decode()  # text kept
    assert (
        client.post(create, {"text": "Antwoord", "parent": theirs.pk, "recommendation": recommendation.pk}).status_code
        == 403
    )
    response = client.post(reverse("feedback:proposal_create", args=[topic.slug]), {"text": "Mijn voorstel"})
    assert response.status_code == 403 and "Mijn voorstel" in response.content.decode()
    for name, target in (("comment_edit", own), ("comment_delete", own), ("comment_report", theirs)):
        url = reverse(f"feedback:{name}", args=[target.pk])
        assert client.get(url).status_code == 403, name  # no form to type into
        assert client.post(url, {"text": "Gewijzigd", "reason": "spam"}).status_code == 403, name
    own.refresh_from_db()
    after = (Vote.objects.get().choice, Priority.objects.count(), Comment.objects.count(), own.text)
    assert after == before and not own.is_deleted
    assert not Report.objects.exists() and not Proposal.objects.exists()


# --- Bad URL parameters -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["?page=abc", "?page=99999", "?page=-1", "?page=0", "?page=1e9", "?sort=xyz", "?order=xyz", "?order="]
)
def test_bad_list_parameters_fall_back_to_a_sensible_page(client, participant, recommendation, topic, query):
    Comment.objects.bulk_create(
        [
            Comment(topic=topic, recommendation=rec, author=participant, text=f"R{i}")
            for rec in (None, recommendation)
            for i in range(25)
        ]
    )
    for url in (
        topic.get_absolute_url(),
        reverse("feedback:recommendation_detail", args=[topic.slug, recommendation.pk]),
    ):
        response = client.get(url + query)
        assert response.status_code == 200, url + query
        assert response.context["order"] == "newest" or "order=oldest" in query
        assert len(response.context["comments_page"].object_list) in (5, 20)


def test_unknown_or_mismatched_ids_in_urls_are_404(client, participant, recommendation, topic):
    elsewhere = RecommendationFactory(topic=TopicFactory())
    hidden = RecommendationFactory(topic=topic, is_published=False)
    huge = 10**22  # beyond any database integer
    client.force_login(participant)
    for url in (
        reverse("feedback:recommendation_detail", args=[topic.slug, elsewhere.pk]),  # another topic's recommendation
        reverse("feedback:recommendation_detail", args=[topic.slug, hidden.pk]),
        reverse("feedback:recommendation_detail", args=[topic.slug, 999999]),
        reverse("feedback:recommendation_detail", args=[topic.slug, huge]),
        reverse("feedback:recommendation_detail", args=["bestaat-niet", recommendation.pk]),
        reverse("feedback:comment_edit", args=[huge]),
        reverse("feedback:comment_report", args=[999999]),
        "/onderwerpen/bestaat-niet/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("feedback:vote", args=[huge]), {"choice": "agree"}).status_code == 404
    create = reverse("feedback:comment_create", args=[topic.slug])
    assert client.post(create, {"text": "x", "recommendation": elsewhere.pk}).status_code == 404
    assert client.post(create, {"text": "x", "recommendation": str(huge)}).status_code == 404
    assert client.post(create, {"text": "x", "parent": "abc"}).status_code == 404
    other_thread = services.comment_create(author=ParticipantFactory(), topic=elsewhere.topic, text="Elders")
    assert client.post(create, {"text": "x", "parent": other_thread.pk}).status_code == 404
    assert not Comment.objects.filter(topic=topic).exists()
