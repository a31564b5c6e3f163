"""The home page (topics with progress) and the topic page: workshop content with everything participants do with it.

Its URL keeps the ``topics:`` name; nmp_portal/urls.py joins these patterns
with ``topics.urls`` under that one namespace.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("onderwerpen/<slug:slug>/", views.topic_detail, name="detail"),
]
