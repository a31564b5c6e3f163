"""The one gate for staff-only pages outside the admin: permission plus two-step verification.

Every view that shows staff data (the briefing, its workbook and job status,
anything moderators and organisers use outside ``/admin/``) is wrapped in
``staff_view(perm)``. The access test walks every URL the resolver knows and
fails for a page that answers staff and not participants without this marker,
so a new staff page cannot skip the second factor.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .middleware import staff_mfa_state


def staff_view(perm):
    """Anonymous: to the login page. Without ``perm``: 403. With it but no second factor this session: 403 page
    that says how to set it up or to log in again with the code.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(perm):
                raise PermissionDenied
            state = staff_mfa_state(request)
            if state != "ok":
                return render(request, "participants/admin_mfa_required.html", {"state": state}, status=403)
            return view(request, *args, **kwargs)

        wrapped.staff_permission = perm
        return wrapped

    return decorator
