"""While the database cannot be reached, pages answer the site's 503 page, not a 500."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from tests.factories import TopicFactory


def _database_down(error):
    return mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=error)


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("closed")])
def test_a_page_answers_503_with_the_sites_page(client, error):
    TopicFactory()
    with _database_down(error):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "De website is even niet beschikbaar" in body
    assert "Probeer het over een minuut opnieuw." in body


@pytest.mark.django_db
def test_the_api_answers_503_in_json(client):
    with _database_down(OperationalError("the database system is shutting down")):
        response = client.get("/api/topics/")
    assert response.status_code == 503
    assert response.json() == {"detail": "Service unavailable.", "status": 503}


@pytest.mark.django_db
def test_a_failure_outside_the_view_also_answers_503(django_user_model):
    """The session is read by a middleware before any view runs."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    with _database_down(OperationalError("connection refused")):
        response = client.get("/profiel/")
    assert response.status_code == 503
    assert "De website is even niet beschikbaar" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_still_answer_500():
    client = Client(raise_request_exception=False)
    with mock.patch("topics.selectors.topic_list", side_effect=RuntimeError("bug")):
        response = client.get("/")
    assert response.status_code == 500
