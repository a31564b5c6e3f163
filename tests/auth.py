"""Log users in for tests without going through the forms (the flows themselves have their own tests)."""

from allauth.mfa.models import Authenticator

# What allauth records in the session after a password login followed by a code from the app.
MFA_AUTHENTICATION_RECORDS = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0}]


def give_staff_mfa(user):
    """Give ``user`` an authenticator app (TOTP) so staff pages accept them."""
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})


def mark_session_mfa(session, user):
    session["account_authentication_methods"] = MFA_AUTHENTICATION_RECORDS
    session["account_authentication_methods_user"] = str(user.pk)


def staff_mfa_login(client, user):
    """Log ``user`` in as if they gave their password and the code from their authenticator app."""
    give_staff_mfa(user)
    client.force_login(user)
    session = client.session
    mark_session_mfa(session, user)
    session.save()
    return user
