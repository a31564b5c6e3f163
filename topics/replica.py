"""Marks code whose database reads may be served by a read replica.

Only public, read-only rendering is marked (anonymous pages rendered for the
page cache): what a participant just wrote must show on their own next page,
and a replica may lag behind by a moment. The router that acts on the mark is
``nmp_portal.routers.ReplicaRouter``, active only when ``DATABASE_REPLICA_URL``
is set; without it the mark changes nothing.
"""

import contextlib
import contextvars

_public_reads = contextvars.ContextVar("public_reads", default=False)


@contextlib.contextmanager
def public_reads():
    token = _public_reads.set(True)
    try:
        yield
    finally:
        _public_reads.reset(token)


def in_public_reads():
    return _public_reads.get()
