"""Cached output for anonymous readers, and generations that make it stale on change.

A page an anonymous visitor sees is the same for every anonymous visitor, so
it is rendered once and served from the cache until something on it changes.
"Changes" is tracked per scope with a generation number in the cache: a
service that changes what a scope shows calls ``bump(scope)`` after its
transaction commits, the next request computes a new key and renders afresh.
Scopes are ``content`` (topic and recommendation texts, phases: every page),
``topic:<slug>`` (the topic's discussions), ``results`` (every published
figure: the results pages) and ``results:<slug>`` (the topic's own figures, on
its topic and recommendation pages). A publication step moves only the results
scopes: while people vote, the pages without figures stay where they are.
A logged-in reader's own copy of a page (``reader_page_cache``) depends on two
more: ``reader:<id>`` (their positions, priorities, follows, addresses, roles)
and ``readers`` (what one write changes for many readers: invitations, events,
a group's permissions).

The cached copy never holds a visitor's CSRF token: tokens are replaced by a
placeholder before storing and by the current visitor's own token on the way
out, so forms on a cached page keep working. A time limit (``PAGE_TTL``)
bounds what no service announces: relative dates ("5 minuten geleden") and
edits made outside the services.
"""

import functools
import hashlib
import os
import re
import secrets
import threading
import time
from collections import OrderedDict

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


# Published results (``feedback.results.publication``): any step anywhere. The results pages, and the
# figures the selectors keep per topic, depend on it.
RESULTS = "results"


# What a logged-in reader's own copy of a page (``reader_page_cache``) depends on besides their own facts
# and the page's scopes: things one write changes for many readers at once (invitations and events, the
# permissions of a group).
READERS = "readers"


def reader_scope(user_id):
    """A change in what this reader's own parts of a page show: their positions, priorities, follows, addresses."""
    return f"reader:{user_id}"


def topic_scope(topic_id):
    return f"topic:{topic_id}"


def results_scope(topic_slug):
    """A step in the published figures of this topic's recommendations: its topic and recommendation pages."""
    return f"results:{topic_slug}"


def _generation_key(scope):
    return f"gen:{scope}"


def current_generations(*scopes):
    """The current generation of each scope (one cache round trip), or None while the cache does not answer.

    A scope without a generation yet (a new scope, or after Redis lost its
    data) starts at the current time in microseconds, never at 0: a page kept
    under an earlier generation (in a worker's memory, ``_local``) must not
    match again after a restart of Redis.
    """
    keys = [_generation_key(s) for s in scopes]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        start = time.time_ns() // 1000
        for key in missing:
            cache.add(key, start, timeout=None)
        found |= cache.get_many(missing)
        if any(k not in found for k in keys):
            return None  # the cache is down (it "adds" and forgets)
    return tuple(found[k] for k in keys)


def generations(*scopes):
    """The current generation of each scope, in one cache round trip (zeros while the cache does not answer)."""
    return current_generations(*scopes) or (0,) * len(scopes)


def _bump_now(scopes):
    if hasattr(cache, "bump_generations"):  # Redis: every scope in one round trip
        cache.bump_generations([_generation_key(s) for s in scopes], time.time_ns() // 1000)
        return
    for scope in scopes:
        key = _generation_key(scope)
        # add() then incr() is atomic on Redis; two writers both move the number on.
        cache.add(key, time.time_ns() // 1000, timeout=None)
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, time.time_ns() // 1000, timeout=None)


def bump_now(*scopes):
    """``bump`` outside any transaction (after a restore, say): once, now."""
    _bump_now(scopes)


def bump(*scopes):
    """Mark what ``scopes`` show as changed: now, and again once the current transaction commits.

    The second bump is the one that counts: a request that rendered the old
    data between the first bump and the commit stored it under a generation
    that the commit then leaves behind. The first makes a write visible at
    once to code that reads inside the same transaction (tests, for one).
    Outside a transaction the write has committed already: one bump, one
    round trip.
    """
    _bump_now(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(functools.partial(_bump_now, scopes))


def reader_changed(user_id):
    """What user ``user_id``'s own parts of a page show changed: their own copies are not used again (``bump``)."""
    bump(reader_scope(user_id))


def readers_changed(*args, **kwargs):
    """Something that many readers' own parts show changed (an invitation, an event, a group's permissions).

    Takes and ignores any arguments, so it can be connected to signals as is.
    """
    bump(READERS)


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


class _LocalCopies:
    """Each worker's own copies of cached pages, so that a hit costs one small round trip (the generations).

    Keys hold the generations, so a change anywhere makes the copy unreachable
    at once, as in the shared cache; an entry also ends when its time limit
    does. Bounded by size (least recently used out first).
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._entries = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, size, value = entry
            if expires <= time.monotonic():
                del self._entries[key]
                self._bytes -= size
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key, value, ttl, size):
        if ttl <= 0 or size > self.max_bytes // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (time.monotonic() + ttl, size, value)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, (_expires, dropped, _value) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0


# 16 MB per worker: the anonymous pages and the shared copies of the logged-in topic pages in use.
_local = _LocalCopies(16 * 1024 * 1024)


def forget_local_copies():
    """Drop this worker's copies (tests; the shared cache is cleared separately)."""
    _local.clear()


def _key(request, scopes, path, prefix="page"):
    """The cache key of a page, or None while the cache does not answer (render, keep nothing)."""
    current = current_generations(CONTENT, *scopes)
    if current is None:
        return None
    digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    version = ".".join(str(g) for g in current)
    return f"{prefix}:{get_language()}:{digest}:{version}"


def _get(key):
    """What the cache holds under ``key``: this worker's copy, else the shared one (kept here too)."""
    value = _local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            _local.set(key, value, value.get("expires", time.time()) - time.time(), value.get("size", 0))
    return value


def _set(key, value, ttl):
    value["expires"] = time.time() + ttl
    cache.set(key, value, ttl)
    _local.set(key, value, ttl, value.get("size", 0))


def kept(key, make, ttl=PAGE_TTL, size=4096):
    """The value under ``key`` (which must hold the generations it depends on): this worker's copy, else the
    shared cache's, else ``make()`` (kept in both for ``ttl`` seconds). ``size``: about how many bytes it holds.

    For small things read on every request of a kind (the recommendation a vote is about, a topic's
    published totals): from the worker's memory they cost no round trip to the cache. ``key`` None (the
    generations could not be read: the cache is down) makes the value afresh and keeps nothing, as pages do.
    """
    if key is None:
        return make()
    held = _get(key)
    if held is not None:
        return held["value"]
    value = make()
    _set(key, {"value": value, "size": size}, ttl)
    return value


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
            cached = _get(key) if key is not None else None
            if cached is not None:
                response = _from_cache(request, cached)
            else:
                # The same page for every anonymous reader: nothing personal, nothing written.
                with public_reads():
                    response = view(request, *args, **kwargs)
                ttl = min(PAGE_TTL, getattr(response, "cache_ttl", PAGE_TTL))
                if key is not None and response.status_code == 200 and not response.streaming and ttl > 0:
                    if hasattr(response, "render"):
                        response.render()
                    _set(key, _to_cache(response), ttl)
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapper

    return decorator


def _to_cache(response):
    content = _CSRF_INPUT.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("set-cookie", "vary")}
    return {"content": content, "headers": headers, "size": len(content)}


def _from_cache(request, cached):
    from django.http import HttpResponse

    content = cached["content"]
    if _CSRF_PLACEHOLDER in content:
        content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in cached["headers"].items():
        response.headers[name] = value
    return response


# --- Logged-in readers: one shared copy, each reader's own parts filled in ----------------------------

# A fresh nonce per process: text on the page is escaped, so it cannot hold "<!--", and not this nonce either.
_SLOT_NONCE = secrets.token_hex(8)
_SLOT = re.compile(rb"<!--nmp-slot:" + _SLOT_NONCE.encode() + rb" ([^>]+?)-->(.*?)<!--/nmp-slot-->", re.S)
# Per-render values in forms that must differ per reader and per visit (a comment form's double-submit token).
_FORM_TOKEN = re.compile(rb'(name="token" value=")[0-9a-f-]{36}(")')
_FORM_TOKEN_PLACEHOLDER = b"__form_token__"


# Slots that a higher app fills on any shared page (``register_slot``): name -> fill(request) -> HTML.
_slot_fillers = {}


def register_slot(name, fill):
    """Let ``fill(request)`` make slot ``name`` on every shared copy (an app's part of the base template)."""
    _slot_fillers[name] = fill


def slot_markers(request):
    """The marker pair for a slot named ``name`` while ``request`` renders a shared copy, else None."""
    if request is None or getattr(request, "nmp_reader_meta", None) is None:
        return None
    return lambda name: (f"<!--nmp-slot:{_SLOT_NONCE} {name}-->", "<!--/nmp-slot-->")


def reader_meta(request):
    """What the page's view and tags tell the reader function about the shared copy being rendered (or None)."""
    return getattr(request, "nmp_reader_meta", None)


def _messages_waiting(request):
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def reader_page_cache(scopes, reader, own=None, parameters=CACHED_PARAMETERS):
    """Serve a page to logged-in readers from one shared copy, with each reader's own parts filled in.

    A logged-in topic page is the same for every reader of the same kind
    (the permission rules' answers: participant, moderator, not yet
    verified...) except for a few parts: their positions and priorities, their
    progress, whether they follow the topic, their invitation. The template
    marks those parts with ``{% reader_slot %}``. The first reader of a kind
    gets the page rendered in full; it is kept (as anonymous pages are, under
    the same generations and time limit) with its slots cut out, and every
    later reader of that kind gets the copy with the slots filled in for them.

    ``reader(request, generations, **view_kwargs)`` returns None (render this
    request in full, keep nothing) or an object with ``kind`` (a string: what
    the shared parts depend on besides the path and generations),
    ``may_use(meta)`` / ``may_keep(meta)`` (whether this reader may get / may
    give a shared copy; ``meta`` is what the view and tags gathered while
    rendering it, ``reader_meta(request)``) and ``fill(name, meta)`` (the
    HTML of slot ``name`` for this reader). Form tokens and the CSRF token
    are made per request.

    ``own(request, **view_kwargs)`` (optional, no queries) returns None or
    ``(scopes, identity)``: the scopes that move this reader's own parts on
    (``reader_scope``, ``READERS``) and a text naming the reader and the
    version of their account. With it, the page as filled in for this reader
    is kept too, under those scopes' generations and the page's own; their
    next visit, while nothing on it changed, is answered from that copy
    without asking for their facts at all. It lives no longer than the shared
    copy it was filled from.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = getattr(request, "user", None)
            if (
                request.method not in ("GET", "HEAD")
                or user is None
                or not user.is_authenticated
                or set(request.GET) - parameters
                or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH
                or _messages_waiting(request)
            ):
                return view(request, *args, **kwargs)
            page_scopes = (CONTENT, *scopes(request, **kwargs))
            identity = own(request, **kwargs) if own is not None else None
            current = current_generations(*page_scopes, *(identity[0] if identity else ()))
            own_key = None
            if current is not None and identity is not None:
                own_key = _own_key(request, identity[1], current)
                held = _get_own(own_key)
                if held is not None:
                    return _respond(request, held["content"], held["headers"])
                current = current[: len(page_scopes)]
            page = reader(request, current, **kwargs) if current is not None else None
            if page is None:
                return view(request, *args, **kwargs)
            digest = hashlib.sha256(f"{request.get_full_path()}\n{page.kind}".encode()).hexdigest()[:40]
            version = ".".join(str(g) for g in current)
            key = f"reader:{get_language()}:{digest}:{version}"
            shared = _get(key)
            if shared is not None and page.may_use(shared["meta"]):
                content = _filled(request, shared, page)
                ttl = min(PAGE_TTL, int(shared.get("expires", 0) - time.time()))
                if own_key is not None and ttl > 0:
                    _set_own(own_key, {"content": content, "headers": shared["headers"]}, ttl)
                return _respond(request, content, shared["headers"])
            request.nmp_reader_meta = {}
            try:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                if hasattr(response, "render"):
                    response.render()
                meta = request.nmp_reader_meta
            finally:
                request.nmp_reader_meta = None
            content = response.content
            ttl = min(PAGE_TTL, getattr(response, "cache_ttl", PAGE_TTL))
            if ttl > 0 and page.may_keep(meta) and not _messages_waiting(request):
                _set(key, _shared_copy(response, content, meta), ttl)
            response.content = _SLOT.sub(rb"\2", content)
            return response

        return wrapper

    return decorator


def _shared_copy(response, content, meta):
    content = _CSRF_INPUT.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", content)
    content = _FORM_TOKEN.sub(rb"\1" + _FORM_TOKEN_PLACEHOLDER + rb"\2", content)
    parts = _SLOT.split(content)
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("set-cookie", "vary")}
    return {
        "static": parts[0::3],
        "slots": [name.decode() for name in parts[1::3]],
        "headers": headers,
        "meta": meta,
        "size": len(content),
    }


def _form_tokens(count):
    """``count`` new form tokens: random 128-bit values written as UUIDs, from one read of the system's randomness."""
    raw = os.urandom(16 * count).hex().encode()
    return [
        b"-".join((h[:8], h[8:12], h[12:16], h[16:20], h[20:32]))
        for h in (raw[32 * i : 32 * (i + 1)] for i in range(count))
    ]


def _own_key(request, identity, current):
    """The key of a reader's own copy: path, reader, language, and the generations of every scope it shows."""
    digest = hashlib.sha256(f"{request.get_full_path()}\n{identity}".encode()).hexdigest()[:40]
    return f"own:{get_language()}:{digest}:{'.'.join(str(g) for g in current)}"


def _get_own(key):
    """A reader's own copy: from the shared cache only (one per reader: not worth a worker's memory)."""
    return cache.get(key)


def _set_own(key, value, ttl):
    cache.set(key, value, ttl)


def _filled(request, shared, page):
    """The shared copy with this reader's parts filled in (the tokens still placeholders)."""
    static = shared["static"]
    meta = shared["meta"]
    pieces = [static[0]]
    for name, after in zip(shared["slots"], static[1:], strict=True):
        filler = _slot_fillers.get(name)
        pieces.append((filler(request) if filler else page.fill(name, meta)).encode())
        pieces.append(after)
    return b"".join(pieces)


def _respond(request, content, headers):
    """The answer to this request: ``content`` with its own CSRF token and new form tokens."""
    from django.http import HttpResponse

    content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
    if _FORM_TOKEN_PLACEHOLDER in content:
        chunks = content.split(_FORM_TOKEN_PLACEHOLDER)
        tokens = _form_tokens(len(chunks) - 1)
        content = b"".join(piece for pair in zip(chunks, tokens, strict=False) for piece in pair) + chunks[-1]
    response = HttpResponse(content)
    for name, value in headers.items():
        response.headers[name] = value
    patch_vary_headers(response, ("Cookie",))
    return response
