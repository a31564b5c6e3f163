"""Proposals: private until a moderator approves; then a recommendation like the workshop's."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback import moderation, services
from feedback.models import Proposal
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory
from topics.models import Source


@pytest.fixture
def topic(db):
    return TopicFactory(opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=5))


def test_submit_approve_publishes_at_next_position(client, topic):
    RecommendationFactory(topic=topic, position=1)
    RecommendationFactory(topic=topic, position=2)
    author = ParticipantFactory(first_name="Fatima", last_name="El Amrani", organisation="Gemeente Zwolle")
    proposal = services.proposal_submit(author=author, topic=topic, text="Meer groen in de stad", explanation="Hitte")
    assert services.proposal_submit(author=author, topic=topic, text="Meer groen in de stad").pk == proposal.pk
    assert "Meer groen in de stad" not in client.get(topic.get_absolute_url()).content.decode()

    with pytest.raises(PermissionDenied):
        moderation.proposal_approve(proposal=proposal, moderator=author)
    moderator = ModeratorFactory()
    proposal = moderation.proposal_approve(proposal=proposal, moderator=moderator)
    again = moderation.proposal_approve(proposal=proposal, moderator=moderator)
    assert again.recommendation_id == proposal.recommendation_id
    rec = proposal.recommendation
    assert (rec.position, rec.source, rec.proposed_by, rec.is_published) == (3, Source.PARTICIPANT, author, True)

    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Meer groen in de stad" in page
    assert "Voorgesteld door een deelnemer: <bdi>Fatima El Amrani (Gemeente Zwolle)</bdi>" in page
    assert page.count("Uit de werksessie van 26 juni 2024") == 2
    # It can be voted on like the workshop's.
    services.vote_cast(participant=ParticipantFactory(), recommendation=rec, choice="agree")


def test_reject_with_note_and_refusals(topic):
    author = ParticipantFactory()
    proposal = services.proposal_submit(author=author, topic=topic, text="Iets")
    proposal = moderation.proposal_reject(
        proposal=proposal, moderator=ModeratorFactory(), reason="Staat al in advies 2"
    )
    assert proposal.status == Proposal.Status.REJECTED and proposal.moderator_note == "Staat al in advies 2"
    with pytest.raises(ValidationError):
        moderation.proposal_approve(proposal=proposal, moderator=ModeratorFactory())
    with pytest.raises(ValidationError):
        services.proposal_submit(author=author, topic=topic, text="x" * 601)
    with pytest.raises(PermissionDenied):
        services.proposal_submit(author=ParticipantFactory(verified=False), topic=topic, text="Iets")
    closed = TopicFactory(opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.proposal_submit(author=author, topic=closed, text="Te laat")


def test_admin_approve_action(client, topic):
    author = ParticipantFactory()
    proposal = services.proposal_submit(author=author, topic=topic, text="<script>x</script> voorstel")
    moderator = ModeratorFactory(is_superuser=True)
    staff_mfa_login(client, moderator)
    listing = client.get("/admin/feedback/proposal/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in listing and "<script>x</script>" not in listing
    client.post(
        "/admin/feedback/proposal/", {"action": "approve_selected", "_selected_action": [proposal.pk], "confirm": "1"}
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED and proposal.recommendation
