"""Reads of participants' input, each in a fixed number of queries."""

import copy
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.utils.translation import ngettext

from participants.rules import STANDING_ROLES, remember_standing, standing_annotations
from topics import pagecache
from topics.models import Recommendation, Source, TextRevision

from .models import Comment, Priority, Proposal, TopicFollow, Vote
from .results.selectors import can_see_results, published_totals, results_visibility

# --- Topic and recommendation pages ------------------------------------------------

COMMENTS_PER_PAGE = 20
ORDERS = ("newest", "oldest")


def _count(queryset):
    """A correlated COUNT(*) subquery, one per recommendation row.

    A plain aggregate without GROUP BY: PostgreSQL answers it from the index on
    the correlated column. The grouped form (``.values().annotate(Count)``) made
    it read the whole comment table for every recommendation (16 ms at national size).
    """
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")
    )


def recommendations_with_counts(*, topic, user, pk=None):
    """Published recommendations of ``topic`` with their compact results in one query.

    Each row carries the number of visible comments and the user's own
    position (``my_choice``) and priority (``my_priority``), computed in SQL as
    correlated subqueries, so the cost does not grow with the number of voters
    or comments. The vote counts come from the published results
    (``topic_participation``), never from the live votes.
    """
    queryset = (
        Recommendation.objects.filter(topic=topic, is_published=True)
        .select_related("proposed_by", "official_response")
        .annotate(
            comment_count=_count(
                Comment.objects.filter(recommendation=OuterRef("pk"), is_deleted=False, is_hidden=False)
            ),
            **text_correction_annotations("recommendation"),
        )
        .order_by("position")
    )
    if user is not None and user.is_authenticated:
        queryset = queryset.annotate(
            my_choice=Subquery(
                Vote.objects.filter(recommendation=OuterRef("pk"), participant=user).values("choice")[:1]
            ),
            my_priority=Exists(Priority.objects.filter(recommendation=OuterRef("pk"), participant=user)),
        )
    else:
        queryset = queryset.annotate(
            my_choice=Value(None, output_field=CharField()), my_priority=Value(False, output_field=BooleanField())
        )
    if pk is not None:
        queryset = queryset.filter(pk=pk)
    return queryset


def text_correction_annotations(field):
    """Annotations for an item's moderator corrections, in the item's own query (no extra query).

    ``corrected_at``: when the text was last corrected (None when never);
    ``original_text``: the text before the first correction; ``correction_reason``: the last reason.
    """
    revisions = TextRevision.objects.filter(**{field: OuterRef("pk")})
    return {
        "corrected_at": Subquery(revisions.order_by("-changed_at", "-pk").values("changed_at")[:1]),
        "original_text": Subquery(revisions.order_by("changed_at", "pk").values("old_text")[:1]),
        "correction_reason": Subquery(revisions.order_by("-changed_at", "-pk").values("reason")[:1]),
    }


def comment_threads(*, topic, recommendation=None, order="newest"):
    """Top-level comments of one discussion with their replies: featured first, then by date.

    ``recommendation=None`` is the topic's general discussion. A deleted comment
    stays only when it has visible replies (as a placeholder); hidden ones stay
    as a placeholder with the moderator's reason. Two queries per page (threads,
    replies) plus the paginator's count.
    """
    # Threads with a visible reply, looked up among this discussion's replies only (the
    # topic index); a correlated EXISTS per thread made PostgreSQL hash every comment.
    with_visible_replies = Comment.objects.filter(
        topic=topic, recommendation=recommendation, parent__isnull=False, is_deleted=False
    ).values("parent_id")
    date_order = "created_at" if order == "oldest" else "-created_at"
    return (
        Comment.objects.filter(topic=topic, recommendation=recommendation, parent__isnull=True)
        .filter(Q(is_deleted=False) | Q(pk__in=with_visible_replies))
        .select_related("author", "topic", "official_response")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.filter(is_deleted=False)
                .select_related("author", "topic", "official_response")
                .order_by("created_at", "pk"),
            )
        )
        .order_by("-is_featured", date_order, "pk")
    )


def comment_page(*, topic, recommendation=None, order="newest", page=1):
    order = order if order in ORDERS else "newest"
    paginator = Paginator(comment_threads(topic=topic, recommendation=recommendation, order=order), COMMENTS_PER_PAGE)
    return paginator.get_page(page), order


@dataclass
class TopicPage:
    recommendations: list
    visibility: object
    priorities_used: int

    max_priorities = Priority.MAX_PER_TOPIC

    @property
    def workshop_recommendations(self):
        """The workshop's own list ("We recommend…"): never a participant's proposal."""
        return [r for r in self.recommendations if r.source == Source.WORKSHOP]

    @property
    def proposed_recommendations(self):
        """Approved proposals, shown apart under "Proposed by participants"."""
        return [r for r in self.recommendations if r.source == Source.PARTICIPANT]

    @property
    def priorities_left(self):
        return max(0, Priority.MAX_PER_TOPIC - self.priorities_used)

    @property
    def priority_status(self):
        return ngettext(
            "You have chosen %(used)s of %(max)s priorities.",
            "You have chosen %(used)s of %(max)s priorities.",
            self.priorities_used,
        ) % {"used": self.priorities_used, "max": Priority.MAX_PER_TOPIC}


def compact_results(totals, pk):
    """The compact results of recommendation ``pk`` shown on the topic page, from ``published_totals``.

    The split follows the results' small-number rule: with a handful of voters
    it would let the next voter work out how the first ones voted. The number
    of voters may show.
    """
    counts = totals.get(pk, {})
    agree, neutral, disagree = counts.get("agree", 0), counts.get("neutral", 0), counts.get("disagree", 0)
    minimum = settings.RESULTS_MIN_TOTAL_VOTERS
    return {
        "agree_count": agree,
        "neutral_count": neutral,
        "disagree_count": disagree,
        "priority_count": counts.get("priority", 0),
        "voter_count": agree + neutral + disagree,
        "split_shown": agree + neutral + disagree >= minimum,
        "split_minimum": minimum,
    }


def _show_results(recommendation, *, topic, visibility, totals):
    """Put on ``recommendation`` the compact results its block shows (no query)."""
    recommendation.topic = topic  # the permission checks ask for it; no query per row
    recommendation.can_see_results = can_see_results(visibility, recommendation.pk)
    for name, value in compact_results(totals, recommendation.pk).items():
        setattr(recommendation, name, value)


def topic_participation(*, topic, user, pk=None):
    """Everything the topic page shows about participation, in a fixed number of queries.

    One query for the recommendations with counts and the user's own input,
    at most one for the results visibility (the user's role). The templates ask each permission
    on its object (``{% has_perm %}``); the account part costs one query, once.
    """
    recommendations = list(recommendations_with_counts(topic=topic, user=user, pk=pk))
    # The user's positions on these recommendations came with them (``my_choice``): no second read.
    voted = {topic.pk: {r.pk for r in recommendations if r.my_choice is not None}}
    visibility = results_visibility(user=user, topics=[topic], voted=voted)[topic.pk]
    # The compact counts are the published totals (results.publication): live
    # counts would show each new vote at once, which the results never do.
    totals = published_totals(topic=topic) if visibility else {}
    for recommendation in recommendations:
        _show_results(recommendation, topic=topic, visibility=visibility, totals=totals)
    if pk is None:
        used = sum(1 for r in recommendations if r.my_priority)
    else:
        used = (
            Priority.objects.filter(participant=user, topic=topic).count()
            if user is not None and user.is_authenticated
            else 0
        )
    return TopicPage(recommendations=recommendations, visibility=visibility, priorities_used=used)


# --- A vote or priority: the recommendation acted on and the answer ---------------------------


def published_recommendation(*, pk):
    """The published recommendation ``pk`` with its topic; raises ``Recommendation.DoesNotExist``.

    From the cache under the ``content`` generation, which every change of a
    recommendation or a topic's dates moves on (``pagecache.bump``). The phase
    is not cached: ``Topic.phase`` computes it from the dates on each call, so a
    topic that opens or closes is honoured at that moment.
    """
    current = pagecache.current_generations(pagecache.CONTENT)  # None while the cache is down: read afresh
    recommendation = pagecache.kept(
        f"recommendation:{current[0]}:{pk}" if current else None,
        lambda: Recommendation.objects.select_related("topic").filter(pk=pk, is_published=True).first(),
    )
    if recommendation is None:
        raise Recommendation.DoesNotExist
    # Copies: the caller sets the reader's position and results on them; the kept ones stay as read.
    recommendation = copy.copy(recommendation)
    recommendation.topic = copy.copy(recommendation.topic)
    return recommendation


@dataclass(frozen=True)
class Standing:
    """A participant's priorities in one topic, read with the account's answers (see ``participant_standing``)."""

    priorities_used: int
    prioritised: bool


# Stand-ins for the values of one request in the compiled query of ``participant_standing``.
_USER, _TOPIC, _RECOMMENDATION = -9_000_001, -9_000_002, -9_000_003


@functools.cache
def _standing_sql(alias):
    """The SQL and parameters of ``participant_standing``'s query, compiled once per process and database.

    The query runs on every vote; compiling it (five correlated subqueries) cost
    the ORM 2.5 ms of CPU, running it 0.1 ms. It is the ORM's own SQL, with
    stand-ins where each request puts its values.
    """
    mine = Priority.objects.filter(participant=OuterRef("pk"))
    queryset = (
        get_user_model()
        .objects.using(alias)
        .filter(pk=_USER)
        .order_by()
        .annotate(
            **standing_annotations(),
            priorities_used=_count(mine.filter(topic_id=_TOPIC)),
            prioritised=Exists(mine.filter(recommendation_id=_RECOMMENDATION)),
        )
        .values_list(
            "standing_verified",
            *[f"standing_{n}" for n in range(len(STANDING_ROLES))],
            "priorities_used",
            "prioritised",
        )
    )
    return queryset.query.get_compiler(alias).as_sql()


def forget_compiled_standing():
    """Compile ``participant_standing``'s query again when next asked: it holds the roles' permission ids."""
    _standing_sql.cache_clear()


def participant_standing(*, user, recommendation):
    """The user's priorities in ``recommendation``'s topic; None for an anonymous visitor.

    One query, which also answers the account questions of the permissions
    (verified e-mail, staff roles: ``participants.rules.remember_standing``),
    so asking ``feedback.vote`` afterwards costs no query.
    """
    if user is None or not user.is_authenticated:
        return None
    alias = router.db_for_read(Priority)
    sql, stand_ins = _standing_sql(alias)
    values = {_USER: user.pk, _TOPIC: recommendation.topic_id, _RECOMMENDATION: recommendation.pk}
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) if isinstance(p, int) else p for p in stand_ins])
        verified, *held, used, prioritised = cursor.fetchone()
    roles = [role.key for role, h in zip(STANDING_ROLES, held, strict=True) if h]
    remember_standing(user, verified=verified, roles=roles)
    return Standing(priorities_used=used or 0, prioritised=bool(prioritised))


def recommendation_actions(*, recommendation, user, choice, standing):
    """The ``TopicPage`` for one recommendation's block right after ``user`` set their position to ``choice``.

    What ``topic_participation(pk=...)`` gives, from what the request already
    knows (the position just cast, the ``standing``) and the cached published
    totals: no query.
    """
    topic = recommendation.topic
    recommendation.my_choice = choice
    recommendation.my_priority = standing.prioritised
    voted = {topic.pk: {recommendation.pk} if choice else set()}
    visibility = results_visibility(user=user, topics=[topic], voted=voted)[topic.pk]
    # Read after the vote: with tasks run eagerly (the embedded default) the vote itself may have published.
    totals = published_totals(topic=topic) if visibility else {}
    _show_results(recommendation, topic=topic, visibility=visibility, totals=totals)
    return TopicPage(recommendations=[recommendation], visibility=visibility, priorities_used=standing.priorities_used)


def my_contributions(*, user):
    """A participant's own votes, priorities, comments and proposals (four queries)."""
    return {
        "votes": list(
            Vote.objects.filter(participant=user)
            .select_related("recommendation__topic")
            .order_by("recommendation__topic__number", "recommendation__position")
        ),
        "priorities": list(
            Priority.objects.filter(participant=user)
            .select_related("recommendation__topic")
            .order_by("recommendation__topic__number", "recommendation__position")
        ),
        "comments": list(
            Comment.objects.filter(author=user, is_deleted=False)
            .select_related("topic", "recommendation")
            .order_by("-created_at")
        ),
        "proposals": list(Proposal.objects.filter(author=user).select_related("topic").order_by("-created_at")),
    }


# --- Progress and following --------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How many of a topic's (or all topics') published recommendations a participant gave a position on."""

    done: int
    total: int

    @property
    def complete(self):
        return self.total > 0 and self.done >= self.total

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0


def progress_by_topic(*, user, topics):
    """{topic id: Progress} for ``topics`` (annotated by ``Topic.objects.with_counts``), and the overall Progress.

    One query for the user's positions per topic, none for an anonymous visitor
    (who gets None). Only the user's own votes are counted.
    """
    if user is None or not user.is_authenticated:
        return None, None
    done = dict(
        Vote.objects.filter(participant=user, recommendation__is_published=True)
        .order_by()
        .values("recommendation__topic_id")
        .annotate(n=Count("pk"))
        .values_list("recommendation__topic_id", "n")
    )
    per_topic = {t.pk: Progress(done=done.get(t.pk, 0), total=t.recommendation_count) for t in topics}
    overall = Progress(done=sum(p.done for p in per_topic.values()), total=sum(p.total for p in per_topic.values()))
    return per_topic, overall


def topic_progress(participation):
    """The Progress on one topic from its ``topic_participation`` (no query)."""
    recommendations = participation.recommendations
    return Progress(done=sum(1 for r in recommendations if r.my_choice), total=len(recommendations))


def follows_of(*, user):
    """The topics ``user`` follows, in workshop order (one query)."""
    return list(TopicFollow.objects.filter(participant=user).select_related("topic"))


def is_following(*, user, topic):
    if user is None or not user.is_authenticated:
        return False
    return TopicFollow.objects.filter(participant=user, topic=topic).exists()
