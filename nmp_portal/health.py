"""Health probes for the load balancer: liveness and readiness.

The database is checked on every readiness request (it decides the status).
Cache and broker are Redis: their probe uses a short connect timeout and its
answer is kept in this process for ``PROBE_TTL`` seconds, so a load balancer
polling every second never holds a sync worker waiting for a Redis that does
not answer.
"""

import threading
import time

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection

PROBE_TTL = 10.0

_probes: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return "error"
    return "ok"


def _ping(url: str) -> str:
    timeout = settings.REDIS_CONNECT_TIMEOUT
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return "ok" if client.ping() else "error"
    except (redis.RedisError, OSError):
        return "error"
    finally:
        client.close()


def _cached(name: str, probe) -> str:
    now = time.monotonic()
    with _lock:
        hit = _probes.get(name)
        if hit and hit[0] > now:
            return hit[1]
    result = probe()
    with _lock:
        _probes[name] = (now + PROBE_TTL, result)
    return result


def forget_probes():
    """Drop the remembered cache and broker answers (tests, and after reconfiguring)."""
    with _lock:
        _probes.clear()


def check_cache() -> str:
    cache_settings = settings.CACHES["default"]
    if "redis" not in cache_settings["BACKEND"].lower():
        # An in-process cache cannot be down while this process answers.
        caches["default"].set("healthz", "ok", 5)
        return "ok" if caches["default"].get("healthz") == "ok" else "error"
    return _cached(f"cache:{cache_settings['LOCATION']}", lambda: _ping(cache_settings["LOCATION"]))


def check_broker() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    url = settings.CELERY_BROKER_URL
    return _cached(f"broker:{url}", lambda: _ping(url))
