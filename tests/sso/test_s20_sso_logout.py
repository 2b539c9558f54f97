"""Logging out after single sign-on ends the identity provider's session too (at a
shared PC the next person was signed in as the previous one without a question), and
a link to the callback with `?error=` logs nobody out."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from django.contrib.auth import SESSION_KEY
from django.utils.html import escape

from ordstyrer.sso.discovery import forget
from ordstyrer.sso.models import SsoIdentity
from tests.factories import PASSWORD
from tests.sso.conftest import CLIENT_ID, KARI
from tests.sso.test_sso import provider_login

pytestmark = pytest.mark.django_db


def test_logging_out_after_sso_ends_the_providers_session(client, personas, sso, kari_may_log_in):
    assert provider_login(client, KARI).status_code == 302
    id_token = client.session["oidc_id_token"]

    out = client.post("/logg-ut/")

    # A page that goes on to the provider at once (a redirect of the form's POST would
    # be refused by the browser: CSP form-action 'self'), with a link as well.
    assert out.status_code == 200
    delay, _, url = out["Refresh"].partition("; url=")
    assert delay == "0"
    assert f'href="{escape(url)}"' in out.content.decode()
    target = urlsplit(url)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{sso}/oauth2/end_session"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query == {
        "client_id": CLIENT_ID,
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "http://testserver/logg-inn/",
    }
    claims = jwt.decode(query["id_token_hint"], options={"verify_signature": False})
    assert claims["sub"] == KARI
    assert SESSION_KEY not in client.session
    # The provider takes it, and sends the person back to our login page.
    ended = httpx.get(url, timeout=10)
    assert ended.status_code == 200
    assert "http://testserver/logg-inn/" in ended.text


def test_a_password_session_logs_out_as_before(client, personas, sso):
    assert (
        client.post(
            "/logg-inn/", {"username": personas.employee.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert "oidc_id_token" not in client.session

    out = client.post("/logg-ut/")

    assert (out.status_code, out["Location"]) == (302, "/logg-inn/")
    assert SESSION_KEY not in client.session


def test_logout_is_still_post_only(client, personas, kari_may_log_in):
    assert provider_login(client, KARI).status_code == 302
    assert client.get("/logg-ut/").status_code == 405
    assert SESSION_KEY in client.session


def test_logout_without_a_reachable_provider_still_logs_out(
    client, personas, kari_may_log_in, settings
):
    assert provider_login(client, KARI).status_code == 302
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens: discovery fails
    forget()

    out = client.post("/logg-ut/")

    assert (out.status_code, out["Location"]) == (302, "/logg-inn/")
    assert SESSION_KEY not in client.session


def test_the_id_token_is_never_logged(client, personas, kari_may_log_in, caplog):
    caplog.set_level(logging.DEBUG)
    assert provider_login(client, KARI).status_code == 302
    id_token = client.session["oidc_id_token"]
    client.post("/logg-ut/")

    # Ours and the libraries that see it; the stand-in provider (authlib) logs what it
    # issues, in this process only because it runs in a test thread.
    ours = [r for r in caplog.records if not r.name.startswith(("authlib", "werkzeug"))]
    assert ours
    assert all(id_token not in repr(r.__dict__) for r in ours)


def test_a_refused_login_keeps_no_id_token(client, personas, sso):
    provider_login(client, KARI)
    user = SsoIdentity.objects.get(subject=KARI).user
    client.post("/logg-ut/")
    user.is_active = False
    user.save()

    refused = provider_login(client, KARI)

    assert refused.headers["Location"] == "/logg-inn/"
    assert "oidc_id_token" not in client.session


# --- ?error= on the callback --------------------------------------------------------------


def test_an_error_link_does_not_log_out_a_signed_in_person(client, personas, kari_may_log_in):
    assert provider_login(client, KARI).status_code == 302
    signed_in = client.session[SESSION_KEY]

    response = client.get("/oidc/callback/?error=access_denied")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session[SESSION_KEY] == signed_in
    # Nor with a state this session never sent.
    client.get("/oidc/callback/?error=access_denied&state=gjettet")
    assert client.session[SESSION_KEY] == signed_in


def test_an_error_link_sends_an_anonymous_visitor_to_the_login_page(client, sso, db):
    response = client.get("/oidc/callback/?error=x")
    assert (response.status_code, response["Location"]) == (302, "/logg-inn/")


def test_the_providers_error_for_this_sessions_request_is_a_failed_login(client, personas, sso):
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = client.get(f"/oidc/callback/?error=access_denied&state={state}", follow=True)

    assert response.wsgi_request.path == "/logg-inn/"
    assert "Innloggingen ble avbrutt eller avvist" in response.content.decode()
    assert state not in client.session.get("oidc_states", {})  # used up: no replay
