"""Mails into post_office's queue exactly as rendered: every app's mails and Django's ``send_mail`` (EMAIL_BACKEND).

post_office's ``mail.send``, ``send_many`` and its ``EmailBackend`` all go
through its ``create``, which renders each subject and body once more as a
Django template (with an empty context). Our texts are rendered already and
quote what people wrote: a comment or name with "{{ x }}" lost it in the mail,
"{% now 'Y' %}" ran, and a stray "{%" made the mail fail. Here the ``Email``
rows are made as ``create`` makes them otherwise, without that pass, and the
same ``email_queued`` signal hands them to delivery after the commit
(``nmp_portal.mail``). In the lowest layer, so every app can use it.
"""

from collections import OrderedDict
from email.mime.base import MIMEBase
from email.utils import make_msgid

from django.conf import settings
from django.core.files.base import ContentFile
from post_office.backends import EmailBackend as PostOfficeBackend
from post_office.models import STATUS, Email
from post_office.settings import get_message_id_enabled, get_message_id_fqdn
from post_office.signals import email_queued
from post_office.utils import create_attachments, parse_emails, parse_priority


def _email(*, recipients, subject, message, html_message="", headers=None, sender=None, cc=None, bcc=None):
    return Email(
        from_email=sender or settings.DEFAULT_FROM_EMAIL,
        to=parse_emails(recipients),
        cc=parse_emails(cc),
        bcc=parse_emails(bcc),
        subject=subject,
        message=message,
        html_message=html_message or "",
        message_id=make_msgid(domain=get_message_id_fqdn()) if get_message_id_enabled() else None,
        headers=headers,
        priority=parse_priority(None),
        status=STATUS.queued,
        backend_alias="",
    )


def queue(*, recipients, subject, message, html_message="", headers=None, attachments=None, sender=None):
    """Queue one rendered mail (``attachments`` as post_office takes them); returns the ``Email``."""
    email = _email(
        recipients=recipients,
        subject=subject,
        message=message,
        html_message=html_message,
        headers=headers,
        sender=sender,
    )
    email.save()
    if attachments:
        email.attachments.add(*create_attachments(attachments))
    email_queued.send(sender=Email, emails=[email])
    return email


def queue_many(messages) -> list:
    """Queue rendered mails (dicts of ``queue``'s arguments, without attachments) with one insert."""
    emails = [_email(**message) for message in messages]
    if emails:
        Email.objects.bulk_create(emails)
        email_queued.send(sender=Email, emails=emails)
    return emails


class EmailBackend(PostOfficeBackend):
    """post_office's backend for Django's ``send_mail`` (allauth's mails), without the second template pass."""

    def send_messages(self, email_messages):
        emails = []
        for email_message in email_messages or ():
            headers = dict(email_message.extra_headers)
            if email_message.reply_to:
                headers.setdefault("Reply-To", ", ".join(str(v) for v in email_message.reply_to))
            html = next((body for body, kind in getattr(email_message, "alternatives", ()) if kind == "text/html"), "")
            email = _email(
                recipients=email_message.to,
                cc=email_message.cc,
                bcc=email_message.bcc,
                subject=email_message.subject,
                message=email_message.body,
                html_message=html,
                headers=headers,
                sender=email_message.from_email,
            )
            email.save()
            files = OrderedDict()
            for attachment in email_message.attachments:
                if isinstance(attachment, MIMEBase):
                    files[attachment.get_filename()] = {
                        "file": ContentFile(attachment.get_payload()),
                        "mimetype": attachment.get_content_type(),
                        "headers": OrderedDict(attachment.items()),
                    }
                else:
                    files[attachment[0]] = ContentFile(attachment[1])
            if files:
                email.attachments.add(*create_attachments(files))
            emails.append(email)
        if emails:
            email_queued.send(sender=Email, emails=emails)
        return len(emails)
