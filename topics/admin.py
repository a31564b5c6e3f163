from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import pagecache, services
from .models import Consideration, Proposal, Recommendation, SiteText, Topic


class ContentChangeAdmin(admin.ModelAdmin):
    """Content edited here is on every cached page: make those stale after the save."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pagecache.bump(pagecache.CONTENT)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.bump(pagecache.CONTENT)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.bump(pagecache.CONTENT)


class ConsiderationInline(admin.TabularInline):
    model = Consideration
    extra = 0
    fields = ["position", "text", "source"]
    ordering = ["position"]


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["position", "text", "source", "is_published"]
    ordering = ["position"]


@admin.register(Topic)
class TopicAdmin(ContentChangeAdmin):
    list_display = ["number", "title", "opens_at", "closes_at", "phase_display"]
    list_display_links = ["number", "title"]
    ordering = ["ordering", "number"]
    search_fields = ["title", "heading", "introduction"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("number", "slug", "title", "heading", "ordering")}),
        (_("Text"), {"fields": ("introduction", "question")}),
        (_("Consultation period"), {"fields": ("opens_at", "closes_at")}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = [ConsiderationInline, RecommendationInline]

    @admin.display(description=_("phase"))
    def phase_display(self, obj):
        return obj.phase.label


@admin.register(Consideration)
class ConsiderationAdmin(ContentChangeAdmin):
    list_display = ["topic", "position", "text", "source"]
    list_filter = ["topic", "source"]
    list_select_related = ["topic"]
    search_fields = ["text"]


@admin.register(Recommendation)
class RecommendationAdmin(ContentChangeAdmin):
    list_display = ["topic", "position", "text", "source", "is_published"]
    list_filter = ["topic", "source", "is_published"]
    list_select_related = ["topic"]
    search_fields = ["text"]


@admin.register(SiteText)
class SiteTextAdmin(ContentChangeAdmin):
    list_display = ["key", "updated_at"]
    readonly_fields = ["key"]


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
        self._run(request, queryset, services.proposal_approve)

    @admin.action(description=_("Decline (the note is shown to the proposer)"), permissions=["change"])
    def reject(self, request, queryset):
        for proposal in queryset:
            try:
                services.proposal_reject(proposal=proposal, moderator=request.user, note=proposal.moderator_note)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, f"{proposal}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
        self.message_user(request, _("Done."), messages.SUCCESS)
