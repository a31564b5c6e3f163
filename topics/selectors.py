"""Reads of the NMP content, each in a fixed number of queries."""

from django.db.models import OuterRef, Prefetch, Subquery

from .models import Consideration, Recommendation, SiteText, TextRevision, Topic


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


def considerations_with_corrections():
    """Considerations with ``corrected_at``, ``original_text`` and ``correction_reason`` from their revisions."""
    revisions = TextRevision.objects.filter(consideration=OuterRef("pk"))
    return Consideration.objects.annotate(
        corrected_at=Subquery(revisions.order_by("-changed_at", "-pk").values("changed_at")[:1]),
        original_text=Subquery(revisions.order_by("changed_at", "pk").values("old_text")[:1]),
        correction_reason=Subquery(revisions.order_by("-changed_at", "-pk").values("reason")[:1]),
    ).order_by("position")


def topic_with_considerations(*, slug):
    """One topic with its considerations (two queries); recommendations come from feedback.selectors."""
    return Topic.objects.prefetch_related(Prefetch("considerations", queryset=considerations_with_corrections())).get(
        slug=slug
    )


def site_texts():
    """The retrospective's general texts as a dict key -> text (one query)."""
    return dict(SiteText.objects.values_list("key", "text"))
