"""The mails of an invitation: each in the invitee's language, HTML and plain text, into the mail queue."""

import copy
import logging
import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from feedback.templatetags.feedback_tags import without_bidi_controls
from participants import mailqueue

from .ics import event_ics, event_url

logger = logging.getLogger(__name__)


def _language(invitation):
    codes = [code for code, _name in settings.LANGUAGES]
    return invitation.language if invitation.language in codes else settings.LANGUAGE_CODE


def respond_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitations:respond", kwargs={"token": token})


def _message(*, invitation, template: str, subject: str, context: dict, attachments=None) -> dict:
    """The arguments of ``participants.mailqueue.queue`` for one mail, rendered in the active language."""
    context = {
        "invitation": invitation,
        "event": invitation.event,
        "event_url": event_url(invitation.event),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "LANGUAGE_CODE": translation.get_language(),
        **context,
    }
    body = render_to_string(f"invitations/email/{template}.txt", context)
    html = render_to_string(f"invitations/email/{template}.html", context)
    message = {
        "recipients": [invitation.email],
        "subject": settings.EMAIL_SUBJECT_PREFIX + subject,
        "message": body,
        "html_message": html,
    }
    if attachments:
        message["attachments"] = attachments
    return message


def _send(**kwargs):
    return mailqueue.queue(**_message(**kwargs))


def _invitation_message(invitation, token):
    with translation.override(_language(invitation)):
        return _message(
            invitation=invitation,
            template="invitation",
            subject=_("Invitation: %(event)s") % {"event": invitation.event.title},
            context={"respond_url": respond_url(token)},
        )


def invitation_mail(*, invitation, token: str):
    return mailqueue.queue(**_invitation_message(invitation, token))


# The invitation mail rendered once for a group of invitees: a stand-in invitation whose personal text
# fields hold markers is rendered, and each invitee's values go where the markers came out.
_MARKER = f"nmpslot{secrets.token_hex(6)}"
_MARKERS = re.compile(_MARKER + "([a-z_]+)Z")
# Every personal text field becomes a marker; a template showing one this table has no value for
# leaves its marker in the output, and the group is rendered per invitee instead.
_PERSONAL_FIELDS = ("name", "email", "organisation", "sector", "note", "needs")


def _personal_values(invitation, token):
    """What each marker becomes, per format: the value as the invitation templates show it."""
    return (
        {"name": without_bidi_controls(invitation.name), "note": invitation.note, "token": token},
        # The HTML shows the name in a <bdi> (the markup stays in the rendered part) and the note with <br>s.
        {
            "name": escape(invitation.name),
            "note": linebreaksbr(invitation.note, autoescape=True),
            "token": escape(token),
        },
    )


def _fill(parts, values):
    """The rendered template's pieces (literal, marker name, literal, ...) with the values in place."""
    return "".join(part if i % 2 == 0 else values[part] for i, part in enumerate(parts))


def _group_messages(group):
    """The messages of invitees who share event, language and whether they have a note: rendered once.

    The first invitee's mail is also rendered on its own and must come out the
    same; otherwise (a template that changed how it shows a personal value)
    the group is rendered per invitee, as before, and a warning logged.
    """
    first, first_token = group[0]
    stand_in = copy.copy(first)
    for name in _PERSONAL_FIELDS:
        if getattr(first, name):  # an empty value stays empty: {% if invitation.note %} takes the same branch
            setattr(stand_in, name, f"{_MARKER}{name}Z")
    template = _invitation_message(stand_in, f"{_MARKER}tokenZ")
    text_parts, html_parts = _MARKERS.split(template["message"]), _MARKERS.split(template["html_message"])

    def message(invitation, token):
        text_values, html_values = _personal_values(invitation, token)
        return {
            **template,
            "recipients": [invitation.email],
            "message": _fill(text_parts, text_values),
            "html_message": _fill(html_parts, html_values),
        }

    try:
        if message(first, first_token) == _invitation_message(first, first_token):
            return [message(invitation, token) for invitation, token in group]
    except KeyError:  # a marker without a value
        pass
    logger.warning("The invitation mail template shows a personal value differently: rendered per invitee.")
    return [_invitation_message(invitation, token) for invitation, token in group]


def invitation_mails(*, invitations_with_tokens) -> list:
    """The invitation mails of several invitees, queued with one insert (``_queue_many``).

    In the order given; the mail queue hands them to one delivery task after the commit.
    The templates are rendered once per event, language and "has a personal note", not per
    invitee (``_group_messages``): the same text as rendering each, at a fraction of the CPU.
    """
    invitations_with_tokens = list(invitations_with_tokens)
    groups = {}
    for invitation, token in invitations_with_tokens:
        key = (invitation.event_id, _language(invitation), bool(invitation.note))
        groups.setdefault(key, []).append((invitation, token))
    by_invitation = {}
    for group in groups.values():
        for (invitation, _token), message in zip(group, _group_messages(group), strict=True):
            by_invitation[id(invitation)] = message
    return _queue_many([by_invitation[id(invitation)] for invitation, _token in invitations_with_tokens])


def _queue_many(messages) -> list:
    """Put rendered mails in the queue with one insert (without post_office's second template pass)."""
    return mailqueue.queue_many(messages)


def reminder_mail(*, invitation, token: str):
    with translation.override(_language(invitation)):
        return _send(
            invitation=invitation,
            template="reminder",
            subject=_("Reminder: will you come to %(event)s?") % {"event": invitation.event.title},
            context={"respond_url": respond_url(token)},
        )


def confirmation_mail(*, invitation, promoted: bool = False):
    with translation.override(_language(invitation)):
        return _send(
            invitation=invitation,
            template="confirmation",
            subject=_("You have a place: %(event)s") % {"event": invitation.event.title},
            context={"promoted": promoted},
            attachments={
                f"{invitation.event.slug}.ics": {
                    "file": ContentFile(event_ics(invitation.event)),
                    "mimetype": "text/calendar",
                }
            },
        )


def waiting_list_mail(*, invitation):
    with translation.override(_language(invitation)):
        return _send(
            invitation=invitation,
            template="waiting_list",
            subject=_("You are on the waiting list: %(event)s") % {"event": invitation.event.title},
            context={},
        )


def practical_mail(*, invitation):
    with translation.override(_language(invitation)):
        return _send(
            invitation=invitation,
            template="practical",
            subject=_("Practical information: %(event)s") % {"event": invitation.event.title},
            context={},
        )
