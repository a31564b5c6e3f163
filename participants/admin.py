from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_tools import ReadOnlyAdminMixin
from .forms import UserChangeForm, UserCreationForm
from .models import PortalSettings, SectorChange, User
from .services import sector_confirm


class SectorChangeInline(admin.TabularInline):
    """The participant's sector history on their page, read-only: the log is written by the services."""

    model = SectorChange
    fk_name = "user"
    fields = ["changed_at", "old_sector", "new_sector", "source", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "sector", "is_blocked", "is_staff", "is_active"]
    list_filter = ["sector", "is_blocked", "is_staff", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name", "organisation"]
    readonly_fields = [
        "privacy_accepted_at",
        "blocked_at",
        "deleted_at",
        "last_login",
        "date_joined",
        "sector_confirmed_at",
        "sector_confirmed_source",
    ]
    inlines = [SectorChangeInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "organisation",
                    "sector",
                    "sector_confirmed_at",
                    "sector_confirmed_source",
                    "participates_as",
                    "display_mode",
                )
            },
        ),
        (_("Preferences"), {"fields": ("language", "notify_replies", "notify_updates", "privacy_accepted_at")}),
        (_("Blocking"), {"fields": ("is_blocked", "blocked_reason", "blocked_at")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    # Blocking (with a reason, mailed, optionally hiding the comments) is added by feedback's admin,
    # which registers its subclass of this one: the comments are feedback's.
    actions = ["confirm_sectors"]

    def has_block_permission(self, request):
        return request.user.has_perm("participants.block_user")

    def get_fieldsets(self, request, obj=None):
        """Without the right to change accounts (moderators, organisers) there is no password block: its
        hash details and reset link are of no use to them."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [field for field in options["fields"] if field != "password"]})
            for name, options in fieldsets
        ]

    @admin.action(description=_("Confirm sector"), permissions=["block"])
    def confirm_sectors(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                sector_confirm(user=user, by=request.user, source=SectorChange.Source.MODERATOR)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, f"{user.email}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d sector confirmed.", "%(count)d sectors confirmed.", done) % {"count": done},
                messages.SUCCESS,
            )


@admin.register(SectorChange)
class SectorChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every change of sector, for moderators: who hops between sectors shows here. Read-only."""

    list_display = ["changed_at", "user", "old_sector", "new_sector", "source", "changed_by"]
    list_filter = ["source", "new_sector"]
    search_fields = ["user__email"]
    list_select_related = ["user", "changed_by"]
    readonly_fields = list_display


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it; it cannot be added twice or deleted."""

    fields = ["signup_mode", "invitation_only_message", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        obj = PortalSettings.load()
        return redirect(reverse("admin:participants_portalsettings_change", args=[obj.pk]))
