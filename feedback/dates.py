"""Relative dates ("3 uur geleden"), also in blocks that are rendered once and kept (``WHEN`` marks the spot)."""

import time

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language

# Put in a kept block where its relative date goes; replaced on every request (``dated``).
WHEN = "\x00when\x00"

# Each date's HTML as of the current second (an hour or more ago: the current minute), per worker:
# a busy page shows the same twenty dates to every reader in that second, and making one costs
# more than the rest of the reader's parts together. Emptied when full (its keys age within a minute).
_made = {}
_MADE_MAX = 8192


def _clock():
    """Now, in seconds (what the remembered dates are keyed on; tests move it)."""
    return time.time()


def when(value):
    """Relative time ("3 uur geleden") with the exact time on hover and keyboard focus."""
    return dater()(value)


def dater():
    """``when`` for the dates of one request: the clock, language and time zone read once."""
    now, language, zone = _clock(), get_language(), timezone.get_current_timezone_name()

    second, minute = int(now), int(now // 60)

    def when(value):
        if not value:
            return ""
        # Under an hour the text counts seconds or minutes: keep it a second. Beyond, it counts hours or more.
        key = (value, second if now - value.timestamp() < 3600 else minute, language, zone)
        html = _made.get(key)
        if html is None:
            if len(_made) >= _MADE_MAX:
                _made.clear()
            html = _made[key] = _make(value)
        return html

    return when


def _make(value):
    local = timezone.localtime(value)
    exact = date_format(local, "DATETIME_FORMAT")
    return format_html(
        '<time class="when" datetime="{}" title="{}" tabindex="0">{}<span class="visually-hidden"> ({})</span></time>',
        local.isoformat(),
        exact,
        naturaltime(value),
        exact,
    )


def dated(html, created_at, when=when):
    """A kept block with its relative date as of now (``when``: one request's ``dater()``)."""
    return html.replace(WHEN, when(created_at)) if WHEN in html else html
