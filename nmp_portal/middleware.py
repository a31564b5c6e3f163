"""Site-wide middleware: the 503 page while the database cannot be reached."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


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


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 when a view fails because the database is unreachable.

    Failures outside views (in another middleware) reach ``handler500``, which
    makes the same distinction (nmp_portal.views.error_500).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("Database unavailable: %s", exception)
            return database_unavailable(request)
        return None
