from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ordstyrer.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "logg-inn/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("drift/", admin.site.urls),
    path("m/<slug:slug>/", views.dashboard, name="dashboard"),
    path("m/<slug:slug>/sjekk/", views.check_text, name="check"),
    path("m/<slug:slug>/retningslinjer/", views.guideline, name="guideline"),
    path("m/<slug:slug>/husregler/", views.house_rules, name="house_rules"),
    path("m/<slug:slug>/innstillinger/", views.policy_settings, name="policy_settings"),
    path("m/<slug:slug>/innstillinger/sso/", include("ordstyrer.sso.urls")),
    path("m/<slug:slug>/kanaler/", include("ordstyrer.channels.urls")),
    path(
        "m/<slug:slug>/kanaler/<int:pk>/tilkobling/",
        include("ordstyrer.platforms.urls"),
    ),
    path("m/<slug:slug>/arkiv/", include("ordstyrer.archive.urls")),
    path("m/<slug:slug>/webhook-feil/", include("ordstyrer.platforms.urls_deadletters")),
    path("m/<slug:slug>/innboks/", include("ordstyrer.inbox.urls")),
    path("m/<slug:slug>/moderering/", include("ordstyrer.moderation.urls")),
    path("m/<slug:slug>/krise/", include("ordstyrer.crisis.urls")),
    path("m/<slug:slug>/publisering/", include("ordstyrer.publishing.urls")),
    path("m/<slug:slug>/api-nokler/", include("ordstyrer.api.urls_console")),
]
