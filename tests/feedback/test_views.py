"""The pages and endpoints: HTML without JavaScript, JSON with it, refusals that say why."""

import re

import pytest
from django.urls import reverse

from feedback import moderation, services
from feedback.models import Comment, Priority, Report, Vote
from tests.factories import ParticipantFactory, RecommendationFactory

JSON = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def test_anonymous_sees_topic_without_buttons_and_login_hint(client, recommendation, topic):
    response = client.get(topic.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert recommendation.text in html
    assert 'name="choice"' not in html
    assert "Log in om mee te doen" in html
    assert "Uit de werksessie van 26 juni 2024" in html


def test_vote_without_js_redirects_back_to_the_recommendation(client, participant, recommendation, topic):
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()
    for label in ("Eens", "Neutraal", "Oneens"):
        assert re.search(rf'aria-pressed="false">{label}</button>', page)
    response = client.post(
        reverse("feedback:vote", args=[recommendation.pk]), {"choice": "agree", "next": topic.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{topic.get_absolute_url()}#recommendation-{recommendation.pk}"
    page = client.get(topic.get_absolute_url()).content.decode()
    assert 'aria-pressed="true">Eens</button>' in page
    assert "Uw standpunt: Eens." in page
    assert "Stem intrekken" in page


def test_vote_with_js_returns_json_fragment(client, participant, recommendation, settings):
    settings.RESULTS_MIN_TOTAL_VOTERS = 1
    # Two others of the same sector voted first: this vote is the third in that cell, so the totals follow.
    for voter in (ParticipantFactory(), ParticipantFactory()):
        services.vote_cast(participant=voter, recommendation=recommendation, choice="disagree")
    client.force_login(participant)
    response = client.post(reverse("feedback:vote", args=[recommendation.pk]), {"choice": "disagree"}, **JSON)
    data = response.json()
    assert response.status_code == 200 and data["ok"]
    assert data["message"] == "Uw standpunt is opgeslagen: Oneens."
    assert 'aria-pressed="true">Oneens</button>' in data["html"]
    assert "Oneens <strong>3</strong>" in data["html"]  # results now visible to the voter
    response = client.post(reverse("feedback:vote", args=[recommendation.pk]), {"choice": "withdraw"}, **JSON)
    assert response.json()["message"] == "Uw standpunt is ingetrokken."
    assert not Vote.objects.filter(participant=participant).exists()


@pytest.mark.parametrize("choice", ["", "ja", "<script>"])
def test_vote_bad_values(client, participant, recommendation, choice):
    client.force_login(participant)
    response = client.post(reverse("feedback:vote", args=[recommendation.pk]), {"choice": choice}, **JSON)
    assert response.status_code == 400
    assert "Kies Eens, Neutraal of Oneens" in response.json()["message"]
    assert not Vote.objects.exists()


def test_vote_refusals(client, recommendation, closed_topic):
    url = reverse("feedback:vote", args=[recommendation.pk])
    assert client.post(url, {"choice": "agree"}).status_code == 403
    client.force_login(ParticipantFactory(verified=False))
    response = client.post(url, {"choice": "agree"})
    assert response.status_code == 403 and "Bevestig eerst uw e-mailadres" in response.content.decode()
    client.force_login(ParticipantFactory(is_blocked=True))
    assert client.post(url, {"choice": "agree"}, **JSON).status_code == 403
    client.force_login(ParticipantFactory())
    assert client.post(reverse("feedback:vote", args=[999999]), {"choice": "agree"}).status_code == 404
    hidden = RecommendationFactory(topic=recommendation.topic, is_published=False)
    assert client.post(reverse("feedback:vote", args=[hidden.pk]), {"choice": "agree"}).status_code == 404
    closed_rec = RecommendationFactory(topic=closed_topic)
    response = client.post(reverse("feedback:vote", args=[closed_rec.pk]), {"choice": "agree"})
    assert response.status_code == 403 and "gesloten" in response.content.decode()
    assert client.get(url).status_code == 405
    assert not Vote.objects.exists()


def test_vote_without_csrf_token_is_refused(participant, recommendation):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    response = client.post(reverse("feedback:vote", args=[recommendation.pk]), {"choice": "agree"})
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_fourth_priority_refused_with_message(client, participant, recommendations, topic):
    client.force_login(participant)
    for rec in recommendations[:3]:
        assert client.post(reverse("feedback:priority", args=[rec.pk]), {"action": "add"}, **JSON).status_code == 200
    response = client.post(reverse("feedback:priority", args=[recommendations[3].pk]), {"action": "add"}, **JSON)
    assert response.status_code == 400
    assert "U heeft al 3 prioriteiten gekozen" in response.json()["message"]
    response = client.post(
        reverse("feedback:priority", args=[recommendations[3].pk]),
        {"action": "add", "next": topic.get_absolute_url()},
        follow=True,
    )
    assert "U heeft al 3 prioriteiten gekozen" in response.content.decode()
    assert Priority.objects.count() == 3


def test_results_hidden_until_own_vote(client, participant, other, recommendation, topic, settings):
    settings.RESULTS_MIN_TOTAL_VOTERS = 2
    for voter in (ParticipantFactory(), ParticipantFactory()):
        services.vote_cast(participant=voter, recommendation=recommendation, choice="agree")
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "U ziet de uitslag nadat u zelf uw standpunt hebt gegeven." in page
    assert "Eens <strong>" not in page
    services.vote_cast(participant=participant, recommendation=recommendation, choice="neutral")
    page = client.get(topic.get_absolute_url()).content.decode()
    # The compact counts are the published totals: three people, so they show.
    assert "Eens <strong>2</strong>" in page and "Neutraal <strong>1</strong>" in page


def test_compact_counts_do_not_show_a_single_new_vote(client, participant, other, recommendation, topic, settings):
    """Reading the topic page before and after one vote must not reveal that vote."""
    settings.RESULTS_MIN_TOTAL_VOTERS = 2
    voters = [ParticipantFactory() for _ in range(3)]
    for voter in voters:
        services.vote_cast(participant=voter, recommendation=recommendation, choice="agree")
    services.vote_cast(participant=participant, recommendation=recommendation, choice="agree")
    client.force_login(participant)
    before = client.get(topic.get_absolute_url()).content.decode()
    services.vote_cast(participant=other, recommendation=recommendation, choice="disagree")
    after = client.get(topic.get_absolute_url()).content.decode()
    assert "Eens <strong>3</strong>" in before and "Oneens <strong>0</strong>" in after


def test_live_counts_follow_the_small_number_rule(client, participant, recommendation, topic, settings):
    """Below the minimum only the number of published voters shows, not how they voted."""
    settings.RESULTS_MIN_TOTAL_VOTERS = 6
    for choice in ("disagree", "disagree", "agree"):
        services.vote_cast(participant=ParticipantFactory(), recommendation=recommendation, choice=choice)
    services.vote_cast(participant=participant, recommendation=recommendation, choice="agree")
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Oneens <strong>" not in page and "Eens <strong>" not in page
    # Three published voters: the fourth vote waits for two more changes in its cell.
    assert "3 personen gaven tot nu toe een standpunt." in page
    assert "vanaf 6 personen" in page
    for _ in range(2):
        services.vote_cast(participant=ParticipantFactory(), recommendation=recommendation, choice="agree")
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Eens <strong>4</strong>" in page and "Oneens <strong>2</strong>" in page


def test_comment_post_escapes_html_and_links(client, participant, recommendation, topic):
    client.force_login(participant)
    url = reverse("feedback:comment_create", args=[topic.slug])
    text = "<script>alert(1)</script> zie https://example.org/x\nregel twee"
    response = client.post(url, {"text": text, "recommendation": recommendation.pk, "stance": "for"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/adviezen/{recommendation.pk}/#comment-{comment.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in page
    assert "<br>regel twee" in page
    assert "voor" in page


def test_comment_too_long_rerenders_with_input_and_limit(client, participant, recommendation, topic):
    client.force_login(participant)
    response = client.post(
        reverse("feedback:comment_create", args=[topic.slug]), {"text": "a" * 2001, "recommendation": recommendation.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "2000" in html and "a" * 2001 in html
    assert not Comment.objects.exists()


def test_double_submission_stores_one_comment(client, participant, topic):
    client.force_login(participant)
    data = {"text": "Dubbel", "token": "6f1c2b4e-0000-4000-8000-000000000001"}
    url = reverse("feedback:comment_create", args=[topic.slug])
    client.post(url, data)
    client.post(url, data)
    assert Comment.objects.count() == 1


def test_report_flow_and_refusals(client, participant, other, recommendation, topic):
    comment = services.comment_create(author=other, topic=topic, recommendation=recommendation, text="Iets")
    client.force_login(participant)
    url = reverse("feedback:comment_report", args=[comment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "spam", "explanation": "<b>reclame</b>"}, follow=True)
    assert "Bedankt. Uw melding is ontvangen." in response.content.decode()
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 400 and "al gemeld" in response.content.decode()
    assert client.post(url, {"reason": "nonsense"}).status_code == 400
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert Report.objects.count() == 1


def test_deleted_comment_with_replies_leaves_placeholder(client, participant, other, topic):
    comment = services.comment_create(author=participant, topic=topic, text="Ik trek dit in")
    services.comment_create(author=other, topic=topic, parent=comment, text="Ik reageer erop")
    lonely = services.comment_create(author=participant, topic=topic, text="Zonder reacties")
    client.force_login(participant)
    client.post(reverse("feedback:comment_delete", args=[comment.pk]))
    client.post(reverse("feedback:comment_delete", args=[lonely.pk]))
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Deze reactie is verwijderd door de auteur" in page
    assert "Ik reageer erop" in page
    assert "Ik trek dit in" not in page and "Zonder reacties" not in page


def test_edit_marks_edited(client, participant, topic):
    comment = services.comment_create(author=participant, topic=topic, text="Eerst")
    client.force_login(participant)
    url = reverse("feedback:comment_edit", args=[comment.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"text": "Daarna"})
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Daarna" in page and "bewerkt" in page
    client.force_login(ParticipantFactory())
    assert client.post(url, {"text": "Gekaapt"}).status_code == 403


def test_proposal_submit_and_my_contributions(client, participant, topic):
    client.force_login(participant)
    response = client.post(
        reverse("feedback:proposal_create", args=[topic.slug]), {"text": "Meer bomen", "explanation": ""}
    )
    assert response.status_code == 302
    page = client.get(reverse("feedback:my_contributions")).content.decode()
    assert "Meer bomen" in page and "Wacht op beoordeling" in page
    assert "Meer bomen" not in client.get(topic.get_absolute_url()).content.decode()
    response = client.post(reverse("feedback:proposal_create", args=[topic.slug]), {"text": "x" * 601})
    assert response.status_code == 400 and "600" in response.content.decode()


def test_my_contributions_needs_login(client):
    response = client.get(reverse("feedback:my_contributions"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_comments_paginated_twenty_featured_first_newest_or_oldest(client, participant, topic):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    comments = Comment.objects.bulk_create(
        [Comment(topic=topic, author=participant, text=f"Nummer {i:02d}") for i in range(25)]
    )
    for i, comment in enumerate(comments):
        Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(minutes=100 - i))
    Comment.objects.filter(pk=comments[3].pk).update(is_featured=True)
    html = client.get(topic.get_absolute_url()).content.decode()
    shown = re.findall(r"Nummer (\d\d)", html)
    assert shown[0] == "03"  # featured first
    assert shown[1:3] == ["24", "23"] and len(shown) == 20
    assert "Pagina 1 van 2" in html
    html = client.get(topic.get_absolute_url() + "?order=oldest&page=2").content.decode()
    assert re.findall(r"Nummer (\d\d)", html) == ["20", "21", "22", "23", "24"]
    assert client.get(topic.get_absolute_url() + "?order=nonsense&page=abc").status_code == 200


def test_upcoming_topic_is_readable_with_opening_note(client, participant, upcoming_topic):
    RecommendationFactory(topic=upcoming_topic)
    client.force_login(participant)
    html = client.get(upcoming_topic.get_absolute_url()).content.decode()
    assert "U kunt stemmen en reageren vanaf" in html
    assert 'name="choice"' not in html and "Plaats reactie" not in html


def test_hidden_comment_cannot_be_reported_or_replied_to(client, participant, other, topic):
    from tests.factories import ModeratorFactory

    comment = services.comment_create(author=other, topic=topic, text="Weg ermee")
    moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    client.force_login(participant)
    assert client.get(reverse("feedback:comment_report", args=[comment.pk])).status_code == 404
    response = client.post(reverse("feedback:comment_create", args=[topic.slug]), {"text": "Hoi", "parent": comment.pk})
    assert response.status_code == 400 and "verwijderd of verborgen" in response.content.decode()
    assert client.post(reverse("feedback:comment_create", args=["bestaat-niet"]), {"text": "Hoi"}).status_code == 404
