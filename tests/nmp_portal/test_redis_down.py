"""Redis down (cache and broker unreachable): pages, accounts and contributions answer without a 500.

Port 1 refuses connections at once, like a stopped Redis. The services suite
repeats the important flows against a real Redis that is stopped mid-test.
"""

import logging
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from post_office.models import STATUS, Email

from feedback.models import Comment
from nmp_portal import cache as degrading
from tests.auth import staff_mfa_login
from tests.celery_broker import celery_broker
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory, signup_form

CLOSED = "redis://127.0.0.1:1/0"
PASSWORD = "een-heel-lang-wachtwoord-77"


@pytest.fixture
def redis_down(settings):
    """Cache and broker on a Redis that is not there; tasks are queued, not run in-process."""
    with celery_broker(CLOSED):
        settings.REDIS_URL = CLOSED
        settings.CELERY_BROKER_URL = CLOSED
        settings.CACHES = {
            "default": {
                "BACKEND": "nmp_portal.cache.DegradingRedisCache",
                "LOCATION": CLOSED,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        yield


@pytest.fixture
def topic(db):
    now = timezone.now()
    return TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))


def test_the_cache_answers_like_an_empty_cache_and_logs_once(redis_down, caplog):
    from django.core.cache import caches

    cache = caches["default"]

    assert isinstance(cache, degrading.DegradingRedisCache)
    with caplog.at_level(logging.WARNING, logger="nmp_portal.cache"):
        assert cache.get("key", "default") == "default"
        assert cache.add("key", 1) is True  # allauth's lock: taken at once, no waiting
        cache.set("key", 1)
        assert cache.get_or_set("key", 7) == 7
        assert cache.get_many(["a", "b"]) == {}
        assert cache.delete("key") is False
        with pytest.raises(ValueError):
            cache.incr("key")
    assert [r.levelname for r in caplog.records] == ["WARNING"]


def test_rate_limit_counters_fail_open(redis_down, rf):
    from django.core.cache import caches

    from feedback.ratelimits import hit

    assert caches["default"].count([("a", "b", 60)]) is None
    request = rf.get("/", REMOTE_ADDR="203.0.113.5")
    assert all(hit(request, app="test", action="link", rates="1/m/ip") for _ in range(3))


def test_after_an_error_redis_is_left_alone_for_a_few_seconds(redis_down):
    from django.core.cache import caches

    cache = caches["default"]

    cache.get("key")
    with mock.patch.object(type(cache._cache), "get", side_effect=AssertionError("tried Redis again")):
        for _ in range(10):
            assert cache.get("key") is None
    with mock.patch("nmp_portal.cache.time.monotonic", return_value=time.monotonic() + degrading.RETRY_AFTER + 1):
        assert cache.get("key", "default") == "default"  # tried again (and still down)


def test_a_task_that_cannot_be_queued_is_logged_and_returns_none(redis_down, caplog):
    from nmp_portal.tasks import deliver_due_mail

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="nmp_portal.celery"):
        assert deliver_due_mail.delay() is None
    assert time.monotonic() - started < 2
    assert "not queued" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_pages_login_signup_and_reset_work(client, redis_down, topic):
    user = ParticipantFactory(email="deelnemer@example.org", password=PASSWORD)
    for path in ["/", f"/onderwerpen/{topic.slug}/", "/resultaten/", "/account/login/", "/account/signup/"]:
        assert client.get(path).status_code == 200, path

    response = client.post("/account/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/profiel/").status_code == 200
    client.logout()

    response = client.post("/account/password/reset/", {"email": user.email})
    assert response.status_code == 302
    reset = Email.objects.get(to=[user.email])
    # Stored in the database queue; the sweep sends it once the broker is back.
    assert reset.status == STATUS.queued

    response = client.post("/account/signup/", signup_form())
    assert response.status_code == 302
    assert Email.objects.filter(to=["nieuw@example.org"], status=STATUS.queued).exists()


@pytest.mark.django_db(transaction=True)
def test_vote_comment_and_reply_work_and_the_reply_mail_waits_in_the_queue(client, redis_down, topic):
    recommendation = RecommendationFactory(topic=topic, position=1)
    author, replier = ParticipantFactory(), ParticipantFactory()
    client.force_login(author)
    assert client.post(f"/adviezen/{recommendation.pk}/stem/", {"choice": "agree"}).status_code == 302
    response = client.post(
        f"/onderwerpen/{topic.slug}/reacties/", {"recommendation": recommendation.pk, "text": "Mijn punt"}
    )
    assert response.status_code == 302
    thread = Comment.objects.get(text="Mijn punt")
    client.force_login(replier)
    response = client.post(
        f"/onderwerpen/{topic.slug}/reacties/",
        {"recommendation": recommendation.pk, "parent": thread.pk, "text": "Mee eens"},
    )
    assert response.status_code == 302
    assert Comment.objects.filter(parent=thread, text="Mee eens").exists()


@pytest.mark.django_db(transaction=True)
def test_votes_are_saved_and_the_full_comparison_publishes_them_afterwards(client, redis_down, topic, caplog):
    from feedback.models import Vote
    from feedback.results import selectors
    from feedback.results.tasks import publish_all_results

    recommendation = RecommendationFactory(topic=topic, position=1)
    started = time.monotonic()
    for _ in range(3):
        client.force_login(ParticipantFactory(sector="gemeente"))
        response = client.post(
            f"/adviezen/{recommendation.pk}/stem/", {"choice": "agree"}, HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 200 and response.json()["ok"]
    assert time.monotonic() - started < 5
    assert Vote.objects.filter(recommendation=recommendation).count() == 3
    figures = selectors.topic_results(topic=topic, visibility=selectors.ALL).get(recommendation.pk)
    assert figures.total.voters == 0  # the change could not be noted for the worker
    assert "Results publication not noted" in caplog.text
    publish_all_results()  # the beat task of every minute, once Redis is back
    figures = selectors.topic_results(topic=topic, visibility=selectors.ALL).get(recommendation.pk)
    assert figures.total.agree == 3


@pytest.mark.django_db(transaction=True)
def test_briefing_pages_work_and_the_workbook_explains_it_cannot_start(client, redis_down, topic):
    staff_mfa_login(client, ModeratorFactory())
    assert client.get("/resultaten/briefing/").status_code == 200
    assert client.get(f"/resultaten/briefing/{topic.slug}/").status_code == 200
    response = client.post("/resultaten/briefing/werkmap/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/resultaten/briefing/"
    assert "De werkmap kan nu niet worden gemaakt." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_workbook_job_is_marked_failed_when_only_the_broker_is_down(client, redis_down, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    staff_mfa_login(client, ModeratorFactory())
    response = client.post("/resultaten/briefing/werkmap/", follow=True)
    assert response.status_code == 200
    assert "Het maken van de werkmap is mislukt" in response.content.decode()


@pytest.mark.django_db
def test_an_authenticator_app_code_is_refused_rather_than_usable_twice(redis_down):
    """The documented exception to "fail open": a TOTP code's single use cannot be checked without Redis."""
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    user = ParticipantFactory()
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret)
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    assert totp.validate_code(code) is False
    with mock.patch.object(type(totp), "_mark_code_used", return_value=True):
        assert totp.validate_code(code) is True  # the code itself is right: only the missing cache refuses it


@pytest.mark.django_db(transaction=True)
def test_a_moderator_hides_a_comment_in_the_admin(client, redis_down, topic):
    comment = Comment.objects.create(topic=topic, author=ParticipantFactory(), text="Scheldwoord")
    moderator = staff_mfa_login(client, ModeratorFactory(is_superuser=True))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/feedback/comment/").status_code == 200
    response = client.post(
        f"/admin/feedback/comment/{comment.pk}/change/",
        {"decision": "hide", "hide-reason_code": "other", "hide-reason_text": "Beledigend taalgebruik"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == moderator


def test_after_a_failed_publish_the_broker_is_left_alone_for_a_few_seconds(redis_down):
    from nmp_portal import celery as celery_module
    from nmp_portal.tasks import deliver_due_mail

    assert deliver_due_mail.delay() is None
    with mock.patch("celery.app.task.Task.apply_async", side_effect=AssertionError("tried the broker again")):
        for _ in range(10):
            assert deliver_due_mail.delay() is None
    later = time.monotonic() + celery_module.RETRY_BROKER_AFTER + 1
    with mock.patch("nmp_portal.celery.time.monotonic", return_value=later):
        assert deliver_due_mail.delay() is None  # tried again, still down
