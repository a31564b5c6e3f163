"""Site-wide pages: health check, static content pages, language switch, error pages."""

import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from django.views.i18n import set_language as django_set_language

from . import health


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


# Account, profile and admin pages are personal or staff-only: nothing for a
# search engine there. The rest of the site is public on purpose.
ROBOTS_TXT = "\n".join(
    [
        "User-agent: *",
        *(f"Disallow: {prefix}{path}" for prefix in ("/", "/en/") for path in ("account/", "profiel/", "admin/")),
        "Disallow: /afmelden/",
        "Disallow: /en/afmelden/",
        "",
    ]
)


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    """The crawler rules, built without the database or a template.

    Also the benchmark's floor (docs/performance.md): the cheapest request
    that still passes through the same server and middleware as every page.
    """
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


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


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(request):
    """The 503 page while the database cannot be reached (e.g. during a PostgreSQL restart).

    The template needs nothing from the database. Retry-After tells clients and
    proxies that this passes; the next request opens a new connection.
    """
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": "Service unavailable.", "status": 503}, status=503)
    else:
        response = render(request, "503.html", status=503)
    response["Retry-After"] = "30"
    return response


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
