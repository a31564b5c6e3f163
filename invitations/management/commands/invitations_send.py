from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invitations.models import Event, Invitation
from invitations.services import RESENDABLE, invitations_send


class Command(BaseCommand):
    help = "Send the invitations of an event not sent before (with --resend: again to those without an answer)."

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="slug of the event")
        parser.add_argument(
            "--resend", action="store_true", help="send again, with a new link, to invitees who have not answered"
        )

    def handle(self, *args, **options):
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"No event with slug {options['event']!r}.")
        invitations = None
        if options["resend"]:
            invitations = Invitation.objects.filter(event=event, state__in=RESENDABLE)
        try:
            count = invitations_send(event=event, invitations=invitations, resend=options["resend"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{count} invitations queued")
