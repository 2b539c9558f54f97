"""Platform tokens: a masked wrapper and Fernet encryption at rest.

The key comes from the environment variable `ORDSTYRER_TOKEN_KEY` (a Fernet key:
32 url-safe base64-encoded bytes; `ordstyrer`'s docs show how to make one). Several
comma-separated keys may be given for rotation: the first encrypts, all decrypt.
A `SecretToken` never shows its value in `repr`, `str`, f-strings or pickles; call
`reveal()` at the one place the value goes on the wire.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from typing import NoReturn

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENV_KEY = "ORDSTYRER_TOKEN_KEY"


class TokenKeyError(Exception):
    """The encryption key is missing or unusable (message in Norwegian, no key material)."""


class TokenDecryptError(Exception):
    """A stored token could not be decrypted with the configured key(s)."""


class SecretToken:
    """A credential whose value is only reachable through `reveal()`."""

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("SecretToken needs a non-empty string")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SecretToken is immutable")

    def __repr__(self) -> str:
        return "SecretToken('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretToken):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("SecretToken", self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("SecretToken cannot be pickled; store it with TokenCipher.encrypt")


class TokenCipher:
    """Encrypts tokens for storage; built from the key(s) in the environment."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise TokenKeyError(
                f"{ENV_KEY} er ikke satt: tokener kan ikke lagres kryptert. "
                'Lag en nøkkel med `python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`.'
            )
        fernets = []
        for number, key in enumerate(parts, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                raise TokenKeyError(
                    f"{ENV_KEY} er ugyldig (nøkkel nr. {number}): en Fernet-nøkkel er "
                    "32 byte kodet som URL-sikker base64 (44 tegn)."
                ) from None
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TokenCipher:
        env = os.environ if environ is None else environ
        return cls(env.get(ENV_KEY, ""))

    def encrypt(self, token: SecretToken) -> str:
        return self._fernet.encrypt(token.reveal().encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> SecretToken:
        try:
            return SecretToken(self._fernet.decrypt(stored.encode("ascii")).decode("utf-8"))
        except (InvalidToken, ValueError, UnicodeError):
            raise TokenDecryptError(
                f"Et lagret token kunne ikke dekrypteres med {ENV_KEY}; "
                "er nøkkelen byttet uten at den gamle ble beholdt?"
            ) from None

    def rotate(self, stored: str) -> str:
        """Re-encrypt with the first (newest) key."""
        return self._fernet.rotate(stored.encode("ascii")).decode("ascii")
