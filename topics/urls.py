"""Pages of the workshop content alone. The home page and the topic page are feedback.topic_urls (same namespace)."""

from django.urls import path

from . import views

app_name = "topics"

urlpatterns = [
    path("over/", views.about, name="about"),
]
