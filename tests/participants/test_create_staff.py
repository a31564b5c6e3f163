import io
import sys
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from participants.rules import is_moderator, is_organiser
from participants.services import staff_create


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
def test_create_staff_command_makes_a_verified_moderator(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", _Terminal())
    with mock.patch("getpass.getpass", return_value="een-lang-wachtwoord-2026"):
        call_command("create_staff", "Moderator@Example.org", "--role", "moderator")
    from participants.models import User

    user = User.objects.get(email="moderator@example.org")
    assert user.is_staff and is_moderator(user) and not is_organiser(user)
    assert user.emailaddress_set.get().verified
    assert "two-step verification" in capsys.readouterr().out


@pytest.mark.django_db
def test_create_staff_refuses_weak_passwords_and_duplicates(monkeypatch):
    with pytest.raises(ValidationError):
        staff_create(email="o@example.org", password="kort", role="organiser")
    staff_create(email="o@example.org", password="een-lang-wachtwoord-2026", role="organiser")
    monkeypatch.setattr(sys, "stdin", io.StringIO("een-lang-wachtwoord-2026\n"))
    with pytest.raises(CommandError, match="already"):
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


@pytest.mark.django_db
def test_create_staff_reads_the_password_from_a_file(tmp_path, capsys):
    from participants.models import User

    password_file = tmp_path / "password"
    password_file.write_text("een-lang-wachtwoord-2026\n")
    call_command("create_staff", "org@example.org", "--role", "organiser", "--password-file", str(password_file))
    user = User.objects.get(email="org@example.org")
    assert user.check_password("een-lang-wachtwoord-2026") and is_organiser(user)
    out = capsys.readouterr().out
    assert "Created organiser org@example.org." in out and "Next: log in at /account/login/" in out


@pytest.mark.django_db
def test_create_staff_reads_piped_standard_input_without_a_terminal(monkeypatch, capsys):
    from participants.models import User

    monkeypatch.setattr(sys, "stdin", io.StringIO("een-lang-wachtwoord-2026\n"))
    with mock.patch("getpass.getpass", side_effect=AssertionError("must not ask without a terminal")):
        call_command("create_staff", "mod@example.org")
    assert User.objects.get(email="mod@example.org").check_password("een-lang-wachtwoord-2026")
    assert "two-step verification" in capsys.readouterr().out


@pytest.mark.django_db
def test_create_staff_answers_in_english_without_a_traceback(monkeypatch, tmp_path):
    from participants.models import User

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="No password in standard input"):
        call_command("create_staff", "mod@example.org")
    weak = tmp_path / "weak"
    weak.write_text("kort\n")
    # The password validators speak English here too, not the site's default Dutch.
    with pytest.raises(CommandError, match=r"too short.*Nothing was created\."):
        call_command("create_staff", "mod@example.org", "--password-file", str(weak))
    with pytest.raises(CommandError, match="Cannot read the password file"):
        call_command("create_staff", "mod@example.org", "--password-file", str(tmp_path / "missing"))
    assert not User.objects.filter(email="mod@example.org").exists()
