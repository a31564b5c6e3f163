from django.conf import settings


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
