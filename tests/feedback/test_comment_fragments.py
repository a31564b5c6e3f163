"""A comment's shared part is rendered once per version; what differs per reader is rendered per request."""

import re
import time
from unittest import mock

from django.test import Client

from feedback import moderation, services
from tests.factories import ModeratorFactory, ParticipantFactory


def _page(client, user, topic):
    client.force_login(user)
    return client.get(topic.get_absolute_url()).content.decode()


def test_each_reader_gets_their_own_links_on_the_same_comment(client, topic, participant, other):
    comment = services.comment_create(author=other, topic=topic, text="Meer meetpunten langs de snelweg.")
    edit, report = f"/reacties/{comment.pk}/bewerken/", f"/reacties/{comment.pk}/melden/"
    mine = _page(client, other, topic)
    assert "Meer meetpunten langs de snelweg." in mine and edit in mine and report not in mine
    theirs = _page(client, participant, topic)
    assert "Meer meetpunten langs de snelweg." in theirs and report in theirs and edit not in theirs
    moderator = _page(client, ModeratorFactory(), topic)
    assert f"/admin/feedback/comment/{comment.pk}/change/" in moderator
    assert f"/admin/feedback/comment/{comment.pk}/change/" not in theirs


def test_a_changed_or_hidden_comment_shows_at_once(client, topic, participant, other):
    comment = services.comment_create(author=other, topic=topic, text="Eerste versie.")
    assert "Eerste versie." in _page(client, participant, topic)
    services.comment_update(comment=comment, author=other, text="Tweede versie.", stance="")
    html = _page(client, participant, topic)
    assert "Tweede versie." in html and "Eerste versie." not in html and "bewerkt" in html
    comment.refresh_from_db()
    moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    html = _page(client, participant, topic)
    assert "Tweede versie." not in html and "verborgen door een moderator" in html
    assert f"/reacties/{comment.pk}/melden/" not in html


def test_a_changed_public_name_shows_at_once(client, topic, participant, other):
    services.comment_create(author=other, topic=topic, text="Graag.")
    assert "Bram Jansen" in _page(client, participant, topic)
    other.first_name = "Berend"
    other.save()
    html = _page(client, participant, topic)
    assert "Berend Jansen" in html and "Bram Jansen" not in html


def test_the_relative_date_is_that_of_the_request(client, topic, participant, other):
    """Made on each request, also on a page served from a shared copy: not the date of when the copy was made."""
    services.comment_create(author=other, topic=topic, text="Graag.")
    assert "3\xa0uur geleden" not in _page(client, participant, topic)
    # Three hours later (naturaltime reads the clock; each worker keeps a date's text for that second or minute),
    # for the same reader and for another one.
    later = time.time() + 3 * 3600
    with (
        mock.patch("feedback.dates.naturaltime", return_value="3\xa0uur geleden"),
        mock.patch("feedback.dates._clock", return_value=later),
    ):
        assert "3\xa0uur geleden" in _page(client, participant, topic)
        assert "3\xa0uur geleden" in _page(Client(), ParticipantFactory(), topic)


def test_a_date_is_made_once_per_second_or_per_minute_and_then_moves_on():
    """Each worker keeps a date's text for the second it was made in (an hour or more ago: the minute)."""
    from datetime import timedelta

    from django.utils import timezone

    from feedback import dates

    now = time.time()
    fresh, old = timezone.now() - timedelta(seconds=30), timezone.now() - timedelta(hours=2)
    with mock.patch("feedback.dates.naturaltime", side_effect=["a", "b", "c", "d"]) as made:
        with mock.patch("feedback.dates._clock", return_value=now // 60 * 60):
            assert ">a<" in dates.when(fresh) and ">a<" in dates.when(fresh)
            assert ">b<" in dates.when(old)
        with mock.patch("feedback.dates._clock", return_value=now // 60 * 60 + 1):
            assert ">c<" in dates.when(fresh)  # a second later: made again
            assert ">b<" in dates.when(old)  # the same minute: kept
        with mock.patch("feedback.dates._clock", return_value=now // 60 * 60 + 60):
            assert ">d<" in dates.when(old)
    assert made.call_count == 4


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_remembered_vote_blocks_are_each_readers_own_with_their_own_csrf_token(
    topic, recommendation, participant, other
):
    services.vote_cast(participant=participant, recommendation=recommendation, choice="agree")
    voter, reader = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    voter.force_login(participant)
    reader.force_login(other)
    mine = voter.get(topic.get_absolute_url()).content.decode()
    theirs = reader.get(topic.get_absolute_url()).content.decode()
    assert 'value="agree" class="btn btn-sm vote-btn vote-btn--agree" aria-pressed="true"' in mine
    assert 'aria-pressed="true"' not in theirs.split('id="recommendation-')[1].split("</li>")[0]
    assert "Uw standpunt: Eens." in mine and "Uw standpunt: Eens." not in theirs
    # The remembered block carries the reader's own token: a vote posted with it is accepted.
    token = TOKEN.findall(theirs)[-1]
    response = reader.post(f"/adviezen/{recommendation.pk}/stem/", {"choice": "neutral", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    html = reader.get(topic.get_absolute_url()).content.decode()
    assert 'value="neutral" class="btn btn-sm vote-btn vote-btn--neutral" aria-pressed="true"' in html
