from django.urls import include, path

from ordstyrer.api import health
from ordstyrer.sso import urls as sso_urls

urlpatterns = [
    # Meta's webhook and login callbacks sit at fixed root URLs.
    path("", include("ordstyrer.platforms.urls_root")),
    path("", include(sso_urls.root_urlpatterns)),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("ordstyrer.api.urls")),
    path("", include("ordstyrer.web.urls")),
]
