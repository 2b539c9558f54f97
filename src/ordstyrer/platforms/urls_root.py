"""Fixed URLs at the site root: Meta's webhook callback and the login callback (Meta
matches redirect URIs exactly, so there is one for every channel)."""

from django.urls import path

from ordstyrer.platforms import views, views_webhook

urlpatterns = [
    path(views_webhook.WEBHOOK_PATH[1:], views_webhook.meta_webhook, name="meta_webhook"),
    path("tilkobling/meta/tilbake/", views.oauth_callback, name="platforms_oauth_callback"),
]
