"""DI-11: employees report unwanted statements on the municipality's accounts.

Any employee of the municipality may report a link or a text from an official
channel. It lands in that channel's inbox — on the item already there when the link
points at a comment we have, as a new item otherwise — with the reporter recorded,
and the channel's administrators are told by e-mail — where the guideline has DI-11,
the reporter's own nearest leader too («ta kontakt med nærmeste leder og administrator
av kontoen»), or the reporter is told that no leader of theirs could be told.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.channels.models import Channel
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.intents import Replayed, clean_intent_key, first_on_replay
from ordstyrer.core.permissions import not_found, roles_in
from ordstyrer.core.services import after_commit, person
from ordstyrer.inbox import tasks
from ordstyrer.inbox import triage as triage_mod
from ordstyrer.inbox.models import InboxItem, ItemKind, ItemStatus, ItemVersion, UnwantedReport
from ordstyrer.inbox.notifications import nearest_leaders
from ordstyrer.inbox.transitions import (
    calendar_for,
    lock_item,
    log_event,
    policy_state,
    set_deadlines,
)

# Query parameters platforms use for a comment in a permalink, most specific first.
COMMENT_PARAMS = ("reply_comment_id", "comment_id", "comment")


def comment_ids_in(link: str) -> list[str]:
    """The comment ids a permalink may carry (Facebook `comment_id`, the simulated page's
    `comment`), most specific first."""
    try:
        query = parse_qs(urlsplit(link).query)
    except ValueError:
        return []
    out: list[str] = []
    for name in COMMENT_PARAMS:
        for value in query.get(name, []):
            value = value.strip()
            if value and value not in out:
                out.append(value[:255])
    return out


def _find_item(channel: Channel, link: str) -> InboxItem | None:
    if not link:
        return None
    condition = Q(permalink=link)
    for cid in comment_ids_in(link):
        condition |= Q(platform_id=cid) | Q(platform_id__endswith=f"_{cid}")
    return (
        InboxItem.objects.filter(channel=channel, from_page=False)
        .filter(condition)
        .order_by("id")
        .first()
    )


def missing_leader_notice(*, actor: ActorLike, channel: Channel) -> str | None:
    """DI-11: what to add to the reporter's confirmation where the guideline has DI-11 and
    no nearest leader of theirs is told (no unit, or no unit leader with an address), so
    they contact their leader themself; None otherwise."""
    from ordstyrer.tenants.selectors import policy_for

    if not policy_for(municipality=channel.municipality).applies("DI-11"):
        return None
    if nearest_leaders(reporter=person(actor), municipality=channel.municipality):
        return None
    return _(
        "Vi fant ingen nærmeste leder for deg i Ordstyrer, så lederen din har ikke fått "
        "beskjed. Ta kontakt med nærmeste leder selv (DI-11)."
    )


def _reported(actor: ActorLike, intent_key: str) -> UnwantedReport | None:
    """The report this person already made from this form post, if any (`core.intents`)."""
    reporter = person(actor)
    if not intent_key or reporter is None:
        return None
    return (
        UnwantedReport.objects.filter(reporter=reporter, intent_key=intent_key)
        .select_related("item")
        .first()
    )


def _new_report(**fields: Any) -> UnwantedReport:
    """The report row; a concurrent post of the same form that got there first
    (`inbox_one_report_per_intent`) raises `Replayed` with its item, so that the
    caller's transaction (the item it may have opened) rolls back."""
    try:
        with transaction.atomic():
            return UnwantedReport.objects.create(**fields)
    except IntegrityError:
        first = _reported(fields["reporter"], fields.get("intent_key", ""))
        if first is None:
            raise
        raise Replayed(first.item) from None


@first_on_replay
def unwanted_report(
    *,
    actor: ActorLike,
    channel: Channel,
    link: str = "",
    text: str = "",
    note: str = "",
    intent_key: str = "",
) -> InboxItem:
    """Report an unwanted statement on `channel` (DI-11); returns the inbox item.

    One report per intent: the form's `intent_key` is stored on the report; a double
    click, Back + submit or a retried post returns the first report's item, and opens
    no second item nor tells anyone twice."""
    link = str(link or "").strip()[:1000]
    text = str(text or "").strip()[:8000]
    note = str(note or "").strip()[:5000]
    if not roles_in(actor, channel.municipality):
        raise not_found()
    intent_key = clean_intent_key(intent_key)
    if (first := _reported(actor, intent_key)) is not None:
        return first.item
    if channel.status not in channel_workflow.OFFICIAL:
        # The refusal names DI-11 only where the municipality's guideline has it (Indre
        # Fosen's has not), as `item_refer` does DI-8.
        policy = policy_state(channel.municipality)[0]
        raise ServiceError(
            gettext_lazy("Velg en av kommunens offisielle kanaler."),
            rule="DI-11" if policy.applies("DI-11") else None,
        )
    if not link and not text:
        raise ServiceError(
            gettext_lazy("Lim inn en lenke til ytringen eller teksten den inneholder.")
        )
    if link and urlsplit(link).scheme not in ("http", "https"):
        raise ServiceError(gettext_lazy("Lenken må begynne med https://."))
    now = timezone.now()
    policy, targets, version = policy_state(channel.municipality)
    verdict = triage_mod.triage_text(text, policy) if text else None
    with transaction.atomic():
        item = _find_item(channel, link)
        if item is not None:
            item = lock_item(item)
        else:
            item = InboxItem(
                municipality=channel.municipality,
                channel=channel,
                kind=ItemKind.REPORT,
                platform_id=f"report-{uuid.uuid4().hex}",
                text=text or link,
                permalink=link,
                received_at=now,
                text_seen_at=now,
                started_at=now,
                resolution_started_at=now,
                status=ItemStatus.NEW,
                open=True,
                status_changed_at=now,
            )
            if verdict is not None:
                triage_mod.apply(item, verdict, at=now)
            set_deadlines(
                item, targets=targets, calendar=calendar_for(channel.municipality), version=version
            )
            item.save()
            if item.text:
                ItemVersion.objects.create(item=item, text=item.text, original=True, seen_at=now)
        item.reported = True
        item.save(update_fields=["reported"])
        report = _new_report(
            item=item,
            reporter=person(actor),
            link=link,
            text=text,
            note=note,
            at=now,
            intent_key=intent_key,
        )
        log_event(
            item,
            action="reported",
            actor=actor,
            now=now,
            text=note,
            data={"report_id": report.pk, "link": link},
        )
        after_commit(tasks.unwanted_report_notify, report_id=report.pk)
    return item
