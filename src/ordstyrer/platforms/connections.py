"""Connecting a channel to its Page or Instagram account, and keeping the token healthy.

Writes follow the house template: `transaction.atomic` → channel row lock → permission
(CH-3: the channel's main administrator or communications, "manage") → rows → audit
entry → platform work queued on commit. Platform calls happen in tasks
(`connection_verify`, `connection_check`), never inside a transaction.

A token that Graph calls dead (190/102/10 → `ErrorCode.NEEDS_REAUTH`), in the daily
check or in any other call, flags the connection "needs re-authorisation" at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel
from ordstyrer.channels.permissions import require_channel_role
from ordstyrer.channels.transitions import lock_channel
from ordstyrer.connectors.base import Capability, ConnectorError, ErrorCode
from ordstyrer.connectors.facebook.onboarding import NEEDED_TASKS, list_pages
from ordstyrer.connectors.secrets import SecretToken, TokenCipher, TokenDecryptError, TokenKeyError
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.services import after_commit, person
from ordstyrer.platforms import oauth
from ordstyrer.platforms import tasks as platform_tasks
from ordstyrer.platforms.models import (
    ConnectionMethod,
    ConnectionStatus,
    Platform,
    PlatformConnection,
)
from ordstyrer.platforms.recording import graph_settings, record_call, safe_message

logger = logging.getLogger("ordstyrer.platforms")

CHECK_EVERY = timedelta(days=1)
# A disconnected Page keeps its token at most this long, to take the app off the Page.
UNSUBSCRIBE_GRACE = timedelta(hours=1)
RETRY_CHECK_AFTER = timedelta(hours=1)
MAX_ID = 64


def cipher() -> TokenCipher:
    try:
        return TokenCipher.from_env()
    except TokenKeyError as exc:
        raise ServiceError(str(exc), code="token_key") from None


def missing_tasks(tasks: list[str] | None) -> list[str]:
    """The Page tasks the product needs that the token lacks (MANAGE covers all)."""
    if tasks is None or "MANAGE" in tasks:
        return []
    return sorted({t for t in NEEDED_TASKS.values() if t not in tasks})


def _clean_id(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > MAX_ID or not value.replace("_", "").isalnum():
        raise ServiceError(_("%(what)s er ikke en gyldig id.") % {"what": what})
    return value


def _guard(actor: Any, channel: Channel, *, check_actor: bool = True) -> Channel:
    channel = lock_channel(channel)
    if check_actor:
        require_channel_role(actor, channel, "manage")
    if channel.kind not in Platform.values:
        raise ServiceError(_("Denne kanaltypen kobles ikke til Meta."))
    if channel.status not in workflow.OFFICIAL:
        raise ServiceError(
            _("Kanalen må være godkjent før den kobles til plattformen."), rule="CH-1"
        )
    return channel


def connection_connect(
    *,
    actor: Any,
    channel: Channel,
    account_id: str,
    token: SecretToken,
    method: str,
    account_name: str = "",
    page_id: str = "",
    tasks: list[str] | None = None,
    scopes: list[str] | None = None,
    now: datetime | None = None,
) -> PlatformConnection:
    """Store the channel's connection with the token encrypted, then verify it in a task.

    `tasks`/`scopes` are what Meta reported (None = not known yet; the verify task asks).
    Only the channel's main administrator or communications may (CH-3, "manage").
    """
    return _connect(
        actor=actor,
        check_actor=True,
        channel=channel,
        account_id=account_id,
        token=token,
        method=method,
        account_name=account_name,
        page_id=page_id,
        tasks=tasks,
        scopes=scopes,
        now=now,
    )


def connection_connect_system(
    *, channel: Channel, account_id: str, token: SecretToken, page_id: str = ""
) -> PlatformConnection:
    """IT operations connect a channel from the command line with a system-user token
    (`ordstyrer platform-connect`): whoever runs it already holds the installation's
    database and secrets, so no person's role is checked; the audit entry has no actor."""
    return _connect(
        actor=None,
        check_actor=False,
        channel=channel,
        account_id=account_id,
        token=token,
        method=ConnectionMethod.SYSTEM_USER,
        page_id=page_id,
    )


def _connect(
    *,
    actor: Any,
    check_actor: bool,
    channel: Channel,
    account_id: str,
    token: SecretToken,
    method: str,
    account_name: str = "",
    page_id: str = "",
    tasks: list[str] | None = None,
    scopes: list[str] | None = None,
    now: datetime | None = None,
) -> PlatformConnection:
    if method not in ConnectionMethod.values:
        raise ServiceError(_("Ukjent tilkoblingsmåte."))
    if not isinstance(token, SecretToken):
        raise TypeError("token must be a SecretToken")
    account_id = _clean_id(account_id, _("Kontoens id"))
    page_id = _clean_id(page_id, _("Sidens id")) if page_id else ""
    now = now or timezone.now()
    encrypted = cipher().encrypt(token)
    with transaction.atomic():
        channel = _guard(actor, channel, check_actor=check_actor)
        if channel.platform_id and channel.platform_id != account_id:
            raise ServiceError(
                _(
                    "Kanalen er registrert med plattform-id %(registered)s, men du valgte "
                    "%(chosen)s. Velg riktig side eller konto (CH-8)."
                )
                % {"registered": channel.platform_id, "chosen": account_id},
                rule="CH-8",
            )
        taken = (
            PlatformConnection.objects.filter(platform=channel.kind, account_id=account_id)
            .exclude(status=ConnectionStatus.DISCONNECTED)
            .exclude(channel=channel)
            .select_related("channel")
            .first()
        )
        if taken is not None:
            raise ServiceError(
                _("Denne siden eller kontoen er allerede koblet til kanalen «%(name)s».")
                % {"name": taken.channel.name}
            )
        connection = PlatformConnection.objects.filter(channel=channel).first()
        if connection is None:
            connection = PlatformConnection(channel=channel)
        connection.platform = channel.kind
        connection.account_id = account_id
        connection.account_name = (account_name or "")[:255]
        connection.page_id = page_id or (account_id if channel.kind == Platform.FACEBOOK else "")
        connection.token_encrypted = encrypted
        connection.method = method
        connection.status = ConnectionStatus.CONNECTED
        connection.tasks_known = tasks is not None
        connection.tasks = sorted(tasks or [])
        connection.missing_tasks = missing_tasks(tasks)
        connection.scopes_known = scopes is not None
        connection.scopes = sorted(scopes or [])
        connection.missing_scopes = oauth.missing_permissions(channel.kind, scopes or [])
        if scopes is None:
            connection.missing_scopes = []
        connection.webhooks_subscribed = False
        connection.connected_at = now
        connection.connected_by = person(actor)
        connection.checked_at = None
        connection.check_ok = None
        connection.check_error = ""
        connection.next_check_at = now + CHECK_EVERY
        connection.reauth_since = None
        connection.disconnected_at = None
        connection.save()
        audit_record(
            actor=actor,
            action="platform_connect",
            municipality=channel.municipality,
            obj=channel,
            data={
                "platform": channel.kind,
                "account_id": account_id,
                "method": method,
                "missing_tasks": connection.missing_tasks,
                "missing_scopes": connection.missing_scopes,
            },
        )
        after_commit(platform_tasks.connection_verify, connection_id=connection.pk)
    return connection


def connection_disconnect(
    *, actor: Any, channel: Channel, now: datetime | None = None
) -> PlatformConnection | None:
    """Stop routing the account's webhooks to the channel and forget the token.

    A connection whose Page Ordstyrer subscribed (its own, or an Instagram account's
    linked Page), when no other live connection needs that Page, keeps its token until
    `connection_unsubscribe` (queued on commit) has taken the app off the Page with it —
    at once when the worker runs, at the latest after `UNSUBSCRIBE_GRACE`
    (`checks_sweep`). Returns the connection as stored once committed (None: there was
    none to disconnect)."""
    now = now or timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        connection = PlatformConnection.objects.filter(channel=channel).first()
        if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
            return None
        unsubscribe = (
            connection.webhooks_subscribed
            and bool(connection.token_encrypted)
            and not _page_still_used(connection)
        )
        connection.status = ConnectionStatus.DISCONNECTED
        if not unsubscribe:
            connection.token_encrypted = ""
        connection.disconnected_at = now
        connection.next_check_at = None
        connection.check_error = ""
        connection.save()
        audit_record(
            actor=actor,
            action="platform_disconnect",
            municipality=channel.municipality,
            obj=channel,
            data={"platform": connection.platform, "account_id": connection.account_id},
        )
        if unsubscribe:
            after_commit(platform_tasks.connection_unsubscribe, connection_id=connection.pk)
    connection.refresh_from_db()  # the task may have run on commit
    return connection


def _page_of(connection: PlatformConnection) -> str:
    """The Facebook Page whose app installation carries the account's webhooks (an
    Instagram account's are delivered only while its linked Page is subscribed)."""
    return connection.account_id if connection.platform == Platform.FACEBOOK else connection.page_id


def _page_still_used(connection: PlatformConnection) -> bool:
    """Does another live connection need the same Page subscribed (the Page's own
    channel, or an Instagram channel linked to it)?"""
    page = _page_of(connection)
    return (
        PlatformConnection.objects.exclude(pk=connection.pk)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .filter(
            Q(platform=Platform.FACEBOOK, account_id=page)
            | Q(platform=Platform.INSTAGRAM, page_id=page)
        )
        .exists()
    )


def _page_connector(connection: PlatformConnection) -> Any:
    """A Facebook connector for `_page_of(connection)` with the connection's token (for
    an Instagram account: the linked Page's token, which is what it holds)."""
    from ordstyrer.connectors.registry import get_connector

    config = {
        **graph_settings(),
        "page_id": _page_of(connection),
        "token_encrypted": connection.token_encrypted,
    }
    return get_connector(Platform.FACEBOOK, config)


def connection_unsubscribe(*, connection_id: int) -> str:
    """After a disconnect: take the app off the Page (`DELETE /{page}/subscribed_apps`,
    so Meta stops sending its changes), then forget the token, whatever the answer. A
    failure is shown on the channel's connection page, with what to do by hand. A Page
    another live connection needs (connected again meanwhile) keeps the app."""
    connection = PlatformConnection.objects.select_related("channel").get(pk=connection_id)
    if connection.status != ConnectionStatus.DISCONNECTED or not connection.token_encrypted:
        return "nothing"
    values: dict[str, Any]
    try:
        if _page_still_used(connection):
            result, values = "page_in_use", {"webhooks_subscribed": False}
        else:
            connector = _page_connector(connection)
            _setup_call(
                connection.channel_id, "unsubscribe_webhooks", connector.unsubscribe_webhooks
            )
            result, values = "ok", {"webhooks_subscribed": False}
    except ConnectorError as exc:
        result = "failed"
        values = {
            "check_error": _(
                "Appen kunne ikke fjernes fra siden (%(error)s). Fjern Ordstyrer under "
                "Forretningsintegrasjoner i sidens innstillinger hos Meta."
            )
            % {"error": safe_message(exc)}
        }
    # Only a connection still disconnected: one connected again meanwhile keeps its new token.
    PlatformConnection.objects.filter(
        pk=connection.pk, status=ConnectionStatus.DISCONNECTED
    ).update(token_encrypted="", **values)
    logger.info(
        "page unsubscribed after disconnect",
        extra={"channel_id": connection.channel_id, "result": result},
    )
    return result


def connection_flag_reauth(*, channel_id: int, message: str, now: datetime) -> bool:
    """Mark the channel's token dead (compare-and-set: only a connected one flips)."""
    with transaction.atomic():
        flipped = PlatformConnection.objects.filter(
            channel_id=channel_id, status=ConnectionStatus.CONNECTED
        ).update(
            status=ConnectionStatus.NEEDS_REAUTH,
            reauth_since=now,
            check_ok=False,
            check_error=message[:1000],
            checked_at=now,
            next_check_at=None,
        )
        if not flipped:
            return False
        channel = Channel.objects.select_related("municipality").get(pk=channel_id)
        audit_record(
            actor=None,
            action="platform_needs_reauth",
            municipality=channel.municipality,
            obj=channel,
            data={"message": message[:500]},
        )
        after_commit(platform_tasks.reauth_notify, channel_id=channel_id)
    logger.warning("platform token needs re-authorisation", extra={"channel_id": channel_id})
    return True


# --- work done in tasks -----------------------------------------------------------------


def _probe(connector: Any, channel_id: int) -> None:
    """The cheapest call that proves the token works."""
    if not hasattr(connector, "check_access"):
        connector.list_posts(limit=1)  # recorded by the connector
        return
    _setup_call(channel_id, "check_access", connector.check_access)


def _setup_call(channel_id: int, operation: str, call: Callable[[], Any]) -> Any:
    """Run one of a connector's set-up helpers (`check_access`, `subscribe_webhooks`,
    `unsubscribe_webhooks`: not capabilities, so the connector does not record them)
    and record it on the channel like every other call."""
    started = time.perf_counter()
    try:
        result = call()
    except ConnectorError as exc:
        record_call(
            channel_id=channel_id,
            outcome="error",
            capability=Capability.COMMENT_SOURCE,
            operation=operation,
            duration=time.perf_counter() - started,
            error=exc,
        )
        raise
    record_call(
        channel_id=channel_id,
        outcome="ok",
        capability=Capability.COMMENT_SOURCE,
        operation=operation,
        duration=time.perf_counter() - started,
        error=None,
    )
    return result


def connection_check(*, connection_id: int, now: datetime | None = None) -> str:
    """Token health: one cheap call. Dead token → needs re-authorisation (permanent
    `ConnectorError`, code needs_reauth); other failures are shown and checked again
    within the hour."""
    from ordstyrer.channels.platform import connector_for

    now = now or timezone.now()
    connection = PlatformConnection.objects.select_related("channel").get(pk=connection_id)
    if connection.status == ConnectionStatus.DISCONNECTED:
        return "disconnected"
    channel = connection.channel
    try:
        _probe(connector_for(channel), channel.pk)
    except ConnectorError as exc:
        if exc.code == ErrorCode.NEEDS_REAUTH:
            connection_flag_reauth(channel_id=channel.pk, message=safe_message(exc), now=now)
            return "needs_reauth"
        PlatformConnection.objects.filter(pk=connection.pk).update(
            checked_at=now,
            check_ok=False,
            check_error=safe_message(exc),
            next_check_at=now + (CHECK_EVERY if exc.permanent else RETRY_CHECK_AFTER),
        )
        return "error"
    PlatformConnection.objects.filter(pk=connection.pk).exclude(
        status=ConnectionStatus.DISCONNECTED
    ).update(
        status=ConnectionStatus.CONNECTED,
        checked_at=now,
        check_ok=True,
        check_error="",
        reauth_since=None,
        next_check_at=now + CHECK_EVERY,
    )
    return "ok"


def connection_verify(*, connection_id: int, now: datetime | None = None) -> str:
    """After connecting: resolve a system-user token to the Page token, learn its tasks
    and permissions, check it, and install the app on the Page for webhooks (for an
    Instagram account on its linked Page, without which Meta sends none)."""
    now = now or timezone.now()
    connection = PlatformConnection.objects.select_related("channel").get(pk=connection_id)
    if connection.status == ConnectionStatus.DISCONNECTED or not connection.token_encrypted:
        return "disconnected"
    if connection.method == ConnectionMethod.SYSTEM_USER and not connection.tasks_known:
        _resolve_system_user(connection)
    if not connection.scopes_known:
        _learn_scopes(connection)
    result = connection_check(connection_id=connection.pk, now=now)
    if result != "ok":
        return result
    if _page_of(connection):
        try:
            connector = _page_connector(connection)
            subscribed = _setup_call(
                connection.channel_id,
                "subscribe_webhooks",
                lambda: connector.subscribe_webhooks(("feed",)),
            )
        except ConnectorError as exc:
            PlatformConnection.objects.filter(pk=connection.pk).update(
                check_error=_("Kunne ikke abonnere på webhooks: %(error)s")
                % {"error": safe_message(exc)}
            )
            return "subscribe_failed"
        PlatformConnection.objects.filter(pk=connection.pk).update(webhooks_subscribed=subscribed)
    return "ok"


def _token(connection: PlatformConnection) -> SecretToken | None:
    try:
        return cipher().decrypt(connection.token_encrypted)
    except (ServiceError, TokenDecryptError):
        return None


def _resolve_system_user(connection: PlatformConnection) -> None:
    """A pasted system-user (or user) token lists its Pages with their tasks and Page
    tokens (`/me/accounts`); keep the Page's own token. A pasted Page token cannot list
    Pages: it is kept as it is and its tasks stay unknown."""
    token = _token(connection)
    if token is None:
        return
    try:
        pages = list_pages(token, **graph_settings())
    except ConnectorError:
        return
    page_id = connection.page_id or connection.account_id
    match = next((p for p in pages if p.id == page_id), None)
    if match is None:
        return
    PlatformConnection.objects.filter(pk=connection.pk).update(
        token_encrypted=cipher().encrypt(match.token),
        account_name=connection.account_name or match.name[:255],
        tasks=sorted(match.tasks),
        missing_tasks=match.missing_tasks(),
        tasks_known=True,
    )
    connection.refresh_from_db()


def _learn_scopes(connection: PlatformConnection) -> None:
    token = _token(connection)
    if token is None:
        return
    try:
        info = oauth.debug_token(token, **graph_settings())
    except ConnectorError:
        return
    PlatformConnection.objects.filter(pk=connection.pk).update(
        scopes=sorted(info.scopes),
        missing_scopes=oauth.missing_permissions(connection.platform, info.scopes),
        scopes_known=True,
    )
    connection.refresh_from_db()


def checks_sweep(*, now: datetime, limit: int = 200) -> int:
    """Claim connections due for their daily token check (compare-and-set on
    `next_check_at`, so several workers can run this) and queue one check each. Also
    forgets the token of a connection disconnected more than `UNSUBSCRIBE_GRACE` ago
    whose `connection_unsubscribe` never finished."""
    PlatformConnection.objects.filter(
        status=ConnectionStatus.DISCONNECTED, disconnected_at__lt=now - UNSUBSCRIBE_GRACE
    ).exclude(token_encrypted="").update(token_encrypted="")

    due = PlatformConnection.objects.filter(
        status=ConnectionStatus.CONNECTED, next_check_at__lte=now
    ).values_list("pk", "next_check_at")[:limit]
    claimed = 0
    for pk, at in list(due):
        with transaction.atomic():
            won = PlatformConnection.objects.filter(pk=pk, next_check_at=at).update(
                next_check_at=now + CHECK_EVERY
            )
            if won:
                claimed += 1
                after_commit(platform_tasks.connection_check_task, connection_id=pk)
    return claimed
