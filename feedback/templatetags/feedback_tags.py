import copy
import functools
import re

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import Urlizer, escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from feedback.dates import WHEN, dated, when
from feedback.forms import blank_form_html
from feedback.memory import WorkerMemory
from feedback.readerpage import remember_comment
from feedback.rules import page_permissions
from topics.pagecache import reader_meta, slot_markers

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


register.simple_tag(when, name="when")


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


# --- Comments: rendered once per version and kind of reader ---------------------------------------

_blocks = WorkerMemory(2048)


def _official_response(obj):
    try:
        return obj.official_response
    except ObjectDoesNotExist:
        return None


def _block_key(comment, is_reply, response, answers):
    """Everything ``feedback/_comment_block.html`` shows, so a remembered block is never stale.

    The key holds the values themselves (not a version number): a changed
    text, name, stance, featured or hidden state, official response or answer
    to a permission makes another key, and nothing needs to be told about a change.
    """
    shown = not (comment.is_hidden or comment.is_deleted)
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        comment.pk,
        bool(is_reply),
        answers,
        comment.is_featured,
        comment.is_hidden,
        comment.hidden_at,
        comment.public_hidden_reason if comment.is_hidden else "",
        comment.is_deleted,
        (str(comment.author.public_name), str(comment.author.public_sector)) if shown else None,
        bool(comment.edited_at),
        comment.stance,
        comment.text if shown else "",
        (response.pk, response.text, response.updated_at) if response and not comment.is_deleted else None,
    )


@register.simple_tag(takes_context=True)
def comment_block(context, comment, is_reply=False):
    """One comment as ``feedback/_comment_block.html`` renders it for the reader in ``context``.

    The reader's part is four answers from the permission rules (edit, delete,
    report, moderate; ``PagePermissions``). The block is rendered once per
    worker for each version of the comment and set of answers (see
    ``_block_key``), then reused for every reader with the same answers; only
    the relative date ("5 minuten geleden") is filled in on each request, so
    it is as fresh as before.

    On a shared copy of a page (``feedback.readerpage``) the block is a slot:
    both versions, the one its author sees and the one everyone else of this
    kind of reader sees, are kept with the copy.
    """
    user = context.get("user")
    request = context.get("request")
    if user is None or reader_meta(request) is None:
        return mark_safe(_comment_html(comment, is_reply, user, authored=None))  # noqa: S308 - escaped by the engine
    # Kept with their date marker: the relative date is put in on each request, from the shared copy too.
    mine = _comment_html(comment, is_reply, user, authored=True, with_date=False)
    theirs = _comment_html(comment, is_reply, user, authored=False, with_date=False)
    remember_comment(request, comment.pk, comment.author_id, comment.created_at, mine=mine, theirs=theirs)
    start, end = slot_markers(request)(f"comment:{comment.pk}")
    html = mine if user.is_authenticated and comment.author_id == user.pk else theirs
    html = dated(html, comment.created_at)
    return mark_safe(f"{start}{html}{end}")  # noqa: S308 - rendered by the template engine, which escaped it


def _comment_html(comment, is_reply, user, *, authored, with_date=True):
    """The block for ``user``, or (``authored`` True/False) for a reader of the same kind who did / did not write it."""
    shown = not (comment.is_hidden or comment.is_deleted)
    pages = page_permissions(user) if user is not None else None
    subject = comment
    if authored is not None:
        subject = copy.copy(comment)
        subject.author_id = user.pk if authored else None

    def may(perm, only_shown=True):
        return bool(pages and (shown or not only_shown) and pages.has(perm, subject))

    answers = (
        may("feedback.edit_own_comment"),
        may("feedback.delete_own_comment"),
        may("feedback.report_comment"),
        may("feedback.moderate", only_shown=False),
    )
    response = _official_response(comment)
    can_edit, can_delete, can_report, can_moderate = answers
    html = _blocks.remember(
        _block_key(comment, is_reply, response, answers),
        lambda: render_to_string(
            "feedback/_comment_block.html",
            {
                "comment": comment,
                "is_reply": is_reply,
                "official_response": response,
                "can_edit": can_edit,
                "can_delete": can_delete,
                "can_report": can_report,
                "can_moderate": can_moderate,
                "when_placeholder": mark_safe(WHEN),  # noqa: S308 - our own marker
            },
        ),
    )
    return dated(html, comment.created_at) if with_date else html


@register.filter
def crispy_blank(form):
    """``{{ form|crispy }}``, with an empty form rendered once per worker (``feedback.forms.blank_form_html``)."""
    return blank_form_html(form)


# --- Fragments that are the same for everyone who gets the same values -----------------------------

_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF = "\x00csrf\x00"
_fragments = WorkerMemory(4096)


def _vary_value(value):
    if isinstance(value, Promise):
        return str(value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


class RememberNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on

    def render(self, context):
        values = tuple(_vary_value(v.resolve(context)) for v in self.vary_on)
        # This node of this compiled template: a template compiled again (after an edit) starts afresh.
        where = (getattr(self.origin, "name", ""), getattr(self.token, "position", None), id(self))
        key = (where, get_language(), timezone.get_current_timezone_name(), values)
        html = _fragments.remember(key, lambda: _CSRF_INPUT.sub(rf"\g<1>{_CSRF}\g<2>", self.nodelist.render(context)))
        if _CSRF in html:
            html = html.replace(_CSRF, str(context.get("csrf_token", "")))
        return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it


@register.tag
def remember(parser, token):
    """``{% remember value1 value2 ... %}...{% endremember %}``: render the block once per worker per values.

    The block's output must depend on nothing but the listed values (and the
    language and time zone, which are always part of the key): list every
    variable it reads. The visitor's CSRF token is never remembered: it is put
    in afresh on each request, as the page cache does. The values are the key
    themselves, so a change in any of them renders the block again; there is
    nothing to invalidate.
    """
    bits = token.split_contents()[1:]
    nodelist = parser.parse(("endremember",))
    parser.delete_first_token()
    return RememberNode(nodelist, [parser.compile_filter(bit) for bit in bits])
