"""Limits on how fast one account and one address can contribute.

Generous for people (nobody writes ten comments a minute by hand), a clear 429
page for scripts. The rates live in ``CONTRIBUTION_RATE_LIMITS`` (settings,
overridable from the environment, see ``docs/security.md``), in allauth's
syntax: ``"10/m/user,60/h/user,30/m/ip"``. The client address is the real one
behind the proxy (allauth's ``get_client_ip``, ``ALLAUTH_TRUSTED_PROXY_COUNT``)
and the counters live in the same cache as allauth's.

Counting (``hit``) uses two counters per rate and key instead of allauth's
list of timestamps: the hits of the current window (one minute for ``/m``)
and of the window before it, which counts for the part of it that still lies
within the last minute (the "sliding window counter"). Each hit is one atomic
increment, all rates in one round trip to Redis, and no lock: allauth's limiter
reads and rewrites a list under a lock that every request from the same address
waits for (10 ms and more at the first collision), which made each page behind
a limit wait on the others. A refused hit is taken back, so being refused does
not prolong the wait, and nothing is stored.
"""

import time
from functools import wraps

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache

APP = "nmp.contributions"


def hit(request, *, app: str, action: str, rates: str, user=None) -> bool:
    """Count one hit of ``request`` against each of ``rates``; False (and nothing counted) when one is exceeded.

    A rate ``N/m/ip`` allows N hits in any minute, estimated as the current
    minute's hits plus the previous minute's weighted by how much of it lies
    in the last 60 seconds: a burst across the turn of the minute cannot get
    2 × N through. Concurrent hits are all counted (atomic increments), so a
    limit holds with many workers. While the cache is unreachable every hit is
    allowed, as allauth's own limits are (docs/security.md).
    """
    parsed = ratelimit.get_rates(app=app, action=action, config={action: rates})
    if not parsed:
        return True
    now = time.time()
    counters = []
    for rate in parsed:
        base = ratelimit.get_cache_key(request, app=app, action=action, rate=rate, user=user)
        window, into = divmod(now, rate.duration)
        # A window's counter is read during the next one too, then left to expire.
        counters.append((rate, f"{base}:{int(window)}", f"{base}:{int(window) - 1}", into / rate.duration))
    counts = _count([(key, previous, int(rate.duration) * 2 + 1) for rate, key, previous, _ in counters])
    if counts is None:
        return True
    allowed = all(
        current + previous * (1 - elapsed) <= rate.amount
        for (rate, _, _, elapsed), (current, previous) in zip(counters, counts, strict=True)
    )
    if not allowed:
        _count([(key, previous, int(rate.duration) * 2 + 1) for rate, key, previous, _ in counters], delta=-1)
    return allowed


def _count(counters, delta=1):
    """Add ``delta`` to each counter and read the one before it: [(current, previous), ...], or None (cache down).

    ``counters`` are (key, previous key, timeout). The site's Redis cache does
    this in one round trip (``nmp_portal.cache.DegradingRedisCache.count``);
    any other cache (the embedded default, tests) with its own atomic ``incr``.
    """
    count = getattr(cache, "count", None)
    if count is not None:
        return count(counters, delta=delta)
    result = []
    for key, previous, timeout in counters:
        cache.add(key, 0, timeout)
        try:
            current = cache.incr(key, delta)
        except ValueError:  # expired between the two calls
            cache.add(key, max(delta, 0), timeout)
            current = max(delta, 0)
        result.append((current, cache.get(previous, 0)))
    return result


def contribution_limit(action):
    """Count each POST to the view against ``action``'s rates; over a rate the visitor gets the 429 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                user = request.user if request.user.is_authenticated else None
                rates = settings.CONTRIBUTION_RATE_LIMITS.get(action, "")
                if user is None:
                    # Per-user rates cannot count a visitor without an account; the view refuses them anyway.
                    rates = ",".join(r for r in rates.split(",") if not r.strip().endswith("/user"))
                if not hit(request, app=APP, action=action, rates=rates, user=user):
                    return ratelimit.respond_429(request)
            return view(request, *args, **kwargs)

        wrapped.contribution_action = action
        return wrapped

    return decorator
