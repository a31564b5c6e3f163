"""Reply mails: through the queue, bundled to one per thread per hour, with one-click unsubscribe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from post_office.models import Email

from feedback import notifications, services, tasks
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
    assert message.subject == f"[NMP Participatie] Nieuwe reactie op uw reactie bij ‘{topic.title}’"
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
    assert notifications.reply_mails_due() == [thread.pk]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_due_reply_mails()
    assert len(mail.outbox) == 2
    assert "Tweede antwoord" in mail.outbox[1].body and "Derde antwoord" in mail.outbox[1].body
    assert "Eerste antwoord" not in mail.outbox[1].body
    assert "Er zijn 2 nieuwe reacties" in mail.outbox[1].body
    assert notifications.reply_mails_due() == []


def test_unsubscribe_page_and_one_click(client, participant):
    token = notifications.unsubscribe_token(participant)
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
    response = client.post(reverse("feedback:unsubscribe", args=[notifications.unsubscribe_token(participant)]))
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.notify_replies is False


def test_reply_mail_is_in_the_recipients_language_not_the_repliers(
    client, participant, other, recommendation, topic, django_capture_on_commit_callbacks
):
    participant.language = "en"
    participant.save()
    thread = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Mijn punt")
    client.force_login(other)  # the reply comes in through a Dutch page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("feedback:comment_create", args=[topic.slug]),
            {"text": "Antwoord", "parent": thread.pk, "recommendation": recommendation.pk},
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject.startswith("[NMP Participatie] New reply to your comment on")
    assert "There is a new reply to your comment" in message.body
    assert "/en/afmelden/reacties/" in message.extra_headers["List-Unsubscribe"]
    assert "/en/onderwerpen/" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html and "Stop these e-mails" in html
    # ... and a Dutch recipient gets Dutch, also when the reply comes in through an English page.
    mail.outbox.clear()
    dutch = services.comment_create(author=other, topic=topic, recommendation=recommendation, text="Ander punt")
    client.force_login(participant)
    with translation.override("nl"), django_capture_on_commit_callbacks(execute=True):  # the request activates en
        client.post(
            "/en" + reverse("feedback:comment_create", args=[topic.slug]),
            {"text": "Answer", "parent": dutch.pk, "recommendation": recommendation.pk},
        )
    (message,) = mail.outbox
    assert message.subject.startswith("[NMP Participatie] Nieuwe reactie op uw reactie")
    assert '<html lang="nl">' in message.alternatives[0][0]


def test_turning_reply_mails_off_stops_the_waiting_bundle(
    participant, other, recommendation, topic, django_capture_on_commit_callbacks
):
    thread = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Mijn punt")
    _reply(other, thread, "Eerste", django_capture_on_commit_callbacks)
    _reply(other, thread, "Tweede", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    notifications.reply_mails_unsubscribe(user=participant)
    Comment.objects.filter(pk=thread.pk).update(reply_mail_sent_at=timezone.now() - timedelta(hours=2))
    assert notifications.reply_mails_due() == []
    assert notifications.reply_mail_send(thread_id=thread.pk) is False
    assert len(mail.outbox) == 1


def test_one_click_unsubscribe_as_mail_clients_send_it(client, participant):
    """RFC 8058: a POST with body "List-Unsubscribe=One-Click", no cookies, no CSRF token."""
    from django.test import Client

    url = reverse("feedback:unsubscribe", args=[notifications.unsubscribe_token(participant)])
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.notify_replies is False
    page = client.get(url).content.decode()
    assert "U krijgt al geen e-mails over reacties" in page


@pytest.mark.parametrize("token", ["nonsense", "tampered", "deleted"])
def test_invalid_unsubscribe_link_shows_a_clear_page(client, participant, token):
    if token == "tampered":
        valid = notifications.unsubscribe_token(participant)
        token = valid[:-1] + ("A" if valid[-1] != "A" else "B")
    elif token == "deleted":
        token = notifications.unsubscribe_token(participant)
        participant.deleted_at = timezone.now()
        participant.save()
    url = reverse("feedback:unsubscribe", args=[token])
    for response in (client.get(url), client.post(url, {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 400
        html = response.content.decode()
        assert "Deze link klopt niet" in html and "profiel" in html
    participant.refresh_from_db()
    assert participant.notify_replies is True
