"""Relative dates ("3 uur geleden"), also in blocks that are rendered once and kept (``WHEN`` marks the spot)."""

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

# Put in a kept block where its relative date goes; replaced on every request (``dated``).
WHEN = "\x00when\x00"


def when(value):
    """Relative time ("3 uur geleden") with the exact time on hover and keyboard focus."""
    if not value:
        return ""
    local = timezone.localtime(value)
    exact = date_format(local, "DATETIME_FORMAT")
    return format_html(
        '<time class="when" datetime="{}" title="{}" tabindex="0">{}<span class="visually-hidden"> ({})</span></time>',
        local.isoformat(),
        exact,
        naturaltime(value),
        exact,
    )


def dated(html, created_at):
    """A kept block with its relative date as of now."""
    return html.replace(WHEN, when(created_at)) if WHEN in html else html
