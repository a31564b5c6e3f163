from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("adviezen/<int:pk>/stem/", views.vote, name="vote"),
    path("adviezen/<int:pk>/prioriteit/", views.priority, name="priority"),
    path("onderwerpen/<slug:slug>/adviezen/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path("onderwerpen/<slug:slug>/reacties/", views.comment_create, name="comment_create"),
    path("onderwerpen/<slug:slug>/voorstellen/", views.proposal_create, name="proposal_create"),
    path("reacties/<int:pk>/bewerken/", views.comment_edit, name="comment_edit"),
    path("reacties/<int:pk>/verwijderen/", views.comment_delete, name="comment_delete"),
    path("reacties/<int:pk>/melden/", views.comment_report, name="comment_report"),
    path("mijn-inbreng/", views.my_contributions, name="my_contributions"),
    path("afmelden/reacties/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("afmelden/onderwerpen/<str:token>/", views.follow_unsubscribe, name="follow_unsubscribe"),
    path("onderwerpen/<slug:slug>/volgen/", views.follow, name="follow"),
    path("profiel/gevolgde-onderwerpen/", views.follows, name="follows"),
    path("zoeken/", views.search_results, name="search"),
]
