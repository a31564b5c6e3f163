from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from feedback import selectors as feedback_selectors
from feedback.forms import CommentForm, ProposalForm, attach_reply_forms

from . import pagecache, selectors
from .models import Topic


def _topic_scopes(request, slug, **kwargs):
    return (pagecache.topic_scope(slug),)


@pagecache.anonymous_page_cache()
def home(request):
    return render(
        request,
        "topics/topic_list.html",
        {"topics": selectors.topic_list(), "texts": selectors.site_texts()},
    )


@pagecache.anonymous_page_cache()
def about(request):
    return render(request, "topics/about.html", {"texts": selectors.site_texts(), "topics": selectors.topic_list()})


@pagecache.anonymous_page_cache(_topic_scopes)
def topic_detail(request, slug):
    """The topic with its recommendations, each one's compact results, and the general discussion.

    The number of queries does not depend on the number of votes or comments:
    recommendation threads live on their own page; this page shows their count.
    """
    try:
        topic = selectors.topic_with_considerations(slug=slug)
    except Topic.DoesNotExist:
        raise Http404(_("This topic does not exist.")) from None
    participation = feedback_selectors.topic_participation(topic=topic, user=request.user)
    page, order = feedback_selectors.comment_page(
        topic=topic, order=request.GET.get("order", "newest"), page=request.GET.get("page")
    )
    attach_reply_forms(page, phase=topic.phase, can_contribute=participation.can_contribute)
    context = {
        "topic": topic,
        "phase": topic.phase,
        "participation": participation,
        "comments_page": page,
        "order": order,
        "comment_form": CommentForm(stance=False),
        "proposal_form": ProposalForm(),
    }
    response = render(request, "topics/topic_detail.html", context)
    response.cache_ttl = pagecache.seconds_until_phase_change(topic)
    return response


# --- Read-only JSON API for the public content (no personal data) ----------------


def _item_json(item):
    return {"id": item.pk, "position": item.position, "text": item.text, "source": item.source}


def _topic_json(request, topic):
    return {
        "number": topic.number,
        "slug": topic.slug,
        "title": topic.title,
        "heading": topic.heading,
        "introduction": topic.introduction,
        "question": topic.question,
        "url": request.build_absolute_uri(topic.get_absolute_url()),
        "opens_at": topic.opens_at.isoformat() if topic.opens_at else None,
        "closes_at": topic.closes_at.isoformat() if topic.closes_at else None,
        "considerations": [_item_json(c) for c in topic.considerations.all()],
        "recommendations": [_item_json(r) for r in topic.recommendations.all()],
    }


def _json(data, status=200):
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def api_topic_list(request):
    return _json([_topic_json(request, t) for t in selectors.topics_with_items()])


def api_topic_detail(request, slug):
    try:
        topic = selectors.topic_detail(slug=slug)
    except Topic.DoesNotExist:
        return _json({"detail": "Not found.", "status": 404}, status=404)
    return _json(_topic_json(request, topic))
