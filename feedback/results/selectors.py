"""Results per stakeholder sector: THE one selector behind every figure, and who may see them.

The results pages, the open-data API, the CSV downloads, the briefing (printable
page and XLSX workbook) and the compact results on the topic pages all go
through ``results_visibility`` here, and every figure comes from
``topic_results`` / ``overview_results``, so they cannot disagree.

Figures are read from the published cells (``publication.py``), never from the
live votes, so they change only in steps that cover enough people. Each cell
is (recommendation, the sector recorded when the vote was cast, confirmed by
the organisers or not). Aggregation happens in SQL: one GROUP BY over the
published positions for a whole topic or for all topics at once. The number of
queries does not depend on the number of votes. The formulas themselves are
in ``statistics.py``.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from participants.sectors import Sector
from topics import pagecache
from topics.models import Phase, Recommendation, Topic

from ..models import PublishedPosition, PublishedVoter, Vote
from .rules import sees_all_results
from .statistics import (
    OverviewResults,
    RecommendationResult,
    Sort,
    Thresholds,
    TopicResults,
    counted_cells,
    participation,
    rank,
    recommendation_results,
)

ALL = "all"


def thresholds():
    return Thresholds(
        min_sector_voters=settings.RESULTS_MIN_SECTOR_VOTERS,
        min_total_voters=settings.RESULTS_MIN_TOTAL_VOTERS,
        min_sectors=settings.RESULTS_MIN_SECTORS,
        majority=settings.RESULTS_MAJORITY,
    )


# --- Who sees what -----------------------------------------------------------------------


def results_visibility(*, user, topics, voted=None):
    """Which recommendations' results ``user`` may see, per topic: {topic id: ALL or a set of ids}.

    ``ALL`` once the topic has closed, and always for moderators and organisers;
    otherwise the set of recommendation ids the user has given a position on
    (results stay hidden until you voted, to avoid herd effects; anonymous
    visitors see none). One query for the roles and one for the user's votes,
    each only when a topic still needs it. ``voted`` ({topic id: ids of the
    recommendations the user gave a position on}, for a caller that has just
    read them) spares the second query; it must cover every recommendation
    whose visibility the caller asks about.
    """
    visibility = {}
    undecided = []
    for topic in topics:
        if topic.phase == Phase.CLOSED:
            visibility[topic.pk] = ALL
        else:
            undecided.append(topic.pk)
    if not undecided:
        return visibility
    if sees_all_results(user):
        return visibility | dict.fromkeys(undecided, ALL)
    if voted is not None:
        if user is None or not user.is_authenticated:
            voted = {}
        return visibility | {topic_id: frozenset(voted.get(topic_id, ())) for topic_id in undecided}
    voted = {}
    if user is not None and user.is_authenticated:
        rows = Vote.objects.filter(participant=user, recommendation__topic_id__in=undecided).values_list(
            "recommendation__topic_id", "recommendation_id"
        )
        for topic_id, recommendation_id in rows:
            voted.setdefault(topic_id, set()).add(recommendation_id)
    return visibility | {topic_id: frozenset(voted.get(topic_id, ())) for topic_id in undecided}


def can_see_results(visibility, recommendation_id):
    """True when ``visibility`` (one topic's value from ``results_visibility``) shows this recommendation."""
    return visibility == ALL or recommendation_id in visibility


# --- Figures -----------------------------------------------------------------------------


def _sectors():
    return list(Sector.choices)


ROW_FIELDS = ("recommendation_id", "sector", "confirmed", "choice", "prioritised", "n")


# The grouped cells change only with a publication step (which bumps the page
# cache's ``results`` generation) or a change of which recommendations are
# published (``content``); both are part of the key. So every reader (logged in or not) gets
# the cells of the last step without reading the published positions again.
# The time limit bounds what no service announces (edits by hand, a lagging replica).
CELLS_TTL = pagecache.PAGE_TTL


def _figures_generation():
    """What the published figures depend on: the content (which recommendations are published) and the
    results (every publication step), as one string for the keys; zeros while the cache does not answer."""
    return ".".join(str(g) for g in pagecache.generations(pagecache.CONTENT, pagecache.RESULTS))


def _cells_key(generation, topic_id):
    return f"results:cells:{generation}:{topic_id}"


def _cached_rows(topic_ids):
    """The published cells of these topics' published recommendations, grouped: one dict per
    (recommendation, sector, confirmed, choice, prioritised) with its number ``n``.

    Each topic's rows come from the cache when it holds the current ones.

    One cache round trip for the generation and one for the rows; one query
    for the topics not in the cache (none most of the time).
    """
    generation = _figures_generation()
    keys = {topic_id: _cells_key(generation, topic_id) for topic_id in topic_ids}
    found = cache.get_many(keys.values())
    missing = [topic_id for topic_id, key in keys.items() if key not in found]
    if missing:
        fresh = {topic_id: [] for topic_id in missing}
        query = (
            PublishedPosition.objects.filter(recommendation__is_published=True, recommendation__topic_id__in=missing)
            .order_by()
            .values_list("recommendation__topic_id", *ROW_FIELDS[:-1])
            .annotate(n=Count("id"))
        )
        for topic_id, *row in query:
            fresh[topic_id].append(tuple(row))
        cache.set_many({keys[topic_id]: rows for topic_id, rows in fresh.items()}, CELLS_TTL)
        found |= {keys[topic_id]: rows for topic_id, rows in fresh.items()}
    return [dict(zip(ROW_FIELDS, row, strict=True)) for key in keys.values() for row in found[key]]


def _voters_per_cell():
    """{(sector, confirmed): n} of the published voters; from the cache like the cells (``_cached_rows``)."""
    key = f"results:voters:{_figures_generation()}"
    counts = cache.get(key)
    if counts is None:
        counts = {
            (row["sector"], row["confirmed"]): row["n"]
            for row in PublishedVoter.objects.order_by().values("sector", "confirmed").annotate(n=Count("id"))
        }
        cache.set(key, counts, CELLS_TTL)
    return counts


FIGURES = ("total", "sectors", "consensus", "score", "divisiveness", "support")


def _results(recommendations, *, visible, confirmed_only):
    """``statistics.recommendation_results`` for these recommendations (each topic's published ones, all of
    them), with each topic's figures from the cache when it holds the current ones.

    The figures of a recommendation depend only on its own cells, so they are
    computed for every reader alike and kept per topic under the ``content`` and
    ``results`` generations (like ``_cached_rows``); who sees them is decided per reader
    afterwards, by ``visible``: a result the reader may not see carries no figures.
    """
    by_topic = {}
    for rec in recommendations:
        by_topic.setdefault(rec.topic_id, []).append(rec)
    wanted = [topic_id for topic_id, recs in by_topic.items() if any(visible(rec) for rec in recs)]
    generation = _figures_generation()
    limits = thresholds()
    # The thresholds are settings: part of the key, so a changed setting never meets old figures.
    variant = f"{limits.min_sector_voters}-{limits.min_total_voters}-{limits.min_sectors}-{limits.majority}"
    keys = {topic_id: f"results:figures:{generation}:{variant}:{int(confirmed_only)}:{topic_id}" for topic_id in wanted}
    found = cache.get_many(keys.values()) if keys else {}
    figures = {}
    missing = []
    for topic_id, key in keys.items():
        cached = found.get(key)
        # A recommendation the cached figures do not know (added outside the services): compute afresh.
        if cached is None or any(rec.pk not in cached for rec in by_topic[topic_id]):
            missing.append(topic_id)
        else:
            figures |= cached
    if missing:
        computed = recommendation_results(
            [rec for topic_id in missing for rec in by_topic[topic_id]],
            rows=_cached_rows(missing),
            visible=lambda rec: True,
            sectors=_sectors(),
            thresholds=limits,
            confirmed_only=confirmed_only,
        )
        fresh = {topic_id: {} for topic_id in missing}
        for result in computed:
            fresh[result.recommendation.topic_id][result.id] = {name: getattr(result, name) for name in FIGURES}
        cache.set_many({keys[topic_id]: values for topic_id, values in fresh.items()}, CELLS_TTL)
        for values in fresh.values():
            figures |= values
    return [
        RecommendationResult(recommendation=rec, visible=True, **figures[rec.pk])
        if visible(rec)
        else RecommendationResult(recommendation=rec, visible=False)
        for rec in recommendations
    ]


def published_totals(*, topic):
    """{recommendation id: {"agree", "neutral", "disagree", "priority": n}}: the published totals.

    The same figures as the results' "All participants" row: the sum of the
    cells with enough voters, from the published positions. One GROUP BY over
    the topic's published positions, then kept in the cache under the
    ``content`` and ``results`` generations: the published cells change only in
    a publication step (``publication.publish``), which moves ``results`` on;
    the content changes that publish or withdraw a recommendation move
    ``content`` on. The cache's time
    limit (``pagecache.PAGE_TTL``) bounds what no service announces (rows
    deleted by hand), as for the cached pages.
    """
    minimum = thresholds().min_sector_voters
    # None while the cache is down: read afresh.
    current = pagecache.current_generations(pagecache.CONTENT, pagecache.RESULTS)
    key = f"published-totals:{topic.pk}:{minimum}:{current[0]}.{current[1]}" if current else None
    return pagecache.kept(key, lambda: _published_totals(topic, minimum))


def _published_totals(topic, minimum):
    cells = counted_cells(_cached_rows([topic.pk]), minimum=minimum, confirmed_only=False)
    totals = {}
    for rec_id, sectors in cells.items():
        total = totals.setdefault(rec_id, {})
        for counts in sectors.values():
            for key, n in counts.items():
                total[key] = total.get(key, 0) + n
    return totals


def topic_results(*, topic, user=None, visibility=None, sort=Sort.DEFAULT, confirmed_only=False):
    """Every figure of one topic's published recommendations, ranked by ``sort``.

    Visibility follows ``results_visibility``: pass the reader as ``user``, or
    ``visibility=ALL`` for the briefing. Results the reader may not see yet carry
    no figures at all. ``confirmed_only`` counts only sectors confirmed by the
    organisers. Three queries at most (visibility, recommendations, published
    positions), whatever the number of votes.
    """
    if visibility is None:
        visibility = results_visibility(user=user, topics=[topic])[topic.pk]
    recommendations = list(
        Recommendation.objects.filter(topic=topic, is_published=True).select_related("topic").order_by("position")
    )
    results = _results(
        recommendations, visible=lambda rec: can_see_results(visibility, rec.pk), confirmed_only=confirmed_only
    )
    sort = Sort.clean(sort)
    return TopicResults(topic=topic, sort=sort, recommendations=rank(results, sort=sort))


def overview_results(*, user=None, sort=Sort.DEFAULT, confirmed_only=False):
    """All ten topics' results plus participation per sector, in a fixed number of queries.

    Pass the reader as ``user`` to apply ``results_visibility`` per topic, or
    leave it out for everything (briefing). Participation counts distinct
    participants who gave a position on any recommendation, per sector (below
    the minimum: no number).
    """
    topics = list(Topic.objects.order_by("ordering", "number"))
    if user is None:
        by_topic = dict.fromkeys((t.pk for t in topics), ALL)
    else:
        by_topic = results_visibility(user=user, topics=topics)
    recommendations = list(
        Recommendation.objects.filter(is_published=True).select_related("topic").order_by("topic_id", "position")
    )
    limits = thresholds()
    results = _results(
        recommendations,
        visible=lambda rec: can_see_results(by_topic.get(rec.topic_id, frozenset()), rec.pk),
        confirmed_only=confirmed_only,
    )
    grouped = {}
    for result in results:
        grouped.setdefault(result.recommendation.topic_id, []).append(result)
    sort = Sort.clean(sort)
    per_topic = [
        (topic, TopicResults(topic=topic, sort=sort, recommendations=rank(grouped.get(topic.pk, []), sort=sort)))
        for topic in topics
    ]
    voters_per_cell = _voters_per_cell()
    groups, total = participation(
        voters_per_cell, sectors=_sectors(), minimum=limits.min_sector_voters, confirmed_only=confirmed_only
    )
    return OverviewResults(topics=per_topic, participation=groups, participants_total=total)
