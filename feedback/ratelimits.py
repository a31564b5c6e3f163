"""Limits on how fast one account and one address can contribute.

Generous for people (nobody writes ten comments a minute by hand), a clear 429
page for scripts. The rates live in ``CONTRIBUTION_RATE_LIMITS`` (settings,
overridable from the environment, see ``docs/security.md``), in allauth's
syntax: ``"10/m/user,60/h/user,30/m/ip"``. Counting uses allauth's rate
limiter, so the client address is the real one behind the proxy
(``ALLAUTH_TRUSTED_PROXY_COUNT``) and the counters live in the same cache.
"""

from functools import wraps

from allauth.core.internal import ratelimit
from django.conf import settings

APP = "nmp.contributions"


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
                usage = ratelimit.consume(request, app=APP, action=action, config={action: rates}, user=user)
                if usage is None:
                    return ratelimit.respond_429(request)
            return view(request, *args, **kwargs)

        wrapped.contribution_action = action
        return wrapped

    return decorator
