from django.core.management.base import BaseCommand, CommandError

from topics.services import DEFAULT_CONTENT_FILE, ContentFileError, content_load


class Command(BaseCommand):
    help = "Load the NMP workshop content (topics, considerations, recommendations). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_CONTENT_FILE), help="Path of the YAML data file.")

    def handle(self, *args, **options):
        try:
            report = content_load(path=options["file"])
        except ContentFileError as exc:
            raise CommandError(f"Nothing was loaded. {' '.join(exc.messages)}") from None
        self.stdout.write(
            f"NMP content: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.kept)} kept because they were changed in the database."
        )
        for label in report.kept:
            self.stdout.write(f"  kept: {label}")
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("Already up to date."))
