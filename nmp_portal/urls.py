from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from feedback import topic_urls as feedback_topic_urls
from feedback.results.urls import api_urlpatterns as results_api_urls
from topics import urls as topics_urls

from . import views

# The admin login is allauth's: its rate limits and two-step verification apply.
admin.site.login = secure_admin_login(admin.site.login)

handler400 = "nmp_portal.views.error_400"
handler403 = "nmp_portal.views.error_403"
handler404 = "nmp_portal.views.error_404"
handler500 = "nmp_portal.views.error_500"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("healthz/live", views.healthz_live, name="healthz-live"),
    path("healthz/ready", views.healthz, name="healthz-ready"),
    path("api/", include("topics.api_urls")),
    path("api/", include((results_api_urls, "results_api"))),
    re_path(r"^api/", views.error_404),  # any other API path: JSON 404
    path("i18n/setlang/", views.set_language, name="set_language"),
]

# Dutch lives at /, English at /en/.
urlpatterns += i18n_patterns(
    # One "topics" namespace over two apps: the content pages and the topic page that
    # feedback renders (a namespace included twice would only reverse in the first).
    path("", include(([*topics_urls.urlpatterns, *feedback_topic_urls.urlpatterns], topics_urls.app_name))),
    path("", include("feedback.urls")),
    path("", include("feedback.results.urls")),
    path("", include("invitations.urls")),
    path("contact/", views.content_page, {"page": "contact"}, name="contact"),
    path("privacy/", views.content_page, {"page": "privacy"}, name="privacy"),
    path("toegankelijkheid/", views.content_page, {"page": "accessibility"}, name="accessibility"),
    path("account/", include("allauth.urls")),
    path("profiel/", include("participants.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
