from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invitations.models import Event
from invitations.roster import roster_read
from invitations.services import ERROR, invitations_import, roster_preview


class Command(BaseCommand):
    help = "Import invitees from a CSV or XLSX file (columns name,email,organisation,sector,note,language)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--event", required=True, help="slug of the event")
        parser.add_argument(
            "--valid-only", action="store_true", help="import the valid rows even when others have errors"
        )

    def handle(self, *args, **options):
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"No event with slug {options['event']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows = roster_read(filename=path.name, content=path.read_bytes())
            preview = roster_preview(event=event, rows=rows)
            for row in preview.rows:
                for warning in row.warnings:
                    self.stderr.write(f"line {row.line}: {warning}")
                if row.status == ERROR:
                    self.stderr.write(f"line {row.line}: {' '.join(row.reasons)}")
            preview = invitations_import(event=event, rows=rows, valid_only=options["valid_only"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        summary = preview.summary()
        self.stdout.write(
            f"{summary['new']} new, {summary['update']} updated, {summary['unchanged']} unchanged, "
            f"{summary['error']} with errors (not imported)"
        )
