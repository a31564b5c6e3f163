"""Staff views of participants' input. Decisions go through ``feedback.moderation``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import moderation
from .models import Comment, Priority, Proposal, Report, Vote


class ReasonForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("Reason (shown publicly instead of the comment)"), choices=moderation.HIDE_REASON_CHOICES
    )
    reason_text = forms.CharField(
        label=_("Explanation (required with “Other reason”)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _ask_reason(modeladmin, request, comments, action, title):
    """Intermediate page of a hide action: ask the public reason, then hide through the service."""
    form = ReasonForm(request.POST if "reason_code" in request.POST else None)
    if form.is_bound and form.is_valid():
        hidden = 0
        for comment in comments:
            try:
                moderation.comment_hide(
                    comment=comment,
                    moderator=request.user,
                    reason_code=form.cleaned_data["reason_code"],
                    reason_text=form.cleaned_data["reason_text"],
                )
                hidden += 1
            except (PermissionDenied, ValidationError) as error:
                modeladmin.message_user(request, str(error), messages.ERROR)
                return None
        modeladmin.message_user(request, _("%(count)d comment(s) hidden.") % {"count": hidden}, messages.SUCCESS)
        return None
    return render(
        request,
        "admin/feedback/hide_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "comments": comments,
            "action": action,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        },
    )


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    fields = ["reporter", "reason", "explanation", "created_at", "resolved_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["short_text", "author", "topic", "recommendation", "created_at", "is_hidden", "is_deleted"]
    list_filter = ["is_hidden", "is_deleted", "is_featured", "topic"]
    list_select_related = ["author", "topic", "recommendation__topic"]
    search_fields = ["text", "author__email"]
    raw_id_fields = ["parent", "recommendation", "author", "hidden_by"]
    readonly_fields = [
        "topic",
        "recommendation",
        "parent",
        "author",
        "text",
        "stance",
        "created_at",
        "edited_at",
        "is_deleted",
        "deleted_at",
        "is_hidden",
        "hidden_reason",
        "hidden_by",
        "hidden_at",
    ]
    fields = [*readonly_fields, "is_featured"]
    inlines = [ReportInline]
    actions = ["hide_comments", "unhide_comments"]

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text[:80]  # escaped by the admin

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Hide selected comments (with a public reason)"), permissions=["change"])
    def hide_comments(self, request, queryset):
        return _ask_reason(self, request, list(queryset), "hide_comments", _("Hide comments"))

    @admin.action(description=_("Show selected hidden comments again"), permissions=["change"])
    def unhide_comments(self, request, queryset):
        for comment in queryset.filter(is_hidden=True):
            moderation.comment_restore(comment=comment, moderator=request.user)
        self.message_user(request, _("Done."), messages.SUCCESS)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["comment_text", "reason", "reporter", "created_at", "comment_hidden", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["comment", "reporter"]
    readonly_fields = ["comment", "reporter", "reason", "explanation", "created_at", "resolved_at", "resolved_by"]
    actions = ["hide_reported_comments", "mark_resolved"]

    @admin.display(description=_("comment"))
    def comment_text(self, obj):
        return obj.comment.text[:80]

    @admin.display(description=_("hidden by a moderator"), boolean=True)
    def comment_hidden(self, obj):
        return obj.comment.is_hidden

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Hide the reported comments (with a public reason)"), permissions=["change"])
    def hide_reported_comments(self, request, queryset):
        comments = list({report.comment_id: report.comment for report in queryset.select_related("comment")}.values())
        return _ask_reason(self, request, comments, "hide_reported_comments", _("Hide comments"))

    @admin.action(description=_("Mark as handled without hiding"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        for comment in {
            report.comment for report in queryset.filter(resolved_at__isnull=True).select_related("comment")
        }:
            moderation.reports_resolve(comment=comment, moderator=request.user, outcome="no_action")
        self.message_user(request, _("Done."), messages.SUCCESS)


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["recommendation", "choice", "participant", "updated_at"]
    list_filter = ["choice", "recommendation__topic"]
    list_select_related = ["recommendation__topic", "participant"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["recommendation", "participant", "created_at"]
    list_filter = ["topic"]
    list_select_related = ["recommendation__topic", "participant"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Participants' proposals: a moderator approves (publishes) or declines them with the actions."""

    list_display = ["short_text", "topic", "author", "status", "created_at", "decided_at"]
    list_filter = ["status", "topic"]
    list_select_related = ["topic", "author"]
    search_fields = ["text", "explanation", "author__email"]
    readonly_fields = [
        "topic",
        "author",
        "text",
        "explanation",
        "status",
        "decided_by",
        "decided_at",
        "recommendation",
        "created_at",
    ]
    fields = [*readonly_fields[:5], "moderator_note", *readonly_fields[5:]]
    actions = ["approve", "reject"]

    @admin.display(description=_("recommendation"))
    def short_text(self, obj):
        return obj.text[:80]  # escaped by the admin

    def has_add_permission(self, request):
        return False

    def _run(self, request, queryset, service):
        done = 0
        for proposal in queryset:
            try:
                service(proposal=proposal, moderator=request.user)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, f"{proposal}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
        if done:
            self.message_user(request, _("%(count)d proposal(s) handled.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve: publish as a recommendation"), permissions=["change"])
    def approve(self, request, queryset):
        self._run(request, queryset, moderation.proposal_approve)

    @admin.action(description=_("Decline (the note is shown to the proposer)"), permissions=["change"])
    def reject(self, request, queryset):
        for proposal in queryset:
            try:
                moderation.proposal_reject(proposal=proposal, moderator=request.user, reason=proposal.moderator_note)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, f"{proposal}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
        self.message_user(request, _("Done."), messages.SUCCESS)
