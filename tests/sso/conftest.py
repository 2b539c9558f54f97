"""A real OpenID Connect provider on loopback (oidc-provider-mock) for the SSO tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from joserfc import jwk, jwt
from oidc_provider_mock import User, run_server_in_thread

# oidc-provider-mock 0.3.4: the grant extension that signs ID tokens, and the provider's
# key store (private modules, so the stand-in's ID tokens can be given chosen claims).
from oidc_provider_mock._app import OpenIDCode
from oidc_provider_mock._storage import storage

from ordstyrer.sso.discovery import forget
from ordstyrer.sso.services import group_map
from ordstyrer.tenants.models import Role

CLIENT_ID = "ordstyrer-test"
CLIENT_SECRET = "test-client-secret"  # noqa: S105
KARI = "entra-0001"  # the stand-in's person in the communications group

PEOPLE = [
    User(
        sub=KARI,
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


DROP = object()  # a claim value for `id_token_claims`: leave the claim out of the token


@pytest.fixture
def id_token_claims(monkeypatch) -> Callable[..., None]:
    """Call it with claim=value to have the stand-in put those claims into the ID tokens
    it issues during this test (DROP removes a claim). The token is re-signed with the
    provider's own key, so it is what a real provider could send: e.g. a token the same
    provider issued to another application, or an expired one; `signing_key=` signs it
    with another key instead (a forgery). Tests that do not ask for this fixture get the
    stand-in's tokens unchanged."""
    chosen: dict[str, object] = {}
    forger: list[jwk.Key] = []
    sign = OpenIDCode.encode_id_token

    def encode_id_token(self, token, request):
        issued = sign(self, token, request)
        if not chosen and not forger:
            return issued
        key = jwk.import_key(storage.jwk.as_dict(is_private=True))
        original = jwt.decode(issued, key)
        key = forger[0] if forger else key
        claims = dict(original.claims)
        for name, value in chosen.items():
            if value is DROP:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(original.header, claims, key, [original.header["alg"]])

    monkeypatch.setattr(OpenIDCode, "encode_id_token", encode_id_token)

    def choose(*, signing_key: jwk.Key | None = None, **claims: object) -> None:
        chosen.update(claims)
        if signing_key is not None:
            forger[:] = [signing_key]

    return choose


@pytest.fixture
def kari_may_log_in(personas, sso):
    """Kari's group gives her a role, so a login that passes ends logged in."""
    group_map(
        actor=None,
        municipality=personas.municipality,
        group="sg-testby-kommunikasjon",
        role=Role.COMMUNICATIONS,
    )
