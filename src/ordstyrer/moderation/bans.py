"""Ban and unban a comment's author on one channel (MO-1, MO-4, MO-5).

A ban needs a ground from the municipality's list and a justification, like a deletion
("Terskelen for å slette kommentarer eller utestenge enkeltpersoner, skal være svært
høy", Indre Fosen). It is recorded in the archive as an internal note (X) in the same
transaction as its outbox row; the platform call and the notice to the author (MO-4)
run after commit.

Where the platform has no `Blocker` (Instagram: no API for it) the service refuses with
the connector's own explanation (`BLOCKING_UNSUPPORTED_NB`) unless the moderator says
the person was blocked in the platform's app (`manual=True`): then the ban is recorded
and the author told, without a platform call.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.archive.entry import ArchiveEntry, Kind
from ordstyrer.archive.services import archive_append
from ordstyrer.channels.models import Channel
from ordstyrer.connectors.base import Capability
from ordstyrer.connectors.registry import connector_class
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import Conflict, ServiceError
from ordstyrer.core.intents import clean_intent_key, first_on_replay
from ordstyrer.core.services import person
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.transitions import lock_item
from ordstyrer.moderation.access import require_moderate
from ordstyrer.moderation.actions import (
    NOTICE_KINDS,
    audit,
    guard_kind,
    intent_action,
    log_item,
    new_action,
    new_op,
    queue_notice,
    removal_checked,
    require_person,
    settings_for,
)
from ordstyrer.moderation.capture import author_of, ban_entry, system_author
from ordstyrer.moderation.grounds import clean_justification
from ordstyrer.moderation.models import (
    ActionKind,
    ActionStatus,
    ModerationAction,
    NoticeState,
    NoticeVia,
    OpKind,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.services import set_notice, wants_notice

IN_FORCE = (ActionStatus.QUEUED, ActionStatus.DONE, ActionStatus.RECORDED)


def platform_can_block(channel: Channel) -> bool:
    """Whether the channel's platform can ban through its API (declared capabilities;
    no platform call)."""
    declared: frozenset[Capability] = getattr(
        connector_class(channel.kind), "capabilities", frozenset()
    )
    return Capability.BLOCKER in declared


def blocking_unsupported_reason(channel: Channel) -> str:
    """The connector's own words on why it cannot ban (Instagram's constant)."""
    reason = getattr(connector_class(channel.kind), "blocking_unsupported_reason", None)
    return str(reason or _("Plattformen kan ikke utestenge personer gjennom API-et."))


def latest_ban(channel: Channel, author_platform_id: str) -> ModerationAction | None:
    """The author's latest ban on the channel or lifting of one, done or under way."""
    if not author_platform_id:
        return None
    return (
        ModerationAction.objects.filter(
            channel=channel,
            author_platform_id=author_platform_id,
            kind__in=(ActionKind.BAN, ActionKind.UNBAN),
            status__in=IN_FORCE,
        )
        .order_by("-requested_at", "-pk")
        .first()
    )


def ban_in_force(channel: Channel, author_platform_id: str) -> ModerationAction | None:
    """The author's latest ban on the channel, if it has not been lifted since."""
    latest = latest_ban(channel, author_platform_id)
    return latest if latest is not None and latest.kind == ActionKind.BAN else None


def under_way(action: ModerationAction) -> bool:
    """Whether a ban or its lifting is not finished on the platform: its call (block,
    unblock) has not been made yet — it may be waiting for a retry. The opposite act
    waits for it: the outbox runs each op on its own, so an unblock made before a
    pending block would be undone by it (the person blocked on the platform while
    Ordstyrer shows no ban). The ban's notice does not hold a lifting up: lifting the
    ban withdraws a notice that has not gone out (`_withdraw_notice`, MO-4)."""
    return action.status == ActionStatus.QUEUED


def guard_ban(item: InboxItem, *, manual: bool) -> bool:
    """Refuse a ban that cannot be made: of the municipality itself, from what is not a
    comment or post on the platform (`guard_kind`), of an unknown author, of someone
    banned already or whose ban is still being lifted (`under_way`), or on a platform
    that cannot ban unless it is recorded as done by hand (`manual`). Returns whether
    the platform can ban."""
    if item.from_page:
        raise ServiceError(gettext_lazy("Kommunen kan ikke utestenge seg selv."))
    guard_kind(item)
    if not item.author_platform_id:
        raise ServiceError(
            gettext_lazy("Vi vet ikke hvem som skrev kommentaren, så ingen kan utestenges.")
        )
    latest = latest_ban(item.channel, item.author_platform_id)
    if latest is not None and latest.kind == ActionKind.BAN:
        raise Conflict(gettext_lazy("Personen er allerede utestengt fra kanalen."), code="already")
    if latest is not None and under_way(latest):
        # A state the request cannot change (API 409), as `_unhide`'s "hide_running".
        raise Conflict(
            gettext_lazy("Opphevingen av utestengingen er ikke ferdig ennå; prøv igjen om litt."),
            code="unban_running",
        )
    can_block = platform_can_block(item.channel)
    if not can_block and not manual:
        raise ServiceError(blocking_unsupported_reason(item.channel), code="unsupported")
    return can_block


def _lock_item_and_channel(item: InboxItem) -> InboxItem:
    """The item locked, then its channel: bans are per (channel, author), so two
    moderators banning one person from two of their comments take turns here."""
    item = lock_item(item)
    Channel.objects.select_for_update().filter(pk=item.channel_id).values_list("pk").first()
    return item


def author_ban(
    *,
    actor: ActorLike,
    item: InboxItem,
    ground: str,
    justification: str,
    manual: bool = False,
    notify: bool | None = None,
    intent_key: str = "",
    now: datetime | None = None,
) -> ModerationAction:
    """Ban the author of `item` from its channel on an allowed ground (MO-1); a replayed
    `intent_key` returns the first ban."""
    now = now or timezone.now()
    require_person(actor, _("utestenge personer"))
    justification = clean_justification(justification, kind="ban")
    intent_key = clean_intent_key(intent_key)
    return _ban(
        item,
        actor=actor,
        ground=ground,
        justification=justification,
        manual=manual,
        notify=notify,
        intent_key=intent_key,
        now=now,
    )


@first_on_replay
def _ban(
    item: InboxItem,
    *,
    actor: ActorLike,
    ground: str,
    justification: str,
    manual: bool,
    notify: bool | None,
    intent_key: str,
    now: datetime,
) -> ModerationAction:
    with transaction.atomic():
        item = _lock_item_and_channel(item)
        policy = removal_checked(
            item, actor=actor, ground=ground, intent_key=intent_key, what=_("utestenge personer")
        )
        can_block = guard_ban(item, manual=manual)
        action = new_action(
            item=item,
            kind=ActionKind.BAN,
            status=ActionStatus.QUEUED if can_block else ActionStatus.RECORDED,
            actor=actor,
            now=now,
            ground=ground,
            justification=justification,
            intent_key=intent_key,
        )
        action.approved_by, action.approved_at = person(actor), now
        if not can_block:
            action.finished_at = now
        settings = settings_for(item.municipality)
        if wants_notice(settings, policy, notify):
            set_notice(action, item, policy, settings)
        deleted = (
            ModerationAction.objects.filter(item=item, kind=ActionKind.DELETE)
            .exclude(archive_record=None)
            .order_by("-pk")
            .first()
        )
        action.archive_record = archive_append(
            actor=user_of(actor),
            entry=ban_entry(
                action=action,
                item=item,
                refers_to=deleted.archive_record if deleted else None,
                manual=not can_block,
            ),
            now=now,
        )
        action.save()
        block = (
            new_op(action, OpKind.BLOCK, now=now, target=item.author_platform_id)
            if can_block
            else None
        )
        if action.notify:
            queue_notice(
                action,
                item,
                now=now,
                after=block,
                private=action.notice_via == NoticeVia.PRIVATE_REPLY,
            )
        log_item(
            item,
            "mod_ban",
            actor=actor,
            now=now,
            text=justification,
            data={"action_id": action.pk, "ground": ground, "manual": not can_block},
        )
        audit(action, "ban", actor=actor, manual=not can_block)
    return action


def author_unban(
    *,
    actor: ActorLike,
    item: InboxItem,
    justification: str = "",
    manual: bool = False,
    intent_key: str = "",
    now: datetime | None = None,
) -> ModerationAction:
    """Lift the ban on the author of `item`; recorded in the archive beside the ban. A
    replayed `intent_key` returns the first action."""
    now = now or timezone.now()
    require_person(actor, _("oppheve utestenging"))
    justification = " ".join(str(justification or "").split())[:2000]
    intent_key = clean_intent_key(intent_key)
    return _unban(
        item,
        actor=actor,
        justification=justification,
        manual=manual,
        intent_key=intent_key,
        now=now,
    )


@first_on_replay
def _unban(
    item: InboxItem,
    *,
    actor: ActorLike,
    justification: str,
    manual: bool,
    intent_key: str,
    now: datetime,
) -> ModerationAction:
    with transaction.atomic():
        item = _lock_item_and_channel(item)
        require_moderate(actor, item.channel)
        if (first := intent_action(item, intent_key)) is not None:
            return first
        ban = ban_in_force(item.channel, item.author_platform_id)
        if ban is None:
            raise Conflict(gettext_lazy("Personen er ikke utestengt fra kanalen."), code="already")
        if under_way(ban):
            raise Conflict(
                gettext_lazy("Utestengingen er ikke ferdig ennå; prøv igjen om litt."),
                code="ban_running",
            )
        can_block = platform_can_block(item.channel)
        if not can_block and not manual:
            raise ServiceError(blocking_unsupported_reason(item.channel), code="unsupported")
        withdrawn = _withdraw_notice(ban, now=now)
        action = new_action(
            item=item,
            kind=ActionKind.UNBAN,
            status=ActionStatus.QUEUED if can_block else ActionStatus.RECORDED,
            actor=actor,
            now=now,
            justification=justification,
            intent_key=intent_key,
        )
        if not can_block:
            action.finished_at = now
        text = _("Utestengingen av %(who)s fra %(channel)s er opphevet.") % {
            "who": item.author_name or item.author_platform_id,
            "channel": item.channel.name,
        }
        if withdrawn:
            unsent = _("Beskjeden om utestengingen hadde ikke nådd personen og blir ikke sendt.")
            text = f"{text} {unsent}"
        action.archive_record = archive_append(
            actor=user_of(actor),
            entry=ArchiveEntry(
                municipality=item.municipality,
                kind=Kind.MODERATION_NOTE,
                text=f"{text} {justification}".strip(),
                author=system_author(item),
                recipient=author_of(item),  # whom it is about: screened (AR-2)
                title=f"Utestenging av {item.author_name or 'forfatteren'} fra "
                f"{item.channel.name} opphevet",
                channel=item.channel,
                item_id=item.platform_id,
                action="note",
                justification=justification,
                journal=True,
                direction="X",
                refers_to=ban.archive_record,
                idempotency_key=f"moderation:unban:{action.pk}",
                extra={
                    "moderation_action_id": action.pk,
                    "manual": not can_block,
                    "notice_withdrawn": withdrawn,
                },
            ),
            now=now,
        )
        action.save()
        if can_block:
            new_op(action, OpKind.UNBLOCK, now=now, target=item.author_platform_id)
        log_item(
            item,
            "mod_unban",
            actor=actor,
            now=now,
            text=justification,
            data={"action_id": action.pk, "notice_withdrawn": withdrawn},
        )
        audit(action, "unban", actor=actor, manual=not can_block, notice_withdrawn=withdrawn)
    return action


# A ban's notice that has not reached the person (MO-4): waiting for the block, due,
# waiting for a retry or for the crisis leader (PU-12), or failed and waiting for
# someone to follow it up.
UNSENT = (NoticeState.QUEUED, NoticeState.AWAITING_CRISIS_APPROVAL, NoticeState.FAILED)


def _withdraw_notice(ban: ModerationAction, *, now: datetime) -> bool:
    """Lifting a ban withdraws its notice if it has not gone out: «you are banned» must
    not reach a person whose ban is lifted (MO-4). One already sent, or given by hand,
    stays as it is (its U record in the archive). Returns whether one was withdrawn.

    A notice a worker is sending right now (`running`) cannot be called back: the
    lifting is refused for the moment that takes, and rolled back. The outbox rows are
    cancelled compare-and-set, first without the ban's row lock: a worker recording a
    sent notice holds the notice's row and then waits for the ban's (`effects`), so the
    lock is taken only once no notice is on its way. Then again under the lock, for a
    notice that `notice_retry` (which takes that lock) queued in between."""
    _cancel_notice_ops(ban, now=now)
    ban = ModerationAction.objects.select_for_update(of=("self",)).get(pk=ban.pk)
    _cancel_notice_ops(ban, now=now)
    if ban.notice_state not in UNSENT:
        return False
    ban.notice_state, ban.notice_updated_at = NoticeState.CANCELLED, now
    ban.save(update_fields=["notice_state", "notice_updated_at"])
    return True


def _cancel_notice_ops(ban: ModerationAction, *, now: datetime) -> None:
    notices = PlatformOp.objects.filter(action_id=ban.pk, kind__in=NOTICE_KINDS)
    notices.filter(status__in=(OpStatus.PENDING, OpStatus.WAITING, OpStatus.HELD)).update(
        status=OpStatus.CANCELLED,
        done_at=now,
        last_error=_("Utestengingen ble opphevet før beskjeden var sendt, så den sendes ikke."),
    )
    if notices.filter(status=OpStatus.RUNNING).exists():
        raise Conflict(
            gettext_lazy("Beskjeden om utestengingen sendes akkurat nå. Prøv igjen om litt."),
            rule="MO-4",
            code="notice_sending",
        )
