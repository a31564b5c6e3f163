"""The fixed list of stakeholder sectors, grouped like the workshop's audience.

Editable only in code: results per sector depend on these codes staying stable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    RIJKSOVERHEID = "rijksoverheid", _("Central government")
    PROVINCIE = "provincie", _("Province")
    GEMEENTE = "gemeente", _("Municipality")
    WATERSCHAP = "waterschap", _("Water authority")
    UITVOERING = "uitvoering", _("Environmental service or other implementing organisation")
    BEDRIJFSLEVEN = "bedrijfsleven", _("Business or trade association")
    NATUUR_MILIEU = "natuur_milieu", _("Nature or environmental organisation")
    KENNIS = "kennis", _("Knowledge institution")
    BEWONER = "bewoner", _("Resident or residents' group")
    OVERIG = "overig", _("Other")


# How a participant who shows only their sector appears next to a contribution.
SECTOR_PARTICIPANT_LABEL = {
    Sector.RIJKSOVERHEID: _("Participant from central government"),
    Sector.PROVINCIE: _("Participant from a province"),
    Sector.GEMEENTE: _("Participant from a municipality"),
    Sector.WATERSCHAP: _("Participant from a water authority"),
    Sector.UITVOERING: _("Participant from an implementing organisation"),
    Sector.BEDRIJFSLEVEN: _("Participant from business"),
    Sector.NATUUR_MILIEU: _("Participant from a nature or environmental organisation"),
    Sector.KENNIS: _("Participant from a knowledge institution"),
    Sector.BEWONER: _("Participant as a resident"),
    Sector.OVERIG: _("Participant"),
}


# Called with (user) after a participant's sector was confirmed, inside the
# transaction. Apps above this one register here from ``AppConfig.ready()`` (the
# feedback app re-stamps votes cast with the confirmed sector), so this
# bottom-layer app imports none of them.
_CONFIRM_HOOKS = []


def on_sector_confirmed(hook):
    """Register ``hook(user)``; registering the same function twice has no effect."""
    if hook not in _CONFIRM_HOOKS:
        _CONFIRM_HOOKS.append(hook)
    return hook


def sector_confirmed_hooks():
    return list(_CONFIRM_HOOKS)
