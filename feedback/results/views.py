"""Results pages, CSV downloads, the open-data API and the briefing (thin views over the selectors)."""

import uuid

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants.decorators import staff_view
from topics import pagecache
from topics.models import Topic
from topics.selectors import topic_list

from . import briefing, exports, selectors
from .rules import VIEW_BRIEFING
from .statistics import CHOICES, Sort
from .tasks import build_briefing_workbook

# --- Chart geometry (presentation only; the figures come from the selector) -------------

CHART_WIDTH = 600
ROW_HEIGHT = 58
BAR_TOP = 24
BAR_HEIGHT = 22


def chart(result):
    """Rows of a horizontal stacked bar chart: one for everybody, one per sector.

    Each bar's segments are percentages of the group's own voters, so a large
    sector does not drown out a small one. Returns None for a hidden result.
    """
    if not result.visible:
        return None
    rows = []
    for index, group in enumerate([result.total, *result.sectors]):
        y = index * ROW_HEIGHT
        row = {"group": group, "y_text": y + 16, "y_bar": y + BAR_TOP, "segments": []}
        if group.enough and group.percentages:
            x = 0.0
            for choice in CHOICES:
                pct = group.percentages[choice]
                width = CHART_WIDTH * pct / 100
                if width:
                    row["segments"].append({"choice": choice, "x": round(x, 2), "width": round(width, 2)})
                x += width
        rows.append(row)
    return {"rows": rows, "width": CHART_WIDTH, "height": len(rows) * ROW_HEIGHT, "bar_height": BAR_HEIGHT}


HEAT_STEPS = 5
MATRIX_SORTS = (Sort.CONSENSUS, Sort.DIVISIVE, Sort.SUPPORT)


def matrix(results):
    """The sector × recommendation overview: per visible recommendation, each sector's share of "Agree".

    A cell carries the whole percentage and its step on a five-step scale (0-19,
    20-39, ... 80-100), or no figure where the sector had too few voters. Rows
    come in the order of ``results`` (its ``sort``). None when nothing is visible.
    """
    visible = results.visible
    if not visible:
        return None
    rows = []
    for result in visible:
        cells = []
        for group in result.sectors:
            percent = group.percentages["agree"] if group.enough and group.percentages else None
            step = None if percent is None else min(percent * HEAT_STEPS // 100, HEAT_STEPS - 1)
            cells.append({"group": group, "percent": percent, "step": step})
        rows.append({"result": result, "cells": cells})
    return {"sectors": [group.label for group in visible[0].sectors], "rows": rows}


def _title_html(topic):
    """The topic's title marked as Dutch (workshop text), for headings in either language."""
    return format_html('<span lang="nl">{}</span>', topic.title)


def _topic_or_404(slug):
    try:
        return Topic.objects.get(slug=slug)
    except Topic.DoesNotExist:
        raise Http404(_("This topic does not exist.")) from None


def _confirmed_only(request):
    """``?confirmed=1``: count only participants whose sector the organisers confirmed."""
    return request.GET.get("confirmed") == "1"


# --- Anonymous readers: from the page cache ---------------------------------------------------
#
# Anonymous readers all see the same figures (closed topics only, see
# ``selectors.results_visibility``), so their pages, CSV files and API answers
# are rendered once and kept in the page cache (``topics.pagecache``); logged-in
# readers are never served from it, nor is what they get ever stored. Every
# publication step bumps the ``results`` generation and every change of texts
# or phases the ``content`` one, and either moves these answers on; none
# outlives a phase change.

RESULTS_PARAMETERS = frozenset({"sort", "confirmed", "format"})
results_page_cache = pagecache.anonymous_page_cache(
    lambda request, **kwargs: (pagecache.RESULTS,), parameters=RESULTS_PARAMETERS
)


def _until_phase_change(topics):
    return min((pagecache.seconds_until_phase_change(topic) for topic in topics), default=pagecache.PAGE_TTL)


# --- Pages ---------------------------------------------------------------------------------


@results_page_cache
def overview(request):
    confirmed_only = _confirmed_only(request)
    data = selectors.overview_results(user=request.user, confirmed_only=confirmed_only)
    response = render(
        request,
        "feedback/results_overview.html",
        {"overview": data, "thresholds": selectors.thresholds(), "confirmed_only": confirmed_only},
    )
    response.cache_ttl = _until_phase_change(topic for topic, _results in data.topics)
    return response


@results_page_cache
def topic_results(request, slug):
    topic = _topic_or_404(slug)
    confirmed_only = _confirmed_only(request)
    data = selectors.topic_results(
        topic=topic, user=request.user, sort=request.GET.get("sort"), confirmed_only=confirmed_only
    )
    sorts = [(key, label, key == data.sort) for key, label in Sort.LABELS.items()]
    matrix_sorts = [(key, Sort.LABELS[key], key == data.sort) for key in MATRIX_SORTS]
    response = render(
        request,
        "feedback/results_topic.html",
        {
            "topic": topic,
            "topic_title_html": _title_html(topic),
            "results": data,
            "sorts": sorts,
            "matrix": matrix(data),
            "matrix_sorts": matrix_sorts,
            "sort": data.sort,
            "confirmed_only": confirmed_only,
            "thresholds": selectors.thresholds(),
        },
    )
    response.cache_ttl = pagecache.seconds_until_phase_change(topic)
    return response


@results_page_cache
def recommendation_results(request, slug, pk):
    topic = _topic_or_404(slug)
    confirmed_only = _confirmed_only(request)
    data = selectors.topic_results(topic=topic, user=request.user, confirmed_only=confirmed_only)
    result = data.get(pk)
    if result is None:
        raise Http404(_("This recommendation does not exist."))
    response = render(
        request,
        "feedback/results_recommendation.html",
        {
            "topic": topic,
            "result": result,
            "chart": chart(result),
            "thresholds": selectors.thresholds(),
            "confirmed_only": confirmed_only,
        },
    )
    response.cache_ttl = pagecache.seconds_until_phase_change(topic)
    return response


# --- Downloads and API -------------------------------------------------------------------------


def _csv_response(request, filename, result_list):
    """The open-data CSV, or with ``?format=spreadsheet`` the one for Dutch spreadsheet programs.

    The open-data file keeps its address, codes and decimal points, so scripts
    that read it keep working; people get the spreadsheet link on the pages.
    """
    spreadsheet = request.GET.get("format") == "spreadsheet"
    if spreadsheet:
        filename = filename.replace(".csv", "-excel.csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # BOM: spreadsheet programs then read the Dutch text as UTF-8
    (exports.write_spreadsheet_csv if spreadsheet else exports.write_csv)(response, result_list)
    return response


@results_page_cache
def topic_results_csv(request, slug):
    topic = _topic_or_404(slug)
    data = selectors.topic_results(
        topic=topic, user=request.user, sort=request.GET.get("sort"), confirmed_only=_confirmed_only(request)
    )
    response = _csv_response(request, f"resultaten-{topic.slug}.csv", data.recommendations)
    response.cache_ttl = pagecache.seconds_until_phase_change(topic)
    return response


@results_page_cache
def overview_csv(request):
    data = selectors.overview_results(user=request.user, confirmed_only=_confirmed_only(request))
    rows = [r for _topic, topic_data in data.topics for r in topic_data.recommendations]
    response = _csv_response(request, "resultaten-nmp.csv", rows)
    response.cache_ttl = _until_phase_change(topic for topic, _results in data.topics)
    return response


@results_page_cache
def api_topic_results(request, slug):
    """Open data: per recommendation {id, text, source, totals, by_sector, consensus} (docs/results.md)."""
    try:
        topic = Topic.objects.get(slug=slug)
    except Topic.DoesNotExist:
        return JsonResponse({"detail": "Not found.", "status": 404}, status=404)
    data = selectors.topic_results(
        topic=topic, user=request.user, sort=request.GET.get("sort"), confirmed_only=_confirmed_only(request)
    )
    payload = [result.as_dict() for result in data.recommendations]
    response = JsonResponse(payload, safe=False, json_dumps_params={"ensure_ascii": False})
    response.cache_ttl = pagecache.seconds_until_phase_change(topic)
    return response


# --- Briefing (moderators and organisers) ------------------------------------------------------


# Anonymous visitors are sent to log in; without the permission 403; staff without the
# second factor in this session get the page that says how to add it.
briefing_access = staff_view(VIEW_BRIEFING)


@briefing_access
def briefing_index(request):
    return render(request, "feedback/briefing_index.html", {"topics": topic_list()})


@briefing_access
def briefing_topic(request, slug):
    topic = _topic_or_404(slug)
    confirmed_only = _confirmed_only(request)
    context = briefing.topic_briefing(topic=topic, sort=request.GET.get("sort"), confirmed_only=confirmed_only)
    context["topic_title_html"] = _title_html(topic)
    context["confirmed_only"] = confirmed_only
    return render(request, "feedback/briefing_topic.html", context)


@require_POST
@briefing_access
def briefing_workbook_start(request):
    include_hidden = request.POST.get("include_hidden") == "1"
    job_id = uuid.uuid4().hex
    briefing.job_set(job_id, state=briefing.JobState.QUEUED, progress=0, include_hidden=include_hidden)
    if briefing.job_get(job_id) is None:
        # The job's progress lives in the cache; without it there would be no page to wait on.
        messages.error(request, _("The workbook cannot be made right now. Try again in a few minutes."))
        return redirect("results:briefing")
    language = request.LANGUAGE_CODE

    def dispatch():
        # None: the broker is unreachable (nmp_portal.celery.DispatchSafeTask); the job page says it failed.
        if build_briefing_workbook.delay(job_id=job_id, include_hidden=include_hidden, language=language) is None:
            briefing.job_set(job_id, state=briefing.JobState.FAILED)

    transaction.on_commit(dispatch)
    return redirect("results:briefing-job", job_id=job_id)


@briefing_access
def briefing_job(request, job_id):
    job = briefing.job_get(job_id)
    if job is None:
        raise Http404(_("This workbook does not exist (any more). Make a new one."))
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "state": job["state"],
                "progress": job["progress"],
                "download_url": reverse("results:briefing-download", kwargs={"job_id": job_id})
                if job["state"] == briefing.JobState.DONE
                else None,
            }
        )
    return render(request, "feedback/briefing_job.html", {"job": job, "job_id": job_id})


@briefing_access
def briefing_download(request, job_id):
    job = briefing.job_get(job_id)
    if job is None or job["state"] != briefing.JobState.DONE:
        raise Http404(_("This workbook does not exist (any more). Make a new one."))
    try:
        # Streamed from the briefings storage (shared by worker and web), never from a local path.
        workbook = briefing.workbook_storage().open(job.get("name") or briefing.workbook_name(job_id), "rb")
    except FileNotFoundError:
        raise Http404(_("This workbook does not exist (any more). Make a new one.")) from None
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=briefing.workbook_filename(job),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
