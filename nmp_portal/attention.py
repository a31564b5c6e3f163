"""What needs a moderator's attention, for the admin's start page: a fixed number of queries, cached.

Everything on the page but "since your last visit" is the same for every moderator, so it is kept in the
cache under generation numbers (``topics.pagecache``) that the services move on when it changes:

- open reports and proposals per topic, and the topics: ``content`` (every moderation decision passes
  through ``moderation.audit_record``, which bumps it; so do topic edits and erasures) and ``queues``
  (a new report or proposal, ``feedback.services.QUEUES``);
- the oldest open reports, which quote their comment: the same, and ``discussions`` (a comment edited or
  deleted by its author);
- the comments since a moderator's last visit: ``discussions`` (every comment service), per "since".

``PAGE_TTL`` bounds what no service announces (rows changed outside the services). With the cache
down every part is computed from the database each time, as before.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from feedback.models import Comment, Proposal, Report
from feedback.services import QUEUES
from topics import pagecache
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
    # With ``cached``: what the rendered block depends on (the parts' keys), and how long it may be kept:
    # the topics opening or closing "this week" move on with the clock.
    cache_key: str = ""
    cache_ttl: int = 0


def _counts(queryset, topic_field):
    return dict(queryset.values_list(topic_field).annotate(n=Count("pk")).order_by().values_list(topic_field, "n"))


def _queues():
    """Open reports and proposals waiting, per topic, and every topic (a few dozen at most)."""
    return {
        "reports": _counts(Report.objects.filter(resolved_at__isnull=True), "comment__topic"),
        "proposals": _counts(Proposal.objects.filter(status=Proposal.Status.PENDING), "topic"),
        "topics": list(Topic.objects.all()),
    }


def _oldest_reports(oldest):
    return list(
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("comment__topic", "reporter")
        .order_by("created_at", "pk")[:oldest]
    )


def _new_comments(since):
    return _counts(Comment.objects.filter(created_at__gt=since, is_deleted=False), "topic")


def _since_key(since):
    return since.isoformat() if since else "week"


def attention(*, since=None, now=None, oldest=5, cached=False) -> Attention:
    """Open reports (oldest first), proposals waiting, comments since ``since``, per topic; and the
    topics that open or close in the coming seven days.

    ``since`` None (a first visit) counts the comments of the last seven days. With ``cached`` the
    parts are taken from the cache while no service changed them (see the module's docstring).
    """
    now = now or timezone.now()
    since_or_week = since or now - timedelta(days=7)
    parts = {
        "queues": (_queues, (pagecache.CONTENT, QUEUES)),
        "oldest": (lambda: _oldest_reports(oldest), (pagecache.CONTENT, QUEUES, pagecache.DISCUSSIONS)),
        f"comments:{_since_key(since)}": (lambda: _new_comments(since_or_week), (pagecache.DISCUSSIONS,)),
    }
    found, cache_key = {}, ""
    if cached:
        scopes = (pagecache.CONTENT, QUEUES, pagecache.DISCUSSIONS)
        current = dict(zip(scopes, pagecache.generations(*scopes), strict=True))
        keys = {
            name: f"attention:{name}:{oldest}:" + ".".join(str(current[s]) for s in part_scopes)
            for name, (_compute, part_scopes) in parts.items()
        }
        hits = cache.get_many(keys.values())
        found = {name: hits[key] for name, key in keys.items() if key in hits}
        missing = {keys[name]: compute() for name, (compute, _scopes) in parts.items() if name not in found}
        if missing:
            cache.set_many(missing, pagecache.PAGE_TTL)
        found.update({name: missing[keys[name]] for name in parts if name not in found})
        cache_key = "|".join(sorted(keys.values()))
    else:
        found = {name: compute() for name, (compute, _scopes) in parts.items()}
    queues, comments_by_topic = found["queues"], found[f"comments:{_since_key(since)}"]
    reports_by_topic, proposals_by_topic = queues["reports"], queues["proposals"]
    topics = queues["topics"]
    week = now + timedelta(days=7)
    # The block changes when a topic enters or leaves the coming week (or opens or closes).
    moments = [
        m
        for t in topics
        for m in (
            t.opens_at,
            t.closes_at,
            t.opens_at and t.opens_at - timedelta(days=7),
            t.closes_at and t.closes_at - timedelta(days=7),
        )
        if m and m > now
    ]
    ttl = min([pagecache.PAGE_TTL, *(int((m - now).total_seconds()) for m in moments)])
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
        oldest_reports=found["oldest"],
        proposals_waiting=sum(proposals_by_topic.values()),
        new_comments=sum(comments_by_topic.values()),
        per_topic=[row for row in per_topic if row.any],
        opening=sorted((t for t in topics if t.opens_at and now < t.opens_at <= week), key=lambda t: t.opens_at),
        closing=sorted((t for t in topics if t.closes_at and now < t.closes_at <= week), key=lambda t: t.closes_at),
        cache_key=cache_key if ttl > 0 else "",
        cache_ttl=ttl,
    )
