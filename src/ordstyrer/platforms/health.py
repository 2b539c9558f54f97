"""The health of a channel's platform connection: the token check, the webhook
subscription, and "needs re-authorisation".

A token that Graph calls dead (190/102/10 → `ErrorCode.NEEDS_REAUTH`), in the daily
check or in any other call, flags the connection "needs re-authorisation" at once: the
call log (`recording.record_call`) stores each call and returns it, and the recorder the
connectors get (`recorder_for`) decides what the outcome means for the connection.

Platform calls happen in tasks (`connection_verify`, `connection_check`), never inside a
transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels.models import Channel
from ordstyrer.connectors.base import CallRecorder, ConnectorError, ErrorCode
from ordstyrer.connectors.facebook.onboarding import list_pages
from ordstyrer.core.audit import audit_record
from ordstyrer.core.services import after_commit
from ordstyrer.platforms import oauth
from ordstyrer.platforms import tasks as platform_tasks
from ordstyrer.platforms.models import (
    ConnectionMethod,
    ConnectionStatus,
    Platform,
    PlatformConnection,
)
from ordstyrer.platforms.recording import graph_settings, record_call, safe_message
from ordstyrer.platforms.tokens import cipher, stored_token

logger = logging.getLogger("ordstyrer.platforms")

CHECK_EVERY = timedelta(days=1)
RETRY_CHECK_AFTER = timedelta(hours=1)


# --- the call log's outcomes ---------------------------------------------------------------


def recorder_for(channel: Any) -> CallRecorder:
    """The `CallRecorder` for one channel (`ORDSTYRER_CONNECTORS["RECORDER"]`): logs each
    call, and flags the connection the moment a call says the token is dead."""
    return _recorder(channel.pk)


def _recorder(channel_id: int) -> CallRecorder:
    def record(
        *,
        outcome: str,
        capability: Any,
        operation: str,
        duration: float,
        error: ConnectorError | None,
    ) -> None:
        call = record_call(
            channel_id=channel_id,
            outcome=outcome,
            capability=capability,
            operation=operation,
            duration=duration,
            error=error,
        )
        if call.error_code == ErrorCode.NEEDS_REAUTH:
            connection_flag_reauth(channel_id=channel_id, message=call.error_message, now=call.at)

    return record


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


# --- the Page that carries the webhooks ----------------------------------------------------


def page_of(connection: PlatformConnection) -> str:
    """The Facebook Page whose app installation carries the account's webhooks (an
    Instagram account's are delivered only while its linked Page is subscribed)."""
    return connection.account_id if connection.platform == Platform.FACEBOOK else connection.page_id


def page_connector(connection: PlatformConnection) -> Any:
    """A Facebook connector for `page_of(connection)` with the connection's token (for
    an Instagram account: the linked Page's token, which is what it holds); its calls
    are logged on the connection's channel."""
    from ordstyrer.connectors.registry import get_connector

    config = {
        **graph_settings(),
        "page_id": page_of(connection),
        "token_encrypted": connection.token_encrypted,
    }
    return get_connector(Platform.FACEBOOK, config, recorder=_recorder(connection.channel_id))


# --- work done in tasks -----------------------------------------------------------------


def _probe(connector: Any) -> None:
    """The cheapest call that proves the token works (recorded by the connector)."""
    if hasattr(connector, "check_access"):
        connector.check_access()
    else:
        connector.list_posts(limit=1)


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
        _probe(connector_for(channel))
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
    if page_of(connection):
        try:
            subscribed = page_connector(connection).subscribe_webhooks(("feed",))
        except ConnectorError as exc:
            PlatformConnection.objects.filter(pk=connection.pk).update(
                check_error=_("Kunne ikke abonnere på webhooks: %(error)s")
                % {"error": safe_message(exc)}
            )
            return "subscribe_failed"
        PlatformConnection.objects.filter(pk=connection.pk).update(webhooks_subscribed=subscribed)
    return "ok"


def _resolve_system_user(connection: PlatformConnection) -> None:
    """A pasted system-user (or user) token lists its Pages with their tasks and Page
    tokens (`/me/accounts`); keep the Page's own token. A pasted Page token cannot list
    Pages: it is kept as it is and its tasks stay unknown."""
    token = stored_token(connection)
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
    token = stored_token(connection)
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
    `next_check_at`, so several workers can run this) and queue one check each."""
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
