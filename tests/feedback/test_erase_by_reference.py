"""Deleting or erasing a comment takes its words out of the kept mails that quote it, found by reference.

The mails are found through the rows that say which comments they quote
(``ReplyMail`` for reply mails, ``DecisionMail.email`` for the mail that told an
author why their comment was hidden) and rendered again from the database. No
mail is searched for the text: a comment of "s", "/" or "link" would otherwise
break the links in everyone's password resets and invitations.
"""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from post_office.models import Email

from feedback import moderation, retention, services
from feedback.models import DecisionMail, ReplyMail
from invitations.mails import invitation_mail
from tests.factories import InvitationFactory, ModeratorFactory, ParticipantFactory

REMOVED = "[verwijderd]"


def _mails():
    """Every stored mail, all columns, by id."""
    return {row["id"]: row for row in Email.objects.values()}


def _unchanged_except(before, after, changed_ids):
    """Rows not in ``changed_ids`` are byte-identical; none appeared or went."""
    assert set(after) == set(before)
    for pk, row in before.items():
        if pk not in changed_ids:
            assert after[pk] == row, f"mail {pk} ({row['subject']}) was changed"


def _only_the_quote_replaced(old, new, words):
    """``new`` is ``old`` with exactly one quote of ``words`` replaced by the placeholder, nothing else."""
    assert new != old and new.count(REMOVED) == old.count(REMOVED) + 1
    start = new.index(REMOVED)
    assert new[:start] + words + new[start + len(REMOVED) :] == old


@pytest.fixture
def unrelated_mails(client, db, topic, django_capture_on_commit_callbacks):
    """A password reset and an invitation for other people, and a reply mail between two others.

    Their links contain "s", "/" and "link", the words of the comments the tests delete.
    """
    stranger = ParticipantFactory(email="ander@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": stranger.email})
    assert response.status_code == 302
    (reset,) = Email.objects.filter(to__contains="ander@example.org")
    # Committed like the others (delivered): a mail left waiting for a commit that a test never makes
    # would take the next mails of this transaction with it (nmp_portal.tasks.queue_delivery).
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_mail(invitation=InvitationFactory(), token="s-link-abc")
    carol, dave = ParticipantFactory(), ParticipantFactory()
    thread = services.comment_create(author=carol, topic=topic, text="Een eigen draad")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(author=dave, topic=topic, parent=thread, text="Zie de link: https://example.org/s/")
    replies_to_others = ReplyMail.objects.get(thread=thread).email
    for kept in (reset, invitation, replies_to_others):
        kept.refresh_from_db()
        assert "/" in kept.message and "s" in kept.message
    assert "link" in invitation.message.lower() or "link" in invitation.html_message.lower()
    return [reset, invitation, replies_to_others]


def _thread_with_replies(participant, other, topic, words, callbacks):
    """``participant``'s comment with a reply of ``words`` by ``other`` and one by a third person, in one mail."""
    thread = services.comment_create(author=participant, topic=topic, text="Mijn punt over het onderwerp")
    with callbacks(execute=True):
        reply = services.comment_create(author=other, topic=topic, parent=thread, text=words)
        services.comment_create(author=ParticipantFactory(), topic=topic, parent=thread, text="Ik zie dat anders.")
    link = ReplyMail.objects.get(thread=thread)
    assert set(link.replies.values_list("text", flat=True)) == {words, "Ik zie dat anders."}
    return reply, link.email


@pytest.mark.parametrize("words", ["s", "/", "link"])
def test_deleting_a_comment_rewrites_only_the_reply_mails_that_quote_it(
    words, participant, other, topic, unrelated_mails, django_capture_on_commit_callbacks
):
    reply, quoting = _thread_with_replies(participant, other, topic, words, django_capture_on_commit_callbacks)
    before = _mails()

    services.comment_delete(comment=reply, author=other)

    after = _mails()
    _unchanged_except(before, after, {quoting.pk})
    new, old = after[quoting.pk], before[quoting.pk]
    assert new["subject"] == old["subject"]
    assert f"{other.public_name}:\n{REMOVED}\n" in new["message"]
    _only_the_quote_replaced(old["message"], new["message"], words)
    _only_the_quote_replaced(old["html_message"], new["html_message"], words)
    assert "Ik zie dat anders." in new["message"] and "Ik zie dat anders." in new["html_message"]
    # The other fields of the quoting mail (recipient, headers, status) stay as they were.
    assert {k: v for k, v in new.items() if k not in ("message", "html_message")} == {
        k: v for k, v in old.items() if k not in ("message", "html_message")
    }


def test_deleting_a_comment_that_was_hidden_and_shown_again_also_clears_the_hide_mail(
    participant, other, topic, unrelated_mails, django_capture_on_commit_callbacks
):
    moderator = ModeratorFactory()
    comment = services.comment_create(author=other, topic=topic, text="s")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.comment_hide(comment=comment, moderator=moderator, reason_code="spam")
    moderation.comment_restore(comment=comment, moderator=moderator)
    hide_mail = DecisionMail.objects.get(recipient=other).email
    assert "Uw reactie:\ns\n" in hide_mail.message
    before = _mails()

    services.comment_delete(comment=comment, author=other)

    after = _mails()
    _unchanged_except(before, after, {hide_mail.pk})
    assert f"Uw reactie:\n{REMOVED}\n" in after[hide_mail.pk]["message"]
    _only_the_quote_replaced(before[hide_mail.pk]["message"], after[hide_mail.pk]["message"], "s")


@pytest.mark.parametrize("words", ["s", "/", "link"])
def test_retention_erase_rewrites_only_the_mails_that_quote_the_hidden_comment(
    words, participant, other, topic, unrelated_mails, settings, django_capture_on_commit_callbacks
):
    settings.MODERATION_HIDDEN_RETENTION_DAYS = 30
    moderator = ModeratorFactory()
    reply, quoting = _thread_with_replies(participant, other, topic, words, django_capture_on_commit_callbacks)
    reporter = ParticipantFactory()
    services.report_create(comment=reply, reporter=reporter, reason="spam")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.comment_hide(comment=reply, moderator=moderator, reason_code="other", reason_text="Geen uitleg")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([other.email, reporter.email])
    to_author = DecisionMail.objects.get(recipient=other)
    to_reporter = DecisionMail.objects.get(recipient=reporter)
    assert to_author.email.to == [other.email] and to_reporter.email.to == [reporter.email]
    assert f"Uw reactie:\n{words}\n" in to_author.email.message and "Geen uitleg" in to_author.email.message
    before = _mails()
    reply.__class__.objects.filter(pk=reply.pk).update(hidden_at=timezone.now() - timedelta(days=31))

    # Seconds later (signed links carry a timestamp): the mail keeps the links it was sent with.
    later = signing.b62_encode(int(time.time()) + 5)
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=later):
        assert retention.hidden_comments_erase() == 1

    after = _mails()
    # The reply mail and the hide mail lose the words; the reporter's mail never quoted them.
    _unchanged_except(before, after, {quoting.pk, to_author.email_id})
    for pk in (quoting.pk, to_author.email_id):
        _only_the_quote_replaced(before[pk]["message"], after[pk]["message"], words)
        assert after[pk]["subject"] == before[pk]["subject"]
    _only_the_quote_replaced(before[quoting.pk]["html_message"], after[quoting.pk]["html_message"], words)
    assert f"Uw reactie:\n{REMOVED}\n" in after[to_author.email_id]["message"]
    assert "Geen uitleg" in after[to_author.email_id]["message"]
    # Run again: nothing left to erase, nothing changes.
    assert retention.hidden_comments_erase() == 0
    assert _mails() == after


def test_retention_erase_also_clears_a_sent_mail_and_keeps_its_delivery_record(
    participant, other, topic, settings, django_capture_on_commit_callbacks
):
    settings.MODERATION_HIDDEN_RETENTION_DAYS = 30
    comment = services.comment_create(author=other, topic=topic, text="Een zin die vaak voorkomt.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    hide_mail = DecisionMail.objects.get(recipient=other).email
    hide_mail.refresh_from_db()
    assert hide_mail.status == 0  # sent (delivered to the test outbox)
    # Someone else wrote the same sentence, and a reply mail quotes it: that comment was not hidden.
    thread = services.comment_create(author=ParticipantFactory(), topic=topic, text="Een vraag")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(author=participant, topic=topic, parent=thread, text="Een zin die vaak voorkomt.")
    elsewhere = ReplyMail.objects.get(thread=thread).email
    assert "Een zin die vaak voorkomt." in elsewhere.message
    before = _mails()
    comment.__class__.objects.filter(pk=comment.pk).update(hidden_at=timezone.now() - timedelta(days=31))

    assert retention.hidden_comments_erase() == 1

    after = _mails()
    _unchanged_except(before, after, {hide_mail.pk})
    assert "Een zin die vaak voorkomt." not in after[hide_mail.pk]["message"]
    assert after[hide_mail.pk]["status"] == before[hide_mail.pk]["status"]
    assert after[elsewhere.pk]["message"] == elsewhere.message
