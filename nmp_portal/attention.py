"""What needs a moderator's attention, for the admin's start page: a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from feedback.models import Comment, Proposal, Report
from topics.models import Topic


@dataclass
class TopicAttention:
    topic: Topic
    open_reports: int = 0
    proposals_waiting: int = 0
    new_comments: int = 0

    @property
    def any(self):
        return bool(self.open_reports or self.proposals_waiting or self.new_comments)


@dataclass
class Attention:
    since: datetime | None
    open_reports: int
    oldest_reports: list
    proposals_waiting: int
    new_comments: int
    per_topic: list = field(default_factory=list)
    opening: list = field(default_factory=list)
    closing: list = field(default_factory=list)


def _counts(queryset, topic_field):
    return dict(queryset.values_list(topic_field).annotate(n=Count("pk")).values_list(topic_field, "n"))


def attention(*, since=None, now=None, oldest=5) -> Attention:
    """Open reports (oldest first), proposals waiting, comments since ``since``, per topic; and the
    topics that open or close in the coming seven days.

    ``since`` None (a first visit) counts the comments of the last seven days.
    """
    now = now or timezone.now()
    since_or_week = since or now - timedelta(days=7)
    open_reports = Report.objects.filter(resolved_at__isnull=True)
    reports_by_topic = _counts(open_reports, "comment__topic")
    proposals_by_topic = _counts(Proposal.objects.filter(status=Proposal.Status.PENDING), "topic")
    comments_by_topic = _counts(Comment.objects.filter(created_at__gt=since_or_week, is_deleted=False), "topic")
    week = now + timedelta(days=7)
    topics = list(
        Topic.objects.filter(
            Q(pk__in={*reports_by_topic, *proposals_by_topic, *comments_by_topic})
            | Q(opens_at__gt=now, opens_at__lte=week)
            | Q(closes_at__gt=now, closes_at__lte=week)
        )
    )
    per_topic = [
        TopicAttention(
            topic=topic,
            open_reports=reports_by_topic.get(topic.pk, 0),
            proposals_waiting=proposals_by_topic.get(topic.pk, 0),
            new_comments=comments_by_topic.get(topic.pk, 0),
        )
        for topic in topics
    ]
    return Attention(
        since=since,
        open_reports=sum(reports_by_topic.values()),
        oldest_reports=list(
            open_reports.select_related("comment__topic", "reporter").order_by("created_at", "pk")[:oldest]
        ),
        proposals_waiting=sum(proposals_by_topic.values()),
        new_comments=sum(comments_by_topic.values()),
        per_topic=[row for row in per_topic if row.any],
        opening=sorted((t for t in topics if t.opens_at and now < t.opens_at <= week), key=lambda t: t.opens_at),
        closing=sorted((t for t in topics if t.closes_at and now < t.closes_at <= week), key=lambda t: t.closes_at),
    )
