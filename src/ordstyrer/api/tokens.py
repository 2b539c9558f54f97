"""API tokens: create, revoke, authenticate (api.md "Authentication").

Writes follow the house template (permission → rows → audit in one transaction). The
CLI is the operator's door (`actor=None`: whoever runs `ordstyrer` on the server);
in the console a person revokes their own tokens, and communications or the chief
administrator revoke any token of their municipality.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.api.models import ApiToken
from ordstyrer.core import requestid
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.ids import parse_id
from ordstyrer.core.permissions import NEED_ROLES, roles_in
from ordstyrer.core.services import person
from ordstyrer.tenants.models import Municipality, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOKEN_PREFIX = "ord_"  # noqa: S105 — the public marker, not a secret
# The scopes of api.md, each with the municipal need (core.permissions) a person must
# hold for a token to carry it; None: any member (the per-channel checks decide).
SCOPE_NEEDS: dict[str, str | None] = {
    "policy:read": None,
    "inbox:read": None,
    "inbox:write": None,
    "moderation:write": None,
    "archive:read": "view_archive",
    "archive:export": "export_archive",
    "posts:write": None,
    "posts:approve": None,
    "crisis:write": None,
}
SCOPES: tuple[str, ...] = tuple(SCOPE_NEEDS)
DEFAULT_DAYS = 90
MAX_DAYS = 366
# Who sees and revokes every token of the municipality in the console.
TOKEN_ADMIN_ROLES = frozenset({Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR})
# last_used_at is written at most this often per token (not one write per GET).
TOUCH_EVERY = timedelta(seconds=60)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def scopes_allowed(*, user: ActorLike, municipality: Municipality) -> tuple[str, ...]:
    """The scopes `user`'s roles in `municipality` allow, in api.md's order."""
    roles = roles_in(user, municipality)
    if not roles:
        return ()
    allowed = []
    for scope, need in SCOPE_NEEDS.items():
        wanted = NEED_ROLES[need] if need else None
        if wanted is None or roles & wanted:
            allowed.append(scope)
    return tuple(allowed)


def parse_scopes(raw: str | Iterable[str] | None) -> list[str] | None:
    """`a,b` or a list → the scopes; None when none were asked for. Unknown → error."""
    if raw is None:
        return None
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    scopes = [s.strip() for s in items if s and s.strip()]
    unknown = [s for s in scopes if s not in SCOPE_NEEDS]
    if unknown:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Ukjent tilgang «%(scope)s». Gyldige: %(valid)s."),
                {"scope": unknown[0], "valid": ", ".join(SCOPES)},
            ),
            code="scope_unknown",
        )
    return scopes or None


def api_token_create(
    *,
    actor: ActorLike,
    user: User,
    municipality: Municipality,
    scopes: list[str] | None = None,
    days: int = DEFAULT_DAYS,
    name: str = "",
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `user` in `municipality`; returns it and the secret token text,
    which is shown once and never stored. Without `scopes`: all the user's roles allow."""
    now = now or timezone.now()
    if not 1 <= int(days) <= MAX_DAYS:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Velg en levetid mellom 1 og %(max)s dager."), {"max": MAX_DAYS}
            ),
            code="days",
        )
    me = person(actor)
    if me is not None and me.pk != user.pk:
        raise NotPermitted(gettext_lazy("Du kan bare lage API-nøkler til deg selv."))
    if not getattr(user, "is_active", False):
        raise ServiceError(gettext_lazy("Brukeren er deaktivert."), code="inactive")
    with transaction.atomic():
        allowed = scopes_allowed(user=user, municipality=municipality)
        if not allowed:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("%(user)s har ingen rolle i %(municipality)s."),
                    {"user": user.get_username(), "municipality": municipality.name},
                ),
                code="not_member",
            )
        wanted = list(allowed) if scopes is None else list(dict.fromkeys(scopes))
        refused = [s for s in wanted if s not in allowed]
        if refused:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("Rollene til %(user)s gir ikke tilgangen «%(scope)s»."),
                    {"user": user.get_username(), "scope": refused[0]},
                ),
                code="scope_not_allowed",
            )
        prefix = secrets.token_hex(5)
        secret = secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            prefix=prefix,
            secret_hash=_digest(secret),
            name=str(name or "")[:120],
            user=user,
            municipality=municipality,
            scopes=wanted,
            created_at=now,
            created_by=person(actor),
            expires_at=now + timedelta(days=int(days)),
        )
        audit_record(
            actor=actor,
            action="api_token_create",
            municipality=municipality,
            obj=token,
            data={
                "token": prefix,
                "user_id": user.pk,
                "scopes": wanted,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def may_manage_all(user: ActorLike, municipality: Municipality) -> bool:
    return bool(roles_in(user, municipality) & TOKEN_ADMIN_ROLES)


def _find(ident: int | str) -> ApiToken:
    text = str(ident).strip().removeprefix(TOKEN_PREFIX)
    tokens = ApiToken.objects.select_related("municipality", "user")
    pk = parse_id(text)
    found = (tokens.filter(pk=pk).first() if pk is not None else None) or tokens.filter(
        prefix=text
    ).first()
    if found is None:
        raise NotFound(gettext_lazy("Fant ikke API-nøkkelen."))
    return found


def api_token_revoke(
    *, actor: ActorLike, token_id: int | str, now: datetime | None = None
) -> ApiToken:
    """Revoke one token (by id or public prefix). Revoking a revoked token changes
    nothing (a replayed form is harmless)."""
    now = now or timezone.now()
    with transaction.atomic():
        token = _find(token_id)
        me = person(actor)
        if me is not None:
            if not roles_in(actor, token.municipality) and me.pk != token.user_id:
                raise NotFound(gettext_lazy("Fant ikke API-nøkkelen."))
            if me.pk != token.user_id and not may_manage_all(actor, token.municipality):
                raise NotPermitted(gettext_lazy("Du kan bare trekke tilbake dine egne API-nøkler."))
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        _revoke(token, actor=actor, now=now)
    return token


def _revoke(token: ApiToken, *, actor: ActorLike, now: datetime, **audit: Any) -> None:
    """Revoke a locked live token and audit it (`audit`: what the record adds)."""
    token.revoked_at, token.revoked_by = now, person(actor)
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="api_token_revoke",
        municipality=token.municipality,
        obj=token,
        data={"token": token.prefix, "user_id": token.user_id, **audit},
    )


def api_tokens_revoke_all(*, actor: ActorLike, user: User, now: datetime | None = None) -> int:
    """Revoke every live token of `user` (the operator's `revoke --all --user`)."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at=None):
            if (me := person(actor)) is not None and me.pk != user.pk:
                if not may_manage_all(actor, token.municipality):
                    continue
            _revoke(token, actor=actor, now=now, all=True)
            count += 1
    return count


@dataclass(frozen=True)
class TokenCheck:
    """What a bearer value is: the live token it names, or none. `guess` is True when no
    token has that prefix and secret (malformed, unknown prefix, wrong secret): a guess,
    which the address's failure counter counts. A known token that is expired or revoked,
    or whose person is deactivated, is no guess (a forgotten integration on a shared host
    must not lock the address out)."""

    token: ApiToken | None
    guess: bool


def token_check(raw: str, *, now: datetime | None = None) -> TokenCheck:
    """Verify `raw` (constant-time comparison of the secret's hash)."""
    now = now or timezone.now()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return TokenCheck(None, guess=True)
    prefix, sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not prefix or not secret:
        return TokenCheck(None, guess=True)
    token = ApiToken.objects.select_related("user", "municipality").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return TokenCheck(None, guess=True)
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return TokenCheck(None, guess=False)
    requestid.identify(token.user_id)  # the access line names the person (deploy.md §8)
    return TokenCheck(token, guess=False)


def token_authenticate(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token `raw` names, or None (unknown, wrong secret, expired, revoked,
    deactivated user)."""
    return token_check(raw, now=now).token


def token_touch(token: ApiToken, *, ip: str | None, now: datetime | None = None) -> None:
    """Keep `last_used_at` (at most one write a minute per token, not one per request)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    try:
        address = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:  # a malformed forwarded address is not stored
        address = None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=address)
    token.last_used_at = now


def tokens_visible(*, user: ActorLike, municipality: Municipality) -> QuerySet[ApiToken]:
    """The tokens the console lists: one's own, or every token of the municipality for
    communications and the chief administrator."""
    tokens = ApiToken.objects.filter(municipality=municipality).select_related("user")
    if not may_manage_all(user, municipality):
        tokens = tokens.filter(user=user_of(user))
    return tokens.order_by("revoked_at", "-created_at", "-id")
