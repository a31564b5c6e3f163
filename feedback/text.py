"""Participants' text as it is stored: one form of line breaks, no blanks around it, within its limit."""

from django.core.exceptions import ValidationError


def clean_text(value):
    """``value`` with Windows (\\r\\n) and old Mac (lone \\r) line breaks as \\n, stripped; "" for None."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def check_length(text, *, field, limit, message):
    """Raise a field error ``message`` (with %(max)s and %(count)s) when ``text`` is longer than ``limit``."""
    if len(text) > limit:
        raise ValidationError({field: message % {"max": limit, "count": len(text)}})
