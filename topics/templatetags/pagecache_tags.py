"""``{% reader_slot %}``: the parts of a page that differ per logged-in reader (``pagecache.reader_page_cache``)."""

from django import template
from django.utils.safestring import mark_safe

from topics.pagecache import slot_markers

register = template.Library()


class ReaderSlotNode(template.Node):
    def __init__(self, nodelist, name, argument):
        self.nodelist = nodelist
        self.name = name
        self.argument = argument

    def render(self, context):
        html = self.nodelist.render(context)
        markers = slot_markers(context.get("request"))
        if markers is None:
            return html
        name = self.name.resolve(context)
        if self.argument is not None:
            name = f"{name}:{self.argument.resolve(context)}"
        start, end = markers(name)
        return mark_safe(f"{start}{html}{end}")  # noqa: S308 - rendered by the template engine; our own markers


@register.tag
def reader_slot(parser, token):
    """``{% reader_slot "name" [argument] %}...{% endreader_slot %}``: this reader's own part of a shared page.

    On a page served through ``reader_page_cache`` the block is marked, so the
    shared copy can have it filled in for each reader; everywhere else it
    renders as if the tag were not there. The page's reader function must be
    able to fill every slot the template marks.
    """
    bits = token.split_contents()[1:]
    if not 1 <= len(bits) <= 2:
        raise template.TemplateSyntaxError("reader_slot takes a name and at most one argument")
    nodelist = parser.parse(("endreader_slot",))
    parser.delete_first_token()
    argument = parser.compile_filter(bits[1]) if len(bits) == 2 else None
    return ReaderSlotNode(nodelist, parser.compile_filter(bits[0]), argument)
