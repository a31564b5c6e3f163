"""Helpers the portal's admin pages share: a confirmation page for bulk decisions, service errors as messages.

Here, at the bottom layer, so every app's admin can use them.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

CONFIRM_FIELD = "confirm"


def error_text(error):
    """A service's PermissionDenied or ValidationError as one sentence."""
    return " ".join(getattr(error, "messages", None) or [str(error)])


def confirm_bulk(modeladmin, request, queryset, *, action, title, intro, button, rows, form=None, run):
    """The confirmation page of a bulk decision, then the decision itself.

    First request (from the list's action menu): a page with ``intro``, a table
    of ``rows`` (``(object, before, after)``: what will change for each item)
    and the ``form`` (the reason), so nothing happens by accident. Second
    request (the page's button, with ``confirm``): ``run(item, cleaned_data)``
    for each selected item through the service; an item the service refuses
    is reported by name and the others still go ahead. Returns the response to
    show, or None to go back to the list (with the message ``run`` reports).
    """
    items = list(queryset)
    if CONFIRM_FIELD in request.POST and (form is None or form.is_valid()):
        done = []
        for item in items:
            try:
                run(item, form.cleaned_data if form is not None else {})
            except (PermissionDenied, ValidationError) as error:
                modeladmin.message_user(request, f"{item}: {error_text(error)}", messages.ERROR)
            else:
                done.append(item)
        return done
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "button": button,
        "rows": rows(items),
        "form": form,
        "opts": modeladmin.model._meta,
        "action": action,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "selected": [str(item.pk) for item in items],
        "confirm_field": CONFIRM_FIELD,
        "back": _("No, go back"),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/confirm_bulk.html", context)


class LabelledDateTimeMixin:
    """Django's split date/time widget has two inputs that no label names (axe-core: critical); name them."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        from django.contrib.admin.widgets import AdminSplitDateTime
        from django.utils.text import capfirst

        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if isinstance(widget, AdminSplitDateTime):
            label = capfirst(db_field.verbose_name)
            widget.widgets[0].attrs["aria-label"] = f"{label}: {_('date')}"
            widget.widgets[1].attrs["aria-label"] = f"{label}: {_('time')}"
        return field


class ReadOnlyAdminMixin:
    """A record nobody adds, changes or deletes in the admin, administrators included: only read (and export)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
