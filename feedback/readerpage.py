"""The logged-in topic page from one shared copy per kind of reader (``topics.pagecache.reader_page_cache``).

What differs per reader on a topic page is small: their positions and
priorities (with the results they unlock), their progress, whether they
follow the topic and (filled by ``invitations``) their invitation to the next meeting. Those parts are
marked ``{% reader_slot %}`` in the templates and filled in here; the rest of
the page depends only on the reader's *kind*, which is everything the
permission rules read about a user (``participants.rules``: active, deleted,
blocked, a confirmed address, staff, the role permissions) plus the topic's
phase. Comments carry edit and delete links for their author only, so each
comment is a slot too, kept in two versions: the one its author sees (edit,
delete) and the one every other reader of that kind sees (report). A blocked
reader (the notice quotes their reason) and a reader with a message waiting
get the page rendered in full.

All of this reader's facts come from one query (``reader_facts``), which also
answers the permission rules' questions for the rest of the request.
"""

import functools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language

from topics.models import Recommendation, Topic
from topics.pagecache import reader_meta

from .dates import dated
from .memory import WorkerMemory
from .models import Priority, TopicFollow, Vote
from .results.selectors import can_see_results, published_totals, results_visibility
from .selectors import Progress, TopicPage, compact_results

_CSRF = "__csrf_token__"  # topics.pagecache puts the request's token in its place


@dataclass
class ReaderFacts:
    verified: bool = False
    permissions: set = field(default_factory=set)
    choices: dict = field(default_factory=dict)  # recommendation id -> choice
    priorities: set = field(default_factory=set)  # recommendation ids
    following: bool = False
    emails: list = field(default_factory=list)  # confirmed addresses


@functools.cache
def _facts_sql():
    from allauth.account.models import EmailAddress
    from django.contrib.contenttypes.models import ContentType

    def table(model):
        return connection.ops.quote_name(model._meta.db_table)

    vote, priority, follow = table(Vote), table(Priority), table(TopicFollow)
    recommendation, address = table(Recommendation), table(EmailAddress)
    permission, content_type = table(Permission), table(ContentType)
    user_permissions, user_groups = table(User.user_permissions.through), table(User.groups.through)
    group_permissions = table(Group.permissions.through)
    # Only table names (quoted, from the models) are put into the text; every value is a parameter.
    return f"""
        SELECT 'v', v.recommendation_id, v.choice FROM {vote} v JOIN {recommendation} r ON r.id = v.recommendation_id
            WHERE v.participant_id = %s AND r.topic_id = %s AND r.is_published
        UNION ALL
        SELECT 'p', p.recommendation_id, '' FROM {priority} p JOIN {recommendation} r ON r.id = p.recommendation_id
            WHERE p.participant_id = %s AND r.topic_id = %s AND r.is_published
        UNION ALL
        SELECT 'f', f.topic_id, '' FROM {follow} f WHERE f.participant_id = %s AND f.topic_id = %s
        UNION ALL
        SELECT 'e', e.id, e.email FROM {address} e WHERE e.user_id = %s AND e.verified
        UNION ALL
        SELECT 'm', p.id, ct.app_label || '.' || p.codename FROM {permission} p
            JOIN {content_type} ct ON ct.id = p.content_type_id
            WHERE p.id IN (SELECT permission_id FROM {user_permissions} WHERE user_id = %s)
               OR p.id IN (SELECT gp.permission_id FROM {group_permissions} gp
                           JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)
    """  # noqa: S608


User = get_user_model()


def reader_facts(*, user, topic):
    """The reader's positions, priorities and following on ``topic``, confirmed addresses and permissions: one query.

    The addresses and permissions are also handed to the permission rules
    (``participants.rules``), to Django's ``ModelBackend`` and to the
    invitation announcement, so the rest of the request asks no more about
    this user. Plain SQL (it runs on every logged-in topic page: building it
    through the ORM cost more than running it), the same on SQLite and PostgreSQL.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _facts_sql(), [user.pk, topic.pk, user.pk, topic.pk, user.pk, topic.pk, user.pk, user.pk, user.pk]
        )
        rows = cursor.fetchall()
    facts = ReaderFacts()
    for kind, number, text in rows:
        if kind == "v":
            facts.choices[number] = text
        elif kind == "p":
            facts.priorities.add(number)
        elif kind == "f":
            facts.following = True
        elif kind == "e":
            facts.verified = True
            facts.emails.append(text)
        else:
            facts.permissions.add(text)
    user._nmp_verified = facts.verified
    user._nmp_verified_emails = list(facts.emails)
    user._nmp_permissions = set(facts.permissions)
    if not user.is_superuser:
        user._perm_cache = set(facts.permissions)
    return facts


# The topic's phase dates per worker, per content generation (a change of dates bumps it).
_topics = WorkerMemory(256)


def _topic(slug, generation):
    return _topics.remember(
        (slug, generation),
        lambda: Topic.objects.only("pk", "slug", "number", "opens_at", "closes_at").filter(slug=slug).first(),
    )


# Slots rendered per set of values, per worker (as ``{% remember %}``): the values are the key.
_fragments = WorkerMemory(4096)


def _remembered(key, render):
    return _fragments.remember((get_language(), timezone.get_current_timezone_name(), *key), render)


def _kind(user, facts, topic):
    return repr(
        (
            user.is_active,
            user.deleted_at is None,
            user.is_blocked,
            user.is_staff,
            user.is_superuser,
            facts.verified,
            tuple(sorted(facts.permissions)),
            str(topic.phase),
            timezone.get_current_timezone_name(),
        )
    )


class TopicReader:
    """One logged-in reader of a topic page: their kind, and their own parts of the page."""

    def __init__(self, request, topic, facts):
        self.request = request
        self.user = request.user
        self.topic = topic
        self.facts = facts
        self.kind = _kind(self.user, facts, topic)

    def may_use(self, meta):
        return bool(meta.get("complete")) and not self.user.is_blocked

    may_keep = may_use

    # --- the slots ---------------------------------------------------------------------------------

    def fill(self, name, meta):
        kind, _colon, argument = name.partition(":")
        return getattr(self, f"_fill_{kind.replace('-', '_')}")(argument, meta)

    @property
    def _priorities_used(self):
        return len(self.facts.priorities)

    def _fill_progress(self, where, meta):
        progress = Progress(done=len(self.facts.choices), total=len(meta["recommendations"]))
        if where == "top" and not progress.total:
            return ""
        return _remembered(
            ("progress", progress.done, progress.total),
            lambda: render_to_string("feedback/_progress.html", {"progress": progress}),
        )

    def _fill_priority_status(self, _argument, meta):
        page = TopicPage(recommendations=[], visibility=None, priorities_used=self._priorities_used)
        return escape(page.priority_status)

    def _fill_follow(self, _argument, meta):
        following = self.facts.following
        can_follow = self.user.has_perm("feedback.follow", self.topic)
        path = self.request.path
        return _remembered(
            ("follow", following, can_follow, self.topic.slug, path),
            lambda: render_to_string(
                "feedback/_follow.html",
                {
                    "following": following,
                    "user": self.user,
                    "topic": self.topic,
                    "request": self.request,
                    "csrf_token": _CSRF,
                },
            ),
        )

    @functools.cached_property
    def _visibility(self):
        return results_visibility(user=self.user, topics=[self.topic], voted={self.topic.pk: set(self.facts.choices)})[
            self.topic.pk
        ]

    @functools.cached_property
    def _can_vote(self):
        return self.user.has_perm("feedback.vote", Recommendation(topic=self.topic))

    def _fill_actions(self, pk, meta):
        pk = int(pk)
        shared = meta["recommendations"][pk]
        choice, priority = self.facts.choices.get(pk), pk in self.facts.priorities
        visible = can_see_results(self._visibility, pk)
        left = max(0, TopicPage.max_priorities - self._priorities_used)
        key = ("actions", pk, shared["key"], choice, priority, visible, left, self._can_vote, self.request.path)
        return _remembered(key, lambda: self._render_actions(pk, shared, choice, priority, visible))

    def _render_actions(self, pk, shared, choice, priority, visible):
        recommendation = Recommendation(pk=pk, topic=self.topic, position=shared["position"])
        recommendation.my_choice = choice
        recommendation.my_priority = priority
        recommendation.can_see_results = visible
        for name, value in shared.items():
            if name not in ("key", "position"):
                setattr(recommendation, name, value)
        participation = TopicPage(
            recommendations=[], visibility=self._visibility, priorities_used=self._priorities_used
        )
        return render_to_string(
            "feedback/_recommendation_actions.html",
            {
                "recommendation": recommendation,
                "participation": participation,
                "topic": self.topic,
                "phase": self.topic.phase,
                "user": self.user,
                "request": self.request,
                "csrf_token": _CSRF,
            },
        )

    def _fill_comment(self, pk, meta):
        author_id, created_at, mine, theirs = meta["comments"][int(pk)]
        return dated(mine if author_id == self.user.pk else theirs, created_at)


def topic_reader(request, generations, *, slug):
    """The ``reader`` of the topic page for ``reader_page_cache``: None renders the page in full."""
    topic = _topic(slug, generations[0])
    if topic is None:
        return None
    facts = reader_facts(user=request.user, topic=topic)
    return TopicReader(request, topic, facts)


def remember_recommendations(request, topic, participation):
    """Tell the shared copy being rendered what its recommendations show to everyone who may see results.

    The published totals, not what this reader was shown: the first reader
    may not see any result yet, the next one may.
    """
    meta = _meta(request)
    if meta is None:
        return
    totals = published_totals(topic=topic)
    meta["complete"] = True
    meta["recommendations"] = {}
    for r in participation.recommendations:
        shown = {"position": r.position, **compact_results(totals, r.pk)}
        meta["recommendations"][r.pk] = {**shown, "key": (*sorted(shown.items()), str(topic.phase))}


def remember_comment(request, pk, author_id, created_at, *, mine, theirs):
    """A comment on the shared copy being rendered: the block its author sees and the one others see."""
    meta = _meta(request)
    if meta is not None:
        meta.setdefault("comments", {})[pk] = (author_id, created_at, mine, theirs)


def _meta(request):
    return reader_meta(request) if request is not None else None
