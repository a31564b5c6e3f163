from django.conf import settings


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy headers.

    The templates use no inline script or style, so the policy forbids both.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
