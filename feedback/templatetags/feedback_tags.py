from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, linebreaks, urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def plain_text(value):
    """User text as plain text: escaped, links made clickable (rel=nofollow), line breaks kept."""
    escaped_with_links = urlize(str(value), nofollow=True, autoescape=True)
    return mark_safe(escaped_with_links.replace("\n", "<br>"))  # noqa: S308 - escaped by urlize above


@register.simple_tag
def when(value):
    """Relative time ("3 uur geleden") with the exact time on hover and keyboard focus."""
    if not value:
        return ""
    local = timezone.localtime(value)
    exact = date_format(local, "j F Y, H:i")
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
