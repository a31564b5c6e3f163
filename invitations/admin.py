"""The organiser's admin: events with progress, the roster import with preview, sending, the attendee list."""

import tablib
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.formats.base_formats import CSV, XLSX

from . import selectors, services
from .forms import AddUsersForm, RosterUploadForm
from .models import Event, Invitation, State
from .roster import RosterRow, neutralise, roster_read

SESSION_IMPORT = "invitations_import_{}"


def _count(state):
    return Count("invitations", filter=Q(invitations__state=state))


def _count_column(annotation, description, **display):
    """A list column showing the count that ``get_queryset`` annotates as ``annotation``."""

    @admin.display(description=description, **display)
    def column(self, obj):
        return getattr(obj, annotation)

    return column


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "capacity", "invited", "sent", "failed", "accepted", "declined", "waiting"]
    prepopulated_fields = {"slug": ["title"]}
    change_form_template = "admin/invitations/event/change_form.html"
    # One labelled input per moment (the browser's date-time picker) instead of the admin's unlabelled pair.
    formfield_overrides = {
        models.DateTimeField: {
            "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        },
        models.URLField: {"assume_scheme": "https"},
    }
    fieldsets = (
        (None, {"fields": ("title", "slug", "description")}),
        (_("When"), {"fields": ("starts_at", "ends_at", "rsvp_deadline")}),
        (_("Where"), {"fields": ("location", "address", "accessibility", "online_url", "capacity")}),
        (_("Who"), {"fields": ("open_to_participants",)}),
        (_("Mail before the event"), {"fields": ("practical_information",)}),
    )

    class Media:
        js = ["js/invitations_admin.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_invited=Count("invitations", filter=~Q(invitations__state=State.CONCEPT)),
                n_sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False)),
                n_failed=_count(State.FAILED),
                n_accepted=_count(State.ACCEPTED),
                n_declined=_count(State.DECLINED),
                n_waiting=_count(State.WAITING),
            )
        )

    invited = _count_column("n_invited", _("invited"), ordering="n_invited")
    sent = _count_column("n_sent", _("sent"))
    failed = _count_column("n_failed", _("delivery failed"))
    accepted = _count_column("n_accepted", _("accepted"))
    declined = _count_column("n_declined", _("declined"))
    waiting = _count_column("n_waiting", _("waiting list"))

    def save_model(self, request, obj, form, change):
        if change and "capacity" in form.changed_data:
            # More places: the waiting list moves up, with a mail to each who gets one.
            super().save_model(request, obj, form, change)
            services.event_capacity_update(event=obj, capacity=obj.capacity)
        else:
            super().save_model(request, obj, form, change)

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/progress/", self.admin_site.admin_view(self.progress_view), name="invitations_event_progress"
            ),
            path("<int:pk>/import/", self.admin_site.admin_view(self.import_view), name="invitations_event_import"),
            path("<int:pk>/send/", self.admin_site.admin_view(self.send_view), name="invitations_event_send"),
            path(
                "<int:pk>/attendees.<str:fmt>",
                self.admin_site.admin_view(self.attendees_view),
                name="invitations_event_attendees",
            ),
        ]
        return urls + super().get_urls()

    def _event(self, request, pk, perm="view"):
        event = get_object_or_404(Event, pk=pk)
        if not request.user.has_perm(f"invitations.{perm}_invitation"):
            raise PermissionDenied
        return event

    def _progress_context(self, event):
        services.invitations_delivery_sync(event=event)
        counts = services.event_counts(event=event)
        invited = counts["total"] - counts["concept"]
        done = invited - counts["queued"]
        return {
            "event": event,
            "counts": counts,
            "invited": invited,
            "busy": counts["queued"] > 0,
            "percent": int(100 * done / invited) if invited else 0,
            "rows": [(State(s).label, counts[s], s) for s in State.values],
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        event = self.get_object(request, unquote(object_id))
        if event is not None and request.user.has_perm("invitations.view_invitation"):
            extra_context["progress"] = self._progress_context(event)
            extra_context["can_send"] = request.user.has_perm("invitations.change_invitation")
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_view(self, request, pk):
        """The counts per state as an HTML fragment; the admin script swaps it in while a batch goes out."""
        event = self._event(request, pk)
        return TemplateResponse(
            request, "admin/invitations/event/_progress.html", {"progress": self._progress_context(event)}
        )

    def send_view(self, request, pk):
        event = self._event(request, pk, "change")
        if request.method != "POST":
            return redirect(reverse("admin:invitations_event_change", args=[event.pk]))
        try:
            count = services.invitations_send(event=event)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            _report_sent(self, request, count)
        return redirect(reverse("admin:invitations_event_change", args=[event.pk]))

    def import_view(self, request, pk):
        event = self._event(request, pk, "add")
        key = SESSION_IMPORT.format(event.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "event": event,
            "title": _("Import invitees for %(event)s") % {"event": event.title},
        }
        if request.method == "POST" and request.POST.get("confirm") and key in request.session:
            rows = [RosterRow(**row) for row in request.session[key]]
            try:
                preview = services.invitations_import(
                    event=event, rows=rows, valid_only=bool(request.POST.get("valid_only")), invited_by=request.user
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                del request.session[key]
                summary = preview.summary()
                self.message_user(
                    request,
                    _(
                        "Imported: %(new)s new, %(update)s updated, %(unchanged)s unchanged, "
                        "%(error)s rows with errors left out."
                    )
                    % summary,
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:invitations_invitation_changelist") + f"?event__id__exact={event.pk}")
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and not request.POST.get("confirm") and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > 5 * 1024 * 1024:
                    raise ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
                rows = roster_read(filename=upload.name, content=upload.read())
            except ValidationError as error:
                form.add_error("file", error)
            else:
                preview = services.roster_preview(event=event, rows=rows)
                request.session[key] = [{"line": r.line, "data": r.data, "neutralised": r.neutralised} for r in rows]
                context.update({"preview": preview, "summary": preview.summary(), "filename": upload.name})
                return TemplateResponse(request, "admin/invitations/event/import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/invitations/event/import.html", context)

    def attendees_view(self, request, pk, fmt):
        """Everyone with a place or on the waiting list, with their needs, as CSV or XLSX."""
        event = self._event(request, pk)
        formats = {"csv": CSV(), "xlsx": XLSX()}
        if fmt not in formats:
            raise PermissionDenied
        attendees = selectors.with_participation(
            Invitation.objects.filter(event=event, state__in=[State.ACCEPTED, State.WAITING])
        ).order_by("state", "name")
        dataset = tablib.Dataset(
            headers=["name", "email", "organisation", "sector", "state", "needs", "answered_at", "voted", "commented"]
        )
        for invitation in attendees:
            dataset.append(
                [
                    neutralise(invitation.name)[0],
                    invitation.email,
                    neutralise(invitation.organisation)[0],
                    invitation.sector,
                    invitation.state,
                    neutralise(invitation.needs)[0],
                    invitation.answered_at.isoformat() if invitation.answered_at else "",
                    "yes" if invitation.has_voted else "no",
                    "yes" if invitation.has_commented else "no",
                ]
            )
        data = formats[fmt].export_data(dataset)
        response = HttpResponse(data, content_type=formats[fmt].get_content_type())
        response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.{fmt}"'
        return response


def _report_sent(modeladmin, request, count):
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d invitation is queued and goes out now.",
            "%(count)d invitations are queued and go out now.",
            count,
        )
        % {"count": count},
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "event",
        "email",
        "organisation",
        "sector",
        "state",
        "sent_at",
        "answered_at",
        "needs",
        "voted",
        "commented",
    ]
    list_filter = ["event", "state", "sector", "language"]
    search_fields = ["name", "email", "organisation"]
    list_select_related = ["event"]
    actions = ["send_invitations", "resend_invitations"]
    # What the roster and the sending record: shown, never edited by hand.
    readonly_fields = [
        "state",
        "needs",
        "user",
        "invited_by",
        "created_at",
        "queued_at",
        "sent_at",
        "failed_at",
        "answered_at",
        "waiting_since",
        "reminder_sent_at",
        "practical_sent_at",
    ]
    fields = ["event", "name", "email", "organisation", "sector", "note", "language", *readonly_fields]

    def get_queryset(self, request):
        return selectors.with_participation(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.invited_by = request.user
        obj.email = services.normalise_email(obj.email)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("voted"), boolean=True)
    def voted(self, obj):
        return obj.has_voted

    @admin.display(description=_("commented"), boolean=True)
    def commented(self, obj):
        return obj.has_commented

    def _per_event(self, request, queryset, resend):
        total = 0
        for event in Event.objects.filter(pk__in=queryset.values("event")):
            try:
                total += services.invitations_send(event=event, invitations=queryset.filter(event=event), resend=resend)
            except ValidationError as error:
                self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
        _report_sent(self, request, total)

    @admin.action(description=_("Send invitations"), permissions=["change"])
    def send_invitations(self, request, queryset):
        """Only invitations not sent before; the others are left alone."""
        self._per_event(request, queryset, resend=False)

    @admin.action(description=_("Send again"), permissions=["change"])
    def resend_invitations(self, request, queryset):
        """A new mail with a new link, for the selected invitees who have not answered."""
        self._per_event(request, queryset, resend=True)


def _has_invite_permission(request):
    return request.user.has_perm("invitations.add_invitation")


@admin.action(description=_("Invite to an event"), permissions=["invite"])
def invite_users(modeladmin, request, queryset):
    """From the user list (filtered by opt-in, sector, organisation): put the selected people on an event's roster."""
    form = AddUsersForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        users = queryset
        if form.cleaned_data["opted_in"]:
            users = users.filter(notify_updates=True)
        if form.cleaned_data["sector"]:
            users = users.filter(sector=form.cleaned_data["sector"])
        if form.cleaned_data["organisation"]:
            users = users.filter(organisation__icontains=form.cleaned_data["organisation"])
        added = services.invitations_add_users(event=form.cleaned_data["event"], users=users, invited_by=request.user)
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d person added to the roster as concept.",
                "%(count)d people added to the roster as concept.",
                added,
            )
            % {"count": added},
            messages.SUCCESS,
        )
        return redirect(
            reverse("admin:invitations_invitation_changelist") + f"?event__id__exact={form.cleaned_data['event'].pk}"
        )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Invite to an event"),
        "form": form,
        "users": queryset,
        "opts": modeladmin.model._meta,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/invitations/invite_users.html", context)


def _extend_user_admin():
    user_admin = admin.site.get_model_admin(get_user_model())
    if invite_users not in user_admin.actions:
        user_admin.actions = [*user_admin.actions, invite_users]
    user_admin.has_invite_permission = _has_invite_permission
    if "notify_updates" not in user_admin.list_filter:
        user_admin.list_filter = [*user_admin.list_filter, "notify_updates"]


_extend_user_admin()
