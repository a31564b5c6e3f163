"""Helpers the portal's admin pages share: a confirmation page for bulk decisions, service errors as messages.

Here, at the bottom layer, so every app's admin can use them.
"""

import hashlib
from urllib.parse import parse_qsl

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
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


class _PageOnDemand:
    """A change list page whose length is known and whose objects are read only when iterated."""

    def __init__(self, read, length):
        self._read = read
        self._length = length
        self._objects = None

    def _all(self):
        if self._objects is None:
            self._objects = list(self._read())
        return self._objects

    def __len__(self):
        return self._length if self._objects is None else len(self._objects)

    def __iter__(self):
        return iter(self._all())


class _RowLinksChangeList(ChangeList):
    """A change list that adds the list's filters to the rows' links once, not once per row.

    Django's row loop calls ``add_preserved_filters`` for every row's link, which resolves the link's URL
    again to see whether it is the list itself (a quarter of a 50-row page). A row's link is always its
    change page, so the query string is the same for every row: it is built once here, the row links
    carry it, and the loop is handed no filters to add again.
    """

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)  # sets rows_cache_key (get_results)
        # What add_preserved_filters makes of it for a change page's URL, computed once.
        self._row_query = f"?{urlencode(dict(parse_qsl(self.preserved_filters)))}" if self.preserved_filters else ""
        self.preserved_filters = ""
        self._change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(0,),
            current_app=self.model_admin.admin_site.name,
        ).rpartition("/0/")

    def get_results(self, request):
        """Django's counts and page, or, while this list's rows are kept, what was counted with them.

        The kept rows, filters and page links need neither the count nor the page's objects: only the
        number of results (the search line, the actions' "0 of 50 selected") and the page's length. These
        are kept under the same key as the rows, so they are exactly as current. The page's objects are
        read only if something still asks for them (the rows' copy ran out in between, say).
        """
        self.rows_cache_key = self._rows_cache_key(request)
        summary_key = f"admin_list_summary:{self.rows_cache_key}" if self.rows_cache_key else None
        summary = cache.get(summary_key) if summary_key else None
        if summary is None:
            super().get_results(request)
            if summary_key:
                cache.set(
                    summary_key,
                    {
                        "result_count": self.result_count,
                        "full_result_count": self.full_result_count,
                        "page_length": len(self.result_list),
                    },
                    self.model_admin.rows_cache_ttl,
                )
            return
        self.result_count = summary["result_count"]
        self.full_result_count = summary["full_result_count"]
        self.show_full_result_count = self.model_admin.show_full_result_count
        self.show_admin_actions = not self.show_full_result_count or bool(self.full_result_count)
        self.can_show_all = self.result_count <= self.list_max_show_all
        self.multi_page = self.result_count > self.list_per_page
        self.paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        self.paginator.__dict__["count"] = self.result_count  # Paginator.count is a cached property
        if (self.show_all and self.can_show_all) or not self.multi_page:
            page = self.queryset._clone
        else:
            paginator, number = self.paginator, self.page_num

            def page():
                return paginator.page(number).object_list

        self.result_list = _PageOnDemand(page, summary["page_length"])

    def _rows_cache_key(self, request):
        """What the rendered rows depend on, or None when the admin does not cache them.

        The rows are the same for every staff member who gets the same columns (the selection
        checkbox comes with the actions one may use) on the same URL, in the same language and time
        zone; their data is current while the admin's ``rows_cache_version`` stays the same.
        """
        version = self.model_admin.rows_cache_version(request)
        if version is None:
            return None
        parts = [
            get_language(),
            timezone.get_current_timezone_name(),
            str(timezone.localdate()),  # the date filter's links ("today", "past 7 days")
            request.get_full_path(),
            ",".join(getattr(name, "__name__", str(name)) for name in self.list_display),
            repr(self.list_display_links),
            version,
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def url_for_result(self, result):
        pk = getattr(result, self.pk_attname)
        if isinstance(pk, int):
            start, _slash, end = self._change_url
            url = f"{start}/{pk}/{end}"
        else:
            url = super().url_for_result(result)
        return url + self._row_query


class FastListMixin:
    """The same list page at a fraction of the cost per row: the row links' filters are built once
    (``_RowLinksChangeList``) and the selection checkbox is written directly instead of through a form
    widget's template (same HTML as Django's).

    An admin whose ``rows_cache_version(request)`` returns a string that changes whenever something its
    rows show changes (the generations of ``topics.pagecache``, say) has its rendered rows kept in the
    cache for at most ``rows_cache_ttl`` seconds (``templates/admin/change_list_cached.html``).
    """

    rows_cache_ttl = 60
    change_list_template = "admin/change_list_cached.html"

    def rows_cache_version(self, request):
        return None

    def get_changelist(self, request, **kwargs):
        return _RowLinksChangeList

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )
