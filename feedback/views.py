"""Thin views: read through selectors, write through services, answer HTML or JSON."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from topics import pagecache
from topics import selectors as topic_selectors
from topics.models import Recommendation, Topic

from . import digest, notifications, readerpage, search, selectors, services
from .forms import CommentEditForm, CommentForm, ProposalForm, ReplyForm, ReportForm, attach_reply_forms
from .models import Choice, Comment
from .ratelimits import contribution_limit
from .rules import refusal_message


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _message(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def _refused(request, error, status=403):
    """A refusal as a page that says why (the generic 403 page cannot)."""
    return render(request, "feedback/refused.html", {"message": _message(error)}, status=status)


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: anything else ("0", a view name) would be taken for a URL name by redirect().
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _published_recommendation(pk):
    try:
        return selectors.published_recommendation(pk=pk)
    except Recommendation.DoesNotExist:
        raise Http404(_("This recommendation does not exist.")) from None


def _actions_json(request, recommendation, participation, message, status=200):
    html = ""
    if participation.recommendations:
        # A fragment, not a page: it gets what it reads, without the context processors (the header's
        # site data, the event announcement), which cost more than the fragment itself.
        html = render_to_string(
            "feedback/_recommendation_actions.html",
            {
                "recommendation": participation.recommendations[0],
                "participation": participation,
                "topic": recommendation.topic,
                "phase": recommendation.topic.phase,
                "request": request,
                "user": request.user,
                "csrf_token": get_token(request),
            },
        )
    return JsonResponse(
        {
            "ok": status == 200,
            "message": message,
            "html": html,
            "priority_status": participation.priority_status,
            "priorities_left": participation.priorities_left,
        },
        status=status,
    )


def _back_to_recommendation(request, recommendation, message, status=200):
    fallback = recommendation.topic.get_absolute_url()
    target = _safe_next(request, fallback)
    if status != 200:
        messages.error(request, message)
        return redirect(target.split("#")[0] + "#main")
    return redirect(target.split("#")[0] + f"#recommendation-{recommendation.pk}")


def _actions_response(request, recommendation, message, status=200):
    """After a vote or priority: JSON with the re-rendered block, or back to the recommendation."""
    if _wants_json(request):
        participation = selectors.topic_participation(
            topic=recommendation.topic, user=request.user, pk=recommendation.pk
        )
        return _actions_json(request, recommendation, participation, message, status)
    return _back_to_recommendation(request, recommendation, message, status)


def _act_on_recommendation(request, pk, act):
    """Run ``act(recommendation)`` (a vote or priority service that returns the message) and answer.

    A refusal without JavaScript is the refusal page; everything else goes
    back to the recommendation, or answers JSON with the re-rendered block.
    """
    recommendation = _published_recommendation(pk)
    try:
        message = act(recommendation)
    except (PermissionDenied, ValidationError) as error:
        return _refusal_response(request, recommendation, error)
    return _actions_response(request, recommendation, message)


def _refusal_response(request, recommendation, error):
    """A refused vote or priority: the refusal page without JavaScript, else JSON with the unchanged block."""
    if isinstance(error, ValidationError):
        return _actions_response(request, recommendation, _message(error), status=400)
    if not _wants_json(request):
        return _refused(request, error)
    return _actions_response(request, recommendation, _message(error), status=403)


@require_POST
@contribution_limit("vote")
def vote(request, pk):
    """Set or withdraw the participant's position; answers JSON (the block, redrawn) or goes back to the page.

    The common case costs two queries besides the session and the user: one
    for the account's answers and the participant's priorities in the topic
    (``selectors.participant_standing``), one to store the vote. The
    recommendation comes from the cache and the results are published by the
    worker (``results.publication.publish_later``).
    """
    recommendation = _published_recommendation(pk)
    choice = request.POST.get("choice", "")
    standing = selectors.participant_standing(user=request.user, recommendation=recommendation)
    try:
        if choice == "withdraw":
            services.vote_withdraw(participant=request.user, recommendation=recommendation)
            message, now = _("Your position has been withdrawn."), None
        else:
            services.vote_cast(participant=request.user, recommendation=recommendation, choice=choice)
            message, now = _("Your position has been saved: %(choice)s.") % {"choice": Choice(choice).label}, choice
    except (PermissionDenied, ValidationError) as error:
        return _refusal_response(request, recommendation, error)
    if not _wants_json(request):
        return _back_to_recommendation(request, recommendation, message)
    participation = selectors.recommendation_actions(
        recommendation=recommendation, user=request.user, choice=now, standing=standing
    )
    return _actions_json(request, recommendation, participation, message)


PRIORITY_ACTIONS = {
    "add": (services.priority_add, gettext_lazy("Marked as priority.")),
    "remove": (services.priority_remove, gettext_lazy("Priority removed.")),
}


@require_POST
@contribution_limit("vote")
def priority(request, pk):
    service, done = PRIORITY_ACTIONS.get(request.POST.get("action", ""), (None, None))

    def act(recommendation):
        if service is None:
            raise ValidationError(_("Unknown action."))
        service(participant=request.user, recommendation=recommendation)
        return str(done)

    return _act_on_recommendation(request, pk, act)


def _discussion_context(request, topic, recommendation):
    order = request.GET.get("order", "newest")
    page, order = selectors.comment_page(
        topic=topic, recommendation=recommendation, order=order, page=request.GET.get("page")
    )
    attach_reply_forms(page, topic=topic, user=request.user)
    return {"comments_page": page, "order": order}


def _topic_scopes(request, slug, **kwargs):
    """A topic's pages show its discussions and its recommendations' compact results."""
    return (pagecache.topic_scope(slug), pagecache.results_scope(slug))


@pagecache.anonymous_page_cache(_topic_scopes)
def recommendation_detail(request, slug, pk):
    """One recommendation with its own discussion (threads are paginated here, not on the topic page)."""
    topic = get_object_or_404(Topic, slug=slug)
    participation = selectors.topic_participation(topic=topic, user=request.user, pk=pk)
    if not participation.recommendations:
        raise Http404(_("This recommendation does not exist."))
    recommendation = participation.recommendations[0]
    context = {
        "topic": topic,
        "phase": topic.phase,
        "recommendation": recommendation,
        "participation": participation,
        "priority_status": participation.priority_status,
        "comment_form": CommentForm(),
        **_discussion_context(request, topic, recommendation),
    }
    response = render(request, "feedback/recommendation_detail.html", context)
    response.cache_ttl = pagecache.seconds_until_phase_change(topic)
    return response


@require_POST
@contribution_limit("comment")
def comment_create(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    recommendation = None
    if request.POST.get("recommendation"):
        recommendation = get_object_or_404(
            Recommendation, pk=_int(request.POST["recommendation"]), topic=topic, is_published=True
        )
        recommendation.topic = topic  # the permission check asks for it: not read again
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(
            Comment.objects.select_related("parent", "author"), pk=_int(request.POST["parent"]), topic=topic
        )
    form = ReplyForm(request.POST) if parent else CommentForm(request.POST, stance=recommendation is not None)
    comment, status = _submit(
        request,
        form,
        lambda data: services.comment_create(
            author=request.user,
            topic=topic,
            recommendation=recommendation,
            parent=parent,
            text=data["text"],
            stance=data.get("stance") or "",
            client_token=data.get("token"),
        ),
    )
    if comment:
        messages.success(request, _("Your reply has been posted.") if parent else _("Your comment has been posted."))
        return redirect(comment.get_absolute_url())
    return render(
        request,
        "feedback/comment_form.html",
        {"form": form, "topic": topic, "recommendation": recommendation, "parent": parent},
        status=status,
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _submit(request, form, save):
    """On a POST with a valid ``form``, run the service ``save(cleaned_data)``; returns (result, status).

    The result is None when nothing was saved; the service's refusal or
    validation error is then on the form and the status says which (GET: 200).
    """
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        return save(form.cleaned_data), 200
    except (PermissionDenied, ValidationError) as error:
        return None, _form_error(form, error)


def _form_error(form, error):
    """Put a service's refusal or validation error on ``form``; returns the status to answer with.

    A refusal goes above the form with the text still in it (e.g. the topic
    closed while the person was typing); field errors go to their fields.
    """
    if isinstance(error, PermissionDenied):
        form.add_error(None, _message(error))
        return 403
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
    return 400


def permission_required(perm, fn):
    """Refuse the view unless the user has ``perm`` on the object ``fn(request, **kwargs)`` returns.

    ``rules.contrib.views.permission_required`` without its bare 403: the
    refusal page says why (``refusal_message``), and the object is handed to
    the view so it is fetched once.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, **kwargs):
            obj = fn(request, **kwargs)
            message = refusal_message(request.user, perm, obj)
            if message:
                return _refused(request, PermissionDenied(message))
            return view(request, obj)

        return wrapper

    return decorator


def _visible_comment(request, pk):
    """The comment to edit, delete or report; 404 when it is unknown, deleted or hidden."""
    comment = get_object_or_404(Comment.objects.select_related("topic", "recommendation", "author"), pk=pk)
    if not comment.is_visible:
        raise Http404(_("This comment is no longer shown."))
    return comment


def _live_comment(request, pk):
    """The comment to edit or delete; 404 when it is unknown or deleted (a hidden one may still be deleted)."""
    comment = get_object_or_404(Comment.objects.select_related("topic", "recommendation", "author"), pk=pk)
    if comment.is_deleted:
        raise Http404(_("This comment is no longer shown."))
    return comment


@require_http_methods(["GET", "POST"])
@permission_required("feedback.edit_own_comment", _live_comment)
@contribution_limit("comment")
def comment_edit(request, comment):
    form = CommentEditForm(request.POST or None, comment=comment)
    changed, status = _submit(
        request,
        form,
        lambda data: services.comment_update(
            comment=comment, author=request.user, text=data["text"], stance=data.get("stance") or ""
        ),
    )
    if changed:
        messages.success(request, _("Your comment has been changed."))
        return redirect(comment.get_absolute_url())
    return render(request, "feedback/comment_edit.html", {"form": form, "comment": comment}, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("feedback.delete_own_comment", _live_comment)
def comment_delete(request, comment):
    if request.method == "POST":
        try:
            services.comment_delete(comment=comment, author=request.user)
        except PermissionDenied as error:
            return _refused(request, error)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(comment.get_absolute_url().split("#")[0])
    return render(request, "feedback/comment_delete.html", {"comment": comment})


@require_http_methods(["GET", "POST"])
@permission_required("feedback.report_comment", _visible_comment)
@contribution_limit("report")
def comment_report(request, comment):
    form = ReportForm(request.POST or None)
    report, status = _submit(
        request,
        form,
        lambda data: services.report_create(
            comment=comment,
            reporter=request.user,
            reason=data["reason"],
            explanation=data["explanation"],
            notify_outcome=data["notify_outcome"],
        ),
    )
    if report:
        messages.success(request, _("Thank you. Your report has been received. A moderator will look at it soon."))
        return redirect(comment.get_absolute_url())
    return render(request, "feedback/comment_report.html", {"form": form, "comment": comment}, status=status)


@pagecache.anonymous_page_cache(_topic_scopes)
@pagecache.reader_page_cache(_topic_scopes, readerpage.topic_reader, readerpage.topic_reader_own)
def topic_detail(request, slug):
    """The topic with its recommendations, each one's compact results, and the general discussion.

    The number of queries does not depend on the number of votes or comments:
    recommendation threads live on their own page; this page shows their count.
    """
    try:
        topic = topic_selectors.topic_with_considerations(slug=slug)
    except Topic.DoesNotExist:
        raise Http404(_("This topic does not exist.")) from None
    participation = selectors.topic_participation(topic=topic, user=request.user)
    readerpage.remember_recommendations(request, topic, participation)
    context = {
        "topic": topic,
        "phase": topic.phase,
        "participation": participation,
        "progress": selectors.topic_progress(participation) if request.user.is_authenticated else None,
        "following": selectors.is_following(user=request.user, topic=topic),
        "next_topic": Topic.objects.filter(
            Q(ordering__gt=topic.ordering) | Q(ordering=topic.ordering, number__gt=topic.number)
        )
        .order_by("ordering", "number")
        .first(),
        **_discussion_context(request, topic, None),
        "comment_form": CommentForm(stance=False),
        "proposal_form": ProposalForm(),
    }
    response = render(request, "topics/topic_detail.html", context)
    response.cache_ttl = pagecache.seconds_until_phase_change(topic)
    return response


@require_POST
@contribution_limit("proposal")
def proposal_create(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    form = ProposalForm(request.POST)
    proposal, status = _submit(
        request,
        form,
        lambda data: services.proposal_submit(
            author=request.user, topic=topic, text=data["text"], explanation=data["explanation"]
        ),
    )
    if proposal:
        link = format_html('<a href="{}">{}</a>', reverse("feedback:my_contributions"), _("My contributions"))
        messages.success(
            request,
            format_html(
                _("Thank you for your proposal. A moderator will read it first. You can follow its status on {}."),
                link,
            ),
        )
        return redirect(topic.get_absolute_url() + "#propose")
    return render(request, "feedback/proposal_form.html", {"form": form, "topic": topic}, status=status)


@login_required
def my_contributions(request):
    return render(
        request,
        "feedback/my_contributions.html",
        {"contributions": selectors.my_contributions(user=request.user)},
    )


# RFC 8058: mail clients post the one-click unsubscribe without a CSRF token; the signed token is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    return _unsubscribe_page(
        request,
        token,
        user=notifications.unsubscribe_user(token),
        stop=lambda user: notifications.reply_mails_unsubscribe(user=user),
        one_click_text=_("You will no longer receive e-mails about replies."),
        template="feedback/unsubscribe.html",
        url_name="feedback:unsubscribe",
        context=lambda user: {"already": not user.notify_replies},
    )


def _unsubscribe_page(request, token, *, user, stop, one_click_text, template, url_name, context=lambda user: {}):
    """A signed unsubscribe link: 400 for a bad token; a GET asks, a POST (a form or a mail client's
    one-click, RFC 8058) calls ``stop(user)`` and confirms."""
    if user is None:
        return render(request, template, {"invalid": True}, status=400)
    if request.method == "POST":
        stop(user)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(one_click_text, content_type="text/plain")
        return render(request, template, {"done": True})
    return render(request, template, {**context(user), "action": reverse(url_name, kwargs={"token": token})})


@pagecache.anonymous_page_cache()
def home(request):
    """The ten topics with their phase, and for a logged-in participant how far they are (per topic and overall)."""
    topics = list(topic_selectors.topic_list())
    per_topic, overall = selectors.progress_by_topic(user=request.user, topics=topics)
    for topic in topics:
        topic.progress = per_topic.get(topic.pk) if per_topic else None
    return render(
        request,
        "topics/topic_list.html",
        {"topics": topics, "texts": topic_selectors.site_texts(), "overall_progress": overall},
    )


def _search_key(request):
    """The search page as identified by what is searched: the cleaned query and the page asked for."""
    query = search.clean_query(request.GET.get("q", ""))
    return f"{request.path}?{urlencode({'q': query, 'page': request.GET.get('page', '')})}"


# Anonymous searches are kept in the page cache by their cleaned query (and page) until any
# discussion or content changes (search shows comments of every topic), at most PAGE_TTL.
@pagecache.anonymous_page_cache(
    lambda request, **kwargs: (pagecache.DISCUSSIONS,), parameters=frozenset({"q", "page"}), path=_search_key
)
def search_results(request):
    """Search over the public content: a page for any input, never markup from the query."""
    query = search.clean_query(request.GET.get("q", ""))
    page, counts = search.search_page(query, request.GET.get("page"))
    return render(
        request,
        "feedback/search.html",
        {
            "query": query,
            "too_short": 0 < len(query) < search.MIN_LENGTH,
            "page_obj": page,
            "counts": counts,
            "total": sum(n for _kind, n in counts),
            "min_length": search.MIN_LENGTH,
        },
    )


@require_POST
def follow(request, slug):
    """Follow or stop following a topic (``action`` = follow / unfollow), then back to where the button was."""
    topic = get_object_or_404(Topic, slug=slug)
    fallback = topic.get_absolute_url() + "#follow"
    if not request.user.is_authenticated:
        return redirect_to_login(fallback)
    if request.POST.get("action") == "unfollow":
        services.topic_unfollow(participant=request.user, topic=topic)
        messages.success(request, _("You no longer follow this topic."))
        return redirect(_safe_next(request, fallback))
    try:
        services.topic_follow(participant=request.user, topic=topic)
    except PermissionDenied as error:
        return _refused(request, error)
    messages.success(request, _("You follow this topic. You get at most one e-mail a day when there is something new."))
    return redirect(_safe_next(request, fallback))


@login_required
def follows(request):
    return render(request, "feedback/follows.html", {"follows": selectors.follows_of(user=request.user)})


@csrf_exempt  # RFC 8058 one-click unsubscribe: the signed token is the proof
@require_http_methods(["GET", "POST"])
def follow_unsubscribe(request, token):
    return _unsubscribe_page(
        request,
        token,
        user=digest.unsubscribe_user(token),
        stop=lambda user: services.topic_unfollow(participant=user),
        one_click_text=_("You no longer follow any topic."),
        template="feedback/follow_unsubscribe.html",
        url_name="feedback:follow_unsubscribe",
    )
