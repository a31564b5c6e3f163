"""Limits on how fast one account and one address can contribute.

Generous for people (nobody writes ten comments a minute by hand), a clear 429
page for scripts. The rates live in ``CONTRIBUTION_RATE_LIMITS`` (settings,
overridable from the environment, see ``docs/security.md``), in allauth's
syntax: ``"10/m/user,60/h/user,30/m/ip"``. The client address is allauth's,
so it is the real one behind the proxy (``ALLAUTH_TRUSTED_PROXY_COUNT``).

Counting is a sliding window over two fixed windows (the previous window's
count weighted by how much of it still lies within the last ``duration``
seconds, plus the current window's count), kept as counters in the cache:
on Redis every rate of a request is counted in one round trip (``INCR``,
``EXPIRE``, ``GET`` in one pipeline), without a lock. allauth's own limiter
keeps a list of every hit's time per key under a lock, so a busy address
(the load generator, a school behind one NAT) made every request wait for
that lock and copy a list of thousands of timestamps. Every attempt counts,
refused ones too: a script that keeps posting stays refused. While Redis is
down the limits fail open (``docs/security.md``).
"""

import logging
import time
from functools import wraps

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

APP = "nmp.contributions"
# After a Redis error the counters are not tried again for this many seconds (the limits fail open
# meanwhile): one timeout per process per interval, as the cache does (nmp_portal/cache.py).
RETRY_AFTER = 5.0
_down_until = 0.0


def _now():
    return time.time()


def _keys(request, action, rate, user, now):
    source = f"user:{user.pk}" if rate.per == "user" else f"ip:{ratelimit.get_ip(request)}"
    window = int(now // rate.duration)
    base = f"rl:{APP}:{action}:{rate}:{source}"
    return f"{base}:{window}", f"{base}:{window - 1}"


def _count_on_redis(cache, counted):
    """[(current count, previous count)] for ``counted`` ([(current key, previous key, ttl)]), one round trip."""
    client = cache._cache.get_client(write=True)  # Django's RedisCache: the same connection pool as the cache
    pipe = client.pipeline(transaction=False)
    for current, previous, ttl in counted:
        key = cache.make_and_validate_key(current)
        pipe.incr(key)
        pipe.expire(key, ttl)
        pipe.get(cache.make_and_validate_key(previous))
    replies = pipe.execute()
    return [(int(replies[i]), int(replies[i + 2] or 0)) for i in range(0, len(replies), 3)]


def _count_in_cache(cache, counted):
    """The same with Django's cache API (the in-process cache of the embedded default and the tests)."""
    counts = []
    for current, previous, ttl in counted:
        cache.add(current, 0, ttl)
        counts.append((cache.incr(current), cache.get(previous, 0)))
    return counts


def allowed(request, action, user):
    """Count this request against ``action``'s rates; False when one of them is exceeded."""
    global _down_until
    config = {action: settings.CONTRIBUTION_RATE_LIMITS.get(action, "")}
    rates = ratelimit.get_rates(app=APP, action=action, config=config)
    if user is None:
        # Per-user rates cannot count a visitor without an account; the view refuses them anyway.
        rates = [rate for rate in rates if rate.per != "user"]
    rates = [rate for rate in rates if rate.per in ("user", "ip")]
    if not rates:
        return True
    now = _now()
    counted = [(*_keys(request, action, rate, user, now), int(2 * rate.duration) + 1) for rate in rates]
    cache = caches["default"]
    if time.monotonic() < _down_until:
        return True  # fail open while Redis is down, as allauth's limits do
    try:
        counts = _count_on_redis(cache, counted) if isinstance(cache, RedisCache) else _count_in_cache(cache, counted)
    except (RedisError, OSError, ValueError) as error:
        _down_until = time.monotonic() + RETRY_AFTER
        logger.warning("Contribution limits not counted for %ss, the cache is unavailable: %s", RETRY_AFTER, error)
        return True
    for rate, (current, previous) in zip(rates, counts, strict=True):
        elapsed = (now % rate.duration) / rate.duration
        if current + previous * (1 - elapsed) > rate.amount:
            return False
    return True


def contribution_limit(action):
    """Count each POST to the view against ``action``'s rates; over a rate the visitor gets the 429 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                user = request.user if request.user.is_authenticated else None
                if not allowed(request, action, user):
                    return ratelimit.respond_429(request)
            return view(request, *args, **kwargs)

        wrapped.contribution_action = action
        return wrapped

    return decorator
