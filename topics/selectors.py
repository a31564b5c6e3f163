"""Reads of the NMP content, each in a fixed number of queries."""

from django.db.models import Prefetch

from .models import Consideration, Recommendation, SiteText, Topic


def topic_list():
    """All topics in workshop order, with item counts (one query)."""
    return Topic.objects.with_counts().order_by("ordering", "number")


def topics_with_items():
    """Topics with their considerations and published recommendations (three queries)."""
    return Topic.objects.order_by("ordering", "number").prefetch_related(
        Prefetch("considerations", queryset=Consideration.objects.order_by("position")),
        Prefetch("recommendations", queryset=Recommendation.objects.filter(is_published=True).order_by("position")),
    )


def topic_detail(*, slug):
    """One topic with its items, or Topic.DoesNotExist."""
    return topics_with_items().get(slug=slug)


def topic_with_considerations(*, slug):
    """One topic with its considerations (two queries); recommendations come from feedback.selectors."""
    return Topic.objects.prefetch_related(
        Prefetch("considerations", queryset=Consideration.objects.order_by("position"))
    ).get(slug=slug)


def site_texts():
    """The retrospective's general texts as a dict key -> text (one query)."""
    return dict(SiteText.objects.values_list("key", "text"))
