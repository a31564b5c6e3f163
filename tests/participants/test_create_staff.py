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
def test_create_staff_gives_the_groups_permissions_and_refuses_without_the_group():
    from django.contrib.auth.models import Group

    moderator = staff_create(email="m@example.org", password="een-lang-wachtwoord-2026", role="moderator")
    assert moderator.has_perm("feedback.change_comment") and moderator.has_perm("participants.block_user")
    Group.objects.filter(name="Organisator").delete()
    with pytest.raises(ValidationError, match="migrate"):
        staff_create(email="o@example.org", password="een-lang-wachtwoord-2026", role="organiser")


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
