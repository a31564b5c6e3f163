"""Reads of participants' input, each in a fixed number of queries."""

from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import BooleanField, CharField, Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.utils.translation import ngettext

from topics import pagecache
from topics.models import Recommendation

from .models import Choice, Comment, Priority, Proposal, Vote
from .results.selectors import can_see_results, results_visibility

# --- Topic and recommendation pages ------------------------------------------------

COMMENTS_PER_PAGE = 20
ORDERS = ("newest", "oldest")


TALLY_FIELDS = ("agree_count", "neutral_count", "disagree_count", "priority_count", "comment_count")
_TALLY_FIELD = {Choice.AGREE: "agree_count", Choice.NEUTRAL: "neutral_count", Choice.DISAGREE: "disagree_count",
                "priority": "priority_count", "comment": "comment_count"}  # fmt: skip


def tally_scope(topic_id):
    """The cache scope of a topic's counts; services bump it when a vote, priority or comment changes."""
    return f"tally:{topic_id}"


def _tallies_from_database(topic):
    """Counts per recommendation of ``topic`` in one query: grouped aggregates, not one subquery per row."""
    votes = (
        Vote.objects.filter(recommendation__topic=topic)
        .values_list("recommendation_id", "choice")
        .annotate(n=Count("*"))
        .order_by()
    )
    priorities = (
        Priority.objects.filter(topic=topic)
        .annotate(kind=Value("priority", output_field=CharField()))
        .values_list("recommendation_id", "kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    comments = (
        Comment.objects.filter(topic=topic, recommendation__isnull=False, is_deleted=False, is_hidden=False)
        .annotate(kind=Value("comment", output_field=CharField()))
        .values_list("recommendation_id", "kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    tallies = {}
    for recommendation_id, kind, n in votes.union(priorities, comments, all=True):
        tallies.setdefault(recommendation_id, dict.fromkeys(TALLY_FIELDS, 0))[_TALLY_FIELD[kind]] = n
    return tallies


def recommendation_tallies(*, topic):
    """{recommendation id: {"agree_count": n, ...}} for ``topic``: from the cache, else one query.

    Cached under the topic's tally generation (``tally_scope``), which the
    services move on after every vote, priority and comment change, so a
    count is never older than the last committed change. Reading the votes
    once per change instead of once per page view keeps the topic page's cost
    independent of the number of votes.
    """
    generation = pagecache.generations(tally_scope(topic.pk))[0]
    key = f"tallies:{topic.pk}:{generation}"
    tallies = cache.get(key)
    if tallies is None:
        tallies = _tallies_from_database(topic)
        cache.set(key, tallies, pagecache.TALLY_TTL)
    return tallies


def recommendations_with_counts(*, topic, user, pk=None):
    """Published recommendations of ``topic`` with their compact results: one query plus the tallies.

    Each carries agree/neutral/disagree/priority counts and the number of
    visible comments (``recommendation_tallies``), and the user's own position
    (``my_choice``) and priority (``my_priority``), looked up in SQL by the
    one-per-participant unique indexes.
    """
    queryset = (
        Recommendation.objects.filter(topic=topic, is_published=True).select_related("proposed_by").order_by("position")
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
    recommendations = list(queryset)
    if recommendations:
        tallies = recommendation_tallies(topic=topic)
        empty = dict.fromkeys(TALLY_FIELDS, 0)
        for recommendation in recommendations:
            for name, value in tallies.get(recommendation.pk, empty).items():
                setattr(recommendation, name, value)
    return recommendations


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
        .select_related("author", "topic")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.filter(is_deleted=False)
                .select_related("author", "topic")
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
    def priorities_left(self):
        return max(0, Priority.MAX_PER_TOPIC - self.priorities_used)

    @property
    def priority_status(self):
        return ngettext(
            "You have chosen %(used)s of %(max)s priorities.",
            "You have chosen %(used)s of %(max)s priorities.",
            self.priorities_used,
        ) % {"used": self.priorities_used, "max": Priority.MAX_PER_TOPIC}


def topic_participation(*, topic, user, pk=None):
    """Everything the topic page shows about participation, in a fixed number of queries.

    One query for the recommendations with the user's own input, one for the
    counts when they are not cached, at most one for the results visibility.
    The templates ask each permission on its object (``{% has_perm %}``); the
    account part costs one query, once.
    """
    recommendations = recommendations_with_counts(topic=topic, user=user, pk=pk)
    visibility = results_visibility(user=user, topics=[topic])[topic.pk]
    for recommendation in recommendations:
        recommendation.topic = topic  # the permission checks ask for it; no query per row
        recommendation.can_see_results = can_see_results(visibility, recommendation.pk)
    if pk is None:
        used = sum(1 for r in recommendations if r.my_priority)
    else:
        used = (
            Priority.objects.filter(participant=user, topic=topic).count()
            if user is not None and user.is_authenticated
            else 0
        )
    return TopicPage(recommendations=recommendations, visibility=visibility, priorities_used=used)


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
