"""The command-line route for scripted runs: the same services as the admin."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from invitations.models import Event, Invitation

pytestmark = pytest.mark.django_db


def create_event(capsys):
    call_command(
        "event_create",
        "najaar-2026",
        "--title",
        "Najaarsbijeenkomst NMP",
        "--starts",
        "2099-10-15T13:00",
        "--ends",
        "2099-10-15T17:00",
        "--capacity",
        "60",
        "--rsvp-deadline",
        "2099-10-01T23:59",
        "--location",
        "Den Haag",
    )
    return Event.objects.get(slug="najaar-2026")


def test_event_create_reads_times_as_amsterdam_time(capsys):
    event = create_event(capsys)
    assert event.starts_at.isoformat() == "2099-10-15T11:00:00+00:00"  # 13:00 summer time
    assert "Created event najaar-2026" in capsys.readouterr().out


def test_event_create_refuses_a_deadline_after_the_start():
    with pytest.raises(CommandError):
        call_command(
            "event_create", "x", "--title", "X", "--starts", "2099-10-15T13:00", "--ends", "2099-10-15T17:00",
            "--capacity", "5", "--rsvp-deadline", "2099-10-16T00:00", "--location", "Den Haag",
        )  # fmt: skip


def test_import_with_errors_exits_non_zero_prints_the_rows_and_imports_nothing(tmp_path, capsys):
    event = create_event(capsys)
    path = tmp_path / "genodigden.csv"
    path.write_text("name,email,organisation,sector,note,language\nAnna,anna@example.org,,,,\n,geen,,,,\n")
    with pytest.raises(CommandError):
        call_command("invitations_import", str(path), "--event", event.slug)
    err = capsys.readouterr().err
    assert "line 3:" in err
    assert not Invitation.objects.exists()
    call_command("invitations_import", str(path), "--event", event.slug, "--valid-only")
    assert "1 new, 0 updated, 0 unchanged, 1 with errors" in capsys.readouterr().out
    assert Invitation.objects.count() == 1


def test_send_twice_sends_once_and_resend_sends_again(tmp_path, capsys, django_capture_on_commit_callbacks):
    event = create_event(capsys)
    path = tmp_path / "genodigden.csv"
    path.write_bytes(
        "name,email,organisation,sector,note,language\nRenée,renee@example.org,,Gemeente,,\n".encode("cp1252")
    )
    call_command("invitations_import", str(path), "--event", event.slug)
    assert Invitation.objects.get().name == "Renée"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("invitations_send", "--event", event.slug)
    assert len(mail.outbox) == 1
    from invitations.services import invitations_delivery_sync

    invitations_delivery_sync()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invitations_send", "--event", event.slug, "--resend")
    assert len(mail.outbox) == 2
    assert "1 invitations queued" in capsys.readouterr().out


def test_unknown_event_is_an_error():
    with pytest.raises(CommandError, match="No event"):
        call_command("invitations_send", "--event", "bestaat-niet")
