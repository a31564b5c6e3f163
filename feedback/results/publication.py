"""What the results publish, and when: disclosure control that holds over time.

The live votes and priorities are never read by the results. Every figure is
computed from ``PublishedPosition`` (per recommendation) and ``PublishedVoter``
(participation), which hold, per *cell*, the state as it was last published.
A cell is (recommendation, sector at the moment of casting, sector confirmed);
for participation it is (sector, confirmed).

``publish`` brings a cell up to date only when the live state of that cell
differs from the published one for at least ``RESULTS_MIN_SECTOR_VOTERS``
people (a person "differs" when their position, their priority, or their
presence in the cell is not what was published). Otherwise the cell keeps its
published state, however long that takes. So between any two readings, every
cell either did not change or changed for at least that many people, and the
selector shows a cell only when it holds at least that many voters (see
``statistics.recommendation_results``): every published number is a sum of
such cells, so no subtraction between readings, sectors or the
confirmed/unconfirmed split narrows a difference down to fewer people.
"""

import logging
import time
from collections import defaultdict

import redis
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from topics import pagecache
from topics.models import Recommendation

from ..models import Priority, PublishedPosition, PublishedVoter, Vote

logger = logging.getLogger(__name__)


def _changed_by_cell(live, published):
    """{cell: [key, ...]} of the keys whose live value differs from the published one; key[1:] is the cell."""
    changed = defaultdict(list)
    for key in live.keys() | published.keys():
        if live.get(key) != published.get(key):
            changed[key[1:]].append(key)
    return changed


def _cells_filter(cells, sector_field, confirmed_field):
    """A Q matching the rows of ``cells`` ((sector, confirmed) pairs); None matches every cell."""
    if cells is None:
        return Q()
    matches = Q(pk__in=[])
    for sector, confirmed in cells:
        matches |= Q(**{sector_field: sector, confirmed_field: confirmed})
    return matches


def _participant_cells(live, published):
    """The cells in which one of the keys in ``live`` / ``published`` differs (key[1:] is the cell)."""
    return {key[1:] for key in live.keys() | published.keys() if live.get(key) != published.get(key)}


def _live_positions(recommendation_id, *filters, **lookups):
    live = {}  # (participant, sector, confirmed) -> (choice, prioritised)
    votes = Vote.objects.filter(*filters, recommendation_id=recommendation_id, **lookups)
    for participant, sector, confirmed, choice in votes.values_list(
        "participant_id", "sector", "sector_confirmed", "choice"
    ):
        live[(participant, sector, confirmed)] = (choice, False)
    priorities = Priority.objects.filter(*filters, recommendation_id=recommendation_id, **lookups)
    for participant, sector, confirmed in priorities.values_list("participant_id", "sector", "sector_confirmed"):
        choice, _prioritised = live.get((participant, sector, confirmed), ("", False))
        live[(participant, sector, confirmed)] = (choice, True)
    return live


def _published_positions(recommendation_id, *filters, **lookups):
    rows = PublishedPosition.objects.filter(*filters, recommendation_id=recommendation_id, **lookups)
    return {
        (participant, sector, confirmed): (choice, prioritised)
        for participant, sector, confirmed, choice, prioritised in rows.values_list(
            "participant_id", "sector", "confirmed", "choice", "prioritised"
        )
    }


def _publish_recommendation(recommendation_id, minimum, participants=None):
    cells = None
    if participants is not None:
        # Only the cells where one of these participants now differs from what is published can
        # have reached the step: nobody else's position changed since the last comparison.
        cells = _participant_cells(
            _live_positions(recommendation_id, participant_id__in=participants),
            _published_positions(recommendation_id, participant_id__in=participants),
        )
        if not cells:
            return False
    live = _live_positions(recommendation_id, _cells_filter(cells, "sector", "sector_confirmed"))
    published = _published_positions(recommendation_id, _cells_filter(cells, "sector", "confirmed"))
    stepped = False
    for cell, keys in _changed_by_cell(live, published).items():
        if len(keys) < minimum:
            continue
        stepped = True
        sector, confirmed = cell
        people = [key[0] for key in keys]
        PublishedPosition.objects.filter(
            recommendation_id=recommendation_id, sector=sector, confirmed=confirmed, participant_id__in=people
        ).delete()
        PublishedPosition.objects.bulk_create(
            PublishedPosition(
                recommendation_id=recommendation_id,
                participant_id=key[0],
                sector=sector,
                confirmed=confirmed,
                choice=live[key][0],
                prioritised=live[key][1],
            )
            for key in keys
            if key in live
        )
    return stepped


def _live_voters(*filters, **lookups):
    return dict.fromkeys(
        Vote.objects.filter(*filters, recommendation__is_published=True, **lookups)
        .order_by()
        .values_list("participant_id", "sector", "sector_confirmed")
        .distinct(),
        True,
    )


def _published_voters(*filters, **lookups):
    return dict.fromkeys(
        PublishedVoter.objects.filter(*filters, **lookups).values_list("participant_id", "sector", "confirmed"), True
    )


def _publish_participation(minimum, participants=None):
    cells = None
    if participants is not None:
        cells = _participant_cells(
            _live_voters(participant_id__in=participants), _published_voters(participant_id__in=participants)
        )
        if not cells:
            return False
    live = _live_voters(_cells_filter(cells, "sector", "sector_confirmed"))
    published = _published_voters(_cells_filter(cells, "sector", "confirmed"))
    stepped = False
    for cell, keys in _changed_by_cell(live, published).items():
        if len(keys) < minimum:
            continue
        stepped = True
        sector, confirmed = cell
        PublishedVoter.objects.filter(
            sector=sector, confirmed=confirmed, participant_id__in=[key[0] for key in keys if key not in live]
        ).delete()
        PublishedVoter.objects.bulk_create(
            [PublishedVoter(participant_id=key[0], sector=sector, confirmed=confirmed) for key in keys if key in live],
            ignore_conflicts=True,
        )
    return stepped


# A comparison of every cell runs at least this often (seconds) while people vote, whatever ``participants`` says.
FULL_CHECK_INTERVAL = 60


def publish(*, recommendation_ids, participants=None, minimum=None, bump=True):
    """Bring the published cells of these recommendations (and participation) up to date where allowed.

    Guarantees: a cell changes only all at once and only when at least
    ``minimum`` (``RESULTS_MIN_SECTOR_VOTERS``) people in it differ from what
    was published; otherwise nothing of it changes. Safe to run twice and in
    any order: it compares states, not events. Concurrent runs for the same
    recommendation are serialised by locking its row.

    ``participants``: the ids of the only people whose votes and priorities
    changed since the last call (a vote, a priority, a withdrawal). Then only
    the cells in which one of them now differs from what is published are
    compared: the count of differing people in any other cell is what the last
    comparison left below the step (every write through the services calls
    this). The cost is then an index lookup per person instead of reading every
    vote. Changes made around the services (a vote deleted in the admin, a
    recommendation taken offline) are caught by the comparison of every cell,
    which runs without ``participants`` and at least every
    ``FULL_CHECK_INTERVAL`` seconds with them.

    Returns the page cache's scopes that a step moved (``results`` and each
    stepped topic's ``results:<slug>``; empty when nothing stepped), and
    moves them on unless ``bump`` is False (the caller bumps them once for
    many publications, as ``publish_pending`` does). Pages without figures
    (``content`` only) are left alone: votes do not empty the page cache.
    """
    minimum = settings.RESULTS_MIN_SECTOR_VOTERS if minimum is None else minimum
    minimum = max(minimum, 1)
    ids = sorted(set(recommendation_ids))
    if participants is not None:
        participants = sorted(set(participants))
        full = [i for i in ids if cache.add(f"publish:full:{i}", True, FULL_CHECK_INTERVAL)]
        full_participation = cache.add("publish:full:participation", True, FULL_CHECK_INTERVAL)
    else:
        full, full_participation = ids, True
    with transaction.atomic():
        # Lock in id order so two writers on overlapping sets cannot deadlock.
        # FOR NO KEY UPDATE: it serialises publications, but a vote or priority (whose foreign key
        # takes FOR KEY SHARE on the recommendation) does not wait for one, even for the full comparison.
        list(Recommendation.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
        stepped = [
            i for i in ids if _publish_recommendation(i, minimum, participants=None if i in full else participants)
        ]
        participation = _publish_participation(minimum, participants=None if full_participation else participants)
        scopes = set()
        if stepped or participation:
            # The results pages show every figure (participation included); a topic's own pages only its own.
            scopes = {pagecache.RESULTS}
            if stepped:
                slugs = Recommendation.objects.filter(pk__in=stepped).values_list("topic__slug", flat=True)
                scopes |= {pagecache.results_scope(slug) for slug in slugs.distinct()}
            if bump:
                pagecache.bump(*sorted(scopes))
    return scopes


def publish_all(*, minimum=None):
    """``publish`` for every recommendation (the beat task and after an account was erased)."""
    publish(recommendation_ids=list(Recommendation.objects.values_list("pk", flat=True)), minimum=minimum)


# --- Publication after the request -------------------------------------------------------
#
# A vote or priority does not wait for the comparison: the service notes who changed what
# (``publish_later``) and the worker publishes every few seconds (``publish_pending``, a beat
# task), with ``publish_all`` every minute as the full comparison. Results only ever show
# published cells, so nobody sees a difference except that a step can come a few seconds later.

PENDING_KEY = "nmp:publish:pending"
# Members are taken from the set in batches of this many (SPOP is atomic: no change is taken twice).
PENDING_BATCH = 5000
# After a Redis error the pending set is not tried again for this many seconds (one timeout per
# process per interval, as the cache does); the full comparison catches the changes up.
RETRY_AFTER = 5.0
_clients = {}
_down_until = 0.0


def _publishes_in_request():
    """Without a broker (the embedded default, tests) tasks run in-process: then publish at once, as before."""
    return bool(current_app.conf.task_always_eager) or not settings.REDIS_URL


def _pending_client():
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
    return client


def _note_pending(members):
    global _down_until
    if time.monotonic() < _down_until:
        logger.warning("Results publication not noted, Redis was unreachable moments ago; the full comparison follows")
        return
    try:
        _pending_client().sadd(PENDING_KEY, *members)
    except (redis.RedisError, OSError) as error:
        _down_until = time.monotonic() + RETRY_AFTER
        logger.error("Results publication not noted (%s); the full comparison catches it up", error)


def publish_later(*, recommendation_ids, participants):
    """``publish(recommendation_ids=..., participants=...)``, but by the worker within seconds.

    Called by the services after a vote, a priority or a withdrawal. After
    the transaction commits, (recommendation, participant) pairs go into a set
    in Redis; ``publish_pending`` takes them out and publishes. The request
    never fails for this: when Redis cannot be reached the change is saved all
    the same and the comparison of every cell (``publish_all``, every minute)
    publishes it. Without a broker (the embedded default and the tests) tasks
    run in-process, so this publishes at once.
    """
    if _publishes_in_request():
        publish(recommendation_ids=recommendation_ids, participants=participants)
        return
    members = [f"{r}:{p}" for r in set(recommendation_ids) for p in set(participants)]
    if members:
        transaction.on_commit(lambda: _note_pending(members))


def publish_pending():
    """Publish what ``publish_later`` noted (the beat task, every few seconds); the number of changes taken.

    Each recommendation is published with the people noted on it (one short
    transaction each, an index lookup per person). If publishing fails, what
    was not yet published is put back for the next run.
    """
    client = _pending_client()
    taken = 0
    moved = set()
    try:
        while True:
            members = client.spop(PENDING_KEY, PENDING_BATCH)
            if not members:
                return taken
            changed = defaultdict(set)
            for member in members:
                recommendation_id, participant_id = (int(part) for part in member.split(b":"))
                changed[recommendation_id].add(participant_id)
            for recommendation_id in sorted(changed):
                try:
                    moved |= publish(
                        recommendation_ids=[recommendation_id], participants=changed[recommendation_id], bump=False
                    )
                except Exception:
                    client.sadd(
                        PENDING_KEY, *[f"{r}:{p}" for r in changed if r >= recommendation_id for p in changed[r]]
                    )
                    raise
            taken += len(members)
            if len(members) < PENDING_BATCH:
                return taken
    finally:
        # Once for the whole run, after every publication in it has committed (also when one failed:
        # what did step is shown), not once or twice per recommendation.
        if moved:
            pagecache.bump_now(*sorted(moved))
