from django.core.management.base import BaseCommand, CommandError

from nmp_portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the media files into a new directory (default var/backups/<time>)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Directory to create for this backup.")

    def handle(self, *args, output=None, **options):
        try:
            directory = backup_create(directory=output)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(directory))
