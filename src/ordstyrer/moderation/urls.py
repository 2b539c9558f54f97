"""Moderation pages, included under `m/<slug:slug>/moderering/` by `ordstyrer.web.urls`."""

from django.urls import path

from ordstyrer.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.log, name="log"),
    path("rapport/", views.report, name="report"),
    path("rapport.csv", views.report_csv, name="report_csv"),
    path("innstillinger/", views.settings_page, name="settings"),
    path("krise/", views.crisis_notices_page, name="crisis_notices"),
    path("handling/<int:pk>/", views.action_page, name="action"),
    path("handling/<int:pk>/godkjenn/", views.approve, name="approve"),
    path("handling/<int:pk>/avvis/", views.reject, name="reject"),
    path("handling/<int:pk>/beskjed/send-igjen/", views.notice_retry, name="notice_retry"),
    path("handling/<int:pk>/beskjed/gitt/", views.notice_by_hand, name="notice_by_hand"),
    path(
        "handling/<int:pk>/beskjed/godkjenn/",
        views.notice_crisis_approve,
        name="notice_crisis_approve",
    ),
    path("sak/<int:pk>/skjul/", views.hide, name="hide"),
    path("sak/<int:pk>/vis/", views.unhide, name="unhide"),
    path("sak/<int:pk>/slett/", views.delete, name="delete"),
    path("sak/<int:pk>/utesteng/", views.ban, name="ban"),
    path("sak/<int:pk>/opphev-utestenging/", views.unban, name="unban"),
]
