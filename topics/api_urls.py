from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("topics/", views.api_topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.api_topic_detail, name="topic-detail"),
]
