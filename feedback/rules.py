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
