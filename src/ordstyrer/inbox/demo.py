"""The demo municipality's inbox: real simulated comments, some answered, some overdue.

Everything goes through the product's own ways in: the simulated page is polled
(`poll_channel` → `inbox_ingest`, triaged on arrival), and the channel's main
administrator answers most items through `reply_send` (checked like any reply) a few
working hours after they arrived. A deterministic choice per comment leaves some
unanswered, so the demo has overdue items and a CH-5 flag. Safe to run again: the
page's world is kept, only new comments arrive, answered items are not touched.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from ordstyrer.channels.models import Channel, ChannelKind, ChannelMembership, ChannelRole
from ordstyrer.channels.workflow import ACTIVE
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox import reply_templates
from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.inbox.replies import ReplyRefused, reply_send, reply_suggestion
from ordstyrer.tenants.models import Municipality
from ordstyrer.worktime import deadline

# Left for the moderation work (hide, delete, escalate): never answered in the demo.
NOT_ANSWERED = frozenset(
    {"spam", "hate_speech", "harassment", "third_party", "sensitive", "rumour"}
)
RECENT = timedelta(days=2)
FILLED = {
    "correct": (
        "informasjonen i innlegget er riktig, og den er også lagt ut på nettsiden",
        "informasjonen i innlegget er rett, og ho ligg også på nettsida",
    ),
}


def _bucket(platform_id: str) -> int:
    return zlib.crc32(platform_id.encode()) % 10


def _answer_text(item: InboxItem, actor: ActorLike, code: str | None) -> tuple[str, str]:
    """The reply the demo editor writes: a template where one fits, else a short answer."""
    if code is None or code == "acknowledge":
        suggestion = reply_suggestion(item=item, actor=actor, code="acknowledge")
        text = suggestion.text.replace(
            "kommer tilbake til deg med mer informasjon så snart vi kan",
            "har sjekket saken: svaret finner du på nettsiden vår, og servicetorget hjelper "
            "deg gjerne på telefon",
        ).replace(
            "kjem tilbake til deg med meir informasjon så snart vi kan",
            "har sjekka saka: svaret finn du på nettsida vår, og servicetorget hjelper deg "
            "gjerne på telefon",
        )
        return text, ""
    suggestion = reply_suggestion(item=item, actor=actor, code=code, target="formannskapet")
    text = suggestion.text
    if code in FILLED:
        nb, nn = FILLED[code]
        text = reply_templates.PLACEHOLDER.sub(nn if suggestion.language == "nn" else nb, text)
    return text, code


def _answer(item: InboxItem, actor: ActorLike, at: datetime) -> bool:
    code = reply_templates.suggested_code(item.category, item.action)
    text, template = _answer_text(item, actor, code)
    for reason in ("", "Demo: svaret er lest gjennom av redaktøren."):
        try:
            reply_send(
                actor=actor,
                item=item,
                text=text,
                template=template,
                effect="answer" if template in ("", "acknowledge") else None,
                override_reason=reason,
                referral_target="formannskapet" if template == "refer_political" else "",
                now=at,
            )
        except ReplyRefused as exc:
            if exc.code == "needs_override" and not reason:
                continue
            return False
        except ServiceError:
            return False
        return True
    return False


def _editor(channel: Channel) -> Any:
    membership = (
        ChannelMembership.objects.filter(channel=channel, role=ChannelRole.MAIN_ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _fixed_seed(channel: Channel) -> None:
    """Seed the demo's simulated page by the channel's place among all channels (its pk
    on a fresh database), not by its pk: PostgreSQL does not reuse ids, so a pk seed
    made the demo's comments — and whether it has a spam comment to delete — depend on
    what the database had held before."""
    config = dict(channel.connector_config or {})
    if "seed" in config:
        return
    config["seed"] = Channel.objects.filter(pk__lte=channel.pk).count()
    channel.connector_config = config
    channel.save(update_fields=["connector_config"])


def setup_demo_inbox(demo: Municipality, *, now: datetime | None = None) -> int:
    """Fill the demo's inbox from its simulated channels; returns how many were answered."""
    now = now or timezone.now()
    answered = 0
    channels = Channel.objects.filter(
        municipality=demo, kind=ChannelKind.SIMULATED, status=ACTIVE
    ).order_by("pk")
    for channel in channels:
        _fixed_seed(channel)
        poll_channel(channel_id=channel.pk, now=now)
        editor = _editor(channel)
        if editor is None:
            continue
        waiting = InboxItem.objects.filter(
            channel=channel, listed=True, status=ItemStatus.NEW
        ).order_by("started_at", "pk")
        for item in waiting:
            bucket = _bucket(item.platform_id)
            if item.category in NOT_ANSWERED or item.started_at is None:
                continue
            # Two in ten of the last two days' questions still wait (some past their
            # deadline); older ones were answered, the forgotten ones late — an inbox
            # in use, not a week's neglect on the start page.
            if bucket < 2 and item.started_at >= now - RECENT:
                continue
            # Most within the deadline, one in ten late (7.5 working hours is the answer
            # target), and the forgotten ones of earlier days later still.
            hours = 9.0 if bucket == 9 else 12.0 if bucket < 2 else 0.5 + bucket * 0.6
            at = deadline(item.started_at, hours)
            if at >= now - timedelta(minutes=1):
                continue
            answered += int(_answer(item, editor, at))
    _history_is_past(demo, now=now)
    return answered


def _history_is_past(demo: Municipality, *, now: datetime) -> None:
    """The demo's history happened before the installation started: the deadline
    notices for it count as given, so the first sweep does not mail hundreds of
    "Fristen er passert" at once (#15). Deadlines that pass from now on are noticed."""
    items = InboxItem.objects.filter(municipality=demo, open=True, listed=True)
    items.filter(due_at__lte=now).update(overdue_noticed_for=F("due_at"), warned_for=F("due_at"))
    items.filter(warn_at__lte=now, due_at__gt=now).update(warned_for=F("due_at"))
