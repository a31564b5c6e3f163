"""Dutch is complete, the committed .mo matches its .po (machines without gettext use it as is), and the
hand-kept Dutch for allauth's texts is what the site shows."""

import gettext
from pathlib import Path

import allauth
import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
ALLAUTH_OVERRIDES = ROOT / "locale_overrides" / "nl" / "LC_MESSAGES" / "django.po"
CATALOGUES = pytest.mark.parametrize("po_path", [PORTAL, ALLAUTH_OVERRIDES], ids=["portal", "allauth-overrides"])


@CATALOGUES
def test_dutch_translation_is_complete(po_path):
    po = polib.pofile(str(po_path))
    assert len(po) > 0
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@CATALOGUES
def test_compiled_translation_is_up_to_date(po_path):
    po = polib.pofile(str(po_path))
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert catalog.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        else:
            assert catalog.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_every_allauth_override_matches_an_allauth_text():
    """An override whose English allauth no longer has would silently stop applying after an upgrade."""
    shipped = polib.pofile(str(Path(allauth.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    allauth_msgids = {entry.msgid for entry in shipped}
    overrides = polib.pofile(str(ALLAUTH_OVERRIDES))
    assert [entry.msgid for entry in overrides if entry.msgid not in allauth_msgids] == []


@CATALOGUES
def test_the_site_shows_our_dutch_over_the_installed_apps(po_path):
    """LOCALE_PATHS puts both catalogues ahead of allauth's and Django's own Dutch ("je" becomes "u")."""
    po = polib.pofile(str(po_path))
    with translation.override("nl"):
        for entry in po.translated_entries():
            if entry.msgid_plural:
                assert translation.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
                assert translation.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr_plural[1]
            else:
                assert translation.gettext(entry.msgid) == entry.msgstr, entry.msgid
