from django.urls import path

from ordstyrer.publishing import views

app_name = "publishing"

urlpatterns = [
    path("", views.index, name="index"),
    path("nytt/", views.compose, name="compose"),
    path("sjekk/", views.check, name="check"),
    path("godkjenning/", views.approvals, name="approvals"),
    path("kalender/", views.calendar, name="calendar"),
    path("media/", views.media_list, name="media"),
    path("media/<int:pk>/", views.media_detail, name="media_detail"),
    path(
        "media/<int:pk>/samtykke/<int:consent_pk>/trekk-tilbake/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("privat/", views.private_check, name="private_check"),
    path("innstillinger/", views.settings_view, name="settings"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/endre/", views.compose, name="edit"),
    path("<int:pk>/publiser/", views.confirm, name="confirm"),
    path("<int:pk>/godkjenning/", views.decide, name="decide"),
    path("<int:pk>/handling/", views.act, name="act"),
    path("<int:pk>/ta-ned/", views.take_down, name="take_down"),
    path("fil/<str:token>/", views.public_media, name="public_media"),
]
