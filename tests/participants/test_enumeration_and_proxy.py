"""Accounts behind the proxy: rate limits per real client, and sign-up that does not reveal known addresses."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from post_office.models import Email

from tests.factories import ParticipantFactory

from .test_signup import SIGNUP

PASSWORD = "een-heel-lang-wachtwoord-77"
PROXY = "10.0.0.2"


def _behind_proxy(client_ip):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def _wrong_passwords(client, times):
    # Different addresses each time, so only the per-client limit can be reached.
    return [
        client.post("/account/login/", {"login": f"onbekend{n}@example.org", "password": "fout-wachtwoord-123"})
        for n in range(times)
    ]


@pytest.mark.django_db
def test_wrong_passwords_from_one_client_do_not_lock_out_another(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = ParticipantFactory(email="deelnemer@example.org", password=PASSWORD)
    attacker = _behind_proxy("198.51.100.7")
    assert all(r.status_code == 200 for r in _wrong_passwords(attacker, 10))
    assert _wrong_passwords(attacker, 1)[0].status_code == 429  # the limit does hold per client

    response = _behind_proxy("203.0.113.9").post("/account/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_without_the_proxy_setting_every_client_shares_the_proxys_limit(settings):
    """Why ALLAUTH_TRUSTED_PROXY_COUNT must be set behind a proxy (docs/deployment.md)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    user = ParticipantFactory(email="deelnemer@example.org", password=PASSWORD)
    _wrong_passwords(_behind_proxy("198.51.100.7"), 10)
    response = _behind_proxy("203.0.113.9").post("/account/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_trusted_client_ip_header_keys_the_limits_too(settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    user = ParticipantFactory(email="deelnemer@example.org", password=PASSWORD)
    _wrong_passwords(Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.7"), 11)
    response = Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.9").post(
        "/account/login/", {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def _hashes_for_signup(client, email):
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode) as encode:
        response = client.post("/account/signup/", {**SIGNUP, "email": email})
    assert response.status_code == 302
    return encode.call_count, response["Location"]


@pytest.mark.django_db(transaction=True)
def test_signup_does_the_same_work_for_a_known_and_an_unknown_address(client):
    ParticipantFactory(email="bekend@example.org")
    known = _hashes_for_signup(client, "bekend@example.org")
    unknown = _hashes_for_signup(Client(), "nieuw@example.org")
    # Same page, and the same number of password hashes, the slow part of a sign-up.
    assert known == unknown
    assert known[0] >= 1
    # Both get a mail, so the answer on screen says nothing either.
    assert Email.objects.filter(to=["bekend@example.org"]).exists()
    assert Email.objects.filter(to=["nieuw@example.org"]).exists()
