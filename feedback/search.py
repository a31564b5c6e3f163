"""Search over what the site shows publicly: topics, considerations, recommendations, proposals, comments.

PostgreSQL does full-text search with its Dutch configuration (stemming:
"gemeenten" finds "gemeente"), reading the visitor's words as a web search
(``"een zin"`` for a phrase, ``-woord`` to leave out; never a syntax error).
Other databases (the embedded SQLite) fall back to matching every word as a
substring. Either way the excerpt is built from escaped text, and only our
own ``<mark>`` is markup: nothing from the query or the content is.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from topics.models import Consideration, Recommendation, Source, Topic

from .models import Comment

MIN_LENGTH = 2
MAX_LENGTH = 200  # longer input is cut: nobody types more, and it bounds the work per request
PER_KIND = 100  # best hits per kind; enough to page through, bounded whatever the content
PER_PAGE = 20
EXCERPT = 240  # characters of context in the SQLite fallback
CONFIG = "dutch"

# Sentinels PostgreSQL puts around a match in the headline; private-use characters
# the content cannot contain as markup, replaced by <mark> after escaping.
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.S)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
_WORD = re.compile(r"\w+", re.U)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str


KINDS = [
    Kind("topic", _("Topics")),
    Kind("consideration", _("Considerations")),
    Kind("recommendation", _("Recommendations of the workshop")),
    Kind("proposal", _("Recommendations proposed by participants")),
    Kind("comment", _("Comments")),
]


@dataclass
class Hit:
    kind: Kind
    title: str
    url: str
    excerpt: str  # safe HTML: escaped text with <mark> around the matches
    topic: Topic


def clean_query(raw):
    """The query as searched: control characters removed, spaces collapsed, at most MAX_LENGTH characters."""
    text = _CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_LENGTH].strip()


TOPIC_EXCERPT_FIELDS = ["title", "introduction", "question"]


def _sources():
    """Per kind: the rows the public may see, the text searched, and how a hit links and reads."""
    recommendations = Recommendation.objects.filter(is_published=True).select_related("topic")
    parts = []
    for field in TOPIC_EXCERPT_FIELDS:
        parts += [F(field), Value(" ")]
    topic_text = Concat(*parts[:-1], output_field=TextField())

    def recommendation_url(r):
        return reverse("feedback:recommendation_detail", kwargs={"slug": r.topic.slug, "pk": r.pk})

    return [
        (KINDS[0], Topic.objects.all(), ["title", "heading", "introduction", "question"], topic_text,
         lambda t: t.title, lambda t: t.get_absolute_url(), lambda t: t),
        (KINDS[1], Consideration.objects.select_related("topic"), ["text"], F("text"),
         lambda c: c.topic.title, lambda c: f"{c.topic.get_absolute_url()}#consideration-{c.pk}", lambda c: c.topic),
        (KINDS[2], recommendations.filter(source=Source.WORKSHOP), ["text"], F("text"),
         lambda r: r.topic.title, recommendation_url, lambda r: r.topic),
        (KINDS[3], recommendations.filter(source=Source.PARTICIPANT), ["text"], F("text"),
         lambda r: r.topic.title, recommendation_url, lambda r: r.topic),
        (KINDS[4], Comment.objects.filter(is_deleted=False, is_hidden=False)
         .filter(Q(recommendation__isnull=True) | Q(recommendation__is_published=True))
         .select_related("topic"), ["text"], F("text"),
         lambda c: c.topic.title, lambda c: c.get_absolute_url(), lambda c: c.topic),
    ]  # fmt: skip


def search(query):
    """Every hit for ``query`` (already cleaned), grouped by kind in KINDS order; best first within a kind.

    One query per kind (five), whatever the amount of content.
    """
    if len(query) < MIN_LENGTH:
        return []
    postgres = connection.vendor == "postgresql"
    terms = _terms(query)
    if not postgres and not terms:
        return []
    hits = []
    for kind, queryset, fields, text, title, url, topic in _sources():
        if postgres:
            rows = _postgres(queryset, fields, text, query)
            excerpt = _marked
        else:
            rows = _fallback(queryset, fields, terms)
            excerpt = _fallback_excerpt(text, terms)
        hits += [Hit(kind=kind, title=title(r), url=url(r), excerpt=excerpt(r), topic=topic(r)) for r in rows]
    return hits


def search_page(query, page):
    """The page of hits to show (an unknown or out-of-range ``page`` falls back), and the count per kind."""
    hits = search(query)
    counts = {}
    for hit in hits:
        counts[hit.kind] = counts.get(hit.kind, 0) + 1
    return Paginator(hits, PER_PAGE).get_page(page), [(kind, counts[kind]) for kind in KINDS if kind in counts]


# --- PostgreSQL ----------------------------------------------------------------------


def _postgres(queryset, fields, text, query):
    search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
    vector = SearchVector(*fields, config=CONFIG)
    return list(
        queryset.annotate(search=vector)
        .filter(search=search_query)
        .annotate(
            rank=SearchRank(vector, search_query),
            headline=SearchHeadline(
                text,
                search_query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=40,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "pk")[:PER_KIND]
    )


def _marked(row):
    """The headline escaped, then our sentinels turned into <mark>; a stray sentinel is dropped."""
    html = _MARKED.sub(lambda m: f"<mark>{m.group(1)}</mark>", str(escape(row.headline)))
    return mark_safe(html.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above


# --- Fallback (SQLite) ---------------------------------------------------------------


def _terms(query):
    """The words of the query (at least two characters each, at most ten); operators and quotes fall away."""
    words = [w for w in _WORD.findall(query) if len(w) >= MIN_LENGTH]
    return list(dict.fromkeys(w.lower() for w in words))[:10]


def _fallback(queryset, fields, terms):
    condition = Q()
    for term in terms:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        condition &= any_field
    return list(queryset.filter(condition).order_by("pk")[:PER_KIND])


def _fallback_excerpt(text, terms):
    fields = ["text"] if isinstance(text, F) else TOPIC_EXCERPT_FIELDS

    def excerpt(row):
        return highlight(" ".join(getattr(row, f) for f in fields), terms)

    return excerpt


def highlight(text, terms, length=EXCERPT):
    """An excerpt of ``text`` around the first match, escaped, with <mark> around every term."""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - length // 3)
    window = text[start : start + length]
    parts, position = [], 0
    for match in pattern.finditer(window):
        parts.append(escape(window[position : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    parts.append(escape(window[position:]))
    prefix = "… " if start else ""
    suffix = " …" if start + length < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 - every piece escaped
