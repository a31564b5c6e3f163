"""Session lifetime and the MFA requirement for the admin."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils.translation import gettext as _

LAST_ACTIVITY_KEY = "nmp_last_activity"
STARTED_KEY = "nmp_session_started"
# Write the activity stamp at most this often, so a page view is not always a session write.
ACTIVITY_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Log out after 30 minutes without activity, and after 12 hours whatever happens.

    The participant returns to the page they asked for, as a visitor, with a
    polite message saying why they were logged out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        idle = settings.NMP_SESSION_IDLE_TIMEOUT.total_seconds()
        max_age = settings.NMP_SESSION_MAX_AGE.total_seconds()
        last = session.get(LAST_ACTIVITY_KEY)
        started = session.get(STARTED_KEY)
        if last is not None and now - last > idle:
            logout(request)
            messages.info(
                request,
                _("You were inactive for %(minutes)s minutes. Please log in again.") % {"minutes": int(idle // 60)},
            )
        elif started is not None and now - started > max_age:
            logout(request)
            messages.info(
                request,
                _("You have been logged in for %(hours)s hours. For your safety, please log in again.")
                % {"hours": int(max_age // 3600)},
            )
        else:
            if started is None:
                session[STARTED_KEY] = now
            if last is None or now - last >= ACTIVITY_RESOLUTION:
                session[LAST_ACTIVITY_KEY] = now


def staff_mfa_state(request):
    """``"ok"``, ``"not_set_up"`` (no authenticator app) or ``"not_used"`` (not used to log in this session)."""
    from allauth.account.internal.flows.login import get_authentication_records
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        return "not_set_up"
    # allauth keeps a log of the ways the user authenticated in this session;
    # an "mfa" entry means a code from the app or a recovery code was given.
    if not any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user)):
        return "not_used"
    return "ok"


class StaffMFAMiddleware:
    """Staff enter the admin only with two-step verification (TOTP) used in this session.

    Anonymous visitors and non-staff are left to the admin itself (which sends
    them to allauth's login or refuses them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.app_name != "admin" or match.url_name == "logout":
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        state = staff_mfa_state(request)
        if state == "ok":
            return None
        return render(request, "participants/admin_mfa_required.html", {"state": state}, status=403)
