from django.core.management.base import BaseCommand, CommandError

from nmp_portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Replace the database and the media files with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The backup directory.")
        parser.add_argument("--noinput", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, directory, noinput=False, **options):
        if not noinput:
            answer = input(f"This replaces ALL data and media files with the backup in {directory}. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backup_restore(directory=directory)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {directory}")
