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

from collections import defaultdict

from django.conf import settings
from django.db import transaction

from topics import pagecache
from topics.models import Recommendation

from ..models import Priority, PublishedPosition, PublishedVoter, Vote


def _changed_by_cell(live, published):
    """{cell: [key, ...]} of the keys whose live value differs from the published one; key[1:] is the cell."""
    changed = defaultdict(list)
    for key in live.keys() | published.keys():
        if live.get(key) != published.get(key):
            changed[key[1:]].append(key)
    return changed


def _publish_recommendation(recommendation_id, minimum):
    live = {}  # (participant, sector, confirmed) -> (choice, prioritised)
    for participant, sector, confirmed, choice in Vote.objects.filter(recommendation_id=recommendation_id).values_list(
        "participant_id", "sector", "sector_confirmed", "choice"
    ):
        live[(participant, sector, confirmed)] = (choice, False)
    for participant, sector, confirmed in Priority.objects.filter(recommendation_id=recommendation_id).values_list(
        "participant_id", "sector", "sector_confirmed"
    ):
        choice, _prioritised = live.get((participant, sector, confirmed), ("", False))
        live[(participant, sector, confirmed)] = (choice, True)
    published = {
        (p.participant_id, p.sector, p.confirmed): (p.choice, p.prioritised)
        for p in PublishedPosition.objects.filter(recommendation_id=recommendation_id)
    }
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


def _publish_participation(minimum):
    live = dict.fromkeys(
        Vote.objects.filter(recommendation__is_published=True)
        .order_by()
        .values_list("participant_id", "sector", "sector_confirmed")
        .distinct(),
        True,
    )
    published = dict.fromkeys(PublishedVoter.objects.values_list("participant_id", "sector", "confirmed"), True)
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


def publish(*, recommendation_ids, minimum=None):
    """Bring the published cells of these recommendations (and participation) up to date where allowed.

    Guarantees: a cell changes only all at once and only when at least
    ``minimum`` (``RESULTS_MIN_SECTOR_VOTERS``) people in it differ from what
    was published; otherwise nothing of it changes. Safe to run twice and in
    any order: it compares states, not events. Concurrent runs for the same
    recommendation are serialised by locking its row.
    """
    minimum = settings.RESULTS_MIN_SECTOR_VOTERS if minimum is None else minimum
    minimum = max(minimum, 1)
    with transaction.atomic():
        ids = sorted(set(recommendation_ids))
        # Lock in id order so two writers on overlapping sets cannot deadlock.
        list(Recommendation.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        stepped = [_publish_recommendation(recommendation_id, minimum) for recommendation_id in ids]
        stepped.append(_publish_participation(minimum))
        if any(stepped):
            # Published figures appear on every cached anonymous page that shows results
            # (topic pages, overviews): a step makes them all stale.
            pagecache.bump(pagecache.CONTENT)


def publish_all(*, minimum=None):
    """``publish`` for every recommendation (the beat task and after an account was erased)."""
    publish(recommendation_ids=list(Recommendation.objects.values_list("pk", flat=True)), minimum=minimum)
