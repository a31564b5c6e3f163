"""The mails of an invitation: each in the invitee's language, HTML and plain text, into the mail queue."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from post_office import mail

from .ics import event_ics, event_url


def _language(invitation):
    codes = [code for code, _name in settings.LANGUAGES]
    return invitation.language if invitation.language in codes else settings.LANGUAGE_CODE


def respond_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitations:respond", kwargs={"token": token})


def _message(*, invitation, template: str, subject: str, context: dict, attachments=None) -> dict:
    """The arguments of post_office's ``mail.send`` for one mail, rendered in the active language."""
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
    return mail.send(**_message(**kwargs))


def _invitation_message(invitation, token):
    with translation.override(_language(invitation)):
        return _message(
            invitation=invitation,
            template="invitation",
            subject=_("Invitation: %(event)s") % {"event": invitation.event.title},
            context={"respond_url": respond_url(token)},
        )


def invitation_mail(*, invitation, token: str):
    return mail.send(**_invitation_message(invitation, token))


def invitation_mails(*, invitations_with_tokens) -> list:
    """The invitation mails of several invitees, queued with one insert (post_office's ``send_many``).

    In the order given; the mail queue hands them to one delivery task after the commit.
    """
    return mail.send_many([_invitation_message(invitation, token) for invitation, token in invitations_with_tokens])


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
