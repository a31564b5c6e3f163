"""The moderators' admin of participants' input: queues that open on what is still open, decisions on the
detail page and in bulk (with a confirmation page), each through a service, and exports.
"""

import copy

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Func, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from participants import admin as participants_admin
from participants.admin_tools import (
    FastListMixin,
    LabelledDateTimeMixin,
    ReadOnlyAdminMixin,
    confirm_bulk,
    error_text,
)
from participants.models import User
from participants.roles import MODERATOR
from topics import admin as topics_admin
from topics import pagecache
from topics.models import Consideration, Recommendation, Topic

from . import moderation, services
from .admin_exports import (
    AuditEntryResource,
    CommentExportForm,
    CommentResource,
    ExportForm,
    ProposalResource,
    VoteResource,
)
from .admin_forms import (
    BlockReason,
    DuplicateOf,
    HideReason,
    OfficialResponseForm,
    ProposalCorrection,
    RejectReason,
    TextCorrection,
    UnblockReason,
)
from .models import AuditAction, AuditEntry, Comment, Priority, Proposal, Report, ReportOutcome, Vote

EXCERPT = 140


def excerpt(text):
    return Truncator(text).chars(EXCERPT)


def on_site_link(url):
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("View on the site"))


class PortalExportMixin(ExportMixin):
    """CSV and XLSX of what the list shows (its filters and search apply), with e-mail addresses only for
    those who may see them (``feedback.export_emails``)."""

    export_formats = [base_formats.CSV, base_formats.XLSX]
    export_form_class = ExportForm

    def has_export_permission(self, request):
        # django-import-export allows every staff member by default; exporting is viewing.
        return self.has_view_permission(request)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"include_emails": request.user.has_perm("feedback.export_emails")}


class DefaultStatusFilter(admin.SimpleListFilter):
    """A status filter that starts on what is still open; "All" shows everything."""

    parameter_name = "status"
    title = _("status")
    default = None
    filters = {}  # value -> (label, Q or None for everything)

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _q) in self.filters.items()]

    def current(self):
        value = self.value()
        return value if value in self.filters else self.default

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.current() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        condition = self.filters.get(self.current(), (None, None))[1]
        return queryset.filter(condition) if condition is not None else queryset


class ReportStatusFilter(DefaultStatusFilter):
    default = "open"
    filters = {
        "open": (_("Open"), Q(resolved_at__isnull=True)),
        "resolved": (_("Handled"), Q(resolved_at__isnull=False)),
        "all": (_("All"), None),
    }


class ProposalStatusFilter(DefaultStatusFilter):
    default = "pending"
    filters = {
        "pending": (_("Waiting for review"), Q(status=Proposal.Status.PENDING)),
        "approved": (_("Approved"), Q(status=Proposal.Status.APPROVED)),
        "rejected": (_("Not approved"), Q(status=Proposal.Status.REJECTED)),
        "duplicate": (_("Duplicate"), Q(status=Proposal.Status.DUPLICATE)),
        "all": (_("All"), None),
    }


class CommentStatusFilter(DefaultStatusFilter):
    default = "all"
    filters = {
        "all": (_("All"), None),
        "reported": (
            _("With open reports"),
            Q(pk__in=Report.objects.filter(resolved_at__isnull=True).values("comment")),
        ),
        "visible": (_("Visible"), Q(is_hidden=False, is_deleted=False)),
        "hidden": (_("Hidden by a moderator"), Q(is_hidden=True)),
        "deleted": (_("Deleted by the author"), Q(is_deleted=True)),
        "featured": (_("Featured"), Q(is_featured=True)),
    }


class DecisionAdmin(admin.ModelAdmin):
    """A read-only detail page with decision forms: every POST on it is a decision run through a service.

    Subclasses list their decisions in ``decisions``: name -> (form class or None, method). A method gets
    (request, obj, form) and returns the success message; a refusal of the service comes back as a
    message, an invalid form is shown again with its errors at the field.
    """

    change_form_template = "admin/decision_change_form.html"
    decisions = {}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def decision_forms(self, request, obj, bound=None):
        """The forms shown for ``obj`` now (only decisions that apply to its state)."""
        forms = {}
        for name, (form_class, _method) in self.decisions.items():
            if not self.decision_applies(name, obj):
                continue
            forms[name] = bound[1] if bound and bound[0] == name else self.make_form(name, form_class, obj)
        return forms

    def make_form(self, name, form_class, obj, data=None):
        if form_class is None:
            return None
        return form_class(data, prefix=name, **self.form_kwargs(name, obj))

    def form_kwargs(self, name, obj):
        return {}

    def decision_applies(self, name, obj):
        return True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        bound = None
        if obj is not None and request.method == "POST":
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            name = request.POST.get("decision")
            if name not in self.decisions or not self.decision_applies(name, obj):
                self.message_user(request, _("This decision does not apply any more."), messages.WARNING)
                return HttpResponseRedirect(request.path)
            form_class, method = self.decisions[name]
            form = self.make_form(name, form_class, obj, data=request.POST)
            if form is None or form.is_valid():
                try:
                    message = getattr(self, method)(request, obj, form)
                except ValidationError as error:
                    if form is None or not _errors_on_fields(form, error):
                        self.message_user(request, error_text(error), messages.ERROR)
                        return HttpResponseRedirect(request.path)
                except PermissionDenied as error:
                    self.message_user(request, error_text(error), messages.ERROR)
                    return HttpResponseRedirect(request.path)
                else:
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(request.path)
            bound = (name, form)
            request = copy.copy(request)
            request.method = "GET"  # show the page again, with the form's errors, without saving anything
        context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete_link": False,
        }
        if obj is not None:
            context["decision_forms"] = self.decision_forms(request, obj, bound)
            context["decision_labels"] = self.decision_labels
        return super().change_view(request, object_id, form_url, context)


def _errors_on_fields(form, error):
    """Put a service's ValidationError at the form's fields it names; False when it names none of them."""
    if not hasattr(error, "error_dict") or not set(error.error_dict) & set(form.fields):
        return False
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
    return True


# --- Comments and reports ------------------------------------------------------------------


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    fields = ["created_at", "reason", "explanation", "reporter", "resolved_at", "resolved_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def hide_comments(modeladmin, request, comments, action):
    """Bulk hide with a confirmation page: what will change, and the reason (required)."""
    form = HideReason(request.POST if "confirm" in request.POST else None, prefix="hide")
    done = confirm_bulk(
        modeladmin,
        request,
        comments,
        action=action,
        title=_("Hide comments"),
        intro=_(
            "Everyone then sees a note with the reason instead of these comments; replies stay readable. "
            "The authors get a mail with the reason. Open reports on them are closed."
        ),
        button=_("Hide comments"),
        rows=lambda items: [(item, _status(item), _("hidden")) for item in items],
        form=form,
        run=lambda comment, data: moderation.comment_hide(
            comment=comment,
            moderator=request.user,
            reason_code=data["reason_code"],
            reason_text=data["reason_text"],
        ),
    )
    if isinstance(done, list):
        if done:
            modeladmin.message_user(
                request,
                ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", len(done)) % {"count": len(done)},
                messages.SUCCESS,
            )
        return None
    return done


def _status(comment):
    if comment.is_deleted:
        return _("deleted by the author")
    if comment.is_hidden:
        return _("hidden")
    return _("visible")


@admin.register(Comment)
class CommentAdmin(FastListMixin, PortalExportMixin, DecisionAdmin):
    list_display = ["text_excerpt", "author_name", "topic_number", "status", "open_reports", "created_at", "on_site"]
    list_display_links = ["text_excerpt"]
    # A filtered list would also count every comment ("of 10,000"): a full scan of the table on each view.
    show_full_result_count = False
    list_filter = [
        CommentStatusFilter,
        "hidden_reason_code",
        "topic",
        ("author__sector", admin.ChoicesFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["author", "topic"]
    list_per_page = 50
    search_fields = ["text", "author__first_name", "author__last_name", "author__organisation"]
    search_help_text = _("Search in the text and the author's name or organisation.")
    ordering = ["-created_at"]
    fields = [
        "full_text",
        "where",
        "author",
        "stance",
        "created_at",
        "edited_at",
        "status",
        "hidden_reason_code",
        "hidden_reason",
        "hidden_by",
        "hidden_at",
        "is_featured",
        "official_response_text",
    ]
    inlines = [ReportInline]
    actions = ["hide_selected", "restore_selected", "resolve_selected", "feature_selected"]
    resource_classes = [CommentResource]
    export_form_class = CommentExportForm
    decisions = {
        "hide": (HideReason, "decide_hide"),
        "no_action": (None, "decide_no_action"),
        "restore": (None, "decide_restore"),
        "feature": (None, "decide_feature"),
        "unfeature": (None, "decide_unfeature"),
        "respond": (OfficialResponseForm, "decide_respond"),
    }
    decision_labels = {
        "hide": _("Hide this comment"),
        "no_action": _("Handle the reports: no action, the comment stays"),
        "restore": _("Show this comment again"),
        "feature": _("Feature this comment"),
        "unfeature": _("No longer feature this comment"),
        "respond": _("Save the response"),
    }

    # Rendered rows are cached (FastListMixin): every service that changes what a row shows bumps one of
    # these: comments (the comment services: discussions), decisions and erasures (content), reports (queues).
    rows_cache_ttl = pagecache.PAGE_TTL

    def rows_cache_version(self, request):
        scopes = (pagecache.CONTENT, pagecache.DISCUSSIONS, services.QUEUES)
        return ".".join(str(g) for g in pagecache.generations(*scopes))

    def get_queryset(self, request):
        # A subquery per comment shown, not a join grouped over every comment the filters let through:
        # with the (topic, created_at, id) index PostgreSQL reads the 50 newest comments of a topic and
        # counts their reports, whatever the size of the topic; and the page count is a plain COUNT.
        open_reports = (
            Report.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return super().get_queryset(request).annotate(open_report_count=Subquery(open_reports))

    def get_data_for_export(self, request, queryset, **kwargs):
        """Never a deleted comment's row; hidden ones only when the form asks for them."""
        form = kwargs.get("export_form")
        include_hidden = bool(form and form.cleaned_data.get("include_hidden"))
        queryset = queryset.filter(is_deleted=False).select_related("recommendation")
        if not include_hidden:
            queryset = queryset.filter(is_hidden=False)
        return super().get_data_for_export(request, queryset, **kwargs)

    def decision_applies(self, name, comment):
        shown = not comment.is_hidden and not comment.is_deleted
        return {
            "hide": shown,
            "no_action": shown and comment.reports.filter(resolved_at__isnull=True).exists(),
            "restore": comment.is_hidden,
            "feature": shown and not comment.is_featured,
            "unfeature": comment.is_featured,
            "respond": not comment.is_deleted,
        }[name]

    def form_kwargs(self, name, comment):
        if name == "respond":
            response = getattr(comment, "official_response", None)
            return {"initial": {"text": response.text}} if response else {}
        return {}

    def decide_hide(self, request, comment, form):
        moderation.comment_hide(comment=comment, moderator=request.user, **form.cleaned_data)
        return ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", 1) % {"count": 1}

    def decide_no_action(self, request, comment, form):
        count = moderation.reports_resolve(comment=comment, moderator=request.user, outcome=ReportOutcome.NO_ACTION)
        return ngettext("%(count)d report handled.", "%(count)d reports handled.", count) % {"count": count}

    def decide_restore(self, request, comment, form):
        moderation.comment_restore(comment=comment, moderator=request.user)
        return ngettext("%(count)d comment shown again.", "%(count)d comments shown again.", 1) % {"count": 1}

    def decide_feature(self, request, comment, form):
        moderation.comment_feature(comment=comment, moderator=request.user, featured=True)
        return ngettext("%(count)d comment featured.", "%(count)d comments featured.", 1) % {"count": 1}

    def decide_unfeature(self, request, comment, form):
        moderation.comment_feature(comment=comment, moderator=request.user, featured=False)
        return ngettext("%(count)d comment no longer featured.", "%(count)d comments no longer featured.", 1) % {
            "count": 1
        }

    def decide_respond(self, request, comment, form):
        moderation.official_response_set(target=comment, moderator=request.user, text=form.cleaned_data["text"])
        return _("The response from the programme team is saved.")

    @admin.display(description=_("response from the programme team"))
    def official_response_text(self, obj):
        response = getattr(obj, "official_response", None)
        return response.text if response else "-"

    @admin.display(description=_("comment"))
    def text_excerpt(self, obj):
        return excerpt(obj.text) if not obj.is_deleted else _("(deleted by the author)")

    @admin.display(description=_("text"))
    def full_text(self, obj):
        return obj.text  # the admin escapes it and keeps the line breaks

    @admin.display(description=_("author"), ordering="author__last_name")
    def author_name(self, obj):
        return obj.author.public_name

    @admin.display(description=_("topic"), ordering="topic__number")
    def topic_number(self, obj):
        return obj.topic.number

    @admin.display(description=_("status"))
    def status(self, obj):
        label = _status(obj)
        return format_html("{} ★", label) if obj.is_featured else label

    @admin.display(description=_("open reports"), ordering="open_report_count")
    def open_reports(self, obj):
        return obj.open_report_count

    @admin.display(description=_("on the site"))
    def on_site(self, obj):
        return on_site_link(obj.get_absolute_url())

    @admin.display(description=_("where"))
    def where(self, obj):
        place = obj.recommendation or obj.topic
        return format_html("{} — {}", Truncator(str(place)).chars(200), on_site_link(obj.get_absolute_url()))

    @admin.action(description=_("Hide the selected comments (with a reason)"), permissions=["change"])
    def hide_selected(self, request, queryset):
        return hide_comments(self, request, queryset.filter(is_hidden=False, is_deleted=False), "hide_selected")

    @admin.action(description=_("Show the selected hidden comments again"), permissions=["change"])
    def restore_selected(self, request, queryset):
        done = confirm_bulk(
            self,
            request,
            queryset.filter(is_hidden=True),
            action="restore_selected",
            title=_("Show comments again"),
            intro=_("These comments are shown again to everyone, without the note."),
            button=_("Show comments again"),
            rows=lambda items: [(item, _("hidden"), _("visible")) for item in items],
            run=lambda comment, data: moderation.comment_restore(comment=comment, moderator=request.user),
        )
        if isinstance(done, list):
            self.message_user(
                request,
                ngettext("%(count)d comment shown again.", "%(count)d comments shown again.", len(done))
                % {"count": len(done)},
                messages.SUCCESS,
            )
            return None
        return done

    @admin.action(description=_("Handle the reports on the selected comments: no action"), permissions=["change"])
    def resolve_selected(self, request, queryset):
        return resolve_reports(self, request, queryset, "resolve_selected")

    @admin.action(description=_("Feature the selected comments"), permissions=["change"])
    def feature_selected(self, request, queryset):
        done = confirm_bulk(
            self,
            request,
            queryset.filter(is_hidden=False, is_deleted=False, is_featured=False),
            action="feature_selected",
            title=_("Feature comments"),
            intro=_("These comments get the mark “Featured” on the site and come first in the briefing."),
            button=_("Feature comments"),
            rows=lambda items: [(item, _("visible"), _("featured")) for item in items],
            run=lambda comment, data: moderation.comment_feature(
                comment=comment, moderator=request.user, featured=True
            ),
        )
        if isinstance(done, list):
            self.message_user(
                request,
                ngettext("%(count)d comment featured.", "%(count)d comments featured.", len(done))
                % {"count": len(done)},
                messages.SUCCESS,
            )
            return None
        return done


def resolve_reports(modeladmin, request, comments, action, selected=None):
    """Bulk "no action" on the open reports of ``comments``, after a confirmation page."""
    comments = comments.filter(reports__resolved_at__isnull=True).distinct()
    resolved = []
    done = confirm_bulk(
        modeladmin,
        request,
        comments,
        action=action,
        title=_("Handle reports: no action"),
        intro=_("The comments stay as they are. Reporters who asked for it get a mail that no action was taken."),
        button=_("Handle reports"),
        rows=lambda items: [(item, _("reported"), _("handled, the comment stays")) for item in items],
        run=lambda comment, data: resolved.append(
            moderation.reports_resolve(comment=comment, moderator=request.user, outcome=ReportOutcome.NO_ACTION)
        ),
    )
    if isinstance(done, list):
        count = sum(resolved)
        modeladmin.message_user(
            request,
            ngettext("%(count)d report handled.", "%(count)d reports handled.", count) % {"count": count},
            messages.SUCCESS,
        )
        return None
    if selected is not None:
        done.context_data["selected"] = selected
    return done


@admin.register(Report)
class ReportAdmin(FastListMixin, admin.ModelAdmin):
    """The reports queue, oldest first. A report opens the comment's page, where all its reports are decided."""

    list_display = ["comment_link", "reason", "topic_number", "author_name", "created_at", "handled", "on_site"]
    list_display_links = None
    list_filter = [
        ReportStatusFilter,
        "reason",
        "comment__topic",
        ("comment__author__sector", admin.ChoicesFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["comment__topic", "comment__author"]
    list_per_page = 50
    search_fields = ["comment__text", "explanation"]
    search_help_text = _("Search in the comment and the reporter's explanation.")
    ordering = ["created_at", "pk"]
    actions = ["hide_reported", "resolve_reported"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, admin.utils.unquote(object_id))
        if report is None:
            return super().change_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(reverse("admin:feedback_comment_change", args=[report.comment_id]))

    @admin.display(description=_("comment"))
    def comment_link(self, obj):
        url = reverse("admin:feedback_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">{}</a>', url, excerpt(obj.comment.text))

    @admin.display(description=_("topic"), ordering="comment__topic__number")
    def topic_number(self, obj):
        return obj.comment.topic.number

    @admin.display(description=_("author"))
    def author_name(self, obj):
        return obj.comment.author.public_name

    @admin.display(description=_("handled"), boolean=True, ordering="resolved_at")
    def handled(self, obj):
        return obj.resolved_at is not None

    @admin.display(description=_("on the site"))
    def on_site(self, obj):
        return on_site_link(obj.comment.get_absolute_url())

    @admin.action(description=_("Hide the reported comments (with a reason)"), permissions=["change"])
    def hide_reported(self, request, queryset):
        ids = queryset.values_list("comment_id", flat=True)
        comments = Comment.objects.filter(pk__in=ids, is_hidden=False, is_deleted=False).select_related("author")
        response = hide_comments(self, request, comments, "hide_reported")
        if response is not None:
            # The reports' ids travel with the confirmation page, the comments are found from them again.
            response.context_data["selected"] = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        return response

    @admin.action(description=_("Handle the selected reports: no action"), permissions=["change"])
    def resolve_reported(self, request, queryset):
        comments = Comment.objects.filter(pk__in=queryset.values_list("comment_id", flat=True))
        selected = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        return resolve_reports(self, request, comments, "resolve_reported", selected=selected)


# --- Votes and priorities ------------------------------------------------------------------


@admin.register(Vote)
class VoteAdmin(PortalExportMixin, admin.ModelAdmin):
    list_display = ["recommendation", "choice", "participant_sector", "updated_at"]
    list_filter = [
        "choice",
        "recommendation__topic",
        ("participant__sector", admin.ChoicesFieldListFilter),
        ("updated_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["recommendation__topic", "participant"]
    resource_classes = [VoteResource]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("sector"), ordering="participant__sector")
    def participant_sector(self, obj):
        return obj.participant.get_sector_display()


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["recommendation", "participant", "created_at"]
    list_filter = ["topic"]
    list_select_related = ["recommendation__topic", "participant"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Proposals -----------------------------------------------------------------------------


@admin.register(Proposal)
class ProposalAdmin(FastListMixin, PortalExportMixin, DecisionAdmin):
    """Participants' proposals, waiting ones first: approve, or reject with a reason the proposer is mailed."""

    list_display = ["text_excerpt", "topic_number", "author_name", "status", "created_at", "decided_at"]
    list_filter = [
        ProposalStatusFilter,
        "topic",
        ("author__sector", admin.ChoicesFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["topic", "author"]
    list_per_page = 50
    search_fields = ["text", "explanation"]
    search_help_text = _("Search in the proposed text and its explanation.")
    ordering = ["created_at", "pk"]
    fields = [
        "full_text",
        "full_explanation",
        "topic",
        "author",
        "created_at",
        "status",
        "original_text",
        "original_explanation",
        "corrected_at",
        "moderator_note",
        "duplicate_of",
        "decided_by",
        "decided_at",
        "published_as",
    ]
    actions = ["approve_selected", "reject_selected"]
    resource_classes = [ProposalResource]
    decisions = {
        "correct": (ProposalCorrection, "decide_correct"),
        "approve": (None, "decide_approve"),
        "reject": (RejectReason, "decide_reject"),
        "duplicate": (DuplicateOf, "decide_duplicate"),
    }
    decision_labels = {
        "correct": _("Save the corrected text"),
        "approve": _("Approve and publish"),
        "reject": _("Reject"),
        "duplicate": _("Mark as duplicate"),
    }

    def decision_applies(self, name, proposal):
        return proposal.status == Proposal.Status.PENDING

    def form_kwargs(self, name, proposal):
        if name == "correct":
            return {"initial": {"text": proposal.text, "explanation": proposal.explanation}}
        if name == "duplicate":
            return {"topic": proposal.topic}
        return {}

    def decide_correct(self, request, proposal, form):
        moderation.proposal_correct(proposal=proposal, moderator=request.user, **form.cleaned_data)
        return _("The corrected text is saved. The proposer's own text stays visible here.")

    def decide_approve(self, request, proposal, form):
        moderation.proposal_approve(proposal=proposal, moderator=request.user)
        return ngettext("%(count)d proposal approved.", "%(count)d proposals approved.", 1) % {"count": 1}

    def decide_reject(self, request, proposal, form):
        moderation.proposal_reject(proposal=proposal, moderator=request.user, reason=form.cleaned_data["reason"])
        return ngettext("%(count)d proposal rejected.", "%(count)d proposals rejected.", 1) % {"count": 1}

    def decide_duplicate(self, request, proposal, form):
        moderation.proposal_mark_duplicate(
            proposal=proposal, moderator=request.user, recommendation=form.cleaned_data["recommendation"]
        )
        return _("The proposal is marked as a duplicate. The proposer gets a mail with a link to the recommendation.")

    @admin.display(description=_("proposal"))
    def text_excerpt(self, obj):
        return excerpt(obj.text)

    @admin.display(description=_("recommendation"))
    def full_text(self, obj):
        return obj.text

    @admin.display(description=_("explanation"))
    def full_explanation(self, obj):
        return obj.explanation

    @admin.display(description=_("topic"), ordering="topic__number")
    def topic_number(self, obj):
        return obj.topic.number

    @admin.display(description=_("author"))
    def author_name(self, obj):
        return obj.author.public_name

    @admin.display(description=_("published as"))
    def published_as(self, obj):
        if not obj.recommendation_id:
            return "-"
        recommendation = obj.recommendation
        url = reverse("feedback:recommendation_detail", kwargs={"slug": obj.topic.slug, "pk": recommendation.pk})
        return format_html("{} — {}", Truncator(str(recommendation)).chars(200), on_site_link(url))

    @admin.action(description=_("Approve the selected proposals"), permissions=["change"])
    def approve_selected(self, request, queryset):
        return self._bulk_decide(
            request,
            queryset,
            "approved",
            action="approve_selected",
            title=_("Approve proposals"),
            intro=_(
                "These proposals are published as they are, under “Proposed by participants” on their topic's page. "
                "To correct a text first, open the proposal."
            ),
            button=_("Approve proposals"),
            new_status=_("Approved"),
            run=lambda proposal, data: moderation.proposal_approve(proposal=proposal, moderator=request.user),
        )

    @admin.action(description=_("Reject the selected proposals (with a reason)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectReason(request.POST if "confirm" in request.POST else None, prefix="reject")
        return self._bulk_decide(
            request,
            queryset,
            "rejected",
            action="reject_selected",
            title=_("Reject proposals"),
            intro=_("The proposers get a mail with this reason."),
            button=_("Reject proposals"),
            new_status=_("Not approved"),
            form=form,
            run=lambda proposal, data: moderation.proposal_reject(
                proposal=proposal, moderator=request.user, reason=data["reason"]
            ),
        )

    def _bulk_decide(self, request, queryset, outcome, *, new_status, **confirm):
        """Confirm a decision on the selected proposals that still wait, take it on each, then say how many."""
        done = confirm_bulk(
            self,
            request,
            queryset.filter(status=Proposal.Status.PENDING).select_related("topic"),
            rows=lambda items: [(item, _("Waiting for review"), new_status) for item in items],
            **confirm,
        )
        if not isinstance(done, list):
            return done
        count = len(done)
        if outcome == "approved":
            message = ngettext("%(count)d proposal approved.", "%(count)d proposals approved.", count)
        else:
            message = ngettext("%(count)d proposal rejected.", "%(count)d proposals rejected.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
        return None


# --- Audit log -----------------------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(FastListMixin, PortalExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, administrators included: no add, change, delete or history, only reading
    and exporting. (The model and, on PostgreSQL, a trigger refuse changes too.)"""

    list_display = ["created_at", "actor_name", "action", "target_link", "topic_number", "reason_excerpt"]
    list_display_links = ["created_at"]
    list_filter = [
        ("actor", admin.RelatedOnlyFieldListFilter),
        "action",
        "topic",
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["actor", "topic", "content_type"]
    search_fields = ["target_repr", "reason"]
    search_help_text = _("Search in the object and the reason.")
    list_per_page = 100
    fields = ["created_at", "actor", "action", "target_link", "topic", "old_state", "new_state", "reason"]
    readonly_fields = fields
    resource_classes = [AuditEntryResource]

    def has_view_permission(self, request, obj=None):
        # The moderator role's key permission, through Django's cached permissions: no extra query per page.
        return request.user.has_perm(MODERATOR.key) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request) or super().has_module_permission(request)

    def history_view(self, request, object_id, extra_context=None):
        # The entry is its own history; Django's page would suggest it can be edited.
        raise PermissionDenied

    @admin.display(description=_("moderator"), ordering="actor__last_name")
    def actor_name(self, entry):
        return (entry.actor.get_full_name() or entry.actor.email) if entry.actor_id else "-"

    @admin.display(description=_("object"))
    def target_link(self, entry):
        model = entry.content_type.model_class()
        if model is None:
            return entry.target_repr
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[entry.object_id])
        except NoReverseMatch:  # a model without an admin page: the text is enough
            return entry.target_repr
        return format_html('<a href="{}">{}</a>', url, entry.target_repr)

    @admin.display(description=_("topic"), ordering="topic__number")
    def topic_number(self, entry):
        return entry.topic.number if entry.topic_id else "-"

    @admin.display(description=_("reason"))
    def reason_excerpt(self, entry):
        return excerpt(entry.reason)


# --- Workshop content: registered here because corrections and schedules are feedback's services ----------


class ItemInline(admin.TabularInline):
    """The topic's items, read-only: a text is corrected on the item's own page, with a reason."""

    extra = 0
    fields = ["position", "item_link", "source"]
    readonly_fields = fields
    ordering = ["position"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("text"))
    def item_link(self, item):
        url = reverse(f"admin:topics_{item._meta.model_name}_change", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, item.text)


class ConsiderationInline(ItemInline):
    model = Consideration


class RecommendationInline(ItemInline):
    model = Recommendation
    fields = ["position", "item_link", "source", "is_published"]
    readonly_fields = fields


admin.site.unregister(Topic)


@admin.register(Topic)
class TopicAdmin(LabelledDateTimeMixin, topics_admin.TopicAdmin):
    """Dates go through ``topic_schedule`` (open, close, reschedule: logged); other edits are logged too."""

    inlines = [ConsiderationInline, RecommendationInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            moderation.audit_record(
                actor=request.user, action=AuditAction.CONTENT_EDIT, target=obj, topic=obj, new_state={"created": True}
            )
            return
        dates = {"opens_at", "closes_at"}
        content = [field for field in form.changed_data if field not in dates]
        if content:
            old = Topic.objects.get(pk=obj.pk)
            obj.save(update_fields=[*content, "updated_at"])
            moderation.audit_record(
                actor=request.user,
                action=AuditAction.CONTENT_EDIT,
                target=obj,
                topic=obj,
                old_state={field: str(getattr(old, field)) for field in content},
                new_state={field: str(getattr(obj, field)) for field in content},
            )
        if dates & set(form.changed_data):
            moderation.topic_schedule(topic=obj, moderator=request.user, opens_at=obj.opens_at, closes_at=obj.closes_at)


class ItemAdmin(DecisionAdmin):
    """A workshop item: its text is corrected with a reason (``item_text_correct``: logged, shown on the site)."""

    add_fields = ["topic", "position", "text", "source"]
    list_select_related = ["topic"]
    search_fields = ["text"]

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moderation.audit_record(
            actor=request.user,
            action=AuditAction.CONTENT_EDIT,
            target=obj,
            topic=obj.topic,
            new_state={"created": True, "text": obj.text},
        )

    def form_kwargs(self, name, item):
        return {"initial": {"text": item.text}} if name == "correct" else {}

    def decide_correct(self, request, item, form):
        moderation.item_text_correct(item=item, moderator=request.user, **form.cleaned_data)
        return _("The text is corrected. The site shows the change with the previous text.")

    @admin.display(description=_("text"))
    def full_text(self, item):
        return item.text

    @admin.display(description=_("earlier texts"))
    def revisions(self, item):
        rows = [
            (
                date_format(timezone.localtime(revision.changed_at), "DATETIME_FORMAT"),
                revision.old_text,
                revision.new_text,
                revision.reason,
            )
            for revision in item.revisions.all()
        ]
        if not rows:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: “{}” → “{}” ({})</li>", rows))

    @admin.display(description=_("on the site"))
    def on_site(self, item):
        return on_site_link(item.topic.get_absolute_url())


admin.site.unregister(Consideration)


@admin.register(Consideration)
class ConsiderationAdmin(ItemAdmin):
    list_display = ["topic", "position", "text_excerpt", "source"]
    list_filter = ["topic", "source"]
    fields = ["topic", "position", "full_text", "source", "revisions", "on_site"]
    decisions = {"correct": (TextCorrection, "decide_correct")}
    decision_labels = {"correct": _("Save the corrected text")}

    @admin.display(description=_("text"))
    def text_excerpt(self, item):
        return excerpt(item.text)


admin.site.unregister(Recommendation)


@admin.register(Recommendation)
class RecommendationAdmin(ItemAdmin):
    """With the number of votes: a recommendation that has votes is only corrected, never rewritten."""

    list_display = ["topic", "position", "text_excerpt", "source", "is_published", "vote_count"]
    list_filter = ["topic", "source", "is_published"]
    fields = [
        "topic",
        "position",
        "full_text",
        "source",
        "is_published",
        "proposed_by",
        "vote_count",
        "revisions",
        "official_response_text",
        "on_site",
    ]
    add_fields = ["topic", "position", "text", "source", "is_published"]
    decisions = {
        "correct": (TextCorrection, "decide_correct"),
        "respond": (OfficialResponseForm, "decide_respond"),
    }
    decision_labels = {"correct": _("Save the corrected text"), "respond": _("Save the response")}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(vote_total=Count("votes"))

    def form_kwargs(self, name, item):
        if name == "respond":
            response = getattr(item, "official_response", None)
            return {"initial": {"text": response.text}} if response else {}
        return super().form_kwargs(name, item)

    def decide_respond(self, request, item, form):
        moderation.official_response_set(target=item, moderator=request.user, text=form.cleaned_data["text"])
        return _("The response from the programme team is saved.")

    @admin.display(description=_("text"))
    def text_excerpt(self, item):
        return excerpt(item.text)

    @admin.display(description=_("votes"), ordering="vote_total")
    def vote_count(self, item):
        return item.vote_total

    @admin.display(description=_("response from the programme team"))
    def official_response_text(self, item):
        response = getattr(item, "official_response", None)
        return response.text if response else "-"

    @admin.display(description=_("on the site"))
    def on_site(self, item):
        url = reverse("feedback:recommendation_detail", kwargs={"slug": item.topic.slug, "pk": item.pk})
        return on_site_link(url)


# --- Participants: blocking with a reason, mailed; registered here because it can hide their comments ----------


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(participants_admin.UserAdmin):
    actions = ["block_participants", "unblock_participants", *participants_admin.UserAdmin.actions]

    @admin.action(description=_("Block participant"), permissions=["block"])
    def block_participants(self, request, queryset):
        form = BlockReason(request.POST if "confirm" in request.POST else None, prefix="block")
        done = confirm_bulk(
            self,
            request,
            queryset.filter(is_blocked=False),
            action="block_participants",
            title=_("Block participants"),
            intro=_(
                "These participants can still log in and read, but can no longer vote, comment or make proposals. "
                "They get the reason by e-mail, with the contact address."
            ),
            button=_("Block participants"),
            rows=lambda users: [(user, _("can take part"), _("blocked")) for user in users],
            form=form,
            run=lambda user, data: moderation.participant_block(user=user, moderator=request.user, **data),
        )
        if not isinstance(done, list):
            return done
        self.message_user(
            request,
            ngettext("%(count)d participant blocked.", "%(count)d participants blocked.", len(done))
            % {"count": len(done)},
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("Lift block"), permissions=["block"])
    def unblock_participants(self, request, queryset):
        form = UnblockReason(request.POST if "confirm" in request.POST else None, prefix="unblock")
        done = confirm_bulk(
            self,
            request,
            queryset.filter(is_blocked=True),
            action="unblock_participants",
            title=_("Lift blocks"),
            intro=_("These participants can take part again. They get the reason by e-mail."),
            button=_("Lift blocks"),
            rows=lambda users: [(user, _("blocked"), _("can take part")) for user in users],
            form=form,
            run=lambda user, data: moderation.participant_unblock(user=user, moderator=request.user, **data),
        )
        if not isinstance(done, list):
            return done
        self.message_user(
            request,
            ngettext("%(count)d block lifted.", "%(count)d blocks lifted.", len(done)) % {"count": len(done)},
            messages.SUCCESS,
        )
        return None
