"""Rebuild the Dutch translation: extract strings, fill them from the glossaries, compile.

The Dutch texts live in ``locale/glossary/*.json`` (one file per area of the
site, ``{"English source": "Nederlandse vertaling"}``; a plural is a list of
two). Keeping them there, instead of hand-editing the .po, lets several people
work on different areas at once without conflicts in the generated .po file.
Needs GNU gettext (``makemessages``) and polib (requirements-dev.txt).
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Extract messages, fill Dutch from locale/glossary/*.json, compile; lists what is still missing."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail when a string has no Dutch translation.")

    def handle(self, *args, **options):
        import polib

        locale_dir = Path(settings.BASE_DIR) / "locale"
        glossary = {}
        for path in sorted((locale_dir / "glossary").glob("*.json")):
            glossary.update(json.loads(path.read_text(encoding="utf-8")))

        ignore = [".venv", "var", "tests", "benchmarks", "node_modules"]
        call_command("makemessages", locale=["nl"], ignore_patterns=ignore, no_obsolete=True, verbosity=0)
        po_path = locale_dir / "nl" / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(po_path))
        po.metadata.update(
            {
                "Language": "nl",
                "Plural-Forms": "nplurals=2; plural=(n != 1);",
                "Content-Type": "text/plain; charset=UTF-8",
            }
        )
        missing = []
        for entry in po:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            value = glossary.get(entry.msgid)
            if entry.msgid_plural:
                if isinstance(value, list) and len(value) == 2:
                    entry.msgstr_plural = {0: value[0], 1: value[1]}
                else:
                    missing.append(entry.msgid)
            elif isinstance(value, str):
                entry.msgstr = value
            else:
                missing.append(entry.msgid)
        # Stable header so regenerating does not churn the file.
        po.metadata["POT-Creation-Date"] = "2024-06-26 00:00+0000"
        po.save(str(po_path))
        call_command("compilemessages", locale=["nl"], ignore_patterns=ignore, verbosity=0)
        for msgid in missing:
            self.stdout.write(f"missing Dutch: {msgid!r}")
        self.stdout.write(f"{len(po) - len(missing)} of {len(po)} strings translated.")
        if missing and options["check"]:
            raise CommandError(f"{len(missing)} strings have no Dutch translation in locale/glossary/*.json.")
