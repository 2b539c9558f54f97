"""Dead letters of the webhook queue, included under `m/<slug:slug>/webhook-feil/`."""

from django.urls import path

from ordstyrer.platforms import views_deadletters as views

app_name = "platforms_deadletters"

urlpatterns = [
    path("", views.dead_letter_list, name="list"),
    path("<int:pk>/prov-igjen/", views.dead_letter_retry, name="retry"),
    path("<int:pk>/forkast/", views.dead_letter_discard, name="discard"),
]
