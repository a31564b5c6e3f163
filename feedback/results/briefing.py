"""The briefing for the autumn session: one printable page per topic and one XLSX workbook.

For moderators and organisers only (permission ``feedback.view_briefing``).
Every figure comes from ``selectors``, every column from ``exports``; this
module only arranges them. The workbook is written by a Celery task
(``tasks.build_briefing_workbook``) that reports its progress in the cache under
a job id, so a large workbook does not hold up a request.
"""

import tempfile

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Comment, OfficialResponse, Proposal, Stance
from . import exports, selectors

JOB_TIMEOUT = 60 * 60 * 24  # a finished job (and its download) is kept for a day


class JobState:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# --- Printable page ---------------------------------------------------------------------------


def supported_comments(*, topic, limit=None):
    """The most supported comments for and against each recommendation of ``topic``.

    "Most supported" (there are no likes): visible top-level comments with that
    stance, ordered by featured-by-a-moderator first, then by how many distinct
    participants replied to them (visible replies), then oldest first. One query.
    Returns {recommendation id: {"for": [...], "against": [...]}}.
    """
    limit = limit or settings.RESULTS_BRIEFING_COMMENTS_PER_STANCE
    visible_reply = Q(replies__is_deleted=False, replies__is_hidden=False)
    comments = (
        Comment.objects.filter(
            topic=topic,
            recommendation__isnull=False,
            parent__isnull=True,
            is_deleted=False,
            is_hidden=False,
            stance__in=[Stance.FOR, Stance.AGAINST],
        )
        .select_related("author")
        .annotate(repliers=Count("replies__author", filter=visible_reply, distinct=True))
        .order_by("-is_featured", "-repliers", "created_at", "pk")
    )
    grouped = {}
    for comment in comments:
        bucket = grouped.setdefault(comment.recommendation_id, {Stance.FOR: [], Stance.AGAINST: []})[comment.stance]
        if len(bucket) < limit:
            bucket.append(comment)
    return grouped


def official_responses(*, topic=None):
    """The programme team's responses to recommendations, by recommendation id (one query)."""
    responses = OfficialResponse.objects.filter(recommendation__isnull=False)
    if topic is not None:
        responses = responses.filter(recommendation__topic=topic)
    return {response.recommendation_id: response for response in responses}


def topic_briefing(*, topic, sort=None, confirmed_only=False):
    """Everything the printable briefing page of one topic shows (fixed number of queries)."""
    data = selectors.topic_results(topic=topic, visibility=selectors.ALL, sort=sort, confirmed_only=confirmed_only)
    comments = supported_comments(topic=topic)
    responses = official_responses(topic=topic)
    rows = []
    for result in data.recommendations:
        stances = comments.get(result.id, {})
        rows.append(
            {
                "result": result,
                "official_response": responses.get(result.id),
                "stances": [
                    (Stance.FOR, _("Most supported comments that agree"), stances.get(Stance.FOR, [])),
                    (Stance.AGAINST, _("Most supported comments that disagree"), stances.get(Stance.AGAINST, [])),
                ],
            }
        )
    proposals = list(
        Proposal.objects.filter(topic=topic)
        .exclude(status=Proposal.Status.REJECTED)
        .select_related("author")
        .order_by("-created_at")
    )
    return {
        "topic": topic,
        "results": data,
        "rows": rows,
        "proposals": proposals,
        "thresholds": selectors.thresholds(),
        "generated_at": timezone.now(),
    }


# --- Jobs (progress in the cache) ---------------------------------------------------------------


def _job_key(job_id):
    return f"results:briefing-job:{job_id}"


def job_get(job_id):
    return cache.get(_job_key(job_id))


def job_set(job_id, **changes):
    job = cache.get(_job_key(job_id)) or {"state": JobState.QUEUED, "progress": 0, "include_hidden": False}
    job.update(changes)
    job.setdefault("created_at", timezone.now().isoformat())
    cache.set(_job_key(job_id), job, JOB_TIMEOUT)
    return job


def workbook_storage():
    """The ``briefings`` storage (STORAGES): the worker writes there, the download view reads from there."""
    return storages["briefings"]


def workbook_name(job_id):
    return f"{job_id}.xlsx"


def workbooks_remove_old(*, max_age=None, now=None) -> int:
    """Delete workbooks older than ``max_age`` from the storage; returns how many.

    The workbooks hold staff data (pending proposals, hidden comments on
    request, results of open topics), so they are not kept longer than a
    moderator needs to download one: ``BRIEFING_WORKBOOK_RETENTION``. Safe to run
    twice and while a worker writes a new one (a file being written is younger).
    Through the storage API only (listdir, get_modified_time, delete), so it
    works on shared and object storage as on the local folder.
    """
    max_age = settings.BRIEFING_WORKBOOK_RETENTION if max_age is None else max_age
    cutoff = (now or timezone.now()) - max_age
    storage = workbook_storage()
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        if not name.endswith((".xlsx", ".tmp")):
            continue
        try:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
        except FileNotFoundError:
            continue  # removed by another run in the meantime
    return removed


def workbook_filename(job):
    stamp = (job.get("created_at") or "")[:10] or timezone.now().date().isoformat()
    return f"briefing-najaarsbijeenkomst-{stamp}.xlsx"


# --- Workbook --------------------------------------------------------------------------------

_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _sheet_title(topic, used):
    title = f"{topic.number}. {topic.title}".translate(_SHEET_FORBIDDEN)[:31].strip()
    base, n = title, 2
    while title in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def _local(dt):
    """Excel has no time zones: write local (Amsterdam) time without zone."""
    return timezone.localtime(dt).replace(tzinfo=None) if dt else None


def _append(sheet, values, bold=False):
    from openpyxl.styles import Font

    sheet.append([exports.workbook_cell(v) for v in values])
    if bold:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)


def write_topic_sheet(sheet, *, topic, data, proposals, responses=None):
    """One topic's ranking, sector split and new proposals, figures as numbers."""
    _append(sheet, [str(topic)], bold=True)
    _append(sheet, [_("Generated on"), _local(timezone.now())])
    _append(
        sheet,
        [
            _("Sectors with fewer than %(n)s voters show no figures (too few votes).")
            % {"n": settings.RESULTS_MIN_SECTOR_VOTERS}
        ],
    )
    _append(sheet, [])
    _append(sheet, [_("Ranking by support")], bold=True)
    _append(sheet, exports.ranking_header(), bold=True)
    for result in data.visible:
        _append(sheet, exports.ranking_row(result))
    _append(sheet, [])
    _append(sheet, [_("Split per sector")], bold=True)
    _append(sheet, exports.sector_header(), bold=True)
    for result in sorted(data.visible, key=lambda r: r.recommendation.position):
        for row in exports.sector_rows(result):
            _append(sheet, row)
    _append(sheet, [])
    _append(sheet, [_("New proposals")], bold=True)
    _append(sheet, [_("Status"), _("Proposal"), _("Explanation"), _("Submitted on")], bold=True)
    for proposal in proposals:
        _append(
            sheet, [proposal.get_status_display(), proposal.text, proposal.explanation, _local(proposal.created_at)]
        )
    responses = responses or {}
    answered = [r for r in sorted(data.visible, key=lambda r: r.recommendation.position) if r.id in responses]
    if answered:
        _append(sheet, [])
        _append(sheet, [_("Responses from the programme team")], bold=True)
        _append(sheet, [_("Recommendation number"), _("Response from the programme team")], bold=True)
        for result in answered:
            _append(sheet, [result.recommendation.position, responses[result.id].text])
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["B"].width = 14


COMMENTS_SHEET = "Reacties"


def write_comments_sheet(sheet, *, include_hidden):
    """All comments of all topics (deleted ones never; hidden ones only when asked, and marked)."""
    header = [
        _("Topic"),
        _("Recommendation number"),
        _("Comment"),
        _("Reply to"),
        _("Author"),
        _("Sector"),
        _("Stance"),
        _("Posted on"),
        _("Text"),
        _("Featured"),
    ]
    if include_hidden:
        header.append(_("Hidden by a moderator"))
    _append(sheet, header, bold=True)
    comments = Comment.objects.filter(is_deleted=False).select_related("author", "topic", "recommendation")
    if not include_hidden:
        comments = comments.filter(is_hidden=False)
    for comment in comments.order_by("topic__number", "recommendation__position", "created_at", "pk").iterator(
        chunk_size=2000
    ):
        row = [
            str(comment.topic),
            comment.recommendation.position if comment.recommendation_id else _("General"),
            comment.pk,
            comment.parent_id,
            str(comment.author.public_name),
            comment.author.get_sector_display(),
            comment.get_stance_display(),
            _local(comment.created_at),
            comment.text,
            exports.yes_no(comment.is_featured),
        ]
        if include_hidden:
            row.append((_("Hidden: %(reason)s") % {"reason": comment.hidden_reason}) if comment.is_hidden else "")
        _append(sheet, row)
    sheet.column_dimensions["I"].width = 80


def write_workbook(*, name, include_hidden=False, progress=None):
    """Write the briefing workbook as ``name`` in the briefings storage: a sheet per topic, then all comments.

    ``progress(percent)`` is called as the work advances. The workbook is built
    in memory (or a temporary file when large) and handed to the storage whole;
    the job is marked done only after that, so the download never sees half a
    file. Safe to run twice. Returns the name the storage saved it under.
    """
    from openpyxl import Workbook

    progress = progress or (lambda percent: None)
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = {COMMENTS_SHEET}
    proposals = {}
    for proposal in (
        Proposal.objects.exclude(status=Proposal.Status.REJECTED).select_related("author").order_by("-created_at")
    ):
        proposals.setdefault(proposal.topic_id, []).append(proposal)
    responses = official_responses()
    overview = selectors.overview_results()
    steps = len(overview.topics) + 2
    for index, (topic, data) in enumerate(overview.topics, start=1):
        sheet = workbook.create_sheet(_sheet_title(topic, used))
        write_topic_sheet(sheet, topic=topic, data=data, proposals=proposals.get(topic.pk, []), responses=responses)
        progress(int(index * 100 / steps))
    write_comments_sheet(workbook.create_sheet(COMMENTS_SHEET), include_hidden=include_hidden)
    progress(int((steps - 1) * 100 / steps))
    storage = workbook_storage()
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
        workbook.save(buffer)
        buffer.seek(0)
        # Written again (a task run twice): the new workbook replaces the old under the same name.
        storage.delete(name)
        saved = storage.save(name, File(buffer, name=name))
    progress(100)
    return saved
