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
answers the permission rules' questions for the rest of the request. The page
as filled in for a reader is kept too (``topic_reader_own``): their next visit
while nothing on it changed needs neither that query nor the fill.
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
from topics.pagecache import READERS, reader_meta, reader_scope

from .dates import dated, dater
from .memory import WorkerMemory
from .models import Priority, TopicFollow, Vote
from .results.selectors import can_see_results, published_totals, results_visibility
from .selectors import Progress, TopicPage, compact_results

_CSRF = "__csrf_token__"  # topics.pagecache puts the request's token in its place


@dataclass
class ReaderFacts:
    verified: bool = False
    permissions: set = field(default_factory=set)
    choices: dict = field(default_factory=dict)  # recommendation id -> choice, on every topic
    priorities: set = field(default_factory=set)  # recommendation ids, on every topic
    following: bool = False
    emails: list = field(default_factory=list)  # confirmed addresses
    extra: dict = field(default_factory=dict)  # letter -> [(number, text)] of the parts other apps add

    def on(self, recommendations):
        """This reader's positions and priorities among ``recommendations`` (the ids a page shows)."""
        return (
            {pk: choice for pk, choice in self.choices.items() if pk in recommendations},
            {pk for pk in self.priorities if pk in recommendations},
        )


# Parts other apps add to the reader's query (``register_fact``): letter -> (sql(user), take(user, rows)).
_parts = {}


def register_fact(letter, sql, take):
    """Add a part to ``reader_facts``'s one query, from an app above this one (the invitation announcement).

    ``sql(user)`` returns ``(text, params)`` (or None: nothing to ask), the text
    one or more ``SELECT '<letter>', <number>, <text> ...`` joined by ``UNION ALL``,
    whose rows come back to ``take(user, rows)`` as ``[(number, text)]``.
    """
    _parts[letter] = (sql, take)


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


@functools.cache
def _facts_sql():
    from allauth.account.models import EmailAddress

    vote, priority, follow, address = _table(Vote), _table(Priority), _table(TopicFollow), _table(EmailAddress)
    user_permissions, user_groups = _table(User.user_permissions.through), _table(User.groups.through)
    group_permissions = _table(Group.permissions.through)
    # Only table names (quoted, from the models) are put into the text; every value is a parameter. No joins
    # (what the planner must weigh costs more than running these index lookups): the reader's positions and
    # priorities on every topic (a few dozen at most), sorted out per page; permissions as ids.
    return f"""
        SELECT 'v', v.recommendation_id, v.choice FROM {vote} v WHERE v.participant_id = %s
        UNION ALL
        SELECT 'p', p.recommendation_id, '' FROM {priority} p WHERE p.participant_id = %s
        UNION ALL
        SELECT 'f', f.topic_id, '' FROM {follow} f WHERE f.participant_id = %s AND f.topic_id = %s
        UNION ALL
        SELECT 'e', e.id, e.email FROM {address} e WHERE e.user_id = %s AND e.verified
        UNION ALL
        SELECT 'm', up.permission_id, '' FROM {user_permissions} up WHERE up.user_id = %s
        UNION ALL
        SELECT 'm', gp.permission_id, '' FROM {group_permissions} gp
            JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s
    """  # noqa: S608


# Permission id -> "app_label.codename", per worker (read again when an id is new: a migration added one).
_permission_names = {}


def forget_permission_names():
    """After permissions or content types changed (a migration, a flush): read the names again when asked."""
    _permission_names.clear()


def _permission_name(pk):
    if pk not in _permission_names:
        rows = Permission.objects.values_list("pk", "content_type__app_label", "codename")
        _permission_names.update({p: f"{app_label}.{codename}" for p, app_label, codename in rows})
    return _permission_names.get(pk)


User = get_user_model()


def reader_facts(*, user, topic):
    """The reader's positions, priorities and following on ``topic``, confirmed addresses and permissions: one query.

    The addresses and permissions are also handed to the permission rules
    (``participants.rules``) and to Django's ``ModelBackend``, and the parts
    other apps registered (``register_fact``) to those apps, so the rest of
    the request asks no more about this user. Plain SQL (it runs on every
    logged-in topic page: building it through the ORM cost more than running
    it), the same on SQLite and PostgreSQL.
    """
    text, params = _facts_sql(), [user.pk, user.pk, user.pk, topic.pk, user.pk, user.pk, user.pk]
    asked = []
    for letter, (sql, _take) in _parts.items():
        part = sql(user)
        if part is not None:
            text = f"{text} UNION ALL {part[0]}"
            params += part[1]
            asked.append(letter)
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        rows = cursor.fetchall()
    facts = ReaderFacts(extra={letter: [] for letter in asked})
    for kind, number, value in rows:
        if kind == "v":
            facts.choices[number] = value
        elif kind == "p":
            facts.priorities.add(number)
        elif kind == "f":
            facts.following = True
        elif kind == "e":
            facts.verified = True
            facts.emails.append(value)
        elif kind == "m":
            name = _permission_name(number)
            if name:
                facts.permissions.add(name)
        else:
            facts.extra[kind].append((number, value))
    user._nmp_verified = facts.verified
    user._nmp_permissions = set(facts.permissions)
    if not user.is_superuser:
        user._perm_cache = set(facts.permissions)
    for letter in asked:
        _parts[letter][1](user, facts.extra[letter])
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


def _remembered_as(place, key, render):
    """A slot kept per worker under its values, in a language and time zone (``place``, read once per request)."""
    return _fragments.remember((*place, *key), render)


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
        # The user itself, not the lazy object in front of it (every attribute read through it costs a call).
        self.user = getattr(request.user, "_wrapped", request.user)
        self.topic = topic
        self.facts = facts
        self.kind = _kind(self.user, facts, topic)
        self._choices = self._priorities = None
        self._user_pk = self.user.pk
        self._place = (get_language(), timezone.get_current_timezone_name())
        self._when = dater()

    def may_use(self, meta):
        return bool(meta.get("complete")) and not self.user.is_blocked

    may_keep = may_use

    # --- the slots ---------------------------------------------------------------------------------

    def fill(self, name, meta):
        if name.startswith("comment:"):  # most of a page's slots: kept short
            author_id, created_at, mine, theirs = meta["comments"][int(name[8:])]
            return dated(mine if author_id == self._user_pk else theirs, created_at, self._when)
        if self._choices is None:  # the reader's positions and priorities on this page's recommendations
            self._choices, self._priorities = self.facts.on(meta["recommendations"])
        kind, _colon, argument = name.partition(":")
        return getattr(self, f"_fill_{kind.replace('-', '_')}")(argument, meta)

    @property
    def _priorities_used(self):
        return len(self._priorities)

    def _fill_progress(self, where, meta):
        progress = Progress(done=len(self._choices), total=len(meta["recommendations"]))
        if where == "top" and not progress.total:
            return ""
        return _remembered_as(
            self._place,
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
        return _remembered_as(
            self._place,
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
        return results_visibility(user=self.user, topics=[self.topic], voted={self.topic.pk: set(self._choices)})[
            self.topic.pk
        ]

    @functools.cached_property
    def _can_vote(self):
        return self.user.has_perm("feedback.vote", Recommendation(topic=self.topic))

    def _fill_actions(self, pk, meta):
        pk = int(pk)
        shared = meta["recommendations"][pk]
        choice, priority = self._choices.get(pk), pk in self._priorities
        visible = can_see_results(self._visibility, pk)
        left = max(0, TopicPage.max_priorities - self._priorities_used)
        key = ("actions", pk, shared["key"], choice, priority, visible, left, self._can_vote, self.request.path)
        return _remembered_as(self._place, key, lambda: self._render_actions(pk, shared, choice, priority, visible))

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


def topic_reader_own(request, *, slug):
    """What names this reader's own copy of a topic page (``reader_page_cache``'s ``own``), without a query.

    The account's version is the generation its cached row carries
    (``participants.usercache``): any change to the row (blocked, a role, a
    name) gives the reader a new copy. Their facts move it on through
    ``reader_scope`` (votes, priorities, follows, addresses, roles) and
    ``READERS`` (invitations and events, a group's permissions). A blocked
    reader (a notice with their reason) gets no copy of their own.
    """
    user = getattr(request.user, "_wrapped", request.user)
    generation = getattr(user, "_nmp_generation", None)
    if generation is None or user.is_blocked:
        return None
    scopes = (READERS, reader_scope(user.pk))
    return scopes, f"{user.pk}:{generation}:{timezone.get_current_timezone_name()}"


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
