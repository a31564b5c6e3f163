"""Site-wide pages: health check, static content pages, language switch, error pages."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language

from .celery import app as celery_app


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return "error"
    return "ok"


def _check_cache():
    try:
        cache.set("healthz", "ok", 5)
        return "ok" if cache.get("healthz") == "ok" else "error"
    except Exception:  # noqa: BLE001
        return "error"


def _check_broker():
    if not settings.REDIS_URL:
        return "not configured"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


@never_cache
def healthz(request):
    """State of database, cache and broker; 200 while the database answers, else 503."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)


def content_page(request, page):
    """Contact, privacy and accessibility statements: one template per language."""
    template = select_template([f"pages/{page}.{get_language()}.html", f"pages/{page}.nl.html"])
    return render(request, template.template.name, {})


def _with_language_prefix(url, language):
    """``url`` with its language prefix replaced: /en/... for English, no prefix for Dutch."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if len(segments) > 2 and segments[1] in dict(settings.LANGUAGES) and segments[1] != settings.LANGUAGE_CODE:
        del segments[1]
    path = "/".join(segments)
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    return urlunsplit(parts._replace(path=path))


def set_language(request):
    """Django's language switch, but it returns to the same page in the chosen language.

    The switch posts to /i18n/setlang/, which carries no language prefix, so
    Django would resolve an English ``next`` (/en/...) as if it were Dutch,
    find nothing and leave you on the English page. Resolving ``next`` in the
    language of its own path fixes that; a path no page matches (a 404) gets
    its prefix swapped, so even the "not found" page switches language.
    """
    next_url = request.POST.get("next", request.GET.get("next")) or ""
    path_language = translation.get_language_from_path(urlsplit(next_url).path) or settings.LANGUAGE_CODE
    with translation.override(path_language):
        response = django_set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and language in dict(settings.LANGUAGES)
        and response.status_code == 302
        and response["Location"] == next_url
        and language != path_language
    ):
        response["Location"] = _with_language_prefix(next_url, language)
    return response


def _wants_json(request):
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "status": 404}, status=404)
    response = render(request, "404.html", status=404)
    response.is_site_page = True
    return response


def error_500(request):
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
