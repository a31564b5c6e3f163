import pytest

from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory, UserFactory


@pytest.fixture
def role_user(db):
    """Make the user for a role of the role matrix."""

    def make(role):
        if role == "anonymous":
            return None
        if role == "unverified":
            return UserFactory(sector="gemeente")
        if role == "participant":
            return ParticipantFactory()
        if role == "blocked":
            return ParticipantFactory(is_blocked=True, blocked_reason="Herhaald schelden")
        if role == "moderator":
            return ModeratorFactory()
        if role == "organiser":
            return OrganiserFactory()
        raise ValueError(role)

    return make
