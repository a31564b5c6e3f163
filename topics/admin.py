from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import pagecache
from .models import Consideration, Recommendation, SiteText, Topic


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
