"""Mails arrive as rendered: text people wrote is never run through the template engine a second time."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail

from feedback import notifications, services
from participants import mailqueue
from tests.factories import ParticipantFactory, RecommendationFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATE_LOOKING = "Zie {{ x }} en {% now 'Y' %} en {% comment %}weg?{% endcomment %} en een losse {% haak"


def test_a_queued_mail_keeps_template_looking_text():
    mailqueue.queue(recipients=["a@example.org"], subject="Over {{ y }}", message=TEMPLATE_LOOKING)
    (sent,) = mail.outbox
    assert sent.body == TEMPLATE_LOOKING
    assert sent.subject == "Over {{ y }}"


def test_djangos_send_mail_keeps_template_looking_text_and_html():
    message = EmailMultiAlternatives("Onderwerp", TEMPLATE_LOOKING, to=["b@example.org"], reply_to=["c@example.org"])
    message.attach_alternative(f"<p>{TEMPLATE_LOOKING}</p>", "text/html")
    message.attach("bijlage.txt", "inhoud {{ z }}", "text/plain")
    assert message.send() == 1
    send_mail("Tweede", TEMPLATE_LOOKING, None, ["d@example.org"])
    first, second = mail.outbox
    assert first.body == TEMPLATE_LOOKING and first.alternatives[0][0] == f"<p>{TEMPLATE_LOOKING}</p>"
    assert first.extra_headers.get("Reply-To") == "c@example.org"
    assert first.attachments[0][0] == "bijlage.txt"
    assert second.body == TEMPLATE_LOOKING


def test_a_reply_mail_quotes_the_reply_as_written():
    recommendation = RecommendationFactory()
    author, replier = ParticipantFactory(), ParticipantFactory()
    thread = services.comment_create(author=author, topic=recommendation.topic, text="Mijn punt.")
    services.comment_create(author=replier, topic=recommendation.topic, text=TEMPLATE_LOOKING, parent=thread)
    notifications.reply_mail_send(thread_id=thread.pk)
    quoted = [m for m in mail.outbox if m.to == [author.email]]
    assert quoted and "{{ x }}" in quoted[-1].body and "{% now 'Y' %}" in quoted[-1].body
