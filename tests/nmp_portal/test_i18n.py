"""Dutch is complete, and the committed .mo matches the .po (machines without gettext use it as is)."""

import gettext
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[2] / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_dutch_translation_is_complete():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_translation_is_up_to_date():
    po = polib.pofile(str(PO))
    with open(PO.with_suffix(".mo"), "rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert catalog.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        else:
            assert catalog.gettext(entry.msgid) == entry.msgstr, entry.msgid
