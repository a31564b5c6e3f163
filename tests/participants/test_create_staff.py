from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from participants.rules import is_moderator, is_organiser
from participants.services import staff_create


@pytest.mark.django_db
def test_create_staff_command_makes_a_verified_moderator(capsys):
    with mock.patch("getpass.getpass", return_value="een-lang-wachtwoord-2026"):
        call_command("create_staff", "Moderator@Example.org", "--role", "moderator")
    from participants.models import User

    user = User.objects.get(email="moderator@example.org")
    assert user.is_staff and is_moderator(user) and not is_organiser(user)
    assert user.emailaddress_set.get().verified
    assert "two-step verification" in capsys.readouterr().out


@pytest.mark.django_db
def test_create_staff_refuses_weak_passwords_and_duplicates():
    with pytest.raises(ValidationError):
        staff_create(email="o@example.org", password="kort", role="organiser")
    staff_create(email="o@example.org", password="een-lang-wachtwoord-2026", role="organiser")
    with mock.patch("getpass.getpass", return_value="een-lang-wachtwoord-2026"), pytest.raises(CommandError):
        call_command("create_staff", "O@example.org", "--role", "organiser")
