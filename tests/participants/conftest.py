import pytest
from allauth.mfa.models import Authenticator

from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory, UserFactory


def staff_mfa_login(client, user):
    """Log ``user`` in as if they gave their password and the code from their authenticator app."""
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return user


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
