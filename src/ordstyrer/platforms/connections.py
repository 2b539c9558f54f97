"""Connecting a channel to its Page or Instagram account, and disconnecting it.

Writes follow the house template: `transaction.atomic` → channel row lock → permission
(CH-3: the channel's main administrator or communications, "manage") → rows → audit
entry → platform work queued on commit. The token check and the webhook subscription
that follow a connection are the connection's health (`platforms.health`), run in tasks,
never inside a transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel
from ordstyrer.channels.permissions import require_channel_role
from ordstyrer.channels.transitions import lock_channel
from ordstyrer.connectors.base import ConnectorError
from ordstyrer.connectors.facebook.onboarding import NEEDED_TASKS
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import Conflict, ServiceError, lazy_interpolate
from ordstyrer.core.services import after_commit, person
from ordstyrer.platforms import oauth
from ordstyrer.platforms import tasks as platform_tasks
from ordstyrer.platforms.health import (
    CHECK_EVERY,
    RETRY_CHECK_AFTER,
    already_taken,
    holder_of,
    page_connector,
    page_of,
    token_proof,
)
from ordstyrer.platforms.models import (
    HOLDING,
    ConnectionMethod,
    ConnectionStatus,
    Platform,
    PlatformConnection,
)
from ordstyrer.platforms.recording import safe_message
from ordstyrer.platforms.tokens import cipher

logger = logging.getLogger("ordstyrer.platforms")

# A disconnected Page keeps its token at most this long, to take the app off the Page.
UNSUBSCRIBE_GRACE = timedelta(hours=1)
MAX_ID = 64


def missing_tasks(tasks: list[str] | None) -> list[str]:
    """The Page tasks the product needs that the token lacks (MANAGE covers all)."""
    if tasks is None or "MANAGE" in tasks:
        return []
    return sorted({t for t in NEEDED_TASKS.values() if t not in tasks})


def _clean_id(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > MAX_ID or not value.replace("_", "").isalnum():
        raise ServiceError(
            lazy_interpolate(gettext_lazy("%(what)s er ikke en gyldig id."), {"what": what})
        )
    return value


def _guard(actor: ActorLike, channel: Channel, *, check_actor: bool = True) -> Channel:
    channel = lock_channel(channel)
    if check_actor:
        require_channel_role(actor, channel, "manage")
    if channel.kind not in Platform.values:
        raise ServiceError(gettext_lazy("Denne kanaltypen kobles ikke til Meta."))
    if channel.status not in workflow.OFFICIAL:
        raise ServiceError(
            gettext_lazy("Kanalen må være godkjent før den kobles til plattformen."), rule="CH-1"
        )
    return channel


class ConnectDetails(TypedDict, total=False):
    """What else is known when a channel is connected (`_connect` has the defaults)."""

    account_name: str
    page_id: str
    tasks: list[str] | None
    scopes: list[str] | None
    now: datetime | None


def connection_connect(
    *,
    actor: ActorLike,
    channel: Channel,
    account_id: str,
    token: SecretToken,
    method: str,
    **details: Unpack[ConnectDetails],
) -> PlatformConnection:
    """Store the channel's connection with the token encrypted, then verify it in a task.

    `tasks`/`scopes` are what Meta reported (None = not known yet; the verify task asks).
    Only the channel's main administrator or communications may (CH-3, "manage").
    `method="login"` is only for an account Meta listed for the person's Facebook Login
    (the choose page), with that account's own token: it holds the account at once. A
    pasted token (`system_user`) is stored pending: it routes no webhooks and holds the
    id against no other channel until `health.connection_verify` has seen it manage the
    account, and is disconnected with the reason when it does not.
    """
    return _connect(
        actor=actor,
        check_actor=True,
        channel=channel,
        account_id=account_id,
        token=token,
        method=method,
        **details,
    )


def connection_connect_system(
    *, channel: Channel, account_id: str, token: SecretToken, page_id: str = ""
) -> PlatformConnection:
    """IT operations connect a channel from the command line with a system-user token
    (`ordstyrer platform-connect`): whoever runs it already holds the installation's
    database and secrets, so no person's role is checked; the audit entry has no actor.

    The token is proven at once (`health.token_proof`, outside any transaction): one
    that does not manage the account is refused here, so the command says why. Should
    Meta not answer just now, the connection is stored pending and its task proves it.
    """
    if channel.kind not in Platform.values:
        raise ServiceError(gettext_lazy("Denne kanaltypen kobles ikke til Meta."))
    if not isinstance(token, SecretToken):
        raise TypeError("token must be a SecretToken")
    account_id = _clean_id(account_id, _("Kontoens id"))
    page_id = _clean_id(page_id, _("Sidens id")) if page_id else ""
    try:
        proof = token_proof(
            platform=channel.kind,
            account_id=account_id,
            page_id=page_id,
            token=token,
            resolve=True,
        )
    except ConnectorError:
        proof = None  # Meta could not be asked now: stored pending, proven by its task
    if isinstance(proof, str):
        raise ServiceError(proof)
    if proof is None:
        return _connect(
            actor=None,
            check_actor=False,
            channel=channel,
            account_id=account_id,
            token=token,
            method=ConnectionMethod.SYSTEM_USER,
            page_id=page_id,
        )
    return _connect(
        actor=None,
        check_actor=False,
        channel=channel,
        account_id=account_id,
        token=proof.token,
        method=ConnectionMethod.SYSTEM_USER,
        page_id=proof.page_id,
        account_name=proof.account_name,
        tasks=sorted(proof.tasks) if proof.tasks is not None else None,
        proven=True,
    )


def _connect(
    *,
    actor: ActorLike,
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
    proven: bool = False,
) -> PlatformConnection:
    if method not in ConnectionMethod.values:
        raise ServiceError(gettext_lazy("Ukjent tilkoblingsmåte."))
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
                lazy_interpolate(
                    gettext_lazy(
                        "Kanalen er registrert med plattform-id %(registered)s, men du valgte "
                        "%(chosen)s. Velg riktig side eller konto (CH-8)."
                    ),
                    {"registered": channel.platform_id, "chosen": account_id},
                ),
                rule="CH-8",
            )
        taken = holder_of(channel.kind, account_id, besides=channel)
        if taken is not None:
            raise ServiceError(already_taken(taken, channel))
        connection = PlatformConnection.objects.filter(channel=channel).first()
        if connection is None:
            connection = PlatformConnection(channel=channel)
        connection.platform = channel.kind
        connection.account_id = account_id
        connection.account_name = (account_name or "")[:255]
        # A Page's own connection is for that Page, whatever else was typed.
        connection.page_id = account_id if channel.kind == Platform.FACEBOOK else page_id
        connection.token_encrypted = encrypted
        connection.method = method
        # Chosen after Facebook Login, the account is one Meta listed for the person's
        # login, with its own token: proven. A pasted token proves nothing until
        # `connection_verify` has seen it manage the account: till then it routes
        # nothing and holds the id against no one.
        proven = proven or method == ConnectionMethod.LOGIN
        connection.status = ConnectionStatus.CONNECTED if proven else ConnectionStatus.PENDING
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
        connection.next_check_at = now + (CHECK_EVERY if proven else RETRY_CHECK_AFTER)
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


@dataclass(frozen=True, slots=True)
class DisconnectPreview:
    """What `connection_disconnect` will do, for its confirmation page."""

    connection: PlatformConnection
    # The app is taken off the Page (Meta stops sending its changes), then the token is
    # forgotten, at the latest after `UNSUBSCRIBE_GRACE`.
    takes_app_off: bool
    # The Page stays subscribed: another live connection needs it. The token goes at once.
    page_shared: bool


def connection_disconnect_preview(
    *, actor: ActorLike, channel: Channel
) -> DisconnectPreview | None:
    """The consequence of `connection_disconnect` as things stand (None: nothing to
    disconnect), from the same test `_disconnect` applies (`_takes_app_off`)."""
    require_channel_role(actor, channel, "manage")
    connection = PlatformConnection.objects.filter(channel=channel).first()
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return None
    subscribed = connection.webhooks_subscribed and bool(connection.token_encrypted)
    takes_app_off = _takes_app_off(connection)
    return DisconnectPreview(
        connection=connection,
        takes_app_off=takes_app_off,
        page_shared=subscribed and not takes_app_off,
    )


@dataclass(frozen=True, slots=True)
class ShownConnection:
    """The connection a disconnect confirmation showed (CH-3): the row, and when it was
    connected. The row is the channel's one connection, kept when it is connected again,
    so only both tell the connection shown from one made since."""

    id: int
    connected_at: datetime


class ConnectedSince(Conflict):
    """The channel was connected again after the confirmation was shown: nothing is
    disconnected."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Kanalen er koblet til på nytt etter at du åpnet bekreftelsen. Ingenting er "
                "koblet fra. Åpne bekreftelsen på nytt hvis den nye tilkoblingen skal kobles fra."
            ),
            rule="CH-3",
            code="stale",
        )


def connection_disconnect(
    *,
    actor: ActorLike,
    channel: Channel,
    now: datetime | None = None,
    shown: ShownConnection | None = None,
) -> PlatformConnection | None:
    """Stop routing the account's webhooks to the channel and forget the token.

    A connection whose Page Ordstyrer subscribed (its own, or an Instagram account's
    linked Page), when no other live connection needs that Page, keeps its token until
    `connection_unsubscribe` (queued on commit) has taken the app off the Page with it —
    at once when the worker runs, at the latest after `UNSUBSCRIBE_GRACE`
    (`checks_sweep`). Returns the connection as stored once committed (None: there was
    none to disconnect).

    `shown` is the connection the person confirmed to disconnect (CH-3): a connection
    made since (the channel disconnected and connected again while the confirmation
    stood open, then its form posted) is not theirs to cut off unseen — it raises
    `ConnectedSince` and nothing changes. Checked with the channel locked, as the
    connection is."""
    now = now or timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        if shown is not None:
            current = PlatformConnection.objects.filter(channel=channel).first()
            if (
                current is not None
                and current.status != ConnectionStatus.DISCONNECTED
                and (current.pk, current.connected_at) != (shown.id, shown.connected_at)
            ):
                raise ConnectedSince()
        connection = _disconnect(channel, actor=actor, now=now)
    if connection is not None:
        connection.refresh_from_db()  # the task may have run on commit
    return connection


def retired_connections_disconnect(*, now: datetime, limit: int = 100) -> int:
    """Disconnect what a retired channel still holds (a sweep; CH-1, CH-3): the console
    disconnects at once when it retires (`channels.views._retire`), but a channel
    retired any other way (the demo, a script, a console request cut off between the
    two steps) must not keep a platform token nor stay subscribed to its Page. The
    system does it, audited without a person."""
    ids = list(
        PlatformConnection.objects.exclude(status=ConnectionStatus.DISCONNECTED)
        .filter(channel__status=workflow.RETIRED)
        .values_list("channel_id", flat=True)[:limit]
    )
    done = 0
    for channel_id in ids:
        with transaction.atomic():
            channel = lock_channel(Channel.objects.get(pk=channel_id))
            if channel.status == workflow.RETIRED and _disconnect(channel, actor=None, now=now):
                done += 1
    return done


def _disconnect(channel: Channel, *, actor: ActorLike, now: datetime) -> PlatformConnection | None:
    """`connection_disconnect`'s rows, inside its transaction with the channel locked."""
    connection = PlatformConnection.objects.filter(channel=channel).first()
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return None
    unsubscribe = _takes_app_off(connection)
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
    return connection


def _takes_app_off(connection: PlatformConnection) -> bool:
    """Whether disconnecting takes the app off the Page before the token is forgotten:
    Ordstyrer subscribed it, holds the token to unsubscribe, and no other live
    connection needs the Page."""
    return (
        connection.webhooks_subscribed
        and bool(connection.token_encrypted)
        and not _page_still_used(connection)
    )


def _page_still_used(connection: PlatformConnection) -> bool:
    """Does another live connection need the same Page subscribed (the Page's own
    channel, or an Instagram channel linked to it)?"""
    page = page_of(connection)
    return (
        PlatformConnection.objects.exclude(pk=connection.pk)
        .filter(status__in=HOLDING)
        .filter(
            Q(platform=Platform.FACEBOOK, account_id=page)
            | Q(platform=Platform.INSTAGRAM, page_id=page)
        )
        .exists()
    )


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
            page_connector(connection).unsubscribe_webhooks()
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


def disconnected_tokens_forget(*, now: datetime) -> int:
    """Forget the token of a connection disconnected more than `UNSUBSCRIBE_GRACE` ago
    whose `connection_unsubscribe` never finished (a sweep)."""
    return (
        PlatformConnection.objects.filter(
            status=ConnectionStatus.DISCONNECTED, disconnected_at__lt=now - UNSUBSCRIBE_GRACE
        )
        .exclude(token_encrypted="")
        .update(token_encrypted="")
    )
