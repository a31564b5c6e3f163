"""The user of a logged-in request from the cache, as current as the database (``backends.get_user``).

Every logged-in request reads its user. Kept in the cache, that is a round
trip to Redis instead of a query (through PgBouncer to PostgreSQL). What keeps
the copy current is a generation number per user, moved on whenever the user
row is saved or deleted (``moved_on``, connected to the user model's signals).
Both are read in one round trip: a copy made under an earlier generation is not
used. A copy is stored with the generation read *before* the row was read, so
a save that commits in between leaves a copy that no one will use.

A generation that Redis lost (a restart, an eviction) starts again at the
current time in microseconds, never at an earlier number, so a copy kept
before the loss cannot match again. Copies live ``USER_CACHE_SECONDS`` at
most, which also bounds what a change made outside Django's signals would
leave (a restore, an ``UPDATE`` by hand). While Redis does not answer, the
user is read from the database as before and nothing is kept.

The copy holds the password hash (Django checks the session's hash against
it on every request), as the database row does; Redis already holds the
sessions, which are worth as much to an attacker.
"""

import functools
import time

from django.core.cache import cache
from django.db import transaction

USER_CACHE_SECONDS = 60


def _keys(pk):
    return f"account-generation:{pk}", f"account:{pk}"


def _now():
    return time.time_ns() // 1000


def cached_user(pk, load):
    """The user with primary key ``pk``: the cache's copy if it is current, else ``load(pk)`` (kept for next time).

    The user gets ``_nmp_generation``: the generation it is current for (None when
    the cache did not answer), which pages kept per reader put in their key.
    """
    generation_key, user_key = _keys(pk)
    found = cache.get_many([generation_key, user_key])
    generation = found.get(generation_key)
    if generation is None:
        cache.add(generation_key, _now(), timeout=None)
        generation = cache.get(generation_key)
    kept = found.get(user_key)
    if generation is not None and kept is not None and kept[0] == generation:
        user = kept[1]
    else:
        user = load(pk)
        if user is not None and generation is not None:
            cache.set(user_key, (generation, user), USER_CACHE_SECONDS)
    if user is not None:
        user._nmp_generation = generation
    return user


def _move_on(pk):
    generation_key, _user_key = _keys(pk)
    if hasattr(cache, "bump_generations"):  # Redis: SET NX then INCR, in one round trip
        cache.bump_generations([generation_key], _now())
        return
    if not cache.add(generation_key, _now(), timeout=None):
        try:
            cache.incr(generation_key)
        except ValueError:
            cache.add(generation_key, _now(), timeout=None)


def user_changed(pk):
    """User ``pk``'s row changed (or is about to, in this transaction): no copy made before is used again.

    Now, and again once the transaction commits: a request that read the row
    before the commit stored its copy under the generation between the two.
    Saves and deletes call this through the signals (``moved_on``); call it
    after an ``update()`` of user rows, which sends none.
    """
    _move_on(pk)
    if transaction.get_connection().in_atomic_block:  # outside one the change has committed already
        transaction.on_commit(functools.partial(_move_on, pk))


def moved_on(sender, instance, **kwargs):
    """Signal receiver (``post_save``, ``post_delete`` of the user model): ``user_changed``."""
    if instance.pk is not None:
        user_changed(instance.pk)
