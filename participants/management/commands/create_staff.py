import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from participants.roles import ROLES
from participants.services import staff_create


class Command(BaseCommand):
    help = (
        "Create a moderator or organiser account (staff, verified e-mail). The password comes from "
        "--password-file, from standard input when that is not a terminal, or is asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", choices=sorted(ROLES), default="moderator")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-file",
            help="Read the password from the first line of this file ('-' for standard input).",
        )

    def handle(self, *args, **options):
        # The command speaks English throughout, including the messages of the
        # validators and services it calls (which would otherwise come in Dutch).
        with translation.override("en"):
            password = self._password(options["password_file"])
            try:
                user = staff_create(
                    email=options["email"],
                    password=password,
                    role=options["role"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages) + " Nothing was created.") from None
        self.stdout.write(self.style.SUCCESS(f"Created {options['role']} {user.email}."))
        self.stdout.write(
            "Next: log in at /account/login/, set up two-step verification at /account/2fa/, "
            "log out and in again with the code from your app, then open /admin/."
        )

    def _password(self, path):
        """The password from a file, from piped standard input, or typed twice at a terminal."""
        if path == "-" or (path is None and not sys.stdin.isatty()):
            return self._first_line(sys.stdin.readline(), "standard input")
        if path:
            try:
                with open(path, encoding="utf-8") as handle:
                    return self._first_line(handle.readline(), path)
            except OSError as exc:
                raise CommandError(f"Cannot read the password file: {exc.strerror} ({path}).") from None
        try:
            password = getpass.getpass("Password (at least 12 characters): ")
            again = getpass.getpass("Password again: ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password given; nothing was created.") from None
        if password != again:
            raise CommandError("The passwords differ; nothing was created.")
        return password

    @staticmethod
    def _first_line(line, source):
        password = line.rstrip("\r\n")
        if not password:
            raise CommandError(
                f"No password in {source}. Give it on the first line, for example: "
                "printf '%s\\n' \"$PASSWORD\" | python manage.py create_staff you@example.org"
            )
        return password
