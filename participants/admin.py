from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .forms import UserChangeForm, UserCreationForm
from .models import PortalSettings, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "sector", "is_blocked", "is_staff", "is_active"]
    list_filter = ["sector", "is_blocked", "is_staff", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name", "organisation"]
    readonly_fields = ["privacy_accepted_at", "blocked_at", "deleted_at", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "organisation", "sector", "participates_as", "display_mode")},
        ),
        (_("Preferences"), {"fields": ("language", "notify_replies", "notify_updates", "privacy_accepted_at")}),
        (_("Blocking"), {"fields": ("is_blocked", "blocked_reason", "blocked_at")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    # Blocking (with a reason, mailed, optionally hiding the comments) is added by feedback's admin,
    # which registers its subclass of this one: the comments are feedback's.

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
