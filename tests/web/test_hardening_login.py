"""Issue #18: login throttling (django-axes). 46 wrong passwords in 41 s were answered at
once and the right one then logged in; failed logins were not logged. Now: per username
and per client address, a lockout with a cool-off, a Norwegian message on the login
page, and one structured log line per failure — never the password."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/logg-inn/"
WRONG = "feil-passord-123"


def _try(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_after_the_limit_even_the_right_password_is_refused_with_a_norwegian_message(
    client, personas
) -> None:
    user = personas.employee
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _try(client, user.username, WRONG).status_code in (200, 429)
    response = _try(client, user.username, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "For mange mislykkede innlogginger" in page and "15 minutter" in page
    assert 'role="alert"' in page  # shown as the form's error, accessibly
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_username_from_any_address(client, personas) -> None:
    user = personas.employee
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try(client, user.username, WRONG, ip=f"10.0.1.{n}")
    assert _try(client, user.username, PASSWORD, ip="10.9.9.9").status_code == 429
    # Another person from those addresses still gets in.
    assert _try(client, personas.archivist.username, PASSWORD, ip="10.9.9.8").status_code == 302


def test_the_lockout_is_per_address_across_usernames(client, personas) -> None:
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try(client, f"gjett-{n}", WRONG, ip="10.0.2.1")
    assert _try(client, personas.employee.username, PASSWORD, ip="10.0.2.1").status_code == 429
    assert _try(client, personas.employee.username, PASSWORD, ip="10.0.2.2").status_code == 302


def test_after_the_cool_off_the_right_password_works_again(client, personas) -> None:
    user = personas.employee
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, user.username, WRONG)
    assert _try(client, user.username, PASSWORD).status_code == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert _try(client, user.username, PASSWORD).status_code == 302


def test_a_few_mistakes_then_the_right_password_logs_in_and_resets_the_count(
    client, personas
) -> None:
    user = personas.employee
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, user.username, WRONG).status_code == 200
    assert _try(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, user.username, WRONG)
    assert _try(client, user.username, PASSWORD).status_code == 302  # count was reset


def test_a_failed_login_is_logged_with_username_and_address_but_never_the_password(
    client, personas, caplog
) -> None:
    with caplog.at_level(logging.WARNING, logger="ordstyrer.auth"):
        _try(client, personas.employee.username, "hemmelig-Passord-42", ip="10.0.3.7")
    records = [r for r in caplog.records if r.name == "ordstyrer.auth"]
    assert len(records) == 1
    assert records[0].username == personas.employee.username
    assert records[0].client_ip == "10.0.3.7"
    everything = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "hemmelig-Passord-42" not in everything


def test_test_client_login_without_a_request_still_works(client, personas) -> None:
    # Django's test client authenticates without a request: nothing to count, no error.
    assert client.login(username=personas.employee.username, password=PASSWORD)


def test_behind_a_proxy_the_forwarded_address_is_counted(client, personas, settings) -> None:
    settings.PROXY_COUNT = 1  # ORDSTYRER_PROXY_COUNT=1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"gjett-{n}", "password": WRONG},
            REMOTE_ADDR="10.0.0.254",  # the proxy
            # A client's own X-Forwarded-For entry is ignored: only the proxy's counts.
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5",
        )
    user = personas.employee.username
    blocked = client.post(
        LOGIN,
        {"username": user, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert blocked.status_code == 429
    other = client.post(
        LOGIN,
        {"username": user, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert other.status_code == 302  # another citizen behind the same proxy
