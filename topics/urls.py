"""Pages of the workshop content alone. The topic page itself is feedback.topic_urls (same namespace)."""

from django.urls import path

from . import views

app_name = "topics"

urlpatterns = [
    path("", views.home, name="home"),
    path("over/", views.about, name="about"),
]
