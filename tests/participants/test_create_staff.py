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
def test_create_staff_gives_the_roles_permissions_even_after_the_groups_were_renamed_or_deleted():
    from django.contrib.auth.models import Group

    from participants.rules import is_moderator, is_organiser

    moderator = staff_create(email="m@example.org", password="een-lang-wachtwoord-2026", role="moderator")
    assert moderator.has_perm("feedback.change_comment") and moderator.has_perm("participants.block_user")
    assert is_moderator(moderator) and not is_organiser(moderator)
    # An administrator renames the moderators' group: the role goes by its permission, not the name.
    Group.objects.filter(name="Moderator").update(name="Moderatoren")
    second = staff_create(email="m2@example.org", password="een-lang-wachtwoord-2026", role="moderator")
    assert list(second.groups.values_list("name", flat=True)) == ["Moderatoren"]
    assert is_moderator(second)
    # A deleted group is made again with its permissions, never as an empty group.
    Group.objects.filter(name="Organisator").delete()
    organiser = staff_create(email="o@example.org", password="een-lang-wachtwoord-2026", role="organiser")
    assert organiser.has_perm("participants.change_portalsettings") and is_organiser(organiser)
    assert not is_moderator(organiser)


@pytest.mark.django_db
def test_roles_sync_is_idempotent_and_resets_the_permissions():
    from django.contrib.auth.models import Group, Permission

    from participants.roles import MODERATOR, roles_sync

    roles_sync()
    group = Group.objects.get(name="Moderator")
    before = set(group.permissions.values_list("codename", flat=True))
    group.permissions.add(Permission.objects.get(codename="delete_comment"))
    roles_sync()
    roles_sync()
    assert set(group.permissions.values_list("codename", flat=True)) == before
    assert {codename for _app, codename in MODERATOR.codenames()} == before
    assert Group.objects.filter(name="Moderator").count() == 1
