"""The portal's admin site: "NMP Participatie — beheer", opening on what needs attention."""

import hashlib
from datetime import timedelta
from urllib.parse import quote

from django.contrib import admin
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SINCE_SESSION_KEY = "nmp_admin_since"
STAMPED_SESSION_KEY = "nmp_admin_stamped"
# The visit is stored at most this often per session, not on every request: the next session's
# "since your last visit" may start up to this much earlier than the last look at the page (a few
# comments counted again, none missed).
STAMP_EVERY = timedelta(minutes=5)


APP_LIST_TTL = 300


def _plain(value):
    """``value`` with translated names as plain strings (in the current language), so it can be pickled."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Promise):
        return str(value)
    return value


class NmpAdminSite(admin.AdminSite):
    site_header = _("NMP Participatie — beheer")
    site_title = _("NMP Participatie — beheer")
    index_title = _("What needs attention")
    enable_nav_sidebar = True

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        if request.user.has_perm("feedback.view_report"):
            from .attention import attention

            extra_context["attention"] = attention(since=self._since_last_visit(request), cached=True)
        self.get_app_list(request)
        extra_context.update(app_list_key=request._nmp_app_list_key, app_list_ttl=APP_LIST_TTL)
        return super().index(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        if "available_apps" in context and hasattr(request, "_nmp_app_list_key"):
            # The sidebar marks the app and model of the page (as app_list.html tests them): with those
            # in the key it is rendered once per staff member and permission set (nav_sidebar.html).
            path = quote(request.path, safe="/")
            current = [
                url
                for app in context["available_apps"]
                for url in [app["app_url"], *(model.get("admin_url") or "" for model in app["models"])]
                if url and url in path
            ]
            context["nav_sidebar_key"] = "|".join([request._nmp_app_list_key, *current])
            context["app_list_ttl"] = APP_LIST_TTL
        return context

    def get_app_list(self, request, app_label=None):
        # The start page asks twice (the page's list and each_context's "available_apps"), and each
        # time Django asks every registered admin for its permissions: once per request is enough.
        if app_label is not None:
            return super().get_app_list(request, app_label)
        if not hasattr(request, "_nmp_app_list"):
            request._nmp_app_list = self._shared_app_list(request)
        return request._nmp_app_list

    def _shared_app_list(self, request):
        """The app list (which models one may open, add or only view), kept in the cache per staff member.

        Every registered admin decides from the user's permissions alone (tested per role in
        tests/nmp_portal/test_admin_site.py), so the key holds the user, their permission set, the
        language (names and URLs) and the registered models (a deploy that adds one); APP_LIST_TTL
        bounds the rest.
        """
        user = request.user
        signature = "|".join(
            [
                str(user.pk),
                str(user.is_superuser),
                str(user.is_active),
                ",".join(sorted(user.get_all_permissions())),
                get_language(),
                ",".join(sorted(model._meta.label for model in self._registry)),
            ]
        )
        key = "admin-apps:" + hashlib.sha256(signature.encode()).hexdigest()
        request._nmp_app_list_key = key
        app_list = cache.get(key)
        if app_list is None:
            app_list = _plain(super().get_app_list(request))
            cache.set(key, app_list, APP_LIST_TTL)
        return app_list

    def _since_last_visit(self, request):
        """The time of the visit before this session's first one (kept for the session, so reloading
        the start page does not reset the counts); None on a first visit."""
        from .models import StaffVisit

        if SINCE_SESSION_KEY not in request.session:
            visit = StaffVisit.objects.filter(user=request.user).first()
            request.session[SINCE_SESSION_KEY] = visit.seen_at.isoformat() if visit else ""
        now = timezone.now()
        stamped = parse_datetime(request.session.get(STAMPED_SESSION_KEY) or "")
        if stamped is None or not timedelta(0) <= now - stamped < STAMP_EVERY:
            # One UPDATE (the row lock held for that statement only), not update_or_create's SELECT ...
            # FOR UPDATE then UPDATE in a transaction: a moderator with the start page open in several
            # tabs does not queue on their own row. The row is created on the first visit only.
            if not StaffVisit.objects.filter(user=request.user).update(seen_at=now):
                StaffVisit.objects.get_or_create(user=request.user, defaults={"seen_at": now})
            request.session[STAMPED_SESSION_KEY] = now.isoformat()
        return parse_datetime(request.session[SINCE_SESSION_KEY]) if request.session[SINCE_SESSION_KEY] else None
