"""Sessions in the database with a short-lived copy in the cache (``SESSION_ENGINE``).

Django's ``cached_db`` engine reads a session from the cache and falls back to
the database; every write goes to both. It spares the session query on
nearly every logged-in request. The database stays the source: while Redis
is down (``nmp_portal.cache.DegradingRedisCache`` answers a miss), sessions
are read from the database as before.

One difference from ``cached_db``: the cached copy lives at most
``SESSION_CACHE_SECONDS`` (60 s), not as long as the session. A logout or
"end all sessions" deletes the session from the database and the cache; if
the cache did not answer at that moment (Redis unreachable), the cached copy
that Redis may still hold would otherwise keep the session alive for up to 12
hours once Redis answers again. Capped, it is gone within a minute.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class _CappedCache:
    """The session cache, with every entry's lifetime capped at ``seconds``."""

    def __init__(self, cache, seconds):
        self._cache = cache
        self._seconds = seconds

    def set(self, key, value, timeout=None):
        timeout = self._seconds if timeout is None else min(timeout, self._seconds)
        return self._cache.set(key, value, timeout)

    async def aset(self, key, value, timeout=None):
        timeout = self._seconds if timeout is None else min(timeout, self._seconds)
        return await self._cache.aset(key, value, timeout)

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def __contains__(self, key):
        return key in self._cache


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CappedCache(self._cache, settings.SESSION_CACHE_SECONDS)
