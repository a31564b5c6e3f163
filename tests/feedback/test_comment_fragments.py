"""A comment's shared part is rendered once per version; what differs per reader is rendered per request."""

from datetime import timedelta

from django.utils import timezone

from feedback import moderation, services
from tests.factories import ModeratorFactory


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
    comment = services.comment_create(author=other, topic=topic, text="Graag.")
    assert "3\xa0uur geleden" not in _page(client, participant, topic)
    type(comment).objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert "3\xa0uur geleden" in _page(client, participant, topic)
