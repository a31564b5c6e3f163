import functools
import re

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import Urlizer, escape, format_html, linebreaks
from django.utils.safestring import mark_safe

register = template.Library()


LINK_REL = "nofollow ugc noopener"
OTHER_SCHEME = re.compile(r"^\W*(?!https?://)[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


class _WebLinksOnly(Urlizer):
    """Django's urlize, but a word with another scheme (ftp://, file://) stays text instead of "http://ftp://"."""

    def handle_word(self, word, *, safe_input, autoescape=False, **kwargs):
        if OTHER_SCHEME.match(word):
            return word if safe_input or not autoescape else escape(word)
        return super().handle_word(word, safe_input=safe_input, autoescape=autoescape, **kwargs)


urlize = _WebLinksOnly()


@register.filter
def plain_text(value):
    """User text as plain text: escaped, line breaks kept, links made clickable.

    Only http(s) addresses (and bare domains, which become http) and e-mail
    addresses (mailto) turn into links; anything else, such as
    ``javascript:``, stays text. Web links get rel="nofollow ugc noopener".
    """
    return mark_safe(_plain_text_html(str(value)))  # noqa: S308 - escaped by urlize


# Link detection walks the text word by word; a page shows the same comments
# to every reader, so each worker remembers the result for recent texts. The
# output depends on nothing but the text, so a remembered result is never wrong.
@functools.lru_cache(maxsize=4096)
def _plain_text_html(text):
    escaped_with_links = urlize(text, nofollow=True, autoescape=True)
    # urlize escaped every quote of the user's text, so the only raw ' rel="nofollow">' are its own.
    escaped_with_links = escaped_with_links.replace(' rel="nofollow">', f' rel="{LINK_REL}">')
    return escaped_with_links.replace("\n", "<br>")


@register.filter
def isolate(value):
    """A user-chosen name in a <bdi>: right-to-left marks in it cannot turn the text around it."""
    return format_html("<bdi>{}</bdi>", value)


# Invisible direction marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-E, U+2066-9).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@register.filter
def without_bidi_controls(value):
    """The plain-text (e-mail) counterpart of ``isolate``: a name without invisible direction characters.

    Plain text has no <bdi>, and adding isolate characters would put invisible
    characters in the mail; removing the ones a name brought with it keeps a
    right-to-left override in it from turning the text around it.
    """
    return BIDI_CONTROLS.sub("", str(value))


@register.simple_tag
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


@register.filter
def paragraphs(value):
    return linebreaks(value, autoescape=True)
