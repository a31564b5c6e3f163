"""Redis stopped while the site runs: accounts, replies and the briefing keep working; mail waits in the database.

The shared Redis on 6379 belongs to everyone on the machine, so the test runs
its own redis-server, points cache and broker at it, stops it, and starts it
again on the same port.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from post_office.models import STATUS, Email

from feedback.models import Comment
from nmp_portal import health
from tests.auth import staff_mfa_login
from tests.celery_broker import celery_broker
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory, signup_form

from .servers import RedisServer

PASSWORD = "een-heel-lang-wachtwoord-77"
SIGNUP = signup_form()


@pytest.fixture
def own_redis(settings):
    server = RedisServer()
    server.start()
    with celery_broker(server.url):
        settings.REDIS_URL = server.url
        settings.CELERY_BROKER_URL = server.url
        settings.CACHES = {
            "default": {
                **settings.CACHES["default"],
                "BACKEND": "nmp_portal.cache.DegradingRedisCache",
                "LOCATION": server.url,
            }
        }
        health.forget_probes()
        yield server
        server.stop()
    health.forget_probes()


def _timed(call):
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert response.status_code < 500, response.content[:500]
    return response, elapsed


def test_redis_stopped_then_started_again(client, own_redis, transactional_db, request):
    now = timezone.now()
    topic = TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    recommendation = RecommendationFactory(topic=topic, position=1)
    user = ParticipantFactory(email="deelnemer@example.org", password=PASSWORD)
    thread = Comment.objects.create(topic=topic, recommendation=recommendation, author=user, text="Mijn punt")
    moderator = ModeratorFactory()
    assert client.get("/healthz").json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}

    own_redis.stop()
    health.forget_probes()
    timings = []

    response, elapsed = _timed(lambda: client.post("/account/login/", {"login": user.email, "password": PASSWORD}))
    timings.append(elapsed)
    assert response.status_code == 302

    response, elapsed = _timed(
        lambda: client.post(
            f"/onderwerpen/{topic.slug}/reacties/",
            {"recommendation": recommendation.pk, "parent": thread.pk, "text": "Mee eens"},
        )
    )
    timings.append(elapsed)
    assert response.status_code == 302
    assert Comment.objects.filter(parent=thread, text="Mee eens").exists()
    client.logout()

    response, elapsed = _timed(lambda: client.post("/account/password/reset/", {"email": user.email}))
    timings.append(elapsed)
    assert response.status_code == 302

    response, elapsed = _timed(lambda: client.post("/account/signup/", SIGNUP))
    timings.append(elapsed)
    assert response.status_code == 302

    staff_mfa_login(client, moderator)
    response, elapsed = _timed(lambda: client.get(f"/resultaten/briefing/{topic.slug}/"))
    timings.append(elapsed)
    assert response.status_code == 200
    response, elapsed = _timed(lambda: client.post("/resultaten/briefing/werkmap/", follow=True))
    timings.append(elapsed)
    assert "De werkmap kan nu niet worden gemaakt." in response.content.decode()

    response, elapsed = _timed(lambda: client.get("/healthz"))
    timings.append(elapsed)
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "error", "broker": "error"}
    # Short timeouts: nothing waits for the missing Redis.
    assert max(timings) < 2, timings

    waiting = set(Email.objects.filter(status=STATUS.queued).values_list("pk", flat=True))
    assert Email.objects.filter(to=[user.email]).exists()  # the reset mail
    assert Email.objects.filter(to=["nieuw@example.org"]).exists()  # the verification mail

    # Redis is back: a worker that starts sweeps up every mail that waited in the database.
    own_redis.start()
    health.forget_probes()
    request.getfixturevalue("celery_worker_process")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Email.objects.filter(pk__in=waiting, status=STATUS.sent).count() < len(
        waiting
    ):
        time.sleep(0.5)
    assert set(Email.objects.filter(pk__in=waiting, status=STATUS.sent).values_list("pk", flat=True)) == waiting
    assert client.get("/healthz").json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_rate_limit_counters_in_redis_count_every_simultaneous_hit_and_expire(own_redis, rf):
    """Forty requests at once from one address against 25/m on a real Redis: 25 pass, none waits on a lock."""
    import threading

    from django.core.cache import caches

    from feedback.ratelimits import hit

    results, start = [], threading.Barrier(40)

    def one():
        start.wait()
        results.append(hit(rf.post("/", REMOTE_ADDR="203.0.113.5"), app="test", action="many", rates="25/m/ip"))

    threads = [threading.Thread(target=one) for _ in range(40)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 15 + [True] * 25
    assert time.monotonic() - began < 2
    # The counters carry their expiry (two windows and a second), so they never pile up in Redis.
    cache = caches["default"]
    client = cache._cache.get_client()
    keys = client.keys(cache.make_key("allauth:rl:test:many:*"))
    assert keys and all(0 < client.ttl(key) <= 121 for key in keys)


def test_page_generations_move_on_in_one_round_trip_and_never_restart_low(own_redis, settings):
    """A bump moves every scope on; after Redis lost its data (restart) a scope starts at the time, not at 0."""
    from django.core.cache import cache

    from topics import pagecache

    first = pagecache.current_generations(pagecache.CONTENT, "topic:water")
    pagecache.bump_now(pagecache.CONTENT, "topic:water")
    second = pagecache.current_generations(pagecache.CONTENT, "topic:water")
    assert second == (first[0] + 1, first[1] + 1)
    assert first[0] > 1_000_000_000_000_000  # microseconds since 1970
    cache.clear()  # as after a restart of a Redis that keeps nothing on disk
    again = pagecache.current_generations(pagecache.CONTENT, "topic:water")
    assert again[0] > second[0] and again[1] > second[1]
    pagecache.bump_now("topic:nieuw")  # a scope bumped before it was ever read
    assert pagecache.current_generations("topic:nieuw")[0] > second[0]
