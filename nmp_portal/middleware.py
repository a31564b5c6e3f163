"""Site-wide middleware: the site's own 404 page in development, the 503 page while the database is unreachable."""

import logging

from django.conf import settings

from .views import DATABASE_UNAVAILABLE, database_unavailable

logger = logging.getLogger(__name__)


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


class SiteNotFoundPageMiddleware:
    """With DEBUG on (``make run``), a page that does not exist shows the site's own 404 page.

    Django's debug 404 page relies on inline styles, which the
    Content-Security-Policy blocks, and it is not what a visitor of the local
    site should see. Only HTML 404s that are not already the site's page are
    replaced; JSON answers of the API stay as they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not getattr(response, "is_site_page", False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            from .views import error_404

            return error_404(request)
        return response
