"""The console's language is the request's (BokmalFirstLocaleMiddleware): a Nynorsk
request leaves the thread in the language it had before, so code that runs afterwards
without a request (a worker thread, the next test) does not speak Nynorsk by accident."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext


def test_a_nynorsk_request_does_not_leave_the_thread_in_nynorsk(db) -> None:
    translation.activate("nb")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    response = client.get("/logg-inn/")
    assert response["Content-Language"] == "nn"
    assert translation.get_language() == "nb"
    assert gettext("Ikke oppgitt") == "Ikke oppgitt"
