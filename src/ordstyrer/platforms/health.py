"""The health of a channel's platform connection: the token check, the webhook
subscription, and "needs re-authorisation".

A token that Graph calls dead (190/102/10 → `ErrorCode.NEEDS_REAUTH`), in the daily
check or in any other call, flags the connection "needs re-authorisation" at once: the
call log (`recording.record_call`) stores each call and returns it, and the recorder the
connectors get (`recorder_for`) decides what the outcome means for the connection.

A pasted token proves nothing about whose Page it is: its connection waits ("pending")
until `connection_verify` has seen the token manage that very Page or account, and only
then holds the id and gets its webhooks; a token that does not is refused and the
connection disconnected, with the reason on the connection page.

Platform calls happen in tasks (`connection_verify`, `connection_check`), never inside a
transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel
from ordstyrer.connectors.base import CallRecorder, ConnectorError, ErrorCode
from ordstyrer.connectors.facebook.onboarding import PageAccess, list_pages
from ordstyrer.connectors.graph.answers import PageInfo, parse
from ordstyrer.connectors.graph.client import GraphClient
from ordstyrer.connectors.graph.errors import POLICY_BLOCK_PAUSE
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.audit import audit_record
from ordstyrer.core.models import AuditEntry
from ordstyrer.core.services import after_commit
from ordstyrer.platforms import oauth
from ordstyrer.platforms import tasks as platform_tasks
from ordstyrer.platforms.models import (
    HOLDING,
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
        # Meta's own 368 only: the client's refusals while the write pause lasts carry no
        # platform code, so they tell nobody again.
        if error is not None and error.platform_code == POLICY_BLOCK_CODE:
            connection_flag_policy_block(channel_id=channel_id, now=call.at)

    return record


def connection_flag_reauth(*, channel_id: int, message: str, now: datetime) -> bool:
    """Mark the channel's token dead (compare-and-set: only a connected one flips) and
    tell its main administrators. Only an official channel's: a retired one cannot be
    connected again (`connections._guard`), so nobody could act on the notice."""
    with transaction.atomic():
        flipped = PlatformConnection.objects.filter(
            channel_id=channel_id,
            status=ConnectionStatus.CONNECTED,
            channel__status__in=workflow.OFFICIAL,
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


POLICY_BLOCK_CODE = 368  # Graph: "action deemed abusive" (spec §3.2)


def connection_flag_policy_block(*, channel_id: int, now: datetime) -> bool:
    """Meta stopped the channel's writes as abusive (368): tell its main administrators
    once per pause (spec §3.2 "alert a human"; CH-3). The audit entry is the record and
    the once: another worker's 368 within the pause finds it and sends nothing."""
    since = now - timedelta(seconds=POLICY_BLOCK_PAUSE)
    with transaction.atomic():
        channel = (
            Channel.objects.select_for_update().select_related("municipality").get(pk=channel_id)
        )
        if AuditEntry.objects.filter(
            action="platform_policy_block",
            object_type="Channel",
            object_id=str(channel_id),
            at__gte=since,
        ).exists():
            return False
        audit_record(
            actor=None,
            action="platform_policy_block",
            municipality=channel.municipality,
            obj=channel,
            data={"pause_seconds": POLICY_BLOCK_PAUSE},
        )
        after_commit(platform_tasks.policy_block_notify, channel_id=channel_id)
    logger.warning("platform blocked writes as abusive (368)", extra={"channel_id": channel_id})
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


# --- who holds a Page or account ---------------------------------------------------------


def holder_of(platform: str, account_id: str, *, besides: Channel) -> PlatformConnection | None:
    """The proven connection of another channel that holds this Page or account id (an
    unproven one holds nothing: whoever typed the id first must not lock out its owner)."""
    return (
        PlatformConnection.objects.filter(
            platform=platform, account_id=account_id, status__in=HOLDING
        )
        .exclude(channel=besides)
        .select_related("channel")
        .first()
    )


def already_taken(holder: PlatformConnection, channel: Channel) -> str:
    """Why `channel` cannot have the account `holder` holds. Another municipality's
    channel is not named: its name is that municipality's business."""
    if holder.channel.municipality_id == channel.municipality_id:
        return _("Denne siden eller kontoen er allerede koblet til kanalen «%(name)s».") % {
            "name": holder.channel.name
        }
    return _("Denne siden eller kontoen er allerede koblet til en kanal i en annen kommune.")


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
    if connection.status == ConnectionStatus.PENDING:
        return "pending"  # `connection_verify` proves it first
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
    PlatformConnection.objects.filter(pk=connection.pk, status__in=HOLDING).update(
        status=ConnectionStatus.CONNECTED,
        checked_at=now,
        check_ok=True,
        check_error="",
        reauth_since=None,
        next_check_at=now + CHECK_EVERY,
    )
    return "ok"


def connection_verify(*, connection_id: int, now: datetime | None = None) -> str:
    """After connecting: prove that a pasted token manages the account (`_prove`), learn
    its permissions, check it, and install the app on the Page for webhooks (for an
    Instagram account on its linked Page, without which Meta sends none)."""
    now = now or timezone.now()
    connection = PlatformConnection.objects.select_related("channel").get(pk=connection_id)
    if connection.status == ConnectionStatus.DISCONNECTED or not connection.token_encrypted:
        return "disconnected"
    if connection.status == ConnectionStatus.PENDING:
        proven = _prove(connection, now)
        if proven != "ok":
            return proven
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


def _prove(connection: PlatformConnection, now: datetime) -> str:
    """A pending connection: "ok" once the token is seen to manage the account (the
    connection then holds it), "refused" when it does not or another channel holds the
    account (disconnected, the reason on the page), "pending" when Meta could not be
    asked just now (again within the hour, `checks_sweep`), "stale" when the channel was
    connected anew meanwhile (that connection's own task proves it)."""
    token = stored_token(connection)
    if token is None:
        return _refuse(connection, _("Tokenet kunne ikke leses. Koble kanalen til på nytt."), now)
    try:
        proof = token_proof(
            platform=connection.platform,
            account_id=connection.account_id,
            page_id=connection.page_id,
            token=token,
            resolve=connection.method == ConnectionMethod.SYSTEM_USER
            and not connection.tasks_known,
        )
    except ConnectorError as exc:  # transient: the permanent ones are refusals
        _unchanged(connection).update(
            checked_at=now,
            check_ok=False,
            check_error=_(
                "Det er ikke bekreftet ennå at tokenet gjelder denne siden eller kontoen "
                "(%(error)s). Ordstyrer prøver igjen innen en time."
            )
            % {"error": safe_message(exc)},
            next_check_at=now + RETRY_CHECK_AFTER,
        )
        return "pending"
    if isinstance(proof, str):
        return _refuse(connection, proof, now)
    holder = holder_of(connection.platform, connection.account_id, besides=connection.channel)
    if holder is None:
        values: dict[str, Any] = {
            "status": ConnectionStatus.CONNECTED,
            "check_error": "",
            "token_encrypted": cipher().encrypt(proof.token),
            "page_id": proof.page_id,
            "account_name": connection.account_name or proof.account_name[:255],
        }
        if proof.tasks is not None:
            values.update(
                tasks=sorted(proof.tasks),
                missing_tasks=proof.missing_tasks,
                tasks_known=True,
            )
        try:
            with transaction.atomic():
                won = _unchanged(connection).update(**values)
        except IntegrityError:  # another channel's connection was proven a moment ago
            holder = holder_of(
                connection.platform, connection.account_id, besides=connection.channel
            )
            won = 0
        if won:
            connection.refresh_from_db()
            return "ok"
    if holder is None:
        return "stale"
    return _refuse(connection, already_taken(holder, connection.channel), now)


def _unchanged(connection: PlatformConnection) -> Any:
    """The connection's row while it is still the pending one read (not connected anew
    meanwhile: `connection_connect` stamps `connected_at` each time)."""
    return PlatformConnection.objects.filter(
        pk=connection.pk,
        status=ConnectionStatus.PENDING,
        connected_at=connection.connected_at,
    )


def _refuse(connection: PlatformConnection, reason: str, now: datetime) -> str:
    """Disconnect a pending connection whose token was not proven, forget the token and
    say why on the connection page."""
    with transaction.atomic():
        refused = _unchanged(connection).update(
            status=ConnectionStatus.DISCONNECTED,
            token_encrypted="",
            disconnected_at=now,
            next_check_at=None,
            checked_at=now,
            check_ok=False,
            check_error=reason[:1000],
        )
        if not refused:
            return "stale"
        channel = Channel.objects.select_related("municipality").get(pk=connection.channel_id)
        audit_record(
            actor=None,
            action="platform_connect_refused",
            municipality=channel.municipality,
            obj=channel,
            data={
                "platform": connection.platform,
                "account_id": connection.account_id,
                "reason": reason[:500],
            },
        )
    logger.warning("platform connection not proven, disconnected", extra={"channel_id": channel.pk})
    return "refused"


# --- proving that a token is the account's ----------------------------------------------


@dataclass(frozen=True)
class Proof:
    """What proved a token manages an account: the Page's own token (a system-user
    token swapped for it), the Page (an Instagram account's linked Page), the name, and
    the tasks when listed (None: a Page token, whose tasks are not shown)."""

    token: SecretToken
    page_id: str
    account_name: str
    tasks: frozenset[str] | None
    missing_tasks: list[str]


def token_proof(
    *, platform: str, account_id: str, page_id: str, token: SecretToken, resolve: bool
) -> Proof | str:
    """Prove that `token` manages the Page (or Instagram account) `account_id`, or say
    why not (Norwegian, for the connection page).

    With `resolve`, a system-user (or user) token is first swapped for the Page's own
    token from `/me/accounts`. Then `GET /me` with it must answer with the Page itself —
    only the Page's own token does; any valid token can read a public Page, so reading
    it proves nothing — and for Instagram the Page's linked account must be
    `account_id`. A transient `ConnectorError` is raised (ask again later)."""
    graph = graph_settings()
    listed = _listed(platform, account_id, page_id, token, graph) if resolve else None
    if listed is not None:
        token, page_id = listed.token, listed.id
    try:
        me = parse(PageInfo, _graph_client(token, graph).get("me", {"fields": "id,name"}), "side")
        if platform == Platform.FACEBOOK:
            account, name = me.id, me.name
        elif page_id and page_id != me.id:
            account, name = "", ""  # another Page's token
        else:
            found = oauth.instagram_account(token, me.id, **graph)
            account, name = found if found is not None else ("", "")
    except ConnectorError as exc:
        if not exc.permanent:
            raise
        return _(
            "Meta godtok ikke tokenet for denne siden eller kontoen (%(error)s). Kanalen er "
            "ikke koblet til: bruk et gyldig token, eller logg inn hos Meta."
        ) % {"error": safe_message(exc)}
    if account != account_id:
        return _(
            "Tokenet gjelder ikke siden eller kontoen %(id)s. Kanalen er ikke koblet til: "
            "bruk et token for riktig side eller konto, eller logg inn hos Meta."
        ) % {"id": account_id}
    return Proof(
        token=token,
        page_id=me.id,
        account_name=name,
        tasks=listed.tasks if listed is not None else None,
        missing_tasks=listed.missing_tasks() if listed is not None else [],
    )


def _graph_client(token: SecretToken, graph: dict[str, Any]) -> GraphClient:
    return GraphClient(
        token=token,
        app_secret=graph.get("app_secret"),
        base_url=graph["base_url"],
        version=graph["graph_version"],
    )


def _listed(
    platform: str, account_id: str, page_id: str, token: SecretToken, graph: dict[str, Any]
) -> PageAccess | None:
    """The Page a system-user (or user) token lists (`/me/accounts`, with its tasks and
    Page token) that the account is: the Page itself, or an Instagram account's linked
    Page (named, or the one whose Instagram account it is). A Page token lists none."""
    try:
        pages = list_pages(token, **graph)
    except ConnectorError as exc:
        if not exc.permanent:
            raise
        return None  # a Page token (or a dead one: `GET /me` says so)
    if platform == Platform.FACEBOOK or page_id:
        wanted = account_id if platform == Platform.FACEBOOK else page_id
        return next((p for p in pages if p.id == wanted), None)
    for page in pages:
        try:
            found = oauth.instagram_account(page.token, page.id, **graph)
        except ConnectorError as exc:
            if not exc.permanent:
                raise
            continue
        if found is not None and found[0] == account_id:
            return page
    return None


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
    `next_check_at`, so several workers can run this) and queue one check each; a
    pending one due (its proof failed for a moment) is verified again. A retired
    channel's connection is not checked: it is used no more (retiring in the console
    disconnects it, `channels.views._retire`; the same sweep disconnects any left,
    `connections.retired_connections_disconnect`)."""
    due = PlatformConnection.objects.filter(
        status__in=[ConnectionStatus.CONNECTED, ConnectionStatus.PENDING],
        next_check_at__lte=now,
        channel__status__in=workflow.OFFICIAL,
    ).values_list("pk", "status", "next_check_at")[:limit]
    claimed = 0
    for pk, status, at in list(due):
        with transaction.atomic():
            won = PlatformConnection.objects.filter(pk=pk, next_check_at=at).update(
                next_check_at=now + CHECK_EVERY
            )
            if won:
                claimed += 1
                # One not proven yet (Meta could not be asked, or its task never ran)
                # is verified, not merely checked.
                task = (
                    platform_tasks.connection_verify
                    if status == ConnectionStatus.PENDING
                    else platform_tasks.connection_check_task
                )
                after_commit(task, connection_id=pk)
    return claimed
