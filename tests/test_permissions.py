"""Every django-rules permission, for every role in every phase of the topic, from one table.

The same question (``user.has_perm(perm, obj)``) is what services, views and
templates ask, so this table is the whole answer to "who may act, and when".
Where a participant is refused, ``refusal_message`` must name the reason they
can act on.
"""

from datetime import timedelta

import pytest
import rules.permissions
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from feedback.models import Comment, Proposal
from feedback.rules import PER_TOPIC_AND_AUTHOR, PagePermissions, refusal_message
from tests.factories import (
    EventFactory,
    ModeratorFactory,
    OrganiserFactory,
    ParticipantFactory,
    RecommendationFactory,
    TopicFactory,
)
from topics.models import Phase

ROLES = ["anonymous", "unverified", "participant", "author", "other participant", "blocked", "moderator", "organiser"]
PHASES = [Phase.UPCOMING, Phase.OPEN, Phase.CLOSED]

EVERYONE_WHO_CONTRIBUTES = {"participant", "author", "other participant", "moderator", "organiser"}
ALWAYS = set(PHASES)
WHILE_OPEN = {Phase.OPEN}

# permission: (the object it is asked about, the roles that have it, the phases in which they have it)
TABLE = {
    "feedback.vote": ("recommendation", EVERYONE_WHO_CONTRIBUTES, WHILE_OPEN),
    "feedback.priority": ("recommendation", EVERYONE_WHO_CONTRIBUTES, WHILE_OPEN),
    "feedback.comment": ("topic", EVERYONE_WHO_CONTRIBUTES, WHILE_OPEN),
    "feedback.reply": ("comment", EVERYONE_WHO_CONTRIBUTES, WHILE_OPEN),
    "feedback.edit_own_comment": ("comment", {"author"}, WHILE_OPEN),
    "feedback.delete_own_comment": ("comment", {"author"}, WHILE_OPEN),
    "feedback.report_comment": ("comment", EVERYONE_WHO_CONTRIBUTES - {"author"}, WHILE_OPEN),
    "feedback.propose": ("topic", EVERYONE_WHO_CONTRIBUTES, WHILE_OPEN),
    "feedback.follow": ("topic", EVERYONE_WHO_CONTRIBUTES | {"blocked"}, ALWAYS),
    "feedback.hide_comment": ("comment", {"moderator"}, ALWAYS),
    "feedback.decide_proposal": ("proposal", {"moderator"}, ALWAYS),
    "feedback.feature_comment": ("comment", {"moderator"}, ALWAYS),
    "feedback.respond_officially": ("recommendation", {"moderator"}, ALWAYS),
    "feedback.schedule_topic": ("topic", {"moderator"}, ALWAYS),
    "feedback.correct_text": ("topic", {"moderator"}, ALWAYS),
    "feedback.moderate": ("comment", {"moderator"}, ALWAYS),
    "feedback.view_briefing": (None, {"moderator", "organiser"}, ALWAYS),
    "feedback.export_emails": (None, {"organiser"}, ALWAYS),
    "participants.contribute": (None, EVERYONE_WHO_CONTRIBUTES, ALWAYS),
    "participants.moderate": (None, {"moderator"}, ALWAYS),
    "participants.organise": (None, {"organiser"}, ALWAYS),
    # An event open to participants, before its answer date (its own states: tests/invitations/test_rules.py).
    "invitations.register": ("event", EVERYONE_WHO_CONTRIBUTES, ALWAYS),
}

# The reasons a person is refused, in the order refusal_message checks them.
NOT_LOGGED_IN = "Log in to take part."
BLOCKED = "Your account is blocked. You can read everything, but not take part."
UNVERIFIED = "Confirm your e-mail address first. Then you can take part."
UPCOMING = "This topic is not open yet. You can take part from"
CLOSED = "This topic is closed. You can still read everything, but no longer take part."
NOT_YOURS = {
    "feedback.edit_own_comment": "You can only change your own comments.",
    "feedback.delete_own_comment": "You can only delete your own comments.",
    "feedback.report_comment": "You cannot report your own comment.",
}


STAFF_ONLY = {perm for perm, (_target, roles, _phases) in TABLE.items() if roles == {"moderator"}}


def expected_refusal(perm, role, phase):
    if perm in STAFF_ONLY:
        return "Only moderators can do this."
    by_role = {"anonymous": NOT_LOGGED_IN, "blocked": BLOCKED, "unverified": UNVERIFIED}
    if role in by_role:
        return by_role[role]
    if phase == Phase.UPCOMING:
        return UPCOMING
    if phase == Phase.CLOSED:
        return CLOSED
    return NOT_YOURS[perm]


def _topic(phase):
    now = timezone.now()
    day = timedelta(days=1)
    dates = {
        Phase.UPCOMING: {"opens_at": now + day, "closes_at": now + 2 * day},
        Phase.OPEN: {"opens_at": now - day, "closes_at": now + day},
        Phase.CLOSED: {"opens_at": now - 2 * day, "closes_at": now - day},
    }[phase]
    return TopicFactory(**dates)


def _user(role, author):
    return {
        "anonymous": AnonymousUser,
        "unverified": lambda: ParticipantFactory(verified=False),
        "participant": ParticipantFactory,
        "author": lambda: author,
        "other participant": ParticipantFactory,
        "blocked": lambda: ParticipantFactory(is_blocked=True, blocked_reason="Scheldwoorden"),
        "moderator": ModeratorFactory,
        "organiser": OrganiserFactory,
    }[role]()


def test_the_table_covers_every_permission():
    assert set(TABLE) == set(rules.permissions.permissions)


CASES = [(perm, role, phase) for perm in TABLE for role in ROLES for phase in PHASES]


@pytest.mark.django_db
@pytest.mark.parametrize("perm,role,phase", CASES, ids=[f"{p}-{r}-{ph}" for p, r, ph in CASES])
def test_permission(perm, role, phase):
    topic = _topic(phase)
    assert topic.phase == phase
    recommendation = RecommendationFactory(topic=topic)
    author = ParticipantFactory()
    comment = Comment.objects.create(topic=topic, recommendation=recommendation, author=author, text="Goed plan.")
    user = _user(role, author)
    target, roles, phases = TABLE[perm]
    proposal = Proposal.objects.create(topic=topic, author=author, text="Meer bomen in de wijk.")
    objects = {"topic": topic, "recommendation": recommendation, "comment": comment, "proposal": proposal, None: None}
    if target == "event":
        objects["event"] = EventFactory(open_to_participants=True)
    obj = objects[target]

    allowed = role in roles and phase in phases
    assert user.has_perm(perm, obj) is allowed

    if perm.startswith("feedback.") and perm not in ("feedback.view_briefing", "feedback.export_emails"):
        with translation.override("en"):
            message = refusal_message(user, perm, obj)
        if allowed:
            assert message is None
        else:
            assert message.startswith(expected_refusal(perm, role, phase))
            if role == "blocked" and perm not in STAFF_ONLY:
                assert message.endswith("Reason: Scheldwoorden")


PAGE_ROLE_PHASES = [(role, phase) for role in ROLES for phase in PHASES]


@pytest.mark.django_db
@pytest.mark.parametrize("role,phase", PAGE_ROLE_PHASES, ids=[f"{r}-{p}" for r, p in PAGE_ROLE_PHASES])
def test_page_permissions_answer_as_the_rules_for_every_object_on_the_page(role, phase):
    """The templates ask ``{% page_perm %}`` (asked once per kind of object): the same answers as ``has_perm``."""
    topic, open_topic = _topic(phase), _topic(Phase.OPEN)
    author = ParticipantFactory()
    user = _user(role, author)
    objects = {"topic": [topic, open_topic], "recommendation": [], "comment": []}
    for place in (topic, open_topic):
        for position in (1, 2):
            objects["recommendation"].append(RecommendationFactory(topic=place, position=position))
        for writer in (author, ParticipantFactory(), author):
            thread = Comment.objects.create(topic=place, author=writer, text="Goed plan.")
            objects["comment"] += [thread, Comment.objects.create(topic=place, parent=thread, author=writer, text="Ja")]
    asked = {"feedback.comment": ["topic", "recommendation"]}
    pages = PagePermissions(user)
    for perm in sorted(PER_TOPIC_AND_AUTHOR):
        for target in asked.get(perm, [TABLE[perm][0]]):
            for obj in objects[target]:
                assert pages.has(perm, obj) is user.has_perm(perm, obj), (perm, target, obj.pk)
