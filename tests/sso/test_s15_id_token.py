"""The ID token's claims are validated as OpenID Connect Core 1.0 §3.1.3.7 asks: `aud`
names us (and `azp` is us when there are several audiences), `iss` is the discovered
issuer, `exp`/`iat`/`nbf` hold with a minute's clock skew. mozilla-django-oidc checks
only the signature and the nonce, so an ID token the same provider (the municipality's
Entra tenant) issued to another application logged a person in.

Each token here comes from the stand-in provider on loopback, signed with its own key;
only the claims differ (tests/sso/conftest.py `id_token_claims`)."""

from __future__ import annotations

import logging
import time

import pytest
from joserfc.jwk import RSAKey

from ordstyrer.sso.models import SsoIdentity
from tests.sso.conftest import CLIENT_ID, DROP, KARI
from tests.sso.test_sso import provider_login

OTHER_APP = "00000000-aaaa-4bbb-8ccc-0123456789ab"  # another client in the same tenant
REFUSED = "Innloggingen ble avbrutt eller avvist. Prøv igjen."


def assert_refused(client, caplog, reason: str, claim: str | None = None) -> None:
    with caplog.at_level(logging.WARNING, logger="ordstyrer.sso"):
        done = provider_login(client, KARI)
    assert done.status_code == 302
    assert done["Location"] == "/logg-inn/"
    page = client.get(done["Location"])
    assert page.status_code == 200
    assert not page.wsgi_request.user.is_authenticated
    assert REFUSED in page.content.decode()
    assert not SsoIdentity.objects.filter(subject=KARI).exists()
    refusals = [r for r in caplog.records if r.getMessage() == "sso id token refused"]
    assert [(r.reason, getattr(r, "claim", None)) for r in refusals] == [(reason, claim)]
    # The log line names the reason, never the token or who it was for.
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert KARI not in logged
    assert "kari.kommunikasjon" not in logged
    assert "eyJ" not in logged  # a JWT's base64url header


def assert_logged_in(client, personas) -> None:
    done = provider_login(client, KARI)
    assert done.status_code == 302
    page = client.get(done["Location"], follow=True)
    assert page.wsgi_request.user.is_authenticated
    assert page.wsgi_request.path == f"/m/{personas.municipality.slug}/"
    assert SsoIdentity.objects.filter(subject=KARI).exists()


# --- tokens that are refused -------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "reason", "claim"),
    [
        pytest.param({"aud": OTHER_APP}, "aud", None, id="another application's token"),
        pytest.param({"aud": [OTHER_APP, "api://graph"]}, "aud", None, id="aud list without us"),
        pytest.param(
            {"aud": [CLIENT_ID, OTHER_APP], "azp": OTHER_APP},
            "azp",
            None,
            id="azp is another app",
        ),
        pytest.param({"aud": [CLIENT_ID, OTHER_APP]}, "azp", None, id="several audiences, no azp"),
        pytest.param({"azp": OTHER_APP}, "azp", None, id="one audience, azp another app"),
        pytest.param(
            {"iss": "https://login.microsoftonline.com/another-tenant/v2.0"},
            "iss",
            None,
            id="another issuer",
        ),
        pytest.param({"aud": DROP}, "missing_claim", "aud", id="no aud"),
        pytest.param({"iss": DROP}, "missing_claim", "iss", id="no iss"),
        pytest.param({"exp": DROP}, "missing_claim", "exp", id="no exp"),
        pytest.param({"iat": DROP}, "missing_claim", "iat", id="no iat"),
        pytest.param({"nonce": "another-login"}, "nonce", None, id="another login's nonce"),
    ],
)
def test_a_token_not_meant_for_us_is_refused(
    client, caplog, kari_may_log_in, id_token_claims, claims, reason, claim
):
    id_token_claims(**claims)
    assert_refused(client, caplog, reason, claim)


def test_a_token_signed_with_another_key_is_refused(
    client, caplog, kari_may_log_in, id_token_claims
):
    id_token_claims(signing_key=RSAKey.generate_key(2048, private=True))
    assert_refused(client, caplog, "signature")


@pytest.mark.parametrize(
    ("offsets", "reason"),
    [
        pytest.param({"exp": -3600, "iat": -7200}, "exp", id="expired an hour ago"),
        pytest.param({"exp": -61, "iat": -3661}, "exp", id="expired beyond the clock skew"),
        pytest.param({"nbf": 3600}, "not_yet_valid", id="nbf an hour ahead"),
        pytest.param({"iat": 3600, "exp": 7200}, "not_yet_valid", id="issued in the future"),
        pytest.param({"exp": "tomorrow"}, "malformed", id="exp not a number"),
    ],
)
def test_a_token_outside_its_lifetime_is_refused(
    client, caplog, kari_may_log_in, id_token_claims, offsets, reason
):
    now = int(time.time())
    id_token_claims(**{k: now + v if isinstance(v, int) else v for k, v in offsets.items()})
    assert_refused(client, caplog, reason)


# --- tokens that pass --------------------------------------------------------------------


def test_the_providers_own_token_still_logs_in(client, personas, kari_may_log_in, id_token_claims):
    id_token_claims()  # the stand-in's token as issued: aud, iss, exp, iat all right
    assert_logged_in(client, personas)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"aud": [CLIENT_ID]}, id="aud as a list of one"),
        pytest.param({"aud": [CLIENT_ID, OTHER_APP], "azp": CLIENT_ID}, id="azp is us"),
        pytest.param({"azp": CLIENT_ID}, id="one audience and azp us"),
    ],
)
def test_audiences_that_name_us_log_in(client, personas, kari_may_log_in, id_token_claims, claims):
    id_token_claims(**claims)
    assert_logged_in(client, personas)


def test_the_issuer_spelt_with_a_trailing_slash_logs_in(
    client, personas, sso, kari_may_log_in, id_token_claims
):
    # Settings and discovery drop the slash; a provider whose issuer has one (its
    # discovery document says so) is the same issuer, not another.
    id_token_claims(iss=f"{sso}/")
    assert_logged_in(client, personas)


@pytest.mark.parametrize(
    "offsets",
    [
        pytest.param({"exp": -30, "iat": -3630}, id="expired within the clock skew"),
        pytest.param({"nbf": 30, "iat": 30}, id="valid within the clock skew"),
    ],
)
def test_a_small_clock_skew_is_tolerated(
    client, personas, kari_may_log_in, id_token_claims, offsets
):
    now = int(time.time())
    id_token_claims(**{k: now + v for k, v in offsets.items()})
    assert_logged_in(client, personas)
