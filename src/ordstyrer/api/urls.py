"""/api/v1/: the NinjaAPI, and a problem document for every path or method it does not
know (ninja answers a wrong method with a plain-text 405)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, path, re_path

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


# Not `app_name`: a module-level name of that spelling would namespace this include.
_patterns, _ninja_app, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):  # all of them: Ninja's routes are no includes
        _pattern.callback = _problem_405(_pattern.callback)

urlpatterns = [
    path("", (_patterns, _ninja_app, _namespace)),
    re_path(r"^.*$", not_found_view),
]
