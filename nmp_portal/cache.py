"""A Redis cache that degrades instead of failing when Redis is unreachable.

Everything the site keeps in the cache can be lost: allauth's rate-limit
counters, the briefing job progress, post_office's template cache. So while
Redis is down, each operation answers as if the cache were empty and every
write went nowhere: ``get`` returns the default, ``add`` succeeds, ``set`` and
``delete`` do nothing, ``incr`` raises ``ValueError`` like a missing key. The
page keeps working; allauth's rate limits do not count (they fail open, see
docs/security.md). Only the single-use mark of authenticator-app codes fails
closed (``FAIL_CLOSED_ADD``).

After an error the cache is not tried again for ``RETRY_AFTER`` seconds, so a
Redis that does not answer costs one socket timeout per process per interval
instead of one per cache call.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0

# The one place the cache fails closed: allauth marks each authenticator-app (TOTP) code as used
# with ``add``; while Redis is down that mark cannot be kept, so a code is refused rather than
# accepted twice. Staff who must log in during the outage use a recovery code (kept in the database).
FAIL_CLOSED_ADD = ("allauth.mfa.totp.used",)


class CacheUnavailable(Exception):
    """Raised internally while the cache is known to be down."""


def _degrades(on_error):
    """Run the Redis operation; on a Redis error (or while marked down) return ``on_error(*args)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                self._check_available()
                return method(self, *args, **kwargs)
            except (RedisError, OSError, CacheUnavailable) as error:
                self._mark_down(error)
                return on_error(*args, **kwargs)

        return wrapper

    return decorate


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (cache unavailable)")


def _default(key, default=None, version=None):
    return default


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, with one ``redis.Redis`` per connection pool instead of a new one for every operation.

    Django makes a ``redis.Redis`` object for each cache call; making it cost
    more than the round trip on the pages served from the cache (a logged-in
    page asks the cache three times). The object is thread-safe: it only
    borrows connections from its pool.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class DegradingRedisCache(RedisCache):
    """Django's RedisCache that logs Redis errors and treats them as cache misses."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _check_available(self):
        if time.monotonic() < self._down_until:
            raise CacheUnavailable

    def _mark_down(self, error):
        if isinstance(error, CacheUnavailable):
            return
        with self._lock:
            first = self._down_until == 0.0 or time.monotonic() >= self._down_until
            self._down_until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning("Cache unavailable, treating it as empty for %ss: %s", RETRY_AFTER, error)

    add = _degrades(lambda key, *args, **kwargs: not key.startswith(FAIL_CLOSED_ADD))(RedisCache.add)
    get = _degrades(_default)(RedisCache.get)
    set = _degrades(lambda *args, **kwargs: None)(RedisCache.set)
    touch = _degrades(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _degrades(lambda *args, **kwargs: False)(RedisCache.delete)
    get_many = _degrades(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _degrades(lambda *args, **kwargs: False)(RedisCache.has_key)
    incr = _degrades(_missing_key)(RedisCache.incr)
    set_many = _degrades(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    delete_many = _degrades(lambda *args, **kwargs: None)(RedisCache.delete_many)
    clear = _degrades(lambda *args, **kwargs: False)(RedisCache.clear)
