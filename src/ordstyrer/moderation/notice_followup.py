"""Following up a notice that did not arrive (MO-4, #15).

A failed notice is shown on the item, the moderation log and the start page with what
can be done (`retry_ways`): send it again (privately where the platform allows it and the
comment is still there, otherwise publicly on the post, without the person's name), or
record that the author was told another way (phone, letter, e-mail) with a note. A
notice to the author of a comment that goes with a post the municipality takes down
(`ActionKind.WITH_POST`, `with_post`) is never sent publicly: a comment on that post is
deleted with it, or the post is gone already. Each is one
service: the item's row lock → permission (the channel's moderators) → the action's
notice state → the outbox row / the archive record → the item's log and the audit log.
A repeated post (a double click, Back + submit) finds the state already moved on and
returns the action unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.archive.services import archive_append
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import Conflict, ServiceError, lazy_interpolate
from ordstyrer.inbox.transitions import lock_item
from ordstyrer.moderation.access import require_moderate
from ordstyrer.moderation.actions import (
    audit,
    log_item,
    private_notice_possible,
    private_reply_too_late,
    queue_notice,
    require_person,
    settings_for,
)
from ordstyrer.moderation.capture import notice_entry
from ordstyrer.moderation.models import ActionKind, ModerationAction, NoticeState, NoticeVia
from ordstyrer.moderation.services import notice_for
from ordstyrer.tenants.selectors import policy_for

MIN_NOTE = 5
MAX_NOTE = 2000
MOVED_ON = (
    NoticeState.QUEUED,
    NoticeState.AWAITING_CRISIS_APPROVAL,  # sent again during a crisis (PU-12)
    NoticeState.SENT,
    NoticeState.DELIVERED_BY_HAND,
)


def _locked(action: ModerationAction | int) -> tuple[ModerationAction, Any]:
    pk = action.pk if isinstance(action, ModerationAction) else action
    item_id = ModerationAction.objects.values_list("item_id", flat=True).get(pk=pk)
    item = lock_item(item_id)
    locked = ModerationAction.objects.select_for_update(of=("self",)).get(pk=pk)
    return locked, item


def may_send_privately(action: ModerationAction, item: Any, *, now: datetime) -> bool:
    """A private reply needs a platform that allows it and the comment still there,
    written within the platform's window for one (7 days, MO-4)."""
    return (
        item.removed_at is None
        and bool(item.platform_id)
        and private_notice_possible(item.channel)
        and not private_reply_too_late(item, now=now)
    )


def may_send_publicly(action: ModerationAction, item: Any) -> bool:
    """A public comment needs the post the comment was under, one that stays: not the
    post of a notice about a comment going with a post taken down (MO-4, PU-6: a comment
    on it is deleted with it, or it is gone already)."""
    return bool(item.post_id) and action.kind != ActionKind.WITH_POST


def retry_ways(action: ModerationAction, item: Any, *, now: datetime) -> tuple[bool, bool]:
    """How a failed notice can still go out on the platform (MO-4): (privately,
    publicly). What the item's panel and the action's page offer, and what `notice_retry`
    accepts; recording that the author was told another way is always open."""
    return may_send_privately(action, item, now=now), may_send_publicly(action, item)


def notice_retry(
    *, actor: ActorLike, action: ModerationAction, private: bool, now: datetime | None = None
) -> ModerationAction:
    """Send a failed notice again, privately or publicly on the post (without the name),
    as `retry_ways` allows; a way it does not allow (a forged or replayed form) is
    refused with what can be done instead."""
    now = now or timezone.now()
    require_person(actor, _("sende beskjeden på nytt"))
    with transaction.atomic():
        action, item = _locked(action)
        require_moderate(actor, item.channel)
        if action.notice_state in MOVED_ON:
            return action  # already sent again, or delivered another way
        if action.notice_state != NoticeState.FAILED:
            raise Conflict(gettext_lazy("Det er ingen beskjed som har feilet her."), code="state")
        privately, publicly = retry_ways(action, item, now=now)
        if action.kind == ActionKind.WITH_POST and not (privately if private else publicly):
            # MO-4, PU-6: the comment goes with a post taken down; a public comment on
            # that post is deleted with it (or the post is gone), so only a private reply
            # while the comment is still there, or the author told another way.
            raise ServiceError(
                gettext_lazy(
                    "Kommentaren slettes sammen med innlegget kommunen tar ned, så beskjeden "
                    "kan ikke sendes som offentlig kommentar på innlegget. Send den som "
                    "privat melding, eller registrer at forfatteren har fått beskjed på en "
                    "annen måte."
                )
                if privately
                else gettext_lazy(
                    "Kommentaren slettes sammen med innlegget kommunen tar ned, så beskjeden "
                    "kan ikke sendes som offentlig kommentar på innlegget, og plattformen kan "
                    "ikke sende en privat melding om den (kommentaren er slettet, mer enn 7 "
                    "dager gammel, eller plattformen tillater det ikke). Registrer at "
                    "forfatteren har fått beskjed på en annen måte."
                ),
                rule="MO-4",
                code="private_unavailable" if private else "public_unavailable",
            )
        if private and not privately:
            raise ServiceError(
                gettext_lazy(
                    "Plattformen kan ikke sende en privat melding om denne kommentaren (den er "
                    "slettet, mer enn 7 dager gammel, eller plattformen tillater det ikke). "
                    "Send beskjeden offentlig, eller gi den på en annen måte."
                ),
                rule="MO-4",
                code="private_unavailable",
            )
        if not private and not publicly:
            raise ServiceError(
                gettext_lazy(
                    "Vi vet ikke hvilket innlegg kommentaren sto under. Gi beskjeden på en annen måte."
                ),
                rule="MO-4",
                code="public_unavailable",
            )
        notice = notice_for(
            kind=action.kind,
            item=item,
            ground=action.ground,
            policy=policy_for(municipality=item.municipality),
            settings=settings_for(item.municipality),
            private=private,
        )
        action.notice_text, action.notice_language = notice.text, notice.language
        action.save(update_fields=["notice_text", "notice_language"])
        queue_notice(action, item, now=now, private=private)
        log_item(
            item,
            "mod_notice_retry",
            actor=actor,
            now=now,
            text=action.notice_text,
            data={"action_id": action.pk, "private": private},
        )
        audit(action, "notice_retry", actor=actor, private=private)
    return action


def notice_mark_delivered(
    *, actor: ActorLike, action: ModerationAction, note: str, now: datetime | None = None
) -> ModerationAction:
    """Record that the author was told another way (MO-4), with how; archived as the
    outgoing notice (U) with the note. Only a notice that failed: one being sent (queued,
    or sent again with `notice_retry`) is the platform's until it is sent or fails."""
    now = now or timezone.now()
    note = " ".join(str(note or "").split())
    require_person(actor, _("registrere beskjeden"))
    if len(note) < MIN_NOTE:
        raise ServiceError(
            gettext_lazy(
                "Skriv kort hvordan forfatteren fikk beskjed (for eksempel «ringt 5. des.»)."
            ),
            code="note",
        )
    if len(note) > MAX_NOTE:
        raise ServiceError(
            lazy_interpolate(gettext_lazy("Notatet kan være høyst %(n)s tegn."), {"n": MAX_NOTE})
        )
    with transaction.atomic():
        action, item = _locked(action)
        require_moderate(actor, item.channel)
        if action.notice_state == NoticeState.DELIVERED_BY_HAND:
            return action
        if action.notice_state == NoticeState.QUEUED:
            # A send is under way (as `notice_retry` sees it: moved on). Its op would
            # still post the notice and record it as sent after this record (AR-3).
            raise Conflict(
                gettext_lazy(
                    "Beskjeden er på vei til forfatteren gjennom plattformen. Vent til den er "
                    "sendt eller har feilet før du registrerer at den er gitt på en annen måte."
                ),
                rule="MO-4",
                code="notice_queued",
            )
        if action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL:
            # PU-12: all communication goes through the crisis staff, a phone call too.
            raise Conflict(
                gettext_lazy(
                    "Beskjeden venter på godkjenning fra kriselederen (PU-12). Den sendes når "
                    "kriselederen har godkjent den."
                ),
                rule="PU-12",
                code="notice_held",
            )
        if action.notice_state != NoticeState.FAILED:
            raise Conflict(gettext_lazy("Det er ingen beskjed som venter her."), code="state")
        action.notice_state, action.notice_via = NoticeState.DELIVERED_BY_HAND, NoticeVia.BY_HAND
        action.notice_note, action.notice_error, action.notice_updated_at = note, "", now
        action.save(
            update_fields=[
                "notice_state",
                "notice_via",
                "notice_note",
                "notice_error",
                "notice_updated_at",
            ]
        )
        archive_append(
            actor=user_of(actor),
            entry=notice_entry(
                action=action,
                item=item,
                platform_id="",
                sent_at=now,
                refers_to=action.archive_record,
                note=note,
            ),
            now=now,
        )
        log_item(
            item,
            "mod_notice_by_hand",
            actor=actor,
            now=now,
            text=note,
            data={"action_id": action.pk},
        )
        audit(action, "notice_by_hand", actor=actor, note=note)
    return action
