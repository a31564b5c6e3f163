"""Who may do what with votes, priorities, comments, reports and proposals, and when (django-rules).

Each permission joins the role ("who") and the topic's phase ("when"), so
services, views and templates ask one question: ``user.has_perm(perm, obj)``
or ``{% has_perm perm user obj %}``. The object is the thing acted on: a
Topic (comment, propose), a Recommendation (vote, priority, comment) or a
Comment (reply, edit, delete, report). ``refusal_message`` says why a
permission was refused, in words a participant can act on.
"""

import rules
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.rules import (
    can_contribute,
    has_verified_email,
    is_active_account,
    is_blocked,
    is_moderator,
    is_organiser,
)
from topics.models import Phase, Topic

# django-rules discovers only this module; the results package's permissions register with it.
from .results import rules as results_rules  # noqa: F401


def topic_of(obj):
    """The topic a Topic, Recommendation, Comment or Proposal belongs to (None for anything else)."""
    if isinstance(obj, Topic):
        return obj
    return getattr(obj, "topic", None)


@rules.predicate
def topic_is_open(user, obj):
    topic = topic_of(obj)
    return topic is not None and topic.phase == Phase.OPEN


@rules.predicate
def is_comment_author(user, comment):
    return bool(comment is not None and user and user.is_authenticated and comment.author_id == user.pk)


contributes_now = can_contribute & topic_is_open

rules.add_perm("feedback.vote", contributes_now)
rules.add_perm("feedback.priority", contributes_now)
rules.add_perm("feedback.comment", contributes_now)
rules.add_perm("feedback.reply", contributes_now)
rules.add_perm("feedback.edit_own_comment", contributes_now & is_comment_author)
rules.add_perm("feedback.delete_own_comment", contributes_now & is_comment_author)
rules.add_perm("feedback.report_comment", contributes_now & ~is_comment_author)
rules.add_perm("feedback.propose", contributes_now)
# Following only sends mail: anyone with a confirmed address may, blocked or not, in any phase.
rules.add_perm("feedback.follow", is_active_account & has_verified_email)
rules.add_perm("feedback.hide_comment", is_moderator)
rules.add_perm("feedback.decide_proposal", is_moderator)
rules.add_perm("feedback.feature_comment", is_moderator)
rules.add_perm("feedback.respond_officially", is_moderator)
rules.add_perm("feedback.schedule_topic", is_moderator)
rules.add_perm("feedback.correct_text", is_moderator)
rules.add_perm("feedback.moderate", is_moderator)

# What the page templates ask per object (``{% page_perm %}``, ``PagePermissions``). For each of these the
# answer depends only on the user, the object's kind, its topic (the phase) and whether the user wrote it:
# a permission added here must keep to that (tests/test_permissions.py checks every role and phase).
PER_TOPIC_AND_AUTHOR = {
    "feedback.vote",
    "feedback.priority",
    "feedback.comment",
    "feedback.reply",
    "feedback.edit_own_comment",
    "feedback.delete_own_comment",
    "feedback.report_comment",
    "feedback.propose",
    "feedback.moderate",
}


class PagePermissions:
    """``user.has_perm(perm, obj)`` for the many objects of one page, asking the rules once per kind of object.

    A topic page asks about a hundred questions (vote on each recommendation,
    edit, delete, report and moderate each comment, reply to each thread), and
    the answers differ only by what ``PER_TOPIC_AND_AUTHOR`` says they depend
    on. So the first object of each (permission, kind, topic and phase,
    authored by the user or not) is asked through django-rules, the usual
    way, and the others get the same answer. The rules stay the only source
    of the answers; this only avoids asking the same question twice.
    """

    def __init__(self, user):
        self.user = user
        self._answers = {}

    def has(self, perm, obj=None):
        if perm not in PER_TOPIC_AND_AUTHOR or obj is None:
            return self.user.has_perm(perm, obj)
        topic = topic_of(obj)
        authored = bool(self.user.is_authenticated and getattr(obj, "author_id", None) == self.user.pk)
        key = (perm, type(obj), topic.pk if topic else None, topic.phase if topic else None, authored)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self.user.has_perm(perm, obj)
        return answer


def page_permissions(user):
    """The ``PagePermissions`` of ``user`` for the current request (kept on the user object, which is per request)."""
    found = getattr(user, "_nmp_page_permissions", None)
    if found is None:
        found = user._nmp_page_permissions = PagePermissions(user)
    return found


# Work for moderators only, in any phase.
_STAFF_ONLY = {
    "feedback.hide_comment",
    "feedback.decide_proposal",
    "feedback.feature_comment",
    "feedback.respond_officially",
    "feedback.schedule_topic",
    "feedback.correct_text",
    "feedback.moderate",
}

# Refusals about someone else's or one's own comment, by permission.
_NOT_YOURS = {
    "feedback.edit_own_comment": gettext_lazy("You can only change your own comments."),
    "feedback.delete_own_comment": gettext_lazy("You can only delete your own comments."),
    "feedback.report_comment": gettext_lazy("You cannot report your own comment."),
}


def refusal_message(user, perm, obj=None):
    """Why ``user`` may not ``perm`` on ``obj``, as a sentence to show; None when it is allowed.

    The reasons are checked in the order a person can act on them: log in,
    the account (blocked, e-mail not confirmed), the topic's phase, then
    whose comment it is.
    """
    if user is not None and user.has_perm(perm, obj):
        return None
    if perm in _STAFF_ONLY:
        return _("Only moderators can do this.")
    if not (user and user.is_authenticated and is_active_account(user)):
        return _("Log in to take part.")
    if is_blocked(user):
        blocked = _("Your account is blocked. You can read everything, but not take part.")
        return f"{blocked} {_('Reason:')} {user.blocked_reason}" if user.blocked_reason else blocked
    if not has_verified_email(user):
        return _("Confirm your e-mail address first. Then you can take part.")
    topic = topic_of(obj)
    if topic is not None and topic.phase == Phase.UPCOMING:
        date = date_format(timezone.localtime(topic.opens_at), "DATETIME_FORMAT")
        return _("This topic is not open yet. You can take part from %(date)s.") % {"date": date}
    if topic is not None and topic.phase == Phase.CLOSED:
        return _("This topic is closed. You can still read everything, but no longer take part.")
    return str(_NOT_YOURS.get(perm) or _("You may not do this."))


# E-mail addresses in the admin's exports: organisers (who invite and contact people) and administrators;
# moderators work with public names only.
rules.add_perm("feedback.export_emails", is_organiser)
