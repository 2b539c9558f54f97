"""Bokmål unless the person has chosen otherwise.

Django's LocaleMiddleware would follow the browser's Accept-Language; municipal
laptops often run English browsers, and the product speaks Bokmål first. The
choice made with the language switch (Django's cookie) is honoured, for the request
only: the thread's language is what it was before once the response is made (a worker
thread, or a test, that goes on without a request stays in its own language).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class BokmalFirstLocaleMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.known = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.known else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
