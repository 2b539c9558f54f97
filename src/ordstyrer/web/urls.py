from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ordstyrer.sso import views as sso_views
from ordstyrer.web import views
from ordstyrer.web.language import set_language


class LoginView(auth_views.LoginView):
    """Django's login page; a `next` back to the login page itself goes home instead.

    With `redirect_authenticated_user`, a signed-in person at /logg-inn/?next=/logg-inn/
    would be sent to the page they are on, which Django refuses with a ValueError (a 500);
    they go to the default page instead.
    """

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if urlsplit(url).path == self.request.path:
            return self.get_default_redirect_url()
        return url


urlpatterns = [
    path("", views.home, name="home"),
    path(
        "logg-inn/",
        LoginView.as_view(),
        name="login",
    ),
    # Also ends the identity provider's session after a single sign-on login.
    path("logg-ut/", sso_views.LogoutView.as_view(), name="logout"),
    # Django's `i18n/setlang/`, which also keeps a signed-in person's choice (their mail).
    path("i18n/setlang/", set_language, name="set_language"),
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
