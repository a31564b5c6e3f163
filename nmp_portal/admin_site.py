"""The portal's admin site: "NMP Participatie — beheer", opening on what needs attention."""

from django.contrib import admin
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

SINCE_SESSION_KEY = "nmp_admin_since"


class NmpAdminSite(admin.AdminSite):
    site_header = _("NMP Participatie — beheer")
    site_title = _("NMP Participatie — beheer")
    index_title = _("What needs attention")
    enable_nav_sidebar = True

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        if request.user.has_perm("feedback.view_report"):
            from .attention import attention

            extra_context["attention"] = attention(since=self._since_last_visit(request))
        return super().index(request, extra_context)

    def _since_last_visit(self, request):
        """The time of the visit before this session's first one (kept for the session, so reloading
        the start page does not reset the counts); None on a first visit."""
        from .models import StaffVisit

        if SINCE_SESSION_KEY not in request.session:
            visit = StaffVisit.objects.filter(user=request.user).first()
            request.session[SINCE_SESSION_KEY] = visit.seen_at.isoformat() if visit else ""
        # One UPDATE (the row lock held for that statement only), not update_or_create's SELECT ... FOR
        # UPDATE then UPDATE in a transaction: a moderator with the start page open in several tabs
        # does not queue on their own row. The row is created on the first visit only.
        now = timezone.now()
        if not StaffVisit.objects.filter(user=request.user).update(seen_at=now):
            StaffVisit.objects.get_or_create(user=request.user, defaults={"seen_at": now})
        return parse_datetime(request.session[SINCE_SESSION_KEY]) if request.session[SINCE_SESSION_KEY] else None
