"""/api/v1/: the NinjaAPI, and a problem document for every path or method it does not
know (ninja answers a wrong method with a plain-text 405)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import path, re_path

from ordstyrer.api.main import api
from ordstyrer.api.problems import not_found_view, problem_response


def _problem_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return problem_response(405, headers={"Allow": response["Allow"]})
        return response

    return wrapper


patterns, app_name, namespace = api.urls
for pattern in patterns:
    pattern.callback = _problem_405(pattern.callback)

urlpatterns = [
    path("", (patterns, app_name, namespace)),
    re_path(r"^.*$", not_found_view),
]
