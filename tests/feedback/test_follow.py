"""Following a topic: the button, the list on the profile, the daily digest and its one-click unsubscribe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from feedback import digest, moderation, services, tasks
from feedback.models import Proposal, TopicFollow
from tests.factories import ModeratorFactory, ParticipantFactory, TopicFactory


@pytest.fixture(autouse=True)
def _dutch():
    """URLs reversed in the tests are the Dutch ones, whatever an earlier request activated."""
    with translation.override("nl"):
        yield


@pytest.fixture
def clock(monkeypatch):
    """Move ``timezone.now`` (services, digest and auto_now fields) to a chosen moment."""

    class Clock:
        now = timezone.now()

        def set(self, moment):
            self.now = moment

        def forward(self, **delta):
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def _publish(clock, topic, author, text):
    clock.forward(minutes=1)
    proposal = services.proposal_submit(author=author, topic=topic, text=text, explanation="")
    moderation.proposal_approve(proposal=proposal, moderator=ModeratorFactory())
    return proposal


def _send(participant, capture):
    with capture(execute=True):
        return digest.follow_digest_send(participant_id=participant.pk)


def test_follow_and_unfollow_from_the_topic_page(client, participant, topic):
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Volg dit onderwerp" in page
    response = client.post(reverse("feedback:follow", kwargs={"slug": topic.slug}), {"action": "follow"}, follow=True)
    assert "U volgt dit onderwerp." in response.content.decode()
    assert TopicFollow.objects.filter(participant=participant, topic=topic).count() == 1
    client.post(reverse("feedback:follow", kwargs={"slug": topic.slug}), {"action": "follow"})  # twice: one follow
    assert TopicFollow.objects.filter(participant=participant).count() == 1
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Stop met volgen" in page
    client.post(reverse("feedback:follow", kwargs={"slug": topic.slug}), {"action": "unfollow"})
    assert not TopicFollow.objects.exists()


def test_anonymous_and_unverified_cannot_follow(client, topic):
    response = client.post(reverse("feedback:follow", kwargs={"slug": topic.slug}), {"action": "follow"})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    unverified = ParticipantFactory(verified=False)
    client.force_login(unverified)
    response = client.post(reverse("feedback:follow", kwargs={"slug": topic.slug}), {"action": "follow"})
    assert response.status_code == 403
    assert "Bevestig eerst uw e-mailadres" in response.content.decode()
    assert not TopicFollow.objects.exists()


def test_the_profile_lists_only_ones_own_follows(client, participant, other, topic):
    second = TopicFactory(title="Tweede onderwerp")
    services.topic_follow(participant=participant, topic=topic)
    services.topic_follow(participant=other, topic=second)
    client.force_login(participant)
    page = client.get(reverse("feedback:follows")).content.decode()
    assert topic.title in page and "Tweede onderwerp" not in page
    # Unfollowing a topic someone else follows changes nothing for them.
    client.post(reverse("feedback:follow", kwargs={"slug": second.slug}), {"action": "unfollow"})
    assert TopicFollow.objects.filter(participant=other, topic=second).exists()
    assert client.get(reverse("feedback:follows").replace("/", "/en/", 1)).status_code == 200


def test_digest_mails_once_a_day_with_only_what_is_new(
    participant, other, topic, clock, django_capture_on_commit_callbacks
):
    services.topic_follow(participant=participant, topic=topic)
    _publish(clock, topic, other, "Plant meer bomen langs snelwegen")
    clock.forward(minutes=5)
    assert digest.follow_digests_due() == [participant.pk]
    assert _send(participant, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [participant.email]
    assert message.subject == "[NMP Participatie] Nieuw bij de onderwerpen die u volgt"
    assert message.body.startswith(f"Beste {participant.first_name},")
    assert "Met vriendelijke groet" in message.body and "127.0.0.1:8000" not in message.body.split("\n")[0]
    assert "Plant meer bomen langs snelwegen" in message.body
    assert settings_url(topic) in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/afmelden/onderwerpen/" in message.extra_headers["List-Unsubscribe"]

    # Something new an hour later waits for the next day.
    clock.forward(hours=1)
    _publish(clock, topic, other, "Meet fijnstof bij scholen")
    clock.forward(minutes=5)
    assert digest.follow_digests_due() == []
    assert not _send(participant, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    # The next day: only the new one, not the first again.
    clock.forward(days=1)
    assert digest.follow_digests_due() == [participant.pk]
    assert _send(participant, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert "Meet fijnstof bij scholen" in mail.outbox[1].body
    assert "Plant meer bomen" not in mail.outbox[1].body

    # Nothing new: no mail, however often the task runs.
    clock.forward(days=2)
    assert digest.follow_digests_due() == []
    assert not _send(participant, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def settings_url(topic):
    from django.conf import settings
    from django.utils import translation

    with translation.override("nl"):  # the participant's language
        return settings.SITE_URL + topic.get_absolute_url()


def test_digest_carries_new_official_responses_on_what_the_public_sees(
    participant, other, topic, clock, django_capture_on_commit_callbacks
):
    from tests.factories import RecommendationFactory

    services.topic_follow(participant=participant, topic=topic)
    recommendation = RecommendationFactory(topic=topic)
    clock.forward(minutes=1)
    moderation.official_response_set(target=recommendation, moderator=ModeratorFactory(), text="We nemen dit mee.")
    hidden = services.comment_create(author=other, topic=topic, text="Een reactie")
    moderation.official_response_set(target=hidden, moderator=ModeratorFactory(), text="Niet voor het publiek.")
    moderation.comment_hide(comment=hidden, moderator=ModeratorFactory(), reason_code="spam")
    clock.forward(minutes=5)
    assert digest.follow_digests_due() == [participant.pk]
    assert _send(participant, django_capture_on_commit_callbacks)
    body = mail.outbox[-1].body
    assert "Reactie van het programmateam: We nemen dit mee." in body
    assert "Niet voor het publiek" not in body
    # Already told: the next day brings no second mail about it.
    clock.forward(days=1, minutes=1)
    assert digest.follow_digests_due() == []


def test_digest_announces_the_closing_once(participant, clock, django_capture_on_commit_callbacks):
    now = clock.now
    topic = TopicFactory(opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=5))
    services.topic_follow(participant=participant, topic=topic)
    assert digest.follow_digests_due() == []  # five days before: nothing yet
    clock.forward(days=2, hours=1)
    assert digest.follow_digests_due() == [participant.pk]
    assert _send(participant, django_capture_on_commit_callbacks)
    assert "Dit onderwerp sluit op" in mail.outbox[0].body
    clock.forward(days=1, hours=1)
    assert digest.follow_digests_due() == []
    assert not _send(participant, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_digest_covers_only_followed_topics_and_unpublished_stays_out(
    participant, other, topic, clock, django_capture_on_commit_callbacks
):
    elsewhere = TopicFactory(opens_at=topic.opens_at, closes_at=topic.closes_at)
    services.topic_follow(participant=participant, topic=topic)
    _publish(clock, elsewhere, other, "Advies bij een ander onderwerp")
    services.proposal_submit(author=other, topic=topic, text="Nog niet beoordeeld voorstel", explanation="")
    clock.forward(minutes=5)
    assert digest.follow_digests_due() == []
    assert not _send(participant, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_beat_task_queues_a_digest_per_follower(
    participant, other, topic, clock, django_capture_on_commit_callbacks
):
    third = ParticipantFactory()
    services.topic_follow(participant=participant, topic=topic)
    services.topic_follow(participant=third, topic=topic)
    _publish(clock, topic, other, "Een advies voor beide volgers")
    clock.forward(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_due_follow_digests()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([participant.email, third.email])
    assert all(len(m.to) == 1 for m in mail.outbox)  # one mail each, nobody sees another address


def test_one_click_unsubscribe_ends_every_follow(client, participant, other, topic):
    services.topic_follow(participant=participant, topic=topic)
    services.topic_follow(participant=other, topic=topic)
    url = reverse("feedback:follow_unsubscribe", kwargs={"token": digest.unsubscribe_token(participant)})
    assert "Stop met het volgen van alle onderwerpen" in client.get(url).content.decode()
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # a mail client, no CSRF token, no login
    assert response.status_code == 200
    assert not TopicFollow.objects.filter(participant=participant).exists()
    assert TopicFollow.objects.filter(participant=other).exists()
    assert client.post(url).status_code == 200  # again: still fine
    bad = reverse("feedback:follow_unsubscribe", kwargs={"token": "x" + digest.unsubscribe_token(other)})
    assert client.post(bad).status_code == 400
    assert TopicFollow.objects.filter(participant=other).exists()
    # A reply-mail token does not unsubscribe from follows.
    from feedback import notifications

    wrong_salt = reverse("feedback:follow_unsubscribe", kwargs={"token": notifications.unsubscribe_token(other)})
    assert client.post(wrong_salt).status_code == 400


def test_a_deleted_account_gets_no_digest_and_its_follows_end(
    participant, other, topic, clock, django_capture_on_commit_callbacks
):
    from participants.services import account_delete

    services.topic_follow(participant=participant, topic=topic)
    account_delete(user=participant, remove_contributions=False)
    _publish(clock, topic, other, "Iets nieuws")
    clock.forward(minutes=5)
    assert digest.follow_digests_due() == []
    assert not TopicFollow.objects.exists()
    assert Proposal.objects.count() == 1
