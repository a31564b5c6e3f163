from django.urls import path

from . import views

app_name = "invitations"

urlpatterns = [
    path("uitnodiging/<str:token>/", views.respond, name="respond"),
    path("uitnodiging/<str:token>/account/", views.invitation_signup, name="signup"),
    path("bijeenkomsten/<slug:slug>/", views.event_detail, name="event"),
    path("bijeenkomsten/<slug:slug>/agenda.ics", views.event_calendar, name="calendar"),
]
