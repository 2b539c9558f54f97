"""Bokmål unless the person has chosen otherwise.

Django's LocaleMiddleware would follow the browser's Accept-Language; municipal
laptops often run English browsers, and the product speaks Bokmål first. The
choice made with the language switch (Django's cookie) is honoured, for the request
only: the thread's language is what it was before once the response is made (a worker
thread, or a test, that goes on without a request stays in its own language).

A browser without the cookie (a new one) follows the signed-in person's kept choice
(`core.languages`), read from the session: SessionMiddleware runs before this one,
AuthenticationMiddleware after it (settings.MIDDLEWARE), so `request.user` is not read
here. The session holds the choice only from a login (or the switch) on; logging out
flushes it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from ordstyrer.core.languages import SESSION_KEY


class BokmalFirstLocaleMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.known = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self.chosen(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    def chosen(self, request: HttpRequest) -> str:
        """The cookie's language, else the person's kept one, else Bokmål."""
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie is not None and cookie in self.known:
            return cookie
        session = getattr(request, "session", None)
        # Only a session the browser sent: reading an empty one would mark every
        # anonymous response as varying by cookie for nothing.
        if session is None or session.session_key is None:
            return settings.LANGUAGE_CODE
        kept = session.get(SESSION_KEY)
        return kept if kept in self.known else settings.LANGUAGE_CODE
