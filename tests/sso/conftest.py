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
    # Entra ID's "groups overage": in more than 200 groups, the token names a Graph
    # source instead of carrying `groups` (OIDC Core §5.6.2 distributed claims).
    User(
        sub="entra-0003",
        claims={
            "email": "mange.grupper@testby.kommune.no",
            "given_name": "Mange",
            "family_name": "Grupper",
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {
                "src1": {
                    "endpoint": "https://graph.microsoft.com/v1.0/users/entra-0003/getMemberObjects"
                }
            },
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
