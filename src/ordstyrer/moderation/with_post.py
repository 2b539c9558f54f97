"""Telling the authors of the comments that go with the municipality's own post (MO-4).

Taking a post down (PU-6, `publishing.media.post_take_down`) deletes the citizens'
comments under it on the platform. Nobody judged them, yet whoever has something
deleted is told why (MO-4; Indre Fosen: «Hvis du … sletter det vedkommende har
skrevet, må du informere personen om hvorfor»). They are told as a moderation deletion
tells its author: by the outbox (`outbox.py`), with a text of their own
(`notices.render_with_post_notice`), one `ModerationAction` of kind `with_post` per
comment carrying the notice, its `archive_record` the comment's record (MO-2).

- Who: as for a deletion (`services.wants_notice`): always where MO-4 applies,
  elsewhere as the municipality's moderation settings say.
- How: only a private reply reaches them (Facebook's and Instagram's Private Replies):
  a reply under the comment or a comment on the post is deleted with the post. So the
  notice goes where the municipality sends notices privately, the platform sends
  private replies and the comment is within their 7 days (as `actions.notice_route`
  decides for a deletion); otherwise its author cannot be told, and the take-down's
  confirmation and the archive say why (`REASONS`).
- When: before the post, and so the comment, is gone — a private reply needs the
  comment. The take-down worker waits until every notice under the copy is sent or has
  failed for good (`waiting`, `publishing.delivery.take_down_run`), but never longer
  than `WAIT` after the take-down was decided: a notice still unsent then is withdrawn
  and recorded as not sent (`give_up`), and the post is deleted.
- In a crisis (PU-12) the outbox holds the notice for the crisis leader, as it holds
  every notice (`crisis_notices`, a30bcd4). As a deletion does not wait for the crisis
  leader there, the take-down waits for them no longer than `WAIT` either: a notice not
  approved by then is withdrawn, and the archive says the crisis leader had not
  approved it.

The archive says, beside each comment's record, whether and when its author was told:
the notice as it went out (U, `effects._notice_sent`), a note that it failed or was
withdrawn (X, `effects.failed`), or a note why the author could not be told (X,
`note_not_told`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike
from ordstyrer.moderation.models import (
    ActionKind,
    ActionStatus,
    ModerationAction,
    NoticeDelivery,
    NoticeState,
    OpKind,
    OpStatus,
    PlatformOp,
)

# How long a take-down waits for its notices at most, from its decision (the copy's
# claim). Well inside `publishing.delivery.STALE_CLAIM`: the console does not offer to
# take the post down again while its notices are on their way. The crisis leader's page
# of held notices and its e-mail say it in words (`crisis_notices`, `views`).
WAIT = timedelta(minutes=10)
# A notice before it is sent: queued, or held for the crisis leader (PU-12).
UNSENT = (NoticeState.QUEUED, NoticeState.AWAITING_CRISIS_APPROVAL)
# Its outbox row before a worker has claimed it: what `give_up` can still withdraw.
UNCLAIMED = (OpStatus.WAITING, OpStatus.PENDING, OpStatus.HELD)

# Why an author cannot be told (MO-4): on the confirmation page and in the archive.
REASONS = {
    "off": gettext_lazy("kommunen har slått av beskjeder til forfatterne i innstillingene"),
    "public_only": gettext_lazy(
        "kommunen sender beskjeder bare som offentlig kommentar, og en kommentar på "
        "innlegget slettes med det"
    ),
    "no_private": gettext_lazy(
        "plattformen kan ikke sende private meldinger, og en kommentar på innlegget slettes med det"
    ),
    "too_old": gettext_lazy(
        "kommentaren er mer enn 7 dager gammel, og plattformen tillater en privat melding "
        "bare de første 7 dagene"
    ),
    "late": gettext_lazy(
        "kommentaren kom mens innlegget ble slettet, så det var ikke tid til å sende en beskjed"
    ),
}


def why_not_told(item: Any, *, policy: Any, settings: Any, now: datetime) -> str:
    """Why `item`'s author cannot be told (a key of `REASONS`), or "" when a private
    reply can tell them."""
    from ordstyrer.moderation.actions import private_notice_possible, private_reply_too_late
    from ordstyrer.moderation.services import wants_notice

    if not wants_notice(settings, policy, None):
        return "off"
    if settings.notice_delivery != NoticeDelivery.PRIVATE_REPLY:
        return "public_only"
    if not private_notice_possible(item.channel):
        return "no_private"
    if private_reply_too_late(item, now=now):
        return "too_old"
    return ""


@dataclass
class Plan:
    """What a take-down will do about the authors of the comments going with the post
    (MO-4): what its confirmation states."""

    told: int = 0  # told in a private message before the post is deleted
    not_told: list[tuple[str, int]] = field(default_factory=list)  # (why, how many)
    crisis: bool = False  # the notices wait for the crisis leader (PU-12)
    wait_minutes: int = int(WAIT.total_seconds() // 60)


def plan(items: list[Any], *, municipality: Any, now: datetime) -> Plan:
    """How the authors of `items` (the comments going with a post) will be told, or
    why not, as `tell_authors` will decide it. A comment archived already (a take-down
    tried again) had its author's notice decided then: it is not counted again."""
    from ordstyrer.archive.models import ArchiveRecord
    from ordstyrer.moderation.actions import settings_or_default
    from ordstyrer.moderation.crisis_notices import notice_crisis
    from ordstyrer.tenants.selectors import policy_for

    keys = {f"publishing:take-down:comment:{item.pk}": item for item in items}
    done = set(
        ArchiveRecord.objects.filter(
            municipality=municipality, idempotency_key__in=list(keys)
        ).values_list("idempotency_key", flat=True)
    )
    items = [item for key, item in keys.items() if key not in done]
    if not items:
        return Plan()
    policy = policy_for(municipality=municipality)
    settings = settings_or_default(municipality)
    reasons = Counter(why_not_told(i, policy=policy, settings=settings, now=now) for i in items)
    told = reasons.pop("", 0)
    return Plan(
        told=told,
        not_told=[(str(REASONS[why]), count) for why, count in reasons.items()],
        crisis=bool(told) and notice_crisis(municipality) is not None,
    )


def tell_authors(
    archived: list[tuple[Any, Any]], *, actor: ActorLike, reason: str, now: datetime
) -> int:
    """Inside the take-down's transaction, for each (comment, its archive record) just
    archived: queue the private notice to its author (sent after commit by the outbox,
    before the post is deleted), or note in the archive why they cannot be told. Once
    per comment: called for the comments archived now. How many will be told."""
    from ordstyrer.moderation.actions import new_action, queue_notice, settings_for
    from ordstyrer.moderation.services import notice_for
    from ordstyrer.tenants.selectors import policy_for

    if not archived:
        return 0
    municipality = archived[0][0].municipality  # one post's comments: one municipality
    policy = policy_for(municipality=municipality)
    settings = settings_for(municipality)
    told = 0
    for item, record in archived:
        why = why_not_told(item, policy=policy, settings=settings, now=now)
        if why:
            note_not_told(item, record=record, actor=actor, why=why, now=now)
            continue
        action = new_action(
            item=item,
            kind=ActionKind.WITH_POST,
            status=ActionStatus.QUEUED,
            actor=actor,
            now=now,
            justification=reason,
        )
        notice = notice_for(
            kind=ActionKind.WITH_POST,
            item=item,
            ground="",
            policy=policy,
            settings=settings,
            private=True,
        )
        action.notify, action.archive_record = True, record
        action.notice_text, action.notice_language = notice.text, notice.language
        action.save(update_fields=["notify", "archive_record", "notice_text", "notice_language"])
        queue_notice(action, item, now=now, private=True)
        told += 1
    return told


def note_not_told(item: Any, *, record: Any, actor: ActorLike, why: str, now: datetime) -> None:
    """The internal note (X) beside the comment's record that its author is not told
    why it is deleted, and why not (MO-4; AR-3: the archive claims no more than
    happened). Once per comment (its idempotency key). Archive content is Bokmål."""
    from ordstyrer.archive.entry import ArchiveEntry, Kind
    from ordstyrer.archive.services import archive_append
    from ordstyrer.moderation.capture import author_of, system_author

    with translation.override("nb"):
        because = str(REASONS[why])
    who = item.author_name or "forfatteren"
    archive_append(
        actor=actor,
        entry=ArchiveEntry(
            municipality=item.municipality,
            kind=Kind.MODERATION_NOTE,
            text=(
                f"Forfatteren får ikke beskjed om hvorfor kommentaren slettes (MO-4): "
                f"{because}. Kommentaren slettes sammen med innlegget den står under, som "
                f"kommunen tar ned (PU-6)."
            ),
            author=system_author(item),
            recipient=author_of(item),
            title=f"Ikke gitt beskjed om sletting (MO-4) – {who} på {item.channel.name}",
            channel=item.channel,
            post_id=item.post_id,
            item_id=item.platform_id,
            action="note",
            journal=True,
            direction="X",
            refers_to=record,
            idempotency_key=f"publishing:take-down:not-told:{item.pk}",
            extra={"capture": "inbox", "author_told": False, "why": why},
        ),
        now=now,
    )


def under(*, channel_id: int, post_id: str) -> QuerySet[ModerationAction]:
    """The notices to the authors of the comments under one copy of a post."""
    return ModerationAction.objects.filter(
        kind=ActionKind.WITH_POST, channel_id=channel_id, item__post_id=post_id
    )


def waiting(actions: QuerySet[ModerationAction]) -> bool:
    """Whether any of these notices is still on its way (queued, retrying after a
    transient error, or held for the crisis leader)."""
    return actions.filter(notice_state__in=UNSENT).exists()


def give_up(actions: QuerySet[ModerationAction], *, now: datetime, why: str = "") -> int:
    """Withdraw the notices of `actions` not yet sent and not in a worker's hands: the
    post is deleted without waiting for them any longer, and a private reply to a
    deleted comment cannot go. Each is recorded as failed with why (MO-4: on the item
    and the start page, where it can still be given another way; the archive's note,
    `outbox.notice_withdraw`). One a worker is sending records its own outcome. How many
    were withdrawn."""
    from ordstyrer.moderation.outbox import notice_withdraw

    minutes = int(WAIT.total_seconds() // 60)
    ops = PlatformOp.objects.filter(
        action__in=actions.filter(notice_state__in=UNSENT),
        kind__in=(OpKind.NOTICE, OpKind.PRIVATE_NOTICE),
        status__in=UNCLAIMED,
    ).order_by("pk")
    withdrawn = 0
    for op_id, status in ops.values_list("pk", "status"):
        if why:
            error = why
        elif status == OpStatus.HELD:
            error = _(
                "Kriselederen hadde ikke godkjent beskjeden (PU-12) da innlegget ble slettet. "
                "Ordstyrer ventet i %(minutes)s minutter før innlegget ble slettet."
            ) % {"minutes": minutes}
        else:
            error = _(
                "Beskjeden var ikke sendt da innlegget ble slettet. Ordstyrer ventet i "
                "%(minutes)s minutter før innlegget ble slettet."
            ) % {"minutes": minutes}
        withdrawn += notice_withdraw(op_id, error=error, now=now)
    return withdrawn


def gone(item_ids: Iterable[int], *, now: datetime) -> None:
    """The comments are gone from the platform with the post: their notices' actions
    are done (the notice keeps its own state)."""
    ModerationAction.objects.filter(
        kind=ActionKind.WITH_POST, item_id__in=list(item_ids), status=ActionStatus.QUEUED
    ).update(status=ActionStatus.DONE, finished_at=now)
