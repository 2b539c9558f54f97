"""The console's language switch (the header's form posts here, `set_language`).

Django's own view sets the browser's cookie, as before, for everyone; for a signed-in
person the choice is also kept (`core.languages`), so their mail and a new browser
follow it. An anonymous person's choice stays in the cookie. A code that is not one of
settings.LANGUAGES is kept nowhere (Django refuses one it has no translation for
itself).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import i18n

from ordstyrer.core.languages import SESSION_KEY, known, language_choose


def set_language(request: HttpRequest) -> HttpResponse:
    response = i18n.set_language(request)
    if request.method != "POST":
        return response
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER)
    user = request.user
    if language is not None and known(language) and user.is_authenticated:
        language_choose(user=user, language=language)
        request.session[SESSION_KEY] = language
    return response
