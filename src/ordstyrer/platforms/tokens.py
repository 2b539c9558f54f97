"""The stored connections' token cipher (Fernet, key `ORDSTYRER_TOKEN_KEY`)."""

from __future__ import annotations

from ordstyrer.connectors.secrets import SecretToken, TokenCipher, TokenDecryptError, TokenKeyError
from ordstyrer.core.errors import ServiceError
from ordstyrer.platforms.models import PlatformConnection


def cipher() -> TokenCipher:
    """The installation's token cipher; a missing or bad key is a `ServiceError`."""
    try:
        return TokenCipher.from_env()
    except TokenKeyError as exc:
        raise ServiceError(str(exc), code="token_key") from None


def stored_token(connection: PlatformConnection) -> SecretToken | None:
    """The connection's token decrypted, or None when it cannot be (no key, bad text)."""
    try:
        return cipher().decrypt(connection.token_encrypted)
    except (ServiceError, TokenDecryptError):
        return None
