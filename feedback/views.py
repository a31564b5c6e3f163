"""Thin views: read through selectors, write through services, answer HTML or JSON."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from topics import selectors as topic_selectors
from topics import services as topic_services
from topics.models import Recommendation, Topic

from . import notifications, selectors, services
from .forms import CommentEditForm, CommentForm, ProposalForm, ReplyForm, ReportForm
from .models import Choice, Comment


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
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _published_recommendation(pk):
    return get_object_or_404(Recommendation.objects.select_related("topic"), pk=pk, is_published=True)


def _actions_response(request, recommendation, message, status=200):
    """After a vote or priority: JSON with the re-rendered block, or back to the recommendation."""
    if _wants_json(request):
        participation = selectors.topic_participation(
            topic=recommendation.topic, user=request.user, pk=recommendation.pk
        )
        html = ""
        if participation.recommendations:
            html = render_to_string(
                "feedback/_recommendation_actions.html",
                {
                    "recommendation": participation.recommendations[0],
                    "participation": participation,
                    "topic": recommendation.topic,
                    "phase": recommendation.topic.phase,
                },
                request=request,
            )
        return JsonResponse(
            {
                "ok": status == 200,
                "message": message,
                "html": html,
                "priority_status": participation.priority_status,
            },
            status=status,
        )
    fallback = recommendation.topic.get_absolute_url()
    target = _safe_next(request, fallback)
    if status != 200:
        messages.error(request, message)
        return redirect(target.split("#")[0] + "#main")
    return redirect(target.split("#")[0] + f"#recommendation-{recommendation.pk}")


@require_POST
def vote(request, pk):
    recommendation = _published_recommendation(pk)
    choice = request.POST.get("choice", "")
    labels = dict(Choice.choices)
    try:
        if choice == "withdraw":
            services.vote_withdraw(participant=request.user, recommendation=recommendation)
            message = _("Your position has been withdrawn.")
        else:
            services.vote_cast(participant=request.user, recommendation=recommendation, choice=choice)
            message = _("Your position has been saved: %(choice)s.") % {"choice": labels[choice]}
    except PermissionDenied as error:
        if not _wants_json(request):
            return _refused(request, error)
        return _actions_response(request, recommendation, _message(error), status=403)
    except ValidationError as error:
        return _actions_response(request, recommendation, _message(error), status=400)
    return _actions_response(request, recommendation, message)


@require_POST
def priority(request, pk):
    recommendation = _published_recommendation(pk)
    action = request.POST.get("action", "")
    try:
        if action == "add":
            services.priority_add(participant=request.user, recommendation=recommendation)
            message = _("Marked as priority.")
        elif action == "remove":
            services.priority_remove(participant=request.user, recommendation=recommendation)
            message = _("Priority removed.")
        else:
            raise ValidationError(_("Unknown action."))
    except PermissionDenied as error:
        if not _wants_json(request):
            return _refused(request, error)
        return _actions_response(request, recommendation, _message(error), status=403)
    except ValidationError as error:
        return _actions_response(request, recommendation, _message(error), status=400)
    return _actions_response(request, recommendation, message)


def _discussion_context(request, topic, recommendation):
    order = request.GET.get("order", "newest")
    page, order = selectors.comment_page(
        topic=topic, recommendation=recommendation, order=order, page=request.GET.get("page")
    )
    for thread in page.object_list:
        if thread.is_visible:
            thread.reply_form = ReplyForm(auto_id=f"id_reply{thread.pk}_%s")
    return {"comments_page": page, "order": order}


def recommendation_detail(request, slug, pk):
    """One recommendation with its own discussion (threads are paginated here, not on the topic page)."""
    topic = get_object_or_404(Topic, slug=slug)
    participation = selectors.topic_participation(topic=topic, user=request.user, pk=pk)
    if not participation.recommendations:
        return render(request, "404.html", status=404)
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
    return render(request, "feedback/recommendation_detail.html", context)


@require_POST
def comment_create(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    recommendation = None
    if request.POST.get("recommendation"):
        recommendation = get_object_or_404(
            Recommendation, pk=_int(request.POST["recommendation"]), topic=topic, is_published=True
        )
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(
            Comment.objects.select_related("parent", "author"), pk=_int(request.POST["parent"]), topic=topic
        )
    form = ReplyForm(request.POST) if parent else CommentForm(request.POST, stance=recommendation is not None)
    status = 400
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user,
                topic=topic,
                recommendation=recommendation,
                parent=parent,
                text=form.cleaned_data["text"],
                stance=form.cleaned_data.get("stance") or "",
                client_token=form.cleaned_data.get("token"),
            )
        except PermissionDenied as error:
            # Shown above the form with the text still in it (e.g. the topic closed while typing).
            form.add_error(None, _message(error))
            status = 403
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Your reply has been posted.") if parent else _("Your comment has been posted.")
            )
            return redirect(selectors.comment_url(comment))
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


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _own_comment(request, pk):
    """The comment to edit, delete or report, or a refusal: unknown or deleted (404), topic not open (403).

    The services refuse writes on a topic that is not open anyway; this also
    stops the form from being shown, so nobody types text that cannot be sent.
    """
    comment = get_object_or_404(Comment.objects.select_related("topic", "recommendation", "author"), pk=pk)
    if comment.is_deleted:
        return None, render(request, "404.html", status=404)
    try:
        topic_services.ensure_open(comment.topic)
    except PermissionDenied as error:
        return None, _refused(request, error)
    return comment, None


@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment, response = _own_comment(request, pk)
    if response:
        return response
    if not request.user.has_perm("feedback.edit_own_comment", comment):
        return _refused(request, PermissionDenied(_("You can only change your own comments.")))
    form = CommentEditForm(request.POST or None, comment=comment)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment,
                author=request.user,
                text=form.cleaned_data["text"],
                stance=form.cleaned_data.get("stance") or "",
            )
        except PermissionDenied as error:
            return _refused(request, error)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your comment has been changed."))
            return redirect(selectors.comment_url(comment))
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/comment_edit.html", {"form": form, "comment": comment}, status=status)


@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    comment, response = _own_comment(request, pk)
    if response:
        return response
    if not request.user.has_perm("feedback.delete_own_comment", comment):
        return _refused(request, PermissionDenied(_("You can only delete your own comments.")))
    if request.method == "POST":
        try:
            services.comment_delete(comment=comment, author=request.user)
        except PermissionDenied as error:
            return _refused(request, error)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(selectors.comment_url(comment).split("#")[0])
    return render(request, "feedback/comment_delete.html", {"comment": comment})


@require_http_methods(["GET", "POST"])
def comment_report(request, pk):
    comment, response = _own_comment(request, pk)
    if response:
        return response
    if not comment.is_visible:
        return render(request, "404.html", status=404)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                comment=comment,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                explanation=form.cleaned_data["explanation"],
            )
        except PermissionDenied as error:
            return _refused(request, error)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your report has been received. A moderator will look at it soon."))
            return redirect(selectors.comment_url(comment))
    elif request.method == "GET" and not request.user.has_perm("feedback.report_comment", comment):
        if comment.author_id == request.user.pk:
            return _refused(request, PermissionDenied(_("You cannot report your own comment.")))
        try:
            services.refuse_unless(request.user, "feedback.comment")
        except PermissionDenied as error:
            return _refused(request, error)
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/comment_report.html", {"form": form, "comment": comment}, status=status)


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
    page, order = selectors.comment_page(
        topic=topic, order=request.GET.get("order", "newest"), page=request.GET.get("page")
    )
    for thread in page.object_list:
        if thread.is_visible:
            thread.reply_form = ReplyForm(auto_id=f"id_reply{thread.pk}_%s")
    context = {
        "topic": topic,
        "phase": topic.phase,
        "participation": participation,
        "comments_page": page,
        "order": order,
        "comment_form": CommentForm(stance=False),
        "proposal_form": ProposalForm(),
    }
    return render(request, "topics/topic_detail.html", context)


@require_POST
def proposal_create(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    form = ProposalForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.proposal_submit(
                author=request.user,
                topic=topic,
                text=form.cleaned_data["text"],
                explanation=form.cleaned_data["explanation"],
            )
        except PermissionDenied as error:
            form.add_error(None, _message(error))
            status = 403
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you for your proposal. A moderator will read it first. "
                    "You can follow its status on “My contributions”."
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
    user = notifications.unsubscribe_user(token)
    if user is None:
        return render(request, "feedback/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        notifications.reply_mails_unsubscribe(user=user)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(_("You will no longer receive e-mails about replies."), content_type="text/plain")
        return render(request, "feedback/unsubscribe.html", {"done": True})
    return render(
        request,
        "feedback/unsubscribe.html",
        {"already": not user.notify_replies, "action": reverse("feedback:unsubscribe", kwargs={"token": token})},
    )
