"""Findings of the security QA pass outside SSO: what reaches the logs, the login page's
redirect loop, and the 400 and CSRF pages in the product's own words."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from ordstyrer.core.logging import JsonFormatter
from ordstyrer.core.requestid import RequestIdFilter

# --- 4. logs: no query strings, a request id on Django's own response lines ---------------


class _Lines(logging.Handler):
    """The console handler of settings.LOGGING (RequestIdFilter, JsonFormatter), kept."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def entries(self, logger: str) -> list[dict]:
        return [e for e in map(json.loads, self.lines) if e["logger"] == logger]


@pytest.fixture
def log_lines() -> Iterator[_Lines]:
    handler = _Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def test_a_refused_webhook_verification_logs_no_token_and_its_request_id(
    client, db, settings, log_lines
):
    settings.META_VERIFY_TOKEN = "the-real-token"
    response = client.get(
        "/webhooks/meta/?hub.mode=subscribe&hub.verify_token=VTOKEN1&hub.challenge=1"
    )

    assert response.status_code == 403
    assert not any("VTOKEN1" in line for line in log_lines.lines)
    (line,) = log_lines.entries("django.request")
    assert line["request"] == "GET /webhooks/meta/"
    assert line["request_id"] == response["X-Request-ID"]


def test_a_csrf_refusal_logs_the_path_without_the_query(db, log_lines):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/logg-inn/?next=/m/x/&code=OAUTHCODE1", {"username": "a"})

    assert response.status_code == 403
    assert not any("OAUTHCODE1" in line for line in log_lines.lines)
    (line,) = log_lines.entries("django.security.csrf")
    assert line["request"] == "POST /logg-inn/"
    assert line["request_id"] == response["X-Request-ID"]


def test_a_404_line_carries_the_request_id(client, db, log_lines):
    response = client.get("/finnes-ikke/?token=T0KEN")

    assert response.status_code == 404
    (line,) = log_lines.entries("django.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["request"] == "GET /finnes-ikke/"
    assert "T0KEN" not in json.dumps(log_lines.lines)


def test_a_line_with_its_own_request_id_keeps_it():
    record = logging.makeLogRecord({"msg": "x", "request_id": "own-id-123"})
    assert json.loads(JsonFormatter().format(record))["request_id"] == "own-id-123"


# --- 5. the login page never loops -------------------------------------------------------


@pytest.mark.parametrize("next_url", ["/logg-inn/", "/logg-inn/?next=/logg-inn/"])
def test_a_signed_in_person_sent_back_to_the_login_page_goes_home(client, personas, next_url):
    client.force_login(personas.communications)

    response = client.get("/logg-inn/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_login_with_next_back_to_the_login_page_goes_home(client, personas):
    personas.employee.set_password("pw-123-long-enough")
    personas.employee.save()

    response = client.post(
        "/logg-inn/",
        {
            "username": personas.employee.username,
            "password": "pw-123-long-enough",
            "next": "/logg-inn/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_safe_next_is_still_followed(client, personas):
    client.force_login(personas.communications)
    response = client.get("/logg-inn/", {"next": f"/m/{personas.municipality.slug}/"})
    assert response["Location"] == f"/m/{personas.municipality.slug}/"


# --- 6. the 400 and CSRF pages -----------------------------------------------------------


def test_a_foreign_host_gets_the_products_400_page_in_bokmal(client, db):
    response = client.get("/logg-inn/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="nb">' in page
    assert "Ugyldig forespørsel" in page
    assert "/static/web/ordstyrer.css" in page
    assert "<style" not in page and "Bad Request" not in page


def test_a_stale_form_gets_the_products_csrf_page(personas):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.communications)

    response = strict.post(f"/m/{personas.municipality.slug}/innstillinger/sso/", {"group": "g"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Skjemaet var åpent for lenge" in page
    assert "last inn siden på nytt og prøv igjen" in page
    assert "DEBUG" not in page and "<style" not in page
    assert personas.communications.get_full_name() in page  # the console's shell
    # The page's own forms (language, log out) work again: it sets a fresh token.
    assert response.cookies["csrftoken"].value


def test_the_csrf_page_follows_the_chosen_language(db):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies["django_language"] = "en"
    response = strict.post("/logg-inn/", {"username": "a"})
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "/static/web/ordstyrer.css" in page  # the product's page, not Django's
