"""Who may use which account page and action, one row per role."""

import pytest
from django.urls import reverse

from tests.auth import staff_mfa_login
from tests.factories import ParticipantFactory

ROLES = ["anonymous", "unverified", "participant", "blocked", "moderator", "organiser"]

# (name, method, url, expected status per role in the order of ROLES). 302 = sent to log in.
PAGES = [
    ("home", "get", "/", [200, 200, 200, 200, 200, 200]),
    ("sign up page", "get", "/account/signup/", [200, 302, 302, 302, 302, 302]),
    ("log in page", "get", "/account/login/", [200, 302, 302, 302, 302, 302]),
    ("profile", "get", "/profiel/", [302, 200, 200, 200, 200, 200]),
    ("my data", "get", "/profiel/mijn-gegevens/", [302, 200, 200, 200, 200, 200]),
    ("data download", "get", "/profiel/mijn-gegevens/download/", [302, 200, 200, 200, 200, 200]),
    ("e-mail address", "get", "/account/email/", [302, 200, 200, 200, 200, 200]),
    ("two-step verification", "get", "/account/2fa/", [302, 200, 200, 200, 200, 200]),
    ("password reset", "get", "/account/password/reset/", [200, 200, 200, 200, 200, 200]),
    ("log in by code", "get", "/account/login/code/", [200, 302, 302, 302, 302, 302]),
    ("change password", "get", "/account/password/change/", [302, 200, 200, 200, 200, 200]),
    ("sessions", "get", "/account/sessions/", [302, 200, 200, 200, 200, 200]),
    ("log out page", "get", "/account/logout/", [302, 200, 200, 200, 200, 200]),
    # Deleting asks for the password again first (re-authentication), for every role with an account.
    ("delete account", "get", "/profiel/verwijderen/", [302, 302, 302, 302, 302, 302]),
    ("delete account (no re-authentication)", "post", "/profiel/verwijderen/", [302, 302, 302, 302, 302, 302]),
    # Non-staff are sent to the admin login, which refuses them (403) and sends visitors to allauth's login.
    ("admin", "get", "/admin/", [302, 302, 302, 302, 200, 200]),
    ("admin login", "get", "/admin/login/", [302, 403, 403, 403, 302, 302]),
    ("admin users", "get", "/admin/participants/user/", [302, 302, 302, 302, 200, 200]),
    ("admin portal settings", "get", "/admin/participants/portalsettings/1/change/", [302, 302, 302, 302, 403, 200]),
]


def _client_for(role, role_user, client):
    user = role_user(role)
    if user is None:
        return None
    if user.is_staff:
        staff_mfa_login(client, user)
    else:
        client.force_login(user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("name,method,url,expected", PAGES, ids=[p[0] for p in PAGES])
def test_pages_per_role(client, role_user, role_index, role, name, method, url, expected):
    from participants.models import PortalSettings

    PortalSettings.load()
    user = _client_for(role, role_user, client)
    response = getattr(client, method)(url, {"contributions": "remove", "confirm": "on"} if method == "post" else {})
    assert response.status_code == expected[role_index], f"{role} on {name}"
    if url == "/profiel/verwijderen/" and user is not None:
        assert "/account/reauthenticate/" in response["Location"]
        user.refresh_from_db()
        assert not user.is_deleted


# Whether each role may contribute (vote, comment, propose) and moderate.
PERMS = [
    ("participants.contribute", [False, False, True, False, True, True]),
    ("participants.moderate", [False, False, False, False, True, False]),
    ("participants.organise", [False, False, False, False, False, True]),
    ("participants.block_user", [False, False, False, False, True, False]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("perm,expected", PERMS, ids=[p[0] for p in PERMS])
def test_permissions_per_role(role_user, role_index, role, perm, expected):
    from django.contrib.auth.models import AnonymousUser

    user = role_user(role) or AnonymousUser()
    assert user.has_perm(perm) is expected[role_index]


@pytest.mark.django_db
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
def test_block_action_per_role(client, role_user, role_index, role):
    """Only moderators can block; the action is refused (or absent) for everyone else."""
    target = ParticipantFactory()
    _client_for(role, role_user, client)
    client.post(
        reverse("admin:participants_user_changelist"),
        {"action": "block_participants", "_selected_action": [target.pk], "confirm": "1", "block-reason": "Spam"},
    )
    target.refresh_from_db()
    assert target.is_blocked is (role == "moderator")
