"""A signing key in the provider's JWKS that PyJWT cannot use ends the login on the login
page with the provider message, not in a 500.

`retrieve_matching_jwk` builds the key with `jwt.PyJWK`, which raises
`jwt.InvalidKeyError` for a key type or curve it does not support (PyJWT 2.15) and
`jwt.PyJWKError` for an algorithm it has none for. Neither is an `InvalidTokenError`
(the backend's refusals), and the views' `PROVIDER_ERRORS` named neither, so both went
up as a server error. The JWKS and the tokens come from the stand-in provider on loopback
(tests/sso/conftest.py); only its key set, and for the last case the token's `alg`
header, are changed."""

from __future__ import annotations

import base64
import json
import logging
from types import SimpleNamespace

import pytest
from authlib import jose
from oidc_provider_mock import _app
from oidc_provider_mock._app import OpenIDCode

from ordstyrer.sso.models import SsoIdentity
from tests.sso.conftest import KARI
from tests.sso.test_sso import provider_login

PROVIDER_FAILED = (
    "Innlogging med felles pålogging virket ikke nå (identitetsleverandøren svarte ikke "
    "som ventet). Prøv igjen, eller kontakt IT."
)


@pytest.fixture
def jwks_keys(monkeypatch):
    """Call it with a function of the provider's (public) signing key as a dict; the
    stand-in's /jwks serves what it returns, the `kid` kept so the key still matches."""

    def serve(change):
        class KeySet:
            def __init__(self, keys):
                self.real = jose.KeySet(keys)

            def as_dict(self):
                body = self.real.as_dict()
                body["keys"] = [change(dict(k)) for k in body["keys"]]
                return body

        monkeypatch.setattr(_app, "jose", SimpleNamespace(KeySet=KeySet))

    return serve


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def token_alg(monkeypatch):
    """Call it with an `alg`: the stand-in's ID tokens carry it in their header (the
    signature, over the original header, no longer matches; it is never reached)."""
    sign = OpenIDCode.encode_id_token

    def set_alg(alg: str) -> None:
        def encode_id_token(self, token, request):
            head, body, signature = sign(self, token, request).split(".")
            header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
            return ".".join([_b64({**header, "alg": alg}), body, signature])

        monkeypatch.setattr(OpenIDCode, "encode_id_token", encode_id_token)

    return set_alg


def assert_provider_failed(client, caplog, error: str) -> None:
    with caplog.at_level(logging.WARNING, logger="ordstyrer.sso"):
        done = provider_login(client, KARI)  # the test client raises a 500's exception
    assert done.status_code == 302
    assert done["Location"] == "/logg-inn/"
    page = client.get(done["Location"])
    assert page.status_code == 200
    assert not page.wsgi_request.user.is_authenticated
    assert PROVIDER_FAILED in page.content.decode()
    assert not SsoIdentity.objects.filter(subject=KARI).exists()
    failed = [r for r in caplog.records if r.getMessage() == "sso failed"]
    assert [r.reason for r in failed] == [error]
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert KARI not in logged and "eyJ" not in logged  # neither who nor the token


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda k: {"kid": k["kid"], "kty": "XYZ", "use": "sig"}, id="unsupported kty"),
        pytest.param(
            lambda k: {"kid": k["kid"], "kty": "OKP", "crv": "X448", "x": "AAAA"},
            id="unsupported OKP curve",
        ),
        pytest.param(
            lambda k: {"kid": k["kid"], "kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"},
            id="unsupported EC curve",
        ),
    ],
)
def test_an_unsupported_key_type_is_the_provider_message(
    client, caplog, kari_may_log_in, jwks_keys, change
):
    jwks_keys(change)
    assert_provider_failed(client, caplog, "InvalidKeyError")


def test_a_key_for_an_algorithm_pyjwt_lacks_is_the_provider_message(
    client, caplog, kari_may_log_in, jwks_keys, token_alg
):
    # The provider announces a key for an algorithm PyJWT has no implementation of and
    # issues the token under it (e.g. a newer algorithm rolled out first at Entra).
    jwks_keys(lambda k: {**k, "alg": "RS1"})
    token_alg("RS1")
    assert_provider_failed(client, caplog, "PyJWKError")


def test_the_stand_ins_own_key_set_still_logs_in(client, personas, kari_may_log_in, jwks_keys):
    jwks_keys(lambda k: k)  # the fixture itself changes nothing
    done = provider_login(client, KARI)
    assert done.status_code == 302
    page = client.get(done["Location"], follow=True)
    assert page.wsgi_request.user.is_authenticated
    assert page.wsgi_request.path == f"/m/{personas.municipality.slug}/"
