"""The demo's moderation, through the services (called at the end of `setup_demo`).

Communications hides one unwelcome comment and deletes one spam comment on the demo
municipality's own ground "spam" (Indre Fosen's preset): the deletion is archived
first, the comment leaves the simulated page, and the author gets the notice (MO-4),
archived as sent. The outbox runs at once here, so the demo shows the finished state
without a worker; the tasks queued on commit find nothing left to do. Safe to run
again: what is moderated stays as it is.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from ordstyrer.channels.models import Channel, ChannelKind
from ordstyrer.channels.workflow import ACTIVE
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.configuration import moderation_settings_update
from ordstyrer.moderation.grounds import allowed_grounds
from ordstyrer.moderation.models import (
    ActionKind,
    ModerationAction,
    ModerationSettings,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.outbox import op_run
from ordstyrer.moderation.services import comment_delete, comment_hide
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

logger = logging.getLogger("ordstyrer.moderation")
HIDE_CATEGORIES = ("harassment", "rumour", "third_party", "sensitive", "hate_speech")
# The address demos made before the complaint address came from the demo's identity were
# given; a later run replaces it with the identity's (`setup_demo`'s `complaint_address`).
EARLIER_COMPLAINT_ADDRESS = "postmottak@demo.kommune.example"


def _candidates(channel: Channel) -> list[InboxItem]:
    return list(
        InboxItem.objects.filter(
            channel=channel, listed=True, from_page=False, removed_at__isnull=True, hidden=False
        )
        .exclude(platform_id="")
        .filter(moderation_actions__isnull=True)
        .order_by("-received_at", "-pk")[:500]
    )


def drain(*, now: datetime, rounds: int = 10) -> int:
    """Run every op that can run now, and what they release (no worker needed)."""
    ran = 0
    for _ in range(rounds):
        due = list(
            PlatformOp.objects.filter(status=OpStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .values_list("pk", flat=True)
        )
        if not due:
            break
        for op_id in due:
            op_run(op_id=op_id, now=now)
            ran += 1
    return ran


def setup_demo_moderation(
    demo: Municipality, *, complaint_address: str, now: datetime | None = None
) -> list[Any]:
    """Hide one comment and delete one spam comment on the demo's simulated channel; the
    notice sends complaints to `complaint_address` (the demo's address for formal
    inquiries, `ordstyrer.demo.DEMO_IDENTITY`)."""
    now = now or timezone.now()
    moderator = get_user_model().objects.filter(username="kommunikasjon").first()
    channel = (
        Channel.objects.filter(municipality=demo, kind=ChannelKind.SIMULATED, status=ACTIVE)
        .order_by("pk")
        .first()
    )
    if moderator is None or channel is None:
        return []
    # The demo speaks in its own name (#15): its own complaint address in the notice, and
    # its own website from its identity (`ordstyrer.demo`), never the preset's
    # municipality's (Indre Fosen).
    settings = ModerationSettings.objects.get_or_create(
        municipality=demo, defaults={"complaint_address": complaint_address}
    )[0]
    done = ModerationAction.objects.filter(channel=channel, requested_by=moderator)
    grounds = allowed_grounds(policy_for(municipality=demo))
    actions: list[Any] = []
    try:
        if settings.complaint_address == EARLIER_COMPLAINT_ADDRESS:
            moderation_settings_update(
                actor=moderator,
                municipality=demo,
                second_approver=settings.second_approver,
                notify_author=settings.notify_author,
                notice_delivery=settings.notice_delivery,
                auto_rules=settings.auto_rules,
                complaint_address=complaint_address,
            )
        if not done.filter(kind=ActionKind.HIDE).exists():
            hidden = next((i for i in _candidates(channel) if i.category in HIDE_CATEGORIES), None)
            if hidden is not None:
                actions.append(
                    comment_hide(
                        actor=moderator,
                        item=hidden,
                        justification="Skjult mens kommunikasjon vurderer om den skal slettes.",
                        now=now,
                    )
                )
        if "spam" in grounds and not done.filter(kind=ActionKind.DELETE).exists():
            spam = next(
                (
                    i
                    for i in _candidates(channel)
                    if i.category == "spam" and "spam" in (i.triage or {}).get("grounds", ["spam"])
                ),
                None,
            )
            if spam is not None:
                actions.append(
                    comment_delete(
                        actor=moderator,
                        item=spam,
                        ground="spam",
                        justification="Reklame for et pengespill uten noe med saken å gjøre.",
                        now=now,
                    )
                )
    except ServiceError as exc:  # the demo shows what it can; the reason is logged
        logger.warning("demo moderation skipped", extra={"error": str(exc.message)})
    drain(now=now)
    return actions
