"""The portal's admin site: "NMP Participatie — beheer", opening on what needs attention."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

SINCE_SESSION_KEY = "nmp_admin_since"
STAMPED_SESSION_KEY = "nmp_admin_stamped"
# The visit is stored at most this often per session, not on every request: the next session's
# "since your last visit" may start up to this much earlier than the last look at the page (a few
# comments counted again, none missed).
STAMP_EVERY = timedelta(minutes=5)


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
        return super().index(request, extra_context)

    def get_app_list(self, request, app_label=None):
        # The start page asks twice (the page's list and each_context's "available_apps"), and each
        # time Django asks every registered admin for its permissions: once per request is enough.
        if app_label is not None:
            return super().get_app_list(request, app_label)
        if not hasattr(request, "_nmp_app_list"):
            request._nmp_app_list = super().get_app_list(request)
        return request._nmp_app_list

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
