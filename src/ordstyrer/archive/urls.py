"""Archive pages, included under `m/<slug:slug>/arkiv/` by `ordstyrer.web.urls`."""

from django.urls import path

from ordstyrer.archive import views

app_name = "archive"

urlpatterns = [
    path("", views.archive_list, name="list"),
    path("kontroll/", views.archive_verify, name="verify"),
    path("eksport/", views.exports, name="exports"),
    path("eksport/<int:export_id>/last-ned/", views.export_download, name="export_download"),
    path("skjerming/", views.screening, name="screening"),
    path("<int:sequence>/", views.record_detail, name="detail"),
    path("<int:sequence>/pdf/", views.record_pdf, name="pdf"),
    path("<int:sequence>/fil/<int:position>/", views.record_file, name="file"),
    path("<int:sequence>/politi/", views.police_action, name="police"),
    path("<int:sequence>/politi/bevispakke/", views.police_package, name="police_package"),
]
