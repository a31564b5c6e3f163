"""Every mail reads as the portal's: greeting, signature, subject prefix, links on SITE_URL, no invisible characters."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from feedback import services
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory, signup_form

SITE_URL = "http://127.0.0.1:8101"
SIGNUP = signup_form(display_mode="sector_only")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def _assert_portal_mail(message):
    assert message.subject.startswith("[NMP Participatie] "), message.subject
    body = message.body
    assert "Dit is een bericht van NMP Participatie." in body, body
    assert body.rstrip().endswith(f"Met vriendelijke groet,\nNMP Participatie\n{SITE_URL}/"), body
    assert "testserver" not in body and "testserver" not in message.subject
    links = re.findall(r"https?://\S+", body)
    assert links and all(link.startswith(SITE_URL + "/") for link in links), links
    assert not re.search("[\u2066-\u2069]", body), "invisible isolate characters in the plain text"


def _one_mail():
    (message,) = mail.outbox
    mail.outbox.clear()
    return message


@pytest.mark.django_db(transaction=True)
def test_allauth_account_mails_read_as_the_portals(client):
    client.post("/account/signup/", SIGNUP)
    message = _one_mail()
    _assert_portal_mail(message)
    assert f"{SITE_URL}/account/confirm-email/" in message.body

    participant = ParticipantFactory(email="deelnemer@example.org")
    # A known address again: its owner gets "an account already exists", still in the portal's name.
    Client().post("/account/signup/", {**SIGNUP, "email": participant.email})
    _assert_portal_mail(_one_mail())

    client.post("/account/password/reset/", {"email": participant.email})
    message = _one_mail()
    _assert_portal_mail(message)
    assert f"{SITE_URL}/account/password/reset/key/" in message.body

    client.post("/account/password/reset/", {"email": "onbekend@example.org"})
    message = _one_mail()
    _assert_portal_mail(message)
    assert f"{SITE_URL}/account/signup/" in message.body

    client.post("/account/login/code/", {"email": participant.email})
    message = _one_mail()
    assert message.subject.startswith("[NMP Participatie] ")
    assert "Dit is een bericht van NMP Participatie." in message.body
    assert "testserver" not in message.body

    client.force_login(participant)
    client.post(
        "/account/password/change/",
        {
            "oldpassword": "een-lang-wachtwoord-2026",
            "password1": "een-nieuw-lang-wachtwoord-88",
            "password2": "een-nieuw-lang-wachtwoord-88",
        },
    )
    message = _one_mail()
    assert message.subject.startswith("[NMP Participatie] ")
    assert "Dit is een bericht van NMP Participatie." in message.body
    assert message.body.rstrip().endswith(f"NMP Participatie\n{SITE_URL}/")


@pytest.mark.django_db
def test_reply_mail_reads_as_the_portals_in_text_and_html(django_capture_on_commit_callbacks):
    now = timezone.now()
    topic = TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    recommendation = RecommendationFactory(topic=topic, position=1)
    author, replier = ParticipantFactory(first_name="Anna"), ParticipantFactory(display_mode="name_organisation")
    thread = services.comment_create(author=author, topic=topic, recommendation=recommendation, text="Punt")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(
            author=replier, topic=topic, recommendation=recommendation, parent=thread, text="Mee eens"
        )
    message = _one_mail()
    _assert_portal_mail(message)
    assert message.body.startswith("Beste Anna,")
    assert f"{replier.public_name}:" in message.body
    html = message.alternatives[0][0]
    assert "Dit is een bericht van NMP Participatie." in html
    assert f"<bdi>{replier.public_name}</bdi>" in html  # names are isolated in HTML only
    assert all(href.startswith(SITE_URL + "/") for href in re.findall(r'href="([^"]+)"', html))


ROOT = Path(__file__).resolve().parents[2]


def test_site_url_follows_the_address_make_run_serves():
    # `make run PORT=8101` hands its address to the settings...
    dry_run = subprocess.run(["make", "-n", "run", "PORT=8101"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "NMP_HOST=127.0.0.1 NMP_PORT=8101 " in dry_run.stdout
    assert "runserver 127.0.0.1:8101" in dry_run.stdout
    # ...which build the links in mails from it, unless SITE_URL says otherwise.
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="nmp_portal.settings.local", NMP_HOST="127.0.0.1", NMP_PORT="8101")
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    printed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    assert printed.stdout.strip() == "http://127.0.0.1:8101"
    environment["SITE_URL"] = "https://nmp.example.nl/"
    printed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    assert printed.stdout.strip() == "https://nmp.example.nl"
