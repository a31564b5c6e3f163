"""Reply mails: through the queue, bundled to one per thread per hour, with one-click unsubscribe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from post_office.models import Email

from feedback import services, tasks
from feedback.models import Comment


def _reply(author, thread, text, callbacks_fixture):
    with callbacks_fixture(execute=True):
        return services.comment_create(
            author=author, topic=thread.topic, recommendation=thread.recommendation, parent=thread, text=text
        )


def test_reply_mails_the_author_with_unsubscribe_headers(
    participant, other, recommendation, topic, django_capture_on_commit_callbacks
):
    thread = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Mijn punt")
    _reply(other, thread, "Ik ben het <b>oneens</b>", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [participant.email]
    assert message.subject == f"Nieuwe reactie op uw reactie bij ‘{topic.title}’"
    assert "Ik ben het <b>oneens</b>" in message.body  # plain text part: literal
    html = message.alternatives[0][0]
    assert "Ik ben het &lt;b&gt;oneens&lt;/b&gt;" in html and "<b>oneens</b>" not in html
    assert other.public_name in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/afmelden/reacties/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Email.objects.count() == 1  # went through the post_office queue


def test_own_reply_and_opted_out_get_no_mail(
    participant, other, recommendation, topic, django_capture_on_commit_callbacks
):
    thread = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Mijn punt")
    _reply(participant, thread, "Aanvulling van mezelf", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    participant.notify_replies = False
    participant.save()
    _reply(other, thread, "Reactie", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_replies_within_the_hour_are_bundled(
    participant, other, recommendation, topic, django_capture_on_commit_callbacks
):
    thread = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Mijn punt")
    _reply(other, thread, "Eerste antwoord", django_capture_on_commit_callbacks)
    _reply(other, thread, "Tweede antwoord", django_capture_on_commit_callbacks)
    _reply(other, thread, "Derde antwoord", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert tasks.send_reply_mail(thread.pk) is False  # running again sends nothing

    # An hour later the periodic task sends the waiting replies in one mail.
    Comment.objects.filter(pk=thread.pk).update(reply_mail_sent_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert services.reply_mails_due() == [thread.pk]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_due_reply_mails()
    assert len(mail.outbox) == 2
    assert "Tweede antwoord" in mail.outbox[1].body and "Derde antwoord" in mail.outbox[1].body
    assert "Eerste antwoord" not in mail.outbox[1].body
    assert "Er zijn 2 nieuwe reacties" in mail.outbox[1].body
    assert services.reply_mails_due() == []


def test_unsubscribe_page_and_one_click(client, participant):
    token = services.unsubscribe_token(participant)
    url = reverse("feedback:unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Stop deze e-mails" in page.content.decode()
    participant.refresh_from_db()
    assert participant.notify_replies is True  # a GET (link preview, virus scanner) changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.notify_replies is False
    assert client.get(reverse("feedback:unsubscribe", args=["nonsense"])).status_code == 400


@pytest.mark.django_db
def test_unsubscribe_form_without_csrf_works(participant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("feedback:unsubscribe", args=[services.unsubscribe_token(participant)]))
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.notify_replies is False
