"""Case processing, politics and escalation (DI-7, DI-8, DI-10; AR-1).

- `item_refer(kind="formal")` (DI-7): no case processing on social media — the citizen
  is told to use a formal channel (the reply, `refer_formal` template), and the inquiry
  is journaled (AR-1) through the archive app.
- `item_refer(kind="political")` (DI-8): records which political body it went to.
- `item_escalate` (DI-10): reputation-critical — communications and, where the preset
  says so, the rådmann team are told by e-mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.intents import Replayed, clean_intent_key, first_on_replay
from ordstyrer.core.services import after_commit, person
from ordstyrer.inbox import tasks
from ordstyrer.inbox.access import require_work
from ordstyrer.inbox.models import InboxItem, JournalState, Referral, ReferralKind
from ordstyrer.inbox.privacy import holds_national_id
from ordstyrer.inbox.transitions import (
    lock_item,
    log_event,
    policy_state,
    transition,
)
from ordstyrer.language.masking import national_id_spans

DEFAULT_TARGETS: dict[str, str] = {
    ReferralKind.FORMAL: "formell henvendelse (postmottak)",
    ReferralKind.POLITICAL: "politisk nivå",
}


def escalation_includes_chief(policy: Any) -> bool:
    """DI-10: whether the preset's own words bring in the rådmann team (Gausdal: "i samråd
    med rådmannsteam"); Indre Fosen names communications only."""
    if not policy.applies("DI-10"):
        return False
    citation = policy.citation("DI-10")
    words = (citation.text if citation else "").lower()
    return "rådmann" in words or "kommunedirektør" in words


def intent_referral(item: InboxItem, intent_key: str) -> Referral | None:
    """The referral or escalation already made from this form post, if any
    (`core.intents`)."""
    if not intent_key:
        return None
    return Referral.objects.filter(item_id=item.pk, intent_key=intent_key).first()


def _new_referral(**fields: Any) -> Referral:
    """The referral row; a concurrent post of the same form that got there first
    (`inbox_one_referral_per_intent`) raises `Replayed` with its referral, so that the
    caller's transaction, and all it wrote, rolls back."""
    try:
        with transaction.atomic():
            return Referral.objects.create(**fields)
    except IntegrityError:
        first = intent_referral(fields["item"], fields.get("intent_key", ""))
        if first is None:
            raise
        raise Replayed(first) from None


def record_referral(
    item: InboxItem,
    *,
    kind: str,
    target: str,
    note: str,
    actor: ActorLike,
    now: datetime,
    intent_key: str = "",
) -> Referral:
    """The referral row and its event (inside the caller's transaction)."""
    referral = _new_referral(
        item=item,
        kind=kind,
        target=(target or str(DEFAULT_TARGETS.get(kind, ""))).strip()[:255],
        note=str(note or "").strip()[:5000],
        actor=person(actor),
        at=now,
        journal_state=JournalState.PENDING if kind == ReferralKind.FORMAL else "not_needed",
        intent_key=intent_key,
    )
    log_event(
        item,
        action=f"refer_{kind}",
        actor=actor,
        now=now,
        text=referral.note,
        data={"referral_id": referral.pk, "target": referral.target},
    )
    if kind == ReferralKind.FORMAL:
        journal_referral(referral, actor=actor)
    return referral


@first_on_replay
def item_refer(
    *,
    actor: ActorLike,
    item: InboxItem,
    kind: str,
    target: str = "",
    note: str = "",
    intent_key: str = "",
) -> Referral:
    """Refer the item to the formal channel (DI-7) or the political level (DI-8) without
    a reply (the reply form does both at once through `reply_send(referral=…)`).

    One referral per intent: the form's `intent_key` is stored on the referral; a double
    click, Back + submit or a retried post returns the first referral, so a formal
    inquiry is journaled once (AR-3: a journal record is never removed)."""
    if kind not in (ReferralKind.FORMAL, ReferralKind.POLITICAL):
        raise ValueError(f"unknown referral kind {kind!r}")
    intent_key = clean_intent_key(intent_key)
    now = timezone.now()
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        if (first := intent_referral(item, intent_key)) is not None:
            return first  # the same post, which waited for the item's lock
        if item.removed_at is not None or not item.listed:
            raise ServiceError(gettext_lazy("Denne henvendelsen kan ikke henvises."))
        policy, targets, version = policy_state(item.municipality)
        if kind == ReferralKind.POLITICAL and not target.strip():
            # The refusal names DI-8 (the console adds «(DI-8)», the API its `rule`) only
            # where the municipality's guideline has it: Indre Fosen's has not.
            raise ServiceError(
                gettext_lazy("Skriv hvilket politisk organ saken er henvist til."),
                rule="DI-8" if policy.applies("DI-8") else None,
            )
        transition(item, action="refer", actor=actor, now=now, targets=targets, version=version)
        return record_referral(
            item,
            kind=kind,
            target=target,
            note=note,
            actor=actor,
            now=now,
            intent_key=intent_key,
        )


@first_on_replay
def item_escalate(
    *, actor: ActorLike, item: InboxItem, note: str, intent_key: str = ""
) -> Referral:
    """DI-10: a reputation-critical item goes to communications (and the rådmann team
    where the preset says so); they are told by e-mail after commit.

    One escalation per intent (`intent_key`, as `item_refer`): a replayed post returns
    the first escalation and mails no one again."""
    note = str(note or "").strip()
    intent_key = clean_intent_key(intent_key)
    now = timezone.now()
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        if (first := intent_referral(item, intent_key)) is not None:
            return first
        policy, _targets, _version = policy_state(item.municipality)
        if not note:
            # DI-10 only where the guideline has it (Birkenes' has not), as DI-8 above.
            raise ServiceError(
                gettext_lazy("Skriv kort hvorfor saken kan være omdømmekritisk."),
                rule="DI-10" if policy.applies("DI-10") else None,
            )
        target = _("kommunikasjon")
        if escalation_includes_chief(policy):
            target = _("kommunikasjon og rådmannsteamet")
        item.escalated_at = now
        item.save(update_fields=["escalated_at"])
        referral = _new_referral(
            item=item,
            kind=ReferralKind.ESCALATION,
            target=target,
            note=note[:5000],
            actor=person(actor),
            at=now,
            intent_key=intent_key,
        )
        log_event(
            item,
            action="escalate",
            actor=actor,
            now=now,
            text=note,
            data={"referral_id": referral.pk, "target": target},
        )
        after_commit(tasks.referral_notify, referral_id=referral.pk)
    return referral


def journal_referral(referral: Referral, *, actor: ActorLike) -> bool:
    """AR-1/DI-7: journal a formal referral's inquiry in the archive, in the caller's
    transaction (the archive's `journal_item`, an incoming document "I").

    Returns True when the inquiry was journaled; False leaves the referral `pending`
    (an installation without the archive app), listed on the item page.
    """
    try:
        from ordstyrer.archive.entry import ArchiveEntry, Confidentiality, Edit, Person
        from ordstyrer.archive.services import journal_item
    except ImportError:
        return False
    item = referral.item
    current = item.text
    earlier = [
        Edit(text=v.text, at=v.seen_at)
        for v in item.versions.order_by("-original", "seen_at", "pk")
        if v.text != current
    ]
    # PU-1: an inquiry holding a fødselsnummer (now or in an earlier version) is exempt
    # from public access, on the archive's usual ground for a third party's personal
    # circumstances (offl. § 13 jf. fvl. § 13), as moderation's records of confidential
    # content are.
    confidential = holds_national_id(item) or any(national_id_spans(e.text) for e in earlier)
    entry = ArchiveEntry(
        municipality=item.channel.municipality,
        kind="journal_inbound",
        text=current,
        edits=tuple(earlier),
        author=Person(
            name=item.author_name or "Ukjent avsender",
            platform_user_id=item.author_platform_id,
            profile_url=item.author_url,
        ),
        channel=item.channel,
        post_id=item.post_id,
        item_id=item.platform_id,
        permalink=item.permalink,
        created_at=item.platform_created_at,
        captured_at=item.received_at,
        action="journal",
        justification=f"DI-7: {referral.note}" if referral.note else "DI-7",
        confidentiality=Confidentiality() if confidential else None,
        idempotency_key=f"inbox-referral-{referral.pk}",
    )
    record = journal_item(actor=person(actor), entry=entry)
    referral.journal_state = JournalState.JOURNALED
    referral.journal_reference = str(record.pk)
    referral.save(update_fields=["journal_state", "journal_reference"])
    return True
