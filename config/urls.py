from django.urls import include, path

urlpatterns = [
    # Meta's webhook and login callbacks sit at fixed root URLs.
    path("", include("ordstyrer.platforms.urls_root")),
    path("", include("ordstyrer.web.urls")),
]
