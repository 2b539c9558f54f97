"""Login throttling and single sign-on (issue #18): a callback carries no username, so a
failed SSO attempt is counted against its address only — anonymous failures from one
address must not lock every employee's SSO login, anywhere. And what django-axes keeps
about sign-ins: no log of every login, and no authorisation code or state."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from ordstyrer.sso.models import SsoIdentity
from tests.factories import PASSWORD
from tests.sso.conftest import KARI
from tests.sso.test_sso import provider_login

pytestmark = pytest.mark.django_db

ATTACKER = "10.9.9.9"
OFFICE = "10.0.0.5"


def failed_callback(client: Client):
    """Start a flow, then come back with an empty code and the flow's own state: a
    failed login that names no one (the backend returns no user)."""
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    return client.get(f"/oidc/callback/?code=&state={state}")


def test_anonymous_failed_callbacks_lock_only_their_own_address(personas, kari_may_log_in):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert failed_callback(attacker).status_code in (302, 429)  # 429: the last

    kari = Client(REMOTE_ADDR=OFFICE)
    done = provider_login(kari, KARI)

    assert done.status_code == 302  # was 429: the failures were everyone's
    assert int(kari.session[SESSION_KEY]) == SsoIdentity.objects.get(subject=KARI).user_id
    # The address that failed stays locked out, however the next attempt is made.
    assert failed_callback(attacker).status_code == 429
    assert provider_login(attacker, KARI).status_code == 429


def test_a_password_login_is_still_locked_per_username_from_any_address(personas, sso):
    user = personas.employee
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"10.0.3.{n}").post(
            "/logg-inn/", {"username": user.username, "password": "feil-passord-123"}
        )
    right = Client(REMOTE_ADDR="10.0.3.200").post(
        "/logg-inn/", {"username": user.username, "password": PASSWORD}
    )
    assert right.status_code == 429


def test_a_failed_callback_keeps_neither_code_nor_state(personas, sso):
    client = Client(REMOTE_ADDR=ATTACKER)
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    client.get(f"/oidc/callback/?code=&state={state}")

    attempt = AccessAttempt.objects.get(ip_address=ATTACKER)
    assert state not in attempt.get_data
    assert sorted(attempt.get_data.splitlines()) == [
        "code=********************",
        "state=********************",
    ]


def test_a_login_leaves_no_access_log(client, personas, kari_may_log_in):
    assert provider_login(client, KARI).status_code == 302
    client.post("/logg-ut/")
    password = Client(REMOTE_ADDR=OFFICE)
    assert (
        password.post(
            "/logg-inn/", {"username": personas.employee.username, "password": PASSWORD}
        ).status_code
        == 302
    )

    assert not AccessLog.objects.exists()
