"""Reply forms: only for readers who may reply, each with its own field ids and token."""

import re

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

from feedback import services
from feedback.forms import ReplyForm

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def test_each_thread_gets_the_form_as_if_rendered_alone_with_its_own_token(client, topic, participant, other):
    threads = [services.comment_create(author=other, topic=topic, text=f"Draad {i}") for i in range(3)]
    client.force_login(participant)
    html = client.get(topic.get_absolute_url()).content.decode()
    tokens = TOKEN.findall(html)
    assert len(set(tokens)) == len(tokens) == 4  # the new comment form and three reply forms
    for thread in threads:
        alone = str(as_crispy_form(ReplyForm(auto_id=f"id_reply{thread.pk}_%s", initial={"token": "x"})))
        assert TOKEN.sub("", alone) in TOKEN.sub("", html)
        assert f'for="id_reply{thread.pk}_text"' in html


def test_a_reply_through_the_form_is_stored_once_per_token(client, topic, participant, other):
    first, second = (services.comment_create(author=other, topic=topic, text=f"Draad {i}") for i in range(2))
    client.force_login(participant)
    html = client.get(topic.get_absolute_url()).content.decode()
    tokens = TOKEN.findall(html)[1:]
    for thread, token in zip((second, first), tokens, strict=True):  # newest first
        client.post(f"{topic.get_absolute_url()}reacties/", {"parent": thread.pk, "text": "Eens", "token": token})
    assert first.replies.count() == second.replies.count() == 1


def test_no_reply_forms_for_anonymous_readers_or_closed_topics(client, topic, closed_topic, other, participant):
    services.comment_create(author=other, topic=topic, text="Draad")
    assert 'name="parent"' not in client.get(topic.get_absolute_url()).content.decode()
    client.force_login(participant)
    assert TOKEN.findall(client.get(closed_topic.get_absolute_url()).content.decode()) == []
