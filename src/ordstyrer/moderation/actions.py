"""Shared steps of the moderation services: settings, action and outbox rows, the item's
timeline and the audit log. Callers hold `transaction.atomic` and the item's row lock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import Conflict, ServiceError, lazy_interpolate
from ordstyrer.core.intents import Replayed
from ordstyrer.core.services import after_commit, person
from ordstyrer.formats import norwegian_datetime
from ordstyrer.inbox.models import InboxItem, ItemKind
from ordstyrer.inbox.transitions import log_event
from ordstyrer.moderation.access import require_remove
from ordstyrer.moderation.grounds import require_ground
from ordstyrer.moderation.models import (
    ActionKind,
    ActionStatus,
    ModerationAction,
    ModerationSettings,
    NoticeDelivery,
    OpKind,
    OpStatus,
    PlatformOp,
)
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def settings_for(municipality: Municipality) -> ModerationSettings:
    """The municipality's moderation settings (the defaults until someone saves them)."""
    found = ModerationSettings.objects.filter(municipality=municipality).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ModerationSettings.objects.create(municipality=municipality)
    except IntegrityError:  # created by a concurrent request
        return ModerationSettings.objects.get(municipality=municipality)


def settings_or_default(municipality: Municipality) -> ModerationSettings:
    """The saved settings, or unsaved defaults (for pages: a read never writes)."""
    found = ModerationSettings.objects.filter(municipality=municipality).first()
    return found if found is not None else ModerationSettings(municipality=municipality)


def require_person(actor: ActorLike, what: str) -> User:
    """Deleting and banning is a person's decision, never a rule's (MO-1; HS-02).
    Returns the person."""
    user = user_of(actor)
    if user is None or not getattr(user, "is_authenticated", False):
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "Bare en person kan %(what)s; automatiske regler kan bare skjule eller flagge."
                ),
                {"what": what},
            ),
            rule="MO-1",
            code="person_required",
        )
    return user


# What a Page can hide and delete on the platform, and ban the author of (MO-1, MO-6):
# comments, replies and visitors' posts. A Messenger message cannot be hidden or deleted
# through the API, and an employee's report (DI-11) carries an id of Ordstyrer's own that
# no platform knows: "deleting" either would find nothing, take that for "already gone"
# and archive a deletion that never happened (MO-2, AR-3).
MODERATED_KINDS = frozenset({ItemKind.COMMENT, ItemKind.REPLY, ItemKind.VISITOR_POST})


def moderated_kind(item: InboxItem) -> bool:
    """Whether `item` is something on the platform that moderation can act on."""
    return item.kind in MODERATED_KINDS


def guard_kind(item: InboxItem) -> None:
    """Refuse to hide, delete or ban from what is not a comment or post on the platform."""
    if moderated_kind(item):
        return
    if item.kind == ItemKind.REPORT:
        raise ServiceError(
            gettext_lazy(
                "Dette er en ansatts melding om en ytring, ikke selve ytringen på plattformen, "
                "så det er ingenting her å skjule, slette eller utestenge. Moderer kommentaren "
                "det gjelder, fra dens egen side i innboksen."
            ),
            code="not_on_platform",
        )
    raise ServiceError(
        gettext_lazy(
            "Private meldinger kan ikke skjules eller slettes gjennom plattformen, og "
            "avsenderen kan ikke utestenges herfra."
        ),
        code="not_on_platform",
    )


def guard_item(item: InboxItem) -> None:
    """Only citizens' comments (and posts) still on the platform can be moderated."""
    if item.from_page:
        raise ServiceError(gettext_lazy("Kommunens egne kommentarer modereres ikke her."))
    guard_kind(item)
    if item.removed_at is not None:
        raise Conflict(
            lazy_interpolate(
                gettext_lazy("Kommentaren er ikke lenger på plattformen (fjernet %(when)s)."),
                {"when": norwegian_datetime(item.removed_at)},
            ),
            code="gone",
        )
    if not item.platform_id:
        raise ServiceError(gettext_lazy("Kommentaren har ingen id på plattformen."))


def open_action(item: InboxItem, kind: str) -> ModerationAction | None:
    return (
        ModerationAction.objects.filter(
            item=item, kind=kind, status__in=(ActionStatus.PENDING_APPROVAL, ActionStatus.QUEUED)
        )
        .order_by("-pk")
        .first()
    )


def new_action(
    *,
    item: InboxItem,
    kind: str,
    status: str,
    actor: ActorLike,
    now: datetime,
    ground: str = "",
    justification: str = "",
    automatic: bool = False,
    rule: str = "",
    intent_key: str = "",
) -> ModerationAction:
    """The action row. A concurrent post of the same intent (`intent_key`) raises
    `Replayed` with the first action; another deletion of the item is refused."""
    try:
        with transaction.atomic():
            return ModerationAction.objects.create(
                municipality_id=item.municipality_id,
                channel_id=item.channel_id,
                item=item,
                kind=kind,
                status=status,
                ground=ground,
                justification=justification,
                automatic=automatic,
                rule=rule,
                requested_by=person(actor),
                requested_at=now,
                target_platform_id=item.platform_id,
                author_platform_id=item.author_platform_id,
                author_name=item.author_name,
                intent_key=intent_key,
            )
    except IntegrityError:
        first = intent_action(item, intent_key)
        if first is not None:  # moderation_one_action_per_intent: the same post, twice
            raise Replayed(first) from None
        # moderation_one_deletion_per_item: a concurrent request got there first.
        raise Conflict(
            gettext_lazy("Kommentaren er allerede slettet eller under sletting."), code="duplicate"
        ) from None


def intent_action(item: InboxItem, intent_key: str) -> ModerationAction | None:
    """The action already taken for this form post on this item, if any (`core.intents`)."""
    if not intent_key:
        return None
    return ModerationAction.objects.filter(
        municipality_id=item.municipality_id, item_id=item.pk, intent_key=intent_key
    ).first()


def removal_checked(
    item: InboxItem, *, actor: ActorLike, ground: str, intent_key: str, what: str
) -> Any:
    """Inside a deletion's or ban's transaction, the item locked: the municipality's
    policy, once the actor may remove there (CH-3, MO-5), the intent is new (a replay
    raises `Replayed` with the first action) and the ground is allowed (MO-1)."""
    policy = policy_for(municipality=item.municipality)
    require_remove(actor, item.channel, policy)
    if (first := intent_action(item, intent_key)) is not None:
        raise Replayed(first)
    require_ground(policy, ground, what=what)
    return policy


def new_op(
    action: ModerationAction,
    kind: str,
    *,
    now: datetime,
    target: str,
    text: str = "",
    after: PlatformOp | None = None,
) -> PlatformOp:
    """An outbox row; enqueued after commit unless it waits for `after`."""
    op = PlatformOp.objects.create(
        action=action,
        channel_id=action.channel_id,
        kind=kind,
        target=target,
        text=text,
        status=OpStatus.WAITING if after is not None else OpStatus.PENDING,
        after=after,
        created_at=now,
        next_attempt_at=None if after is not None else now,
    )
    if after is None:
        enqueue(op)
    return op


NOTICE_KINDS = (OpKind.NOTICE, OpKind.PRIVATE_NOTICE)


def private_notice_possible(channel: Any) -> bool:
    """Whether the channel's platform can send a private reply to a commenter (declared
    capabilities; no platform call)."""
    from ordstyrer.connectors.base import Capability
    from ordstyrer.connectors.registry import connector_class

    declared: frozenset[Capability] = getattr(
        connector_class(channel.kind), "capabilities", frozenset()
    )
    return Capability.PRIVATE_REPLIER in declared


# MO-4: Meta sends a private reply only within 7 days of the comment (Facebook's and
# Instagram's Private Replies, "must be sent within 7 days from when the comment was
# created"); after that the author is told publicly.
PRIVATE_REPLY_WINDOW = timedelta(days=7)


def written_at(item: InboxItem) -> datetime:
    """When the author wrote the comment: the platform's own time, as the conversation
    and the archive record show it; when the product received it only if the platform
    gave none (`received_at` is when Ordstyrer fetched it, often later)."""
    return item.platform_created_at or item.received_at


def private_reply_too_late(item: InboxItem, *, now: datetime) -> bool:
    """Whether the platform's window for a private reply to `item` has closed (MO-4)."""
    return now - written_at(item) >= PRIVATE_REPLY_WINDOW


def notice_route(item: InboxItem, settings: Any, *, now: datetime) -> tuple[bool, str]:
    """How the notice to `item`'s author goes (MO-4, #15): privately (True) where the
    municipality wants that, the platform sends private replies and the comment is
    within their window; else publicly, with why when a private reply was wanted but
    the comment is too old for one (the action's `notice_note`)."""
    if settings.notice_delivery != NoticeDelivery.PRIVATE_REPLY or not (
        private_notice_possible(item.channel)
    ):
        return False, ""
    if private_reply_too_late(item, now=now):
        days = PRIVATE_REPLY_WINDOW.days
        return False, _(
            "Offentlig fordi kommentaren var mer enn %(days)s dager gammel: plattformen "
            "tillater et privat svar bare de første %(days)s dagene etter kommentaren."
        ) % {"days": days}
    return True, ""


def queue_notice(
    action: ModerationAction,
    item: InboxItem,
    *,
    now: datetime,
    private: bool,
    after: PlatformOp | None = None,
) -> PlatformOp:
    """The notice's outbox row (MO-4): a private message to the comment's author, or a
    public comment on the post; the action's notice state becomes `queued`."""
    from ordstyrer.moderation.models import NoticeState, NoticeVia

    op = new_op(
        action,
        OpKind.PRIVATE_NOTICE if private else OpKind.NOTICE,
        now=now,
        target=item.platform_id if private else item.post_id,
        text=action.notice_text,
        after=after,
    )
    action.notice_state = NoticeState.QUEUED
    action.notice_via = NoticeVia.PRIVATE_REPLY if private else NoticeVia.PUBLIC_REPLY
    action.notice_error, action.notice_updated_at = "", now
    action.save(update_fields=["notice_state", "notice_via", "notice_error", "notice_updated_at"])
    return op


def enqueue(op: PlatformOp) -> None:
    """Run the op after commit; the outbox sweep picks it up if the task is lost."""
    from ordstyrer.moderation import tasks

    after_commit(tasks.platform_op_run, op_id=op.pk)


def log_item(
    item: InboxItem,
    code: str,
    *,
    actor: ActorLike,
    now: datetime,
    text: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    log_event(item, action=code, actor=actor, now=now, text=text, data=data or {}, audit=False)


def audit(action: ModerationAction, verb: str, *, actor: ActorLike, **data: Any) -> None:
    audit_record(
        actor=actor,
        action=f"moderation_{verb}",
        municipality=action.municipality,
        obj=action,
        data={
            "kind": action.kind,
            "item_id": action.item_id,
            "channel_id": action.channel_id,
            "ground": action.ground,
            "status": action.status,
            **data,
        },
    )


MAIN_OPS = {
    ActionKind.HIDE: OpKind.HIDE,
    ActionKind.UNHIDE: OpKind.UNHIDE,
    ActionKind.DELETE: OpKind.DELETE,
    ActionKind.BAN: OpKind.BLOCK,
    ActionKind.UNBAN: OpKind.UNBLOCK,
}
