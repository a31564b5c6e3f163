from django.core.management.base import BaseCommand, CommandError

from benchmarks.seed import SIZES, SeedRefused, seed_demo


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic consultation (participants, votes, priorities, comments, proposals, "
        "invitations with answers) "
        "on top of the NMP content. Deterministic with --seed. For benchmarks and demos, never for production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--size", choices=sorted(SIZES), default="quick", help="quick (seconds) or national.")
        parser.add_argument(
            "--force", action="store_true", help="Run even when the database has real accounts or demo data."
        )

    def handle(self, *args, seed, size, force, **options):
        def log(line):
            if options["verbosity"] > 0:
                self.stdout.write(line)

        try:
            counts = seed_demo(seed=seed, size=size, force=force, log=log)
        except SeedRefused as refusal:
            raise CommandError(str(refusal)) from None
        log(", ".join(f"{name}: {count}" for name, count in counts.items()))
