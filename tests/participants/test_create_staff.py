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


@pytest.mark.django_db
def test_create_staff_gives_the_groups_permissions_and_refuses_without_the_group():
    from django.contrib.auth.models import Group

    moderator = staff_create(email="m@example.org", password="een-lang-wachtwoord-2026", role="moderator")
    assert moderator.has_perm("feedback.change_comment") and moderator.has_perm("participants.block_user")
    Group.objects.filter(name="Organisator").delete()
    with pytest.raises(ValidationError, match="migrate"):
        staff_create(email="o@example.org", password="een-lang-wachtwoord-2026", role="organiser")
