"""Inbox pages, included under `m/<slug:slug>/innboks/` by `ordstyrer.web.urls`."""

from django.urls import path

from ordstyrer.inbox import views, views_reports

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("handling/", views.inbox_bulk, name="bulk"),
    path("meld/", views_reports.report_unwanted, name="report_unwanted"),
    path("rapport/", views_reports.report, name="report"),
    path("rapport.csv", views_reports.report_csv, name="report_csv"),
    path("<int:pk>/", views.item_page, name="detail"),
    path("<int:pk>/svar/", views.item_reply, name="reply"),
    path("<int:pk>/skriver/", views.item_presence, name="presence"),
    path("<int:pk>/status/", views.item_status, name="status"),
    path("<int:pk>/tildel/", views.item_assign, name="assign"),
    path("<int:pk>/notat/", views.item_note, name="note"),
    path("<int:pk>/kategori/", views.item_categories, name="categories"),
    path("<int:pk>/henvis/", views.item_refer_view, name="refer"),
    path("<int:pk>/eskaler/", views.item_escalate_view, name="escalate"),
    path("<int:pk>/vis-fodselsnummer/", views.item_reveal_ids, name="reveal_ids"),
]
