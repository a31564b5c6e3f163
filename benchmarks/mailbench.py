"""The mail benchmark: invitations through the real send path against a plain ``smtplib`` loop.

Run by ``benchmarks.bench`` inside Django with the production settings while
the production topology runs (``python -m benchmarks.mailbench OUTFILE COUNT``):

1. **Our path**: an event with COUNT concept invitations, sent with the send
   service (``invitations.services.invitations_send``), as the admin's "Send"
   does: Celery tasks on the topology's broker make each personal mail
   (``invitations.sending``), post_office queues it, the delivery tasks
   (``nmp_portal.mail``) hand it to the SMTP server (the topology's aiosmtpd
   sink). Timed from the call until every invitation's mail is recorded as
   sent; every mail must have exactly one "sent" entry in its log.
2. **The plain loop**: the very same messages (as bytes, built before the
   clock starts), sent with ``smtplib`` over one connection to the same
   server, one ``sendmail`` per message: what the mail server and the loopback
   allow, with no database, rendering or queue.

Writes ``{"count", "service": {...}, "smtplib": {...}, "ratio"}`` to OUTFILE.
The event and its mails are removed afterwards.
"""

import json
import os
import smtplib
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

EVENT_SLUG_PREFIX = "demo-mailbench"  # seed.DEMO_EVENT_PREFIX: removed with the demo data too


def _event(count):
    from django.utils import timezone

    from benchmarks.seed import DEMO_DOMAIN
    from invitations.models import Event, Invitation

    now = timezone.now()
    event = Event.objects.create(
        slug=f"{EVENT_SLUG_PREFIX}-{time.time_ns()}",
        title="Mailbenchmark (demo)",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=3),
        rsvp_deadline=now + timedelta(days=20),
        location="Utrecht",
        capacity=count,
    )
    Invitation.objects.bulk_create(
        [
            Invitation(event=event, name=f"Genodigde {n}", email=f"mailbench{n}@{DEMO_DOMAIN}", language="nl")
            for n in range(count)
        ],
        batch_size=1000,
    )
    return event


def _delivered(event):
    from post_office.models import STATUS

    from invitations.models import Invitation

    return Invitation.objects.filter(event=event, mail__status=STATUS.sent).count()


def service_run(event, count, *, timeout):
    """Send through the send service; wait until every mail is delivered (or failed for good, or the timeout)."""
    from invitations.services import invitations_send

    started = time.monotonic()
    queued = invitations_send(event=event)
    if queued != count:
        raise RuntimeError(f"the send service queued {queued} of {count}")
    delivered = 0
    while time.monotonic() - started < timeout:
        delivered = _delivered(event)
        if delivered >= count:
            break
        time.sleep(0.1)
    seconds = time.monotonic() - started
    return {"delivered": delivered, "seconds": round(seconds, 2), "rate": round(delivered / seconds, 1)}


def check_exactly_once(event):
    """Every invitation has one mail, and every mail one "sent" entry in its log: none sent twice."""
    from django.db.models import Count, Q
    from post_office.models import STATUS, Email, Log

    from invitations.models import Invitation

    mail_ids = list(Invitation.objects.filter(event=event).values_list("mail", flat=True))
    # A batch writes its log entries after its last mail: wait for them (briefly).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if Log.objects.filter(email__in=[m for m in mail_ids if m], status=STATUS.sent).count() >= len(mail_ids):
            break
        time.sleep(0.2)
    problems = []
    if None in mail_ids:
        problems.append(f"{mail_ids.count(None)} invitations without a mail")
    logs = Email.objects.filter(pk__in=[m for m in mail_ids if m]).annotate(
        sent_logs=Count("logs", filter=Q(logs__status=STATUS.sent))
    )
    twice = logs.filter(sent_logs__gt=1).count()
    if twice:
        problems.append(f"{twice} mails sent more than once")
    return problems


def smtplib_run(event, host, port):
    """The same messages, prepared before the clock starts, through one plain SMTP connection."""
    from post_office.models import Email

    from invitations.models import Invitation

    emails = Email.objects.filter(pk__in=Invitation.objects.filter(event=event).values("mail"))
    messages = []
    for email in emails:
        message = email.email_message()
        messages.append((message.from_email, message.recipients(), message.message().as_bytes(linesep="\r\n")))
    started = time.monotonic()
    with smtplib.SMTP(host, port, timeout=20) as server:
        for sender, recipients, data in messages:
            server.sendmail(sender, recipients, data)
    seconds = time.monotonic() - started
    return {"delivered": len(messages), "seconds": round(seconds, 2), "rate": round(len(messages) / seconds, 1)}


def cleanup(event):
    from post_office.models import Email

    from invitations.models import Invitation

    mail_ids = list(Invitation.objects.filter(event=event).exclude(mail=None).values_list("mail", flat=True))
    event.delete()
    Email.objects.filter(pk__in=mail_ids).delete()


def main(outfile, count):
    django.setup()
    from django.conf import settings

    count = int(count)
    timeout = float(os.environ.get("MAILBENCH_TIMEOUT", "600"))
    # A warm-up round, not timed: worker processes import, render and connect once first.
    warmup_count = int(os.environ.get("MAILBENCH_WARMUP", "20"))
    if warmup_count:
        warmup = _event(warmup_count)
        try:
            service_run(warmup, warmup_count, timeout=120)
        finally:
            cleanup(warmup)
    event = _event(count)
    try:
        service = service_run(event, count, timeout=timeout)
        problems = [] if service["delivered"] == count else [f"only {service['delivered']} of {count} delivered"]
        problems += check_exactly_once(event)
        plain = smtplib_run(event, settings.EMAIL_HOST, settings.EMAIL_PORT)
    finally:
        cleanup(event)
    result = {
        "count": count,
        "service": service,
        "smtplib": plain,
        "ratio": round(service["rate"] / plain["rate"], 3) if plain["rate"] else None,
        "problems": problems,
    }
    Path(outfile).write_text(json.dumps(result, indent=2))
    for problem in problems:
        print(f"mail benchmark: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
