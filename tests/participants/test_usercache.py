"""The user of a logged-in request comes from the cache, and never a copy older than the row (participants.usercache)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import notifications
from participants import services
from participants.backends import user_by_pk
from participants.usercache import cached_user, user_changed
from tests.factories import ModeratorFactory, ParticipantFactory
from tests.nmp_portal.test_redis_down import redis_down  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def _user_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    users = [q["sql"] for q in ctx.captured_queries if 'FROM "participants_user"' in q["sql"].split("WHERE")[0]]
    return response, users


@pytest.fixture
def logged_in(client):
    user = ParticipantFactory(first_name="Anne")
    client.force_login(user)
    client.get("/")  # the session's first request stamps its start and keeps the user
    return user


def test_a_later_request_reads_no_user_row(client, logged_in):
    response, users = _user_queries(client, reverse("participants:profile"))
    assert response.status_code == 200 and response.context["user"] == logged_in
    assert users == []


def test_a_change_to_the_account_shows_on_the_next_request(client, logged_in):
    services.profile_update(user=logged_in, first_name="Bea")
    response, users = _user_queries(client, reverse("participants:profile"))
    assert len(users) == 1  # read again once
    assert response.context["user"].first_name == "Bea"
    assert _user_queries(client, reverse("participants:profile"))[1] == []


def test_a_blocked_or_deactivated_account_does_not_live_on_in_the_cache(client, logged_in):
    moderator = ModeratorFactory()
    services.user_block(user=logged_in, moderator=moderator, reason="Herhaald schelden")
    response = client.get(reverse("participants:profile"))
    assert response.context["user"].is_blocked
    logged_in.is_active = False
    logged_in.save()
    response = client.get(reverse("participants:profile"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_a_deleted_account_is_logged_out(client, logged_in):
    services.account_delete(user=logged_in)
    response = client.get(reverse("participants:profile"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_an_update_without_signals_moves_the_copy_on_too(client, logged_in):
    """One-click unsubscribe changes the row with update(): the settings page must not show the old choice."""
    assert logged_in.notify_replies
    notifications.reply_mails_unsubscribe(user=logged_in)
    response, users = _user_queries(client, reverse("participants:profile"))
    assert len(users) == 1 and response.context["user"].notify_replies is False


def test_a_copy_read_before_a_change_commits_is_not_used(logged_in):
    """A request reads the row, another saves it, the first keeps its (old) copy: that copy is never served."""
    pk = logged_in.pk
    user_changed(pk)  # no current copy: the next request reads the row

    def load_then_change(pk):
        user = user_by_pk(pk)  # the old row
        type(user).objects.filter(pk=pk).update(first_name="Nieuw")
        user_changed(pk)  # the change commits while the first request is still busy
        return user

    assert cached_user(pk, load_then_change).first_name == "Anne"  # this request saw the old row
    reads = []

    def load(pk):
        reads.append(pk)
        return user_by_pk(pk)

    assert cached_user(pk, load).first_name == "Nieuw"
    assert reads == [pk]


def test_with_redis_down_the_user_is_read_from_the_database(redis_down, client):  # noqa: F811
    user = ParticipantFactory()
    client.force_login(user)
    for _ in range(2):
        response, users = _user_queries(client, reverse("participants:profile"))
        assert response.status_code == 200 and response.context["user"] == user
        assert len(users) == 1
