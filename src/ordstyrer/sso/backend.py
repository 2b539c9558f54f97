"""Login through the municipality's identity provider (mozilla-django-oidc), with the
endpoints found by discovery and the roles taken from the groups claim."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from ordstyrer.sso.discovery import ProviderConfig, discover
from ordstyrer.sso.services import sso_login

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger(__name__)

# The clock difference tolerated between the provider and us for `exp`, `iat` and `nbf`.
CLOCK_SKEW = timedelta(seconds=60)
# OpenID Connect Core 1.0 §2: an ID token always carries these.
ID_TOKEN_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]
# Why an ID token was refused, for the log: the first match wins (subclasses first).
_REFUSALS: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidAudienceError, "aud"),
    (jwt.InvalidIssuerError, "iss"),
    (jwt.ExpiredSignatureError, "exp"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAlgorithmError, "alg"),
    (jwt.InvalidSignatureError, "signature"),
    (jwt.DecodeError, "malformed"),
    (jwt.InvalidIssuedAtError, "malformed"),
    (jwt.InvalidTokenError, "invalid"),
)


class IdTokenRefused(Exception):
    """The ID token is not one we may accept; `reason` names the check for the log."""

    def __init__(self, reason: str, claim: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.claim = claim


def configured() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def provider() -> ProviderConfig:
    return discover(settings.OIDC_ISSUER)


class OidcBackend(OIDCAuthenticationBackend):
    """Does nothing unless SSO is configured, and never touches the network for a
    password login: the provider's endpoints are looked up only inside the OIDC flow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: D107
        # The parent resolves every endpoint here; ours are properties read on use.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 (the parent's name)
        return provider().token_endpoint

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return provider().userinfo_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return provider().jwks_uri

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not configured() or request is None or "nonce" not in kwargs:
            return None  # a password login, or SSO is off
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token: Any) -> Any:
        """The provider's signing key for `token`: by `kid`, or the one key of the set when
        the token names none (RFC 7515 §4.1.4 makes `kid` optional)."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        body = response.json()
        keys = body.get("keys") if isinstance(body, dict) else None
        if not isinstance(keys, list):
            raise SuspiciousOperation("JWKS without keys")
        header = jwt.get_unverified_header(token)
        kid, alg = header.get("kid"), header.get("alg")
        signing = [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"]
        if kid is not None:
            signing = [k for k in signing if k.get("kid") == kid]
        elif len(signing) != 1:
            raise SuspiciousOperation("token without kid and several keys")
        signing = [k for k in signing if k.get("alg", alg) == alg]
        if len(signing) != 1:
            raise SuspiciousOperation("no matching signing key")
        return jwt.PyJWK(signing[0])

    def verify_token(self, token: Any, **kwargs: Any) -> Any:
        """The ID token's claims, or None (a failed login) when OpenID Connect Core 1.0
        §3.1.3.7 says to refuse it. The parent checks only the signature and the nonce, so
        a token the same provider issued to another application in the tenant, or an
        expired one, logged a person in (or ended in a 500)."""
        if "nonce" not in kwargs:
            # A signed userinfo response (parent's get_userinfo): §5.3.2 asks neither exp
            # nor iat of it, and get_or_create_user checks its `sub` against the ID token.
            # The parent lets PyJWT's refusals through (an expired one was a 500): a
            # refused userinfo is the provider failing (the views' PROVIDER_ERRORS).
            try:
                return super().verify_token(token, **kwargs)
            except jwt.InvalidTokenError as exc:
                logger.warning("sso userinfo refused", extra={"reason": type(exc).__name__})
                raise SuspiciousOperation("signed userinfo refused") from None
        try:
            return self._id_token_claims(token, nonce=kwargs["nonce"])
        except IdTokenRefused as refused:
            # The reason only: never the token, the subject or other claims.
            extra = {"reason": refused.reason}
            if refused.claim:
                extra["claim"] = refused.claim
            logger.warning("sso id token refused", extra=extra)
            return None

    def _id_token_claims(self, token: Any, *, nonce: str | None) -> dict[str, Any]:
        """Raises IdTokenRefused; SuspiciousOperation and requests' errors (no usable
        signing key, provider unreachable) pass on to the view's provider message."""
        algorithm = self.OIDC_RP_SIGN_ALGO
        try:
            # As the parent: the provider's public key for asymmetric algorithms, the
            # client secret for HS*.
            key = (
                self.retrieve_matching_jwk(token)
                if algorithm.startswith(("RS", "ES", "PS"))
                else self.OIDC_RP_CLIENT_SECRET
            )
            issuer = provider().issuer
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],  # from our settings, never from the token (RFC 8725)
                audience=self.OIDC_RP_CLIENT_ID,  # §3.1.3.7 item 3: aud contains us
                # Item 2: exactly the discovered issuer. Discovery (and our settings) drop
                # a trailing slash, so the provider's own spelling with it counts as well.
                issuer=(issuer, f"{issuer}/"),
                # Items 9-10 and RFC 7519 §4.1.5: exp in the future, iat and nbf not ahead.
                leeway=CLOCK_SKEW,
                options={"require": ID_TOKEN_CLAIMS},
            )
        except jwt.InvalidTokenError as exc:
            reason = next(name for kind, name in _REFUSALS if isinstance(exc, kind))
            raise IdTokenRefused(reason, getattr(exc, "claim", None)) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # Items 4-5: with several audiences the token must name the party it was issued to
        # (azp), and an azp present must be us.
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self.OIDC_RP_CLIENT_ID:
            raise IdTokenRefused("azp")
        # Item 11: the nonce we sent with the authentication request (the parent's check).
        if self.get_settings("OIDC_USE_NONCE", True) and claims.get("nonce") != nonce:
            raise IdTokenRefused("nonce")
        return claims

    def get_user(self, user_id: Any) -> AbstractUser | None:
        """The session's person, or None once deactivated: the parent returns anyone, so a
        person switched off in the console kept acting with an SSO session. Django's
        ModelBackend.get_user checks the same (`user_can_authenticate`)."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user: Any) -> bool:
        # As django.contrib.auth.backends.ModelBackend: a user model without is_active
        # counts as active.
        return getattr(user, "is_active", True)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # The subject identifies the person; e-mail is optional (Entra guests lack it).
        return isinstance(claims.get("sub"), str) and bool(claims["sub"])

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict
    ) -> AbstractUser | None:
        claims = dict(payload)
        claims.update(self.get_userinfo(access_token, id_token, payload) or {})
        if claims.get("sub") != payload.get("sub"):
            return None  # userinfo for someone else than the ID token (OIDC Core §5.3.2)
        return sso_login(
            issuer=provider().issuer,
            claims=claims,
            groups_claim=settings.OIDC_GROUPS_CLAIM,
            now=timezone.now(),
        )


class AuthenticationRequest(OIDCAuthenticationRequestView):
    """Starts the flow at /oidc/authenticate/ with the discovered authorization endpoint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_OP_AUTH_ENDPOINT(self) -> str:  # noqa: N802
        return provider().authorization_endpoint
