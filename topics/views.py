from django.http import Http404, JsonResponse
from django.shortcuts import render

from . import pagecache, selectors
from .models import Topic


@pagecache.anonymous_page_cache()
def about(request):
    return render(request, "topics/about.html", {"texts": selectors.site_texts(), "topics": selectors.topic_list()})


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
        "phase": topic.phase.value,
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
        raise Http404 from None  # the site's 404 handler answers JSON under /api/
    return _json(_topic_json(request, topic))
