"""/api/v1/: the NinjaAPI, and a problem document for every path it does not know."""

from django.urls import path, re_path

from ordstyrer.api.main import api
from ordstyrer.api.problems import not_found_view

urlpatterns = [
    path("", api.urls),
    re_path(r"^.*$", not_found_view),
]
