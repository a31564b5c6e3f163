import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from participants.roles import ROLES
from participants.services import staff_create


class Command(BaseCommand):
    help = "Create a moderator or organiser account (staff, verified e-mail). Asks for the password."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", choices=sorted(ROLES), default="moderator")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options):
        password = getpass.getpass("Password (at least 12 characters): ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The passwords differ; nothing was created.")
        try:
            user = staff_create(
                email=options["email"],
                password=password,
                role=options["role"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {options['role']} {user.email}."))
        self.stdout.write(
            "Next: log in at /account/login/, set up two-step verification at /account/2fa/, "
            "log out and in again with the code from your app, then open /admin/."
        )
