"""Results pages and the briefing (inside i18n_patterns: Dutch at /, English at /en/)."""

from django.urls import path, re_path

from . import views

app_name = "results"

urlpatterns = [
    path("resultaten/", views.overview, name="overview"),
    path("resultaten.csv", views.overview_csv, name="overview-csv"),
    path("resultaten/briefing/", views.briefing_index, name="briefing"),
    path("resultaten/briefing/werkmap/", views.briefing_workbook_start, name="briefing-workbook"),
    re_path(r"^resultaten/briefing/werkmap/(?P<job_id>[0-9a-f]{32})/$", views.briefing_job, name="briefing-job"),
    re_path(
        r"^resultaten/briefing/werkmap/(?P<job_id>[0-9a-f]{32})/download/$",
        views.briefing_download,
        name="briefing-download",
    ),
    path("resultaten/briefing/<slug:slug>/", views.briefing_topic, name="briefing-topic"),
    path("onderwerpen/<slug:slug>/resultaten/", views.topic_results, name="topic"),
    path("onderwerpen/<slug:slug>/resultaten.csv", views.topic_results_csv, name="topic-csv"),
    path("onderwerpen/<slug:slug>/resultaten/<int:pk>/", views.recommendation_results, name="recommendation"),
]

# Open data, outside the language prefix (included from nmp_portal/urls.py under api/).
api_urlpatterns = [
    path("topics/<slug:slug>/results/", views.api_topic_results, name="topic-results"),
]
