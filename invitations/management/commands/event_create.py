from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from invitations.services import event_create


def _moment(value):
    """An ISO 8601 moment; without an offset it is read as Europe/Amsterdam time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not an ISO date and time: {value!r} (for example 2026-10-15T13:00).") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Create an event (the autumn session) for invitations."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--title", required=True)
        parser.add_argument(
            "--starts", required=True, help="ISO date and time, Europe/Amsterdam unless an offset is given"
        )
        parser.add_argument("--ends", required=True)
        parser.add_argument("--capacity", required=True, type=int)
        parser.add_argument("--rsvp-deadline", required=True)
        parser.add_argument("--location", required=True)
        parser.add_argument("--address", default="")
        parser.add_argument("--description", default="")
        parser.add_argument("--accessibility", default="")
        parser.add_argument("--online-url", default="")

    def handle(self, *args, **options):
        try:
            event = event_create(
                slug=options["slug"],
                title=options["title"],
                starts_at=_moment(options["starts"]),
                ends_at=_moment(options["ends"]),
                capacity=options["capacity"],
                rsvp_deadline=_moment(options["rsvp_deadline"]),
                location=options["location"],
                address=options["address"],
                description=options["description"],
                accessibility=options["accessibility"],
                online_url=options["online_url"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Created event {event.slug}: {event.title}")
