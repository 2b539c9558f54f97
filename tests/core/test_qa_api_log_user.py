"""QA (deploy.md §8): an API request's access line names the token's person by id.

Before this every API request was logged with `"user_id": null`, a valid bearer token
too: the access line read the session's user only. Now the token's authentication names
its person to the request log (`core.requestid.identify`); the token never appears."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core.cache import cache

from ordstyrer.api.tokens import api_token_create
from ordstyrer.core.logging import JsonFormatter
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    cache.clear()  # the API's rate-limit counters


def access_lines(caplog: Any) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ordstyrer.access"]


def test_an_api_request_is_logged_with_the_tokens_user(client, caplog):
    p = make_personas("loggby")
    _token, secret = api_token_create(
        actor=None, user=p.communications, municipality=p.municipality, scopes=None
    )
    caplog.set_level(logging.INFO, logger="ordstyrer.access")

    answered = client.get("/api/v1/m/loggby/crisis", HTTP_AUTHORIZATION=f"Bearer {secret}")
    refused = client.get("/api/v1/m/loggby/crisis", HTTP_AUTHORIZATION="Bearer ord_x_y")
    anonymous = client.get("/api/v1/m/loggby/crisis")

    assert [answered.status_code, refused.status_code, anonymous.status_code] == [200, 401, 401]
    first, second, third = access_lines(caplog)
    assert first.path == "/api/v1/m/loggby/crisis" and first.status == 200
    assert first.user_id == p.communications.pk
    # A refused token names nobody, and no request inherits an earlier one's person.
    assert second.user_id is None and third.user_id is None
    # The token itself is in no log line, as written out (JSON) or in its fields.
    formatter = JsonFormatter()
    for record in caplog.records:
        assert secret not in formatter.format(record)
        assert secret not in repr(vars(record))
    assert json.loads(formatter.format(first))["user_id"] == p.communications.pk


def test_a_console_request_is_still_logged_with_the_sessions_user(client, caplog):
    p = make_personas("sesjonby")
    client.force_login(p.communications)
    caplog.set_level(logging.INFO, logger="ordstyrer.access")
    client.get("/logg-inn/")
    (line,) = access_lines(caplog)
    assert line.user_id == p.communications.pk
