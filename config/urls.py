from django.urls import include, path

urlpatterns = [
    path("", include("ordstyrer.web.urls")),
]
