"""API tokens in the console, included under `m/<slug:slug>/api-nokler/`."""

from django.urls import path

from ordstyrer.api import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/trekk-tilbake/", views.token_revoke, name="revoke"),
]
