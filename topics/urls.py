from django.urls import path

from . import views

app_name = "topics"

urlpatterns = [
    path("", views.home, name="home"),
    path("over/", views.about, name="about"),
    path("onderwerpen/<slug:slug>/", views.topic_detail, name="detail"),
]
