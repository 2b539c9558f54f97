"""A real OpenID Connect provider on loopback (oidc-provider-mock) for the SSO tests."""

from __future__ import annotations

import pytest
from oidc_provider_mock import User, run_server_in_thread

from ordstyrer.sso.discovery import forget

CLIENT_ID = "ordstyrer-test"
CLIENT_SECRET = "test-client-secret"  # noqa: S105

PEOPLE = [
    User(
        sub="entra-0001",
        claims={
            "email": "kari.kommunikasjon@testby.kommune.no",
            "preferred_username": "kari.kommunikasjon@testby.kommune.no",
            "given_name": "Kari",
            "family_name": "Klepp",
            "groups": ["sg-testby-kommunikasjon", "sg-alle-ansatte"],
        },
    ),
    User(
        sub="entra-0002",
        claims={
            "email": "ny.ansatt@testby.kommune.no",
            "given_name": "Ny",
            "family_name": "Ansatt",
            "groups": ["sg-alle-ansatte-uten-rolle"],
        },
    ),
]


@pytest.fixture(scope="session")
def oidc_server():
    with run_server_in_thread(user_claims=PEOPLE) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso(settings, oidc_server):
    settings.OIDC_ISSUER = oidc_server
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    forget()
    yield oidc_server
    forget()
