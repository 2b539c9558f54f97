"""Connection pages, included under `m/<slug:slug>/kanaler/<int:pk>/tilkobling/`."""

from django.urls import path

from ordstyrer.platforms import views

app_name = "platforms"

urlpatterns = [
    path("", views.connection, name="connection"),
    path("facebook/", views.login_start, name="login_start"),
    path("velg/", views.choose, name="choose"),
    path("systembruker/", views.system_token, name="system_token"),
    path("koble-fra/", views.disconnect, name="disconnect"),
    path("historikk/", views.backfill, name="backfill"),
    path("import/", views.import_export, name="import"),
]
