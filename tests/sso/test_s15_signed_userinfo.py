"""A signed userinfo response (`application/jwt`, OIDC Core §5.3.2) that PyJWT refuses —
expired, not yet valid — is the provider failing, never a 500 (review finding, s15).

Signed here with the client secret (HS256, a provider may sign so): the stand-in's own
private key lives in its Flask app and is not reachable from a test."""

from __future__ import annotations

import time

import jwt
import pytest
from django.core.exceptions import SuspiciousOperation

from ordstyrer.sso.backend import OidcBackend
from tests.sso.conftest import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def backend(sso, settings) -> OidcBackend:
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    return OidcBackend()


def _signed(**claims: object) -> str:
    return jwt.encode({"sub": "kari", "aud": CLIENT_ID, **claims}, CLIENT_SECRET, "HS256")


@pytest.mark.parametrize(
    "claims",
    [{"exp": int(time.time()) - 3600}, {"nbf": int(time.time()) + 3600}],
    ids=["expired", "not-yet-valid"],
)
def test_a_refused_signed_userinfo_is_a_provider_failure(backend, caplog, claims):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(_signed(**claims))
    assert "sso userinfo refused" in caplog.text
    assert "kari" not in caplog.text


def test_a_valid_signed_userinfo_is_read(backend):
    claims = backend.verify_token(_signed(exp=int(time.time()) + 3600))
    assert claims["sub"] == "kari"
