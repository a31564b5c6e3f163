from django.urls import path

from . import views

app_name = "participants"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("mijn-gegevens/", views.my_data, name="my_data"),
    path("mijn-gegevens/download/", views.data_export, name="data_export"),
    path("verwijderen/", views.delete_account, name="delete_account"),
]
