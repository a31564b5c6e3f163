"""Site-wide pages: health check, static content pages, error pages."""

import sys

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from . import health
from .middleware import DATABASE_UNAVAILABLE, database_unavailable


@never_cache
def healthz_live(request):
    """Liveness: this process answers requests. Touches nothing else, so it never waits."""
    return JsonResponse({"status": "ok"})


@never_cache
def healthz(request):
    """Readiness: 200 while the database answers, else 503; cache and broker are reported, not required.

    A broken cache or broker degrades the site (the cache counts as empty, tasks
    wait for the periodic sweep) but does not take it out of the load balancer.
    """
    checks = {"database": health.check_database(), "cache": health.check_cache(), "broker": health.check_broker()}
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)


def content_page(request, page):
    """Contact, privacy and accessibility statements: one template per language."""
    template = select_template([f"pages/{page}.{get_language()}.html", f"pages/{page}.nl.html"])
    return render(request, template.template.name, {})


def _wants_json(request):
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "status": 404}, status=404)
    return render(request, "404.html", status=404)


def error_500(request):
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    if _wants_json(request):
        return JsonResponse({"detail": "Server error.", "status": 500}, status=500)
    # No context processors that touch the database: the database may be the problem.
    return render(request, "500.html", status=500)


def error_403(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Forbidden.", "status": 403}, status=403)
    return render(request, "403.html", status=403)


def error_400(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request.", "status": 400}, status=400)
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
