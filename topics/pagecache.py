"""Cached output for anonymous readers, and generations that make it stale on change.

A page an anonymous visitor sees is the same for every anonymous visitor, so
it is rendered once and served from the cache until something on it changes.
"Changes" is tracked per scope with a generation number in the cache: a
service that changes what a scope shows calls ``bump(scope)`` after its
transaction commits, the next request computes a new key and renders afresh.
Scopes are ``content`` (topic and recommendation texts, phases: every page)
and ``topic:<pk>`` (the topic's discussions and figures).

The cached copy never holds a visitor's CSRF token: tokens are replaced by a
placeholder before storing and by the current visitor's own token on the way
out, so forms on a cached page keep working. A time limit (``PAGE_TTL``)
bounds what no service announces: relative dates ("5 minuten geleden") and
edits made outside the services.
"""

import functools
import hashlib
import re

from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .replica import public_reads

PAGE_TTL = 60
CONTENT = "content"
# Every topic's discussions at once (bumped with each ``topic:<slug>``): pages that show comments
# from all topics, such as the search results.
DISCUSSIONS = "discussions"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = b"__csrf_token__"
# Only these query parameters change a cached page; any other makes the request uncached.
CACHED_PARAMETERS = frozenset({"page", "order"})
MAX_QUERY_LENGTH = 64


def topic_scope(topic_id):
    return f"topic:{topic_id}"


def _generation_key(scope):
    return f"gen:{scope}"


def generations(*scopes):
    """The current generation of each scope, in one cache round trip."""
    keys = [_generation_key(s) for s in scopes]
    found = cache.get_many(keys)
    return tuple(found.get(k, 0) for k in keys)


def _bump_now(scopes):
    for scope in scopes:
        key = _generation_key(scope)
        # add() then incr() is atomic on Redis; two writers both move the number on.
        cache.add(key, 0, timeout=None)
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=None)


def bump(*scopes):
    """Mark what ``scopes`` show as changed: now, and again once the current transaction commits.

    The second bump is the one that counts: a request that rendered the old
    data between the first bump and the commit stored it under a generation
    that the commit then leaves behind. The first makes a write visible at
    once to code that reads inside the same transaction (tests, for one).
    """
    _bump_now(scopes)
    transaction.on_commit(functools.partial(_bump_now, scopes))


def seconds_until_phase_change(topic):
    """How long ``topic`` keeps its phase: a cached page of it must not outlive that."""
    now = timezone.now()
    moments = [m for m in (topic.opens_at, topic.closes_at) if m and m > now]
    return int((min(moments) - now).total_seconds()) if moments else PAGE_TTL


def _cacheable(request, parameters=CACHED_PARAMETERS):
    if request.method not in ("GET", "HEAD"):
        return False
    if set(request.GET) - parameters or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return False
    if "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # An anonymous visitor with a session (after logging out, say) may have a message waiting there.
    return not (request.COOKIES.get("sessionid") and request.session.get("_messages"))


def _key(request, scopes, path):
    digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    version = ".".join(str(g) for g in generations(CONTENT, *scopes))
    return f"page:{get_language()}:{digest}:{version}"


def anonymous_page_cache(scopes=lambda request, **kwargs: (), parameters=CACHED_PARAMETERS, path=None):
    """Serve the view's 200 answers to anonymous visitors from the cache.

    ``scopes(request, **view_kwargs)`` names the scopes the page shows besides
    ``content``; it must not touch the database. The view may set
    ``response.cache_ttl`` to keep its answer for less than ``PAGE_TTL``
    (a topic that opens or closes sooner). ``parameters``: the query
    parameters the page may be cached with (any other: not cached).
    ``path(request)``: what identifies the answer, when the full path
    holds variations that give the same page (a search query's spacing).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable(request, parameters):
                return view(request, *args, **kwargs)
            key = _key(request, scopes(request, **kwargs), path(request) if path else request.get_full_path())
            cached = cache.get(key)
            if cached is not None:
                response = _from_cache(request, cached)
            else:
                # The same page for every anonymous reader: nothing personal, nothing written.
                with public_reads():
                    response = view(request, *args, **kwargs)
                ttl = min(PAGE_TTL, getattr(response, "cache_ttl", PAGE_TTL))
                if response.status_code == 200 and not response.streaming and ttl > 0:
                    if hasattr(response, "render"):
                        response.render()
                    cache.set(key, _to_cache(response), ttl)
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapper

    return decorator


def _to_cache(response):
    content = _CSRF_INPUT.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("set-cookie", "vary")}
    return {"content": content, "headers": headers}


def _from_cache(request, cached):
    from django.http import HttpResponse

    content = cached["content"]
    if _CSRF_PLACEHOLDER in content:
        content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in cached["headers"].items():
        response.headers[name] = value
    return response
