import functools
import re
import threading
from collections import OrderedDict

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import Urlizer, escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from feedback.forms import blank_form_html
from feedback.rules import page_permissions

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


@register.simple_tag(takes_context=True)
def page_perm(context, perm, obj=None):
    """``{% page_perm "feedback.vote" recommendation as can_vote %}``: ``{% has_perm %}`` for the page's many objects.

    The same answer as ``user.has_perm(perm, obj)`` (django-rules), asked once
    per kind of object on the page (``feedback.rules.PagePermissions``).
    """
    user = context.get("user")
    if user is None:
        return False
    return page_permissions(user).has(perm, obj)


# --- The part of a comment that is the same for every reader -------------------------------------

_WHEN = "\x00when\x00"
_HEADS_MAX = 4096
_heads = OrderedDict()
_heads_lock = threading.Lock()


def _head_key(comment, is_reply):
    """Everything ``feedback/_comment_head.html`` shows, so a remembered head is never stale.

    The key holds the values themselves (not a version number): a changed
    text, name, stance, featured or hidden state makes another key, and
    nothing needs to be told about the change.
    """
    author = comment.author if not (comment.is_hidden or comment.is_deleted) else None
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        comment.pk,
        bool(is_reply),
        comment.is_featured,
        comment.is_hidden,
        comment.hidden_at,
        comment.public_hidden_reason if comment.is_hidden else "",
        comment.is_deleted,
        None if author is None else (str(author.public_name), str(author.public_sector)),
        bool(comment.edited_at),
        comment.stance,
        comment.text if author is not None else "",
    )


@register.simple_tag
def comment_head(comment, is_reply=False):
    """A comment's opening: who, when, stance and text (``feedback/_comment_head.html``).

    Rendered once per worker for each version of a comment (keyed by what it
    shows, see ``_head_key``) and then reused for every reader; only the
    relative date ("5 minuten geleden") is filled in on each request, so it is
    as fresh as before. The parts that differ per reader (edit, delete or
    report links, moderation) are rendered by ``_comment.html`` around it.
    """
    key = _head_key(comment, is_reply)
    with _heads_lock:
        html = _heads.get(key)
        if html is not None:
            _heads.move_to_end(key)
    if html is None:
        html = render_to_string(
            "feedback/_comment_head.html",
            {"comment": comment, "is_reply": is_reply, "when_placeholder": mark_safe(_WHEN)},  # noqa: S308
        )
        with _heads_lock:
            _heads[key] = html
            if len(_heads) > _HEADS_MAX:
                _heads.popitem(last=False)
    if _WHEN in html:
        html = html.replace(_WHEN, when(comment.created_at))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it


@register.filter
def crispy_blank(form):
    """``{{ form|crispy }}``, with an empty form rendered once per worker (``feedback.forms.blank_form_html``)."""
    return blank_form_html(form)
