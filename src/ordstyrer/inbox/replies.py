"""Replies in the municipality's name: checked like posts, then sent after commit (DI-2 … DI-9).

`reply_send` checks the text with the policy engine (`check(kind="reply")`: personal
data PU-1, tone DI-5, opinions DI-6, signature DI-9, …): a `block` finding stops it, a
`warn` finding needs a reason, which is recorded in the audit log. The item moves
(acknowledged, answered, referred) in the same transaction; the platform call happens
in a task after commit (`reply_deliver`), through the connector's `Replier`, and is
retried with backoff on transient `ConnectorError`s.

Delivery is crash-safe (DI-1: a reply counted as answered must reach the citizen). Each
delivery first claims the queued reply compare-and-set, with a lease in
`next_attempt_at` (a queued reply with a future `next_attempt_at` is being sent); the
claim counts as an attempt. `replies_retry_sweep` recovers queued replies nobody is
sending: a task lost between commit and enqueue, or a worker that died mid-delivery
(its lease ran out). A reply is a create, and an attempt may have reached the platform
before its answer was lost, so every retry and every recovered reply first looks for
itself under the citizen's comment (as the moderation outbox's notices do): never a
second copy.

During a crisis that requires approval for replies (PU-12) the reply waits for the
crisis leader and the item does not move yet: it stays open and its DI-1 clocks run
until the crisis leader lets the reply go (`reply_crisis_approve`), which moves it. Such
a reply's `previous` stays empty until then (nothing to put back). A reply held after it
had moved the item (queued before the declaration, `replies_hold_for_crisis`, or held at
its delivery, `_hold_for_crisis`) puts the item back as it was before it and forgets its
`previous` (`put_back_held`), so it waits the same way; an item that has moved on since
(closed for another reason, say) stays as it is, and is not moved twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.connectors.base import (
    Capability,
    Comment,
    ConnectorError,
    iterate_pages,
    supports,
)
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import Conflict, PolicyBlocked, ServiceError, lazy_interpolate
from ordstyrer.core.forms import visible_text
from ordstyrer.core.intents import clean_intent_key
from ordstyrer.core.meta_waits import WAIT_LIMIT, WAITED_OUT, waited_out_message
from ordstyrer.core.permissions import actor_for
from ordstyrer.core.services import after_commit, person
from ordstyrer.core.worker import SweepClock
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.selectors import active_crisis, crisis_requiring_approval
from ordstyrer.inbox import reply_templates, tasks, workflow
from ordstyrer.inbox.access import SPOKEN_ON, require_in_use, require_work
from ordstyrer.inbox.models import InboxItem, ItemKind, Reply, ReplyStatus
from ordstyrer.inbox.transitions import (
    calendar_for,
    guard,
    lock_item,
    log_event,
    policy_state,
    set_deadlines,
    transition,
)
from ordstyrer.policy import CheckContext, Draft, check, has_block

MAX_TEXT = 8000
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)
# A delivery's claim on a queued reply: far longer than a delivery takes (the platform
# calls' timeouts and bounded retries, `core.http`, and a look through the reply's
# thread), so a live worker never loses it; after it, its worker is taken as dead.
LEASE = timedelta(minutes=5)
# A new reply is sent by its on-commit task at once; the sweep takes it only after this,
# when the task must have been lost.
FIRST_ATTEMPT_GRACE = timedelta(seconds=60)
# Our reply on the platform is looked for among the replies in its thread written from
# this long before the reply was (the platform's clock is not ours), `THREAD_PAGE` at a
# time (Graph's most, meta-graph-api §1.10) and at most `THREAD_PAGES` pages: 2,000
# replies under one comment, which even a crisis post's threads rarely reach.
LOOKBACK = timedelta(hours=1)
THREAD_PAGE = 100
THREAD_PAGES = 20
SWEEP_BATCH = 200
# The sweep delivers no more recovered replies once it has run this long (inside LEASE).
SWEEP_BUDGET = LEASE / 2
# DI-12: these are never commented on (they are deleted), where the preset says so.
NEVER_COMMENTED = frozenset({"sensitive", "rumour"})
REFERRAL_OF_TEMPLATE = {"refer_formal": "formal", "refer_political": "political"}
REFERRAL_KINDS = frozenset(REFERRAL_OF_TEMPLATE.values())
# What a reply can answer: a comment, a reply or a visitor's post, under which the
# `Replier` comments. An employee's report (DI-11) has an id of Ordstyrer's own that no
# platform knows, and a private message is not answered with a comment (as moderation's
# `MODERATED_KINDS`).
REPLIED_KINDS = frozenset({ItemKind.COMMENT, ItemKind.REPLY, ItemKind.VISITOR_POST})
# Replies that have not gone out yet and may still (`reply_withdraw`).
PENDING = (ReplyStatus.QUEUED, ReplyStatus.RETRYING, ReplyStatus.AWAITING_CRISIS_APPROVAL)
RESTORED_FIELDS = (
    "status",
    "first_responded_at",
    "first_response_seconds",
    "first_response_in_time",
    "resolved_at",
    "resolution_seconds",
    "resolution_in_time",
    "close_reason",
)


class ReplyRefused(PolicyBlocked):
    """The reply did not pass the checks; `findings` says why (block, or warn w/o reason)."""


def _snapshot(item: InboxItem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in RESTORED_FIELDS:
        value = getattr(item, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def guard_replied_kind(item: InboxItem) -> None:
    """Refuse a reply to what has no comment on the platform to answer (`REPLIED_KINDS`)."""
    if item.kind in REPLIED_KINDS:
        return
    if item.kind == ItemKind.REPORT:
        raise ServiceError(
            gettext_lazy(
                "Dette er en ansatts melding om en ytring, ikke selve ytringen på plattformen, "
                "så det er ingenting her å svare på. Svar på eller moderer kommentaren det "
                "gjelder, fra dens egen side i innboksen."
            ),
            code="not_on_platform",
        )
    raise ServiceError(
        gettext_lazy(
            "Private meldinger kan ikke besvares herfra. Svar i Metas egen innboks (Meta "
            "Business Suite), og merk henvendelsen som besvart her."
        ),
        code="not_on_platform",
    )


def referral_of(*, template: str, effect: str, referral_kind: str = "") -> str:
    """The referral a reply records (DI-7, DI-8; a formal one is journaled, AR-1): one
    exactly when its effect is to refer. The kind is the one the editor chose, else the
    referral template's; a reply that refers without either is refused, so an item is
    never "referred" without a referral. A reply that does not refer records none, from
    a referral template too: the effect the editor chose is what the reply does (the
    form suggests it from the template; a suggested template stays on the form)."""
    if referral_kind and referral_kind not in REFERRAL_KINDS:
        raise ValueError(f"unknown referral kind {referral_kind!r}")
    if effect != "refer":
        return ""
    kind = referral_kind or REFERRAL_OF_TEMPLATE.get(template, "")
    if not kind:
        raise ServiceError(
            gettext_lazy(
                "Velg hvor svaret henviser henvendelsen: formell henvendelse (journalføres) "
                "eller politisk nivå."
            ),
            code="referral_kind",
        )
    return kind


def _moves(item: InboxItem, effect: str) -> bool:
    """Whether the reply moves the item (a second acknowledgement does not)."""
    return not (effect == "acknowledge" and item.status == workflow.ACKNOWLEDGED)


def check_reply(
    *, item: InboxItem, text: str, actor: ActorLike, policy: Any, now: datetime
) -> list:
    """The policy engine's findings on a reply text (kind="reply")."""
    signer = getattr(user_of(actor), "first_name", "") or None
    context = CheckContext(kind="reply", now=now, signer_first_name=signer)
    return check(Draft(text=text), policy, context)


def reply_send(
    *,
    actor: ActorLike,
    item: InboxItem,
    text: str,
    template: str = "",
    effect: str | None = None,
    override_reason: str = "",
    referral_target: str = "",
    referral_note: str = "",
    referral_kind: str = "",
    intent_key: str = "",
    now: datetime | None = None,
) -> Reply:
    """Check and queue a reply to `item`; returns the queued `Reply`.

    One reply per intent (#15): the reply form's `intent_key` is stored on the reply; a
    double click, Back + submit or a retried post returns the first reply.

    A reply whose effect is "refer" also records the referral (DI-7, journaled per AR-1;
    DI-8, to `referral_target`) in the same transaction: of `referral_kind`, or of its
    `refer_formal` / `refer_political` template (`referral_of`). Only comments, replies
    and visitors' posts are answered (`guard_replied_kind`). During a crisis that
    requires approval for replies the item moves only when the crisis leader approves
    (PU-12, DI-1). Raises `ReplyRefused` when a check blocks it or warns without
    `override_reason`. `now` is for imports and the demo (the console never passes it)."""
    text = str(text or "").strip()
    override_reason = str(override_reason or "").strip()[:2000]
    # DI-1: zero-width characters alone are no reply (an invisible comment would count
    # as answered), and no reason for a warning either (the "warn" rule: who and why).
    if not visible_text(text):
        raise ServiceError(gettext_lazy("Svaret er tomt."))
    if len(text) > MAX_TEXT:
        raise ServiceError(gettext_lazy("Svaret er for langt."))
    if template and template not in reply_templates.TEMPLATES:
        raise ValueError(f"unknown reply template {template!r}")
    effect = effect or (reply_templates.effect_of(template) if template else "answer")
    if effect not in ("acknowledge", "answer", "refer"):
        raise ValueError(f"unknown reply effect {effect!r}")
    referral = referral_of(template=template, effect=effect, referral_kind=referral_kind)
    if reply_templates.unfilled(text):
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Fyll ut det som står i hakeparentes før du sender: %(parts)s"),
                {"parts": ", ".join(reply_templates.unfilled(text))},
            )
        )
    now = now or timezone.now()
    # The roles once for both checks below (the console's `request.actor` is this already).
    actor = actor_for(actor, item.channel.municipality)
    require_work(actor, item.channel)
    require_in_use(item.channel)
    guard_replied_kind(item)
    intent_key = clean_intent_key(intent_key)
    if (first := _replied(item, intent_key)) is not None:
        return first
    policy, targets, version = policy_state(item.municipality)
    # Any of its labels, not only the top category: "Kari Hansen har kreft …" may be
    # third_party first and sensitive beside it.
    labels = {item.category, *(item.categories or ())}
    if labels & NEVER_COMMENTED and policy.applies("DI-12"):
        raise ServiceError(
            gettext_lazy(
                "Sensitive opplysninger, rykter og spekulasjoner skal aldri kommenteres (DI-12)."
            ),
            rule="DI-12",
        )
    findings = check_reply(item=item, text=text, actor=actor, policy=policy, now=now)
    if has_block(findings):
        first = next(f for f in findings if f.severity == "block")
        raise ReplyRefused(
            # In the person's language, so a Nynorsk console does not read half Bokmål
            # (language review 2026-12, row 26).
            _("Svaret kan ikke sendes: %(message)s")
            % {"message": first.message(get_language() or "nb")},
            findings=findings,
            rule=first.rule,
            code="blocked",
        )
    if findings and not visible_text(override_reason):
        raise ReplyRefused(
            _("Svaret har merknader. Rett teksten, eller skriv hvorfor det skal sendes likevel."),
            findings=findings,
            rule=findings[0].rule,
            code="needs_override",
        )
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        require_in_use(item.channel)  # read again with the lock: retired meanwhile?
        if not item.listed or item.from_page:
            raise ServiceError(gettext_lazy("Svar på samtalen den hører til."))
        if item.removed_at is not None:
            # Removed by its author or by the municipality's moderator (`removed_at` is
            # set by both): a state conflict, said without guessing who removed it.
            raise Conflict(
                gettext_lazy("Kommentaren er fjernet; den kan ikke besvares."), code="gone"
            )
        # PU-12: during a crisis the reply waits for the crisis leader (where the preset says).
        crisis = crisis_requiring_approval(municipality=item.municipality, kind="reply")
        if (first := _replied(item, intent_key)) is not None:
            return first  # the same post, which waited for the item's lock
        moves = _moves(item, effect)
        if moves:
            guard(item, effect)  # refused now, also when the crisis leader moves it later
        reply, created = _create_once(
            intent_key=intent_key,
            item=item,
            author=person(actor),
            text=text,
            template=template,
            language=reply_templates.language_for(item.written_standard),
            effect=effect,
            findings=[f.to_dict() for f in findings],
            override_reason=override_reason if findings else "",
            # Held for the crisis leader, the item does not move yet: nothing to put back.
            previous=_snapshot(item) if crisis is None else {},
            created_at=now,
            **(
                {"status": ReplyStatus.AWAITING_CRISIS_APPROVAL, "crisis": crisis} if crisis else {}
            ),
        )
        if not created:
            return reply
        if moves and crisis is None:
            # PU-12, DI-1: a held reply has not reached the citizen; the item stays open,
            # its clocks running, until the crisis leader lets it go.
            transition(
                item,
                action=effect,
                actor=actor,
                now=now,
                targets=targets,
                version=version,
                data={"reply_id": reply.pk, "template": template},
            )
        if referral:
            from ordstyrer.inbox.referrals import record_referral

            record_referral(
                item,
                kind=referral,
                target=referral_target,
                note=referral_note,
                actor=actor,
                now=now,
            )
        log_event(
            item,
            action="reply",
            actor=actor,
            now=now,
            text=text,
            data={
                "reply_id": reply.pk,
                "template": template,
                "findings": [f"{f.rule}:{f.severity}" for f in findings],
                **({"override_reason": override_reason} if findings else {}),
            },
        )
        if crisis is None:
            after_commit(tasks.reply_deliver, reply_id=reply.pk)
        else:
            # PU-12: held for the crisis leader; tell them (and the deputies) once committed.
            from ordstyrer.crisis.tasks import crisis_waiting_notify

            after_commit(crisis_waiting_notify, kind="reply", object_id=reply.pk)
    return reply


def _replied(item: InboxItem, intent_key: str) -> Reply | None:
    """The reply already written from this form post, if any (`core.intents`)."""
    if not intent_key:
        return None
    return Reply.objects.filter(item_id=item.pk, intent_key=intent_key).first()


def _create_once(**fields: Any) -> tuple[Reply, bool]:
    """The new reply row, or the first of its intent when a concurrent post of the same
    form got there first (`inbox_one_reply_per_intent`); nothing else is written yet."""
    try:
        with transaction.atomic():
            return Reply.objects.create(**fields), True
    except IntegrityError:
        first = _replied(fields["item"], fields.get("intent_key", ""))
        if first is None:
            raise
        return first, False


def _target_of(effect: str) -> str:
    return {"acknowledge": "acknowledged", "answer": "answered", "refer": "referred"}[effect]


# --- delivery (tasks; outside any business transaction) ---------------------------------------


def reply_deliver(*, reply_id: int, now: datetime | None = None, recheck: bool = False) -> str:
    """Send a queued reply through the channel's `Replier`; record its platform id.

    The delivery claims the reply first (`_claim`); another worker's live claim leaves it
    alone. When an earlier attempt may have reached the platform (a retry, or `recheck`:
    a reply the sweep recovered), the reply is looked for on the platform before it is
    posted (`_posted_before`), and a copy found there is recorded as sent. Transient
    errors schedule a retry with backoff (`replies_retry_sweep` re-queues it); a
    permanent error, or too many attempts, fails it and restores the item."""
    from ordstyrer.inbox.platform import channel_connector

    reply = Reply.objects.select_related("item__channel__municipality").get(pk=reply_id)
    if reply.status != ReplyStatus.QUEUED:
        return str(reply.status)
    item = reply.item
    now = now or timezone.now()
    if item.channel.status not in SPOKEN_ON:
        return _channel_not_in_use(reply, now=now)
    if (held := _hold_for_crisis(reply, now=now)) is not None:
        return held
    if not _claim(reply, now=now):
        return "claimed_elsewhere"
    try:
        with channel_connector(item.channel, now=now) as connector:
            if not supports(connector, Capability.REPLIER):
                raise ConnectorError(
                    _("Plattformen kan ikke svare på kommentarer."), permanent=True
                )
            if item.kind not in REPLIED_KINDS:
                # Written before `reply_send` refused these: no comment to answer.
                raise ConnectorError(
                    _("Henvendelsen er ingen kommentar på plattformen, så den kan ikke besvares."),
                    permanent=True,
                )
            posted = None
            if recheck or reply.attempts > 1:
                posted = _posted_before(reply, connector)
            if posted is None:
                posted = connector.reply(item.platform_id, reply.text)
    except ConnectorError as exc:
        return _delivery_failed(reply, exc, now=now)
    except Exception as exc:  # noqa: BLE001 — issue #18: never stuck queued; retried, then failed
        import logging  # here, not at the top: a rare path

        logging.getLogger("ordstyrer.inbox").exception(
            "reply delivery failed", extra={"reply_id": reply.pk}
        )
        failure = ConnectorError(f"{type(exc).__name__}", permanent=False)
        return _delivery_failed(reply, failure, now=now)
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).update(
            status=ReplyStatus.SENT,
            platform_id=str(posted.id)[:255],
            sent_at=now,
            next_attempt_at=None,
            error="",
        )
        audit_record(
            actor=None,
            action="inbox_reply_sent",
            municipality=item.channel.municipality,
            obj=reply,
            data={"item_id": item.pk, "platform_id": str(posted.id)},
        )
        _crisis_log_sent(reply, now=now)
    from ordstyrer.channels.services import channel_record_activity

    channel_record_activity(channel_id=item.channel_id, at=now)
    return ReplyStatus.SENT


def _hold_for_crisis(reply: Reply, *, now: datetime) -> str | None:
    """PU-12 backstop at delivery, as the posts' (`publishing.services.crisis_stops`): a
    queued reply that would go out while a crisis requires approval for replies, without
    the crisis leader's approval given in that crisis, waits for the crisis leader
    instead (a reply committed just after the declaration held the queue,
    `crisis.services._hold_replies`, or queued again by a retry). Compare-and-set on the
    queued status, as the declaration's hold; the crisis leader and the deputies are told
    once committed, as for a reply written during the crisis. None when it may go out, or
    when another delivery holds it (its live claim: `_claim` leaves it to that one)."""
    if reply.next_attempt_at is not None and reply.next_attempt_at > now:
        return None
    crisis = crisis_requiring_approval(municipality=reply.item.channel.municipality, kind="reply")
    if crisis is None:
        return None
    decided = reply.crisis_decided_at
    if decided is not None and (reply.crisis_id == crisis.pk or decided >= crisis.declared_at):
        return None  # approved in this crisis
    from ordstyrer.crisis.tasks import crisis_waiting_notify

    with transaction.atomic():
        won = Reply.objects.filter(
            pk=reply.pk, status=ReplyStatus.QUEUED, next_attempt_at=reply.next_attempt_at
        ).update(status=ReplyStatus.AWAITING_CRISIS_APPROVAL, crisis=crisis, next_attempt_at=None)
        if won:
            put_back_held(reply, actor=None, now=now)
            after_commit(crisis_waiting_notify, kind="reply", object_id=reply.pk)
    return ReplyStatus.AWAITING_CRISIS_APPROVAL if won else "changed"


def replies_hold_for_crisis(
    *, municipality: Any, crisis: Crisis, actor: ActorLike, now: datetime
) -> int:
    """PU-12, at a declaration (`crisis.services.crisis_declare`, in its transaction): the
    municipality's replies queued but not yet delivered (or waiting to retry) wait for the
    crisis leader too; returns how many. Each is held compare-and-set on its status and
    lease as read (a delivery that claimed it since sends it), and the delivery checks the
    status before it calls the platform, so a held reply does not go out. The crisis
    leader and the deputies are told by e-mail of each, once committed.

    A held reply has not reached the citizen: its item waits as for a reply written
    during the crisis (DI-1), put back as it was before the reply (`put_back_held`), its
    clocks running until the crisis leader approves. Newest first, so an item that two
    held replies moved goes back past both. A reply a delivery is sending right now (a
    live claim) is held, but its item stays: if that attempt gets it out, it is answered."""
    pending = Reply.objects.filter(
        status__in=(ReplyStatus.QUEUED, ReplyStatus.RETRYING),
        item__channel__municipality=municipality,
    ).order_by("-created_at", "-pk")
    from ordstyrer.crisis.tasks import crisis_waiting_notify

    held = 0
    for reply in list(pending):
        won = Reply.objects.filter(
            pk=reply.pk, status=reply.status, next_attempt_at=reply.next_attempt_at
        ).update(status=ReplyStatus.AWAITING_CRISIS_APPROVAL, crisis=crisis, next_attempt_at=None)
        if not won:
            continue
        held += 1
        # The crisis leader and the deputies are told, once per reply, as for a reply
        # written during the crisis or held at its delivery (`_hold_for_crisis`).
        after_commit(crisis_waiting_notify, kind="reply", object_id=reply.pk)
        lease = reply.next_attempt_at
        sending = reply.status == ReplyStatus.QUEUED and lease is not None and lease > now
        if not sending:
            put_back_held(reply, actor=actor, now=now)
    return held


def put_back_held(reply: Reply, *, actor: ActorLike, now: datetime) -> bool:
    """PU-12, DI-1: a reply held for the crisis leader after it had moved its item (queued
    before the crisis) puts the item back as it was before the reply: open, its first
    response and resolution not done and their "in time" cleared. Its `previous` is
    forgotten, so the crisis leader's approval moves the item (`_move_on_release`, late if
    the wait took it past the deadline) and a rejection leaves it open, as for a reply
    written during the crisis. An item that has moved on since in a way the reply did not
    (closed for another reason, say) stays as it is, and the reply keeps its `previous`:
    approved, it does not move the item twice. True when the item was put back. Inside
    the caller's transaction."""
    target = _target_of(reply.effect)
    previous = reply.previous or {}
    if not previous or previous.get("status") == target:
        return False  # it never moved the item (a second acknowledgement)
    if lock_item(reply.item_id).status != target:
        return False
    _restore_item(
        reply,
        now=now,
        error=_(
            "Et svar venter på kriselederen. Henvendelsen står som ubesvart til "
            "kriselederen har godkjent svaret."
        ),
        actor=actor,
    )
    Reply.objects.filter(pk=reply.pk).update(previous={})
    reply.previous = {}
    return True


def _claim(reply: Reply, *, now: datetime) -> bool:
    """Take the queued reply for this delivery, compare-and-set on the attempts and the
    lease as read: one nobody holds (no lease), or one whose holder's lease ran out (its
    worker died). The claim counts as an attempt; one that died on the last attempt is
    failed by the sweep (`_give_up`), never claimed again. On success `reply` carries
    the claim (its attempts and lease), which the outcome is recorded against."""
    held = reply.next_attempt_at
    if (held is not None and held > now) or reply.attempts >= MAX_ATTEMPTS:
        return False
    lease = now + LEASE
    won = Reply.objects.filter(
        pk=reply.pk, status=ReplyStatus.QUEUED, attempts=reply.attempts, next_attempt_at=held
    ).update(attempts=reply.attempts + 1, next_attempt_at=lease)
    if won:
        reply.attempts, reply.next_attempt_at = reply.attempts + 1, lease
    return bool(won)


def _posted_before(reply: Reply, connector: Any) -> Comment | None:
    """Our reply on the platform, if an earlier attempt got it there and its answer was
    lost: the Page's comment under the citizen's comment (or under the top of its
    thread, where the platform threads one level deep) with the reply's text, that no
    other reply of ours already is (a template reply has the same words). Like the
    moderation outbox's `_posted_before` for a notice (meta-graph-api §3.4: re-check
    before retrying a create).

    Only the thread the reply went into is read (`ThreadSource.list_replies` of the top
    of the citizen's thread: Graph's `GET /{comment-id}/comments`, Instagram's `GET
    /{ig-comment-id}/replies`, meta-graph-api §1.3, §4.3), not the post's comments: on a
    busy post (a crisis) those ran past any page cap, and the reply failed for a person
    though the thread was short. A platform that cannot read a thread, or an item whose
    post is not known (an imported archive record), cannot be asked: None, and the
    reply is posted, as the outbox does. The Facebook, Instagram and simulated
    connectors can all be asked.

    A thread read cut off at its page cap (`THREAD_PAGES`) has not seen it all: the
    reply is not posted blindly but fails with what to look for, as a post that cannot
    be told apart does (`publishing.delivery._unknown_copy`); the item is put back for
    a person, who looks before answering again (never twice). An error of the read
    fails the attempt as the platform call's would (retried, or failed for a person)."""
    item = reply.item
    if not item.post_id or not supports(connector, Capability.THREAD_SOURCE):
        return None
    top = item.parent_platform_id or item.platform_id
    parents = {item.platform_id, top}
    others = set(
        Reply.objects.filter(item__channel_id=item.channel_id, item__post_id=item.post_id)
        .exclude(pk=reply.pk)
        .exclude(platform_id="")
        .values_list("platform_id", flat=True)
    )
    text = reply.text.strip()
    since = reply.created_at - LOOKBACK
    thread = iterate_pages(
        lambda cursor: connector.list_replies(top, since=since, cursor=cursor, limit=THREAD_PAGE),
        max_pages=THREAD_PAGES,
    )
    for comment in thread:
        if (
            comment.is_page_author
            and str(comment.parent_id or "") in parents
            and (comment.text or "").strip() == text
            and str(comment.id) not in others
        ):
            return comment
    if thread.truncated:
        import logging  # here, not at the top: a rare path

        logging.getLogger("ordstyrer.inbox").warning(
            "reply re-check cut off at its page cap", extra={"reply_id": reply.pk}
        )
        raise ConnectorError(
            _(
                "Ordstyrer vet ikke om svaret ble sendt: svaret fra plattformen kom ikke "
                "fram, og kommentaren har fått for mange svar til at svaret kan finnes "
                "igjen. Se etter svaret under kommentaren før du svarer på nytt. Står det "
                "der, må det ikke sendes igjen."
            ),
            permanent=True,
        )
    return None


def _channel_not_in_use(reply: Reply, *, now: datetime) -> str:
    """The channel was retired (or taken out of use) after the reply was queued: nothing
    is said on it (CH-1, CH-3). The reply fails without a platform call, its author is
    told, and the item is put back as it was; on a retired channel it is then settled
    like the channel's other items (`services.channel_inbox_settle`)."""
    channel = reply.item.channel
    message = _("Kanalen «%(name)s» er ikke i bruk, så svaret ble ikke sendt.") % {
        "name": channel.name
    }
    with transaction.atomic():
        won = Reply.objects.filter(pk=reply.pk, status=reply.status).update(
            status=ReplyStatus.FAILED, next_attempt_at=None, error=message
        )
        if won:
            _restore_item(reply, now=now, error=message)
            if channel.status == channel_workflow.RETIRED:
                from ordstyrer.inbox.services import settle_retired_item

                settle_retired_item(reply.item_id, actor=None, now=now, note=message)
            after_commit(tasks.reply_failed_notify, reply_id=reply.pk)
    return ReplyStatus.FAILED


def reply_withdraw(reply: Reply, *, actor: ActorLike, now: datetime, note: str) -> bool:
    """Stop a reply that has not gone out (queued, retrying or waiting for the crisis
    leader) because its channel is retired: it fails with `note`, and the item is put
    back as it was before the reply (inside the caller's transaction; the reply row is
    claimed compare-and-set on its pending status). A delivery already inside its
    platform call is not stopped: if it goes out, its success is recorded as usual.
    True when this call stopped it."""
    won = Reply.objects.filter(pk=reply.pk, status__in=PENDING).update(
        status=ReplyStatus.FAILED, next_attempt_at=None, error=note[:1000]
    )
    if won:
        _restore_item(reply, now=now, error=note, actor=actor)
    return bool(won)


def _delivery_failed(reply: Reply, exc: ConnectorError, *, now: datetime) -> str:
    """Record a failed attempt against the claim `reply` carries (compare-and-set on its
    lease: a worker whose lease ran out records nothing over its successor's work)."""
    attempts = reply.attempts
    mine = Reply.objects.filter(
        pk=reply.pk, status=ReplyStatus.QUEUED, next_attempt_at=reply.next_attempt_at
    )
    if exc.code in WAITED_OUT and not exc.permanent:
        # meta-graph-api §3.4: Meta's limits are waited out, not given up on. The claim
        # is given back (the attempt is not used up), but only for `WAIT_LIMIT` from
        # when the reply was written, or let go by the crisis leader; then it fails as
        # any other, for a person to look, and its item is put back.
        start = max(reply.created_at, reply.crisis_decided_at or reply.created_at)
        if now - start < WAIT_LIMIT:
            wait: float = BACKOFF_SECONDS[min(max(attempts, 1) - 1, len(BACKOFF_SECONDS) - 1)]
            wait = max(wait, float(exc.retry_after or 0))
            mine.update(
                status=ReplyStatus.RETRYING,
                attempts=max(attempts - 1, 0),
                next_attempt_at=now + timedelta(seconds=wait),
                error=str(exc.message)[:1000],
            )
            return ReplyStatus.RETRYING
        exc = ConnectorError(waited_out_message(WAIT_LIMIT, exc.message), permanent=True)
    if not exc.permanent and attempts < MAX_ATTEMPTS:
        wait = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
        if exc.retry_after:
            wait = max(wait, float(exc.retry_after))
        mine.update(
            status=ReplyStatus.RETRYING,
            next_attempt_at=now + timedelta(seconds=wait),
            error=str(exc.message)[:1000],
        )
        return ReplyStatus.RETRYING
    with transaction.atomic():
        won = mine.update(
            status=ReplyStatus.FAILED, next_attempt_at=None, error=str(exc.message)[:1000]
        )
        if won:
            _restore_item(reply, now=now, error=str(exc.message))
            after_commit(tasks.reply_failed_notify, reply_id=reply.pk)
    return ReplyStatus.FAILED


def _restore_item(reply: Reply, *, now: datetime, error: str, actor: ActorLike = None) -> None:
    """The reply never reached the citizen: put the item back as it was before it."""
    item = lock_item(reply.item_id)
    previous = reply.previous or {}
    source = restored = ""  # stay empty in the event when the item has moved on since
    if item.status == _target_of(reply.effect) and previous:
        source = item.status
        for name in RESTORED_FIELDS:
            value = previous.get(name)
            if isinstance(value, str) and name.endswith("_at") and value:
                value = datetime.fromisoformat(value)
            setattr(item, name, value if value is not None else _empty(name))
        item.open = item.status in workflow.OPEN
        item.status_changed_at = now
        _policy, targets, version = policy_state(item.municipality)
        calendar = calendar_for(item.municipality)
        set_deadlines(item, targets=targets, calendar=calendar, version=version)
        item.save()
        restored = item.status
    log_event(
        item,
        action="reply_failed",
        actor=actor,
        now=now,
        text=error,
        from_status=source,
        to_status=restored,
        data={"reply_id": reply.pk},
    )


def _empty(name: str) -> Any:
    return "" if name == "close_reason" else None


def replies_retry_sweep(*, now: datetime) -> int:
    """Re-queue replies whose backoff has passed, and send the queued replies nobody is
    sending (`_recover`); each claimed compare-and-set. Returns how many it took."""
    clock = SweepClock(now, budget=SWEEP_BUDGET)
    _give_up(now=now)
    due = Reply.objects.filter(status=ReplyStatus.RETRYING, next_attempt_at__lte=now).values_list(
        "pk", "next_attempt_at"
    )[:SWEEP_BATCH]
    requeued: set[int] = set()
    for pk, at in list(due):
        with transaction.atomic():
            won = Reply.objects.filter(
                pk=pk, status=ReplyStatus.RETRYING, next_attempt_at=at
            ).update(status=ReplyStatus.QUEUED, next_attempt_at=None)
            if won:
                requeued.add(pk)
                after_commit(tasks.reply_deliver, reply_id=pk)
    return len(requeued) + _recover(clock=clock, skip=requeued)


def _stale(now: datetime) -> Q:
    """Queued replies nobody is sending: a lease that ran out (the worker died during the
    delivery), or no lease long after the reply was written (its task was lost)."""
    return Q(status=ReplyStatus.QUEUED) & (
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - FIRST_ATTEMPT_GRACE)
    )


def _recover(*, clock: SweepClock, skip: set[int]) -> int:
    """Deliver the stale queued replies here, in the sweep (as publishing's `retry_due`
    does): each one is looked for on the platform before it is posted, since its lost
    worker may have posted it (`reply_deliver(recheck=True)`). One that raises is logged
    and never stops the others; its claim runs out and it is tried again. `skip`: the
    replies just re-queued, whose tasks send them.

    Each is claimed at the time it is reached (`clock`), its lease a whole `LEASE` from
    then however long the ones before it took, and none once the sweep has run for
    `SWEEP_BUDGET`: another worker never takes a reply this one is still sending (two
    replies to one citizen)."""
    stale = list(
        Reply.objects.filter(_stale(clock.started), attempts__lt=MAX_ATTEMPTS)
        .exclude(pk__in=skip)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    sent = 0
    for pk in stale:
        if clock.spent():
            break
        try:
            outcome = reply_deliver(reply_id=pk, now=clock.now(), recheck=True)
        except Exception:  # noqa: BLE001 — one bad reply must not stall the sweep; logged
            import logging

            logging.getLogger("ordstyrer.inbox").exception(
                "reply recovery failed", extra={"reply_id": pk}
            )
            continue
        sent += outcome != "claimed_elsewhere"
    return sent


def _give_up(*, now: datetime) -> int:
    """Fail the queued replies whose worker died on their last attempt (never claimed
    again): as a permanent failure, the item restored and the author told, for a person
    to look at the platform (as the moderation outbox's `bury_exhausted`)."""
    error = _(
        "Gitt opp etter %(n)s forsøk: bakgrunnsjobben stoppet hver gang før kallet var ferdig."
    ) % {"n": MAX_ATTEMPTS}
    exhausted = Reply.objects.filter(
        status=ReplyStatus.QUEUED, next_attempt_at__lte=now, attempts__gte=MAX_ATTEMPTS
    ).select_related("item__channel__municipality")[:SWEEP_BATCH]
    failed = 0
    for reply in list(exhausted):
        failed += (
            _delivery_failed(reply, ConnectorError(error, permanent=True), now=now)
            == ReplyStatus.FAILED
        )
    return failed


def reply_suggestion(
    *, item: InboxItem, actor: ActorLike, code: str, target: str = "", policy: Any = None
) -> Any:
    """The suggested reply `code` for `item`, signed for `actor` where DI-9 demands it.

    `policy` is the municipality's effective policy when the caller has read it already
    (the item page reads it once for the reply form and the moderation panel)."""
    if policy is None:
        from ordstyrer.tenants.selectors import policy_for

        policy = policy_for(municipality=item.municipality)
    return reply_templates.render(
        code,
        policy=policy,
        written_standard=item.written_standard,
        municipality_name=item.municipality.name,
        citizen_name=item.author_name,
        signer_first_name=getattr(user_of(actor), "first_name", "") or "",
        target=target,
    )


# --- crisis mode (PU-12): replies that wait for the crisis leader ----------------------------


def _crisis_log_sent(reply: Reply, *, now: datetime) -> None:
    """PU-12: every word that goes out during a crisis is in the crisis log."""
    municipality = reply.item.channel.municipality
    crisis = reply.crisis if reply.crisis_id else active_crisis(municipality=municipality)
    if crisis is None or (crisis.ended_at is not None and crisis.ended_at < reply.created_at):
        return
    actor = reply.crisis_decided_by or reply.author
    _crisis_log(reply, crisis, kind="reply_sent", text=reply.text, actor=actor, now=now)


def _crisis_log(
    reply: Reply, crisis: Crisis | None, *, kind: str, text: str, actor: ActorLike, now: datetime
) -> None:
    """The reply's line in the log of `crisis` (none when no crisis held it)."""
    from ordstyrer.crisis.services import crisis_log_write

    if crisis is not None:
        crisis_log_write(
            crisis=crisis,
            kind=kind,
            text=text,
            channel=reply.item.channel,
            object_kind="reply",
            object_id=reply.pk,
            actor=actor,
            now=now,
        )


def _crisis_reply(*, reply_id: Any, actor: ActorLike) -> Reply:
    """The reply `reply_id`, locked, if `actor` may decide on it in a crisis (PU-12):
    404 for outsiders and unknown ids, 403 for members who are not crisis approvers."""
    from ordstyrer.core.errors import NotFound, NotPermitted
    from ordstyrer.crisis.selectors import may_approve_in_crisis

    try:
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("item__channel__municipality", "crisis")
            .get(pk=int(reply_id))
        )
    except (Reply.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext_lazy("Fant ikke siden.")) from None
    municipality = reply.item.channel.municipality
    actor = actor_for(actor, municipality)
    if not actor.roles:
        raise NotFound(gettext_lazy("Fant ikke siden."))
    if not may_approve_in_crisis(user=actor, municipality=municipality):
        raise NotPermitted(
            gettext_lazy("Bare kriselederen eller en stedfortreder kan godkjenne (PU-12).")
        )
    return reply


def reply_answered_later_check(reply: Reply) -> None:
    """PU-12, DI-1: refuse to let a held reply go out when a later reply on its item is
    sent or on its way (written after the crisis, or another held reply approved first):
    it would be the municipality's second answer, out of turn. A `Conflict` that says
    so; the crisis leader rejects it instead. Asked by `reply_crisis_approve` and, before
    the console's confirmation, by `crisis.services.crisis_approve_check`."""
    later = Reply.objects.filter(
        Q(created_at__gt=reply.created_at) | Q(created_at=reply.created_at, pk__gt=reply.pk),
        item_id=reply.item_id,
        status__in=(ReplyStatus.QUEUED, ReplyStatus.RETRYING, ReplyStatus.SENT),
    )
    sent = later.filter(status=ReplyStatus.SENT, sent_at__isnull=False).order_by("sent_at").first()
    if sent is not None:
        when = formats.date_format(timezone.localtime(sent.sent_at), "SHORT_DATETIME_FORMAT")
        raise Conflict(
            lazy_interpolate(
                gettext_lazy(
                    "Svaret kan ikke godkjennes: et senere svar på samme henvendelse ble sendt "
                    "%(when)s, så dette ville blitt kommunens andre svar. Avvis det i stedet."
                ),
                {"when": when},
            ),
            rule="PU-12",
        )
    if later.exists():
        raise Conflict(
            gettext_lazy(
                "Svaret kan ikke godkjennes: et senere svar på samme henvendelse er på vei ut, "
                "så dette ville blitt kommunens andre svar. Avvis det i stedet."
            ),
            rule="PU-12",
        )


def reply_crisis_approve(*, reply_id: Any, actor: ActorLike, now: datetime | None = None) -> Reply:
    """PU-12: the crisis leader lets a waiting reply go out; delivered after commit.

    Idempotent for the one who decided: their replayed approval changes nothing. A reply
    that is not waiting for the crisis leader (never held by a crisis, rejected, or
    approved by someone else) is a `Conflict`, as for posts (`post_crisis_approve`); so is
    one whose item a later reply has answered since (`reply_answered_later_check`)."""
    now = now or timezone.now()
    with transaction.atomic():
        reply = _crisis_reply(reply_id=reply_id, actor=actor)
        if reply.status != ReplyStatus.AWAITING_CRISIS_APPROVAL:
            if reply.status == ReplyStatus.REJECTED:
                raise Conflict(
                    gettext_lazy("Svaret er allerede avvist av kriselederen."), rule="PU-12"
                )
            decided_by = getattr(user_of(actor), "pk", None)
            if reply.crisis_decided_at is not None and reply.crisis_decided_by_id == decided_by:
                return reply  # their own approval, replayed: nothing happens twice
            raise Conflict(gettext_lazy("Svaret venter ikke på kriseleder."), rule="PU-12")
        from ordstyrer.crisis.services import crisis_own_text_check

        municipality = reply.item.channel.municipality
        crisis_own_text_check(municipality=municipality, hands={reply.author_id}, actor=actor)
        require_in_use(reply.item.channel)
        # The item's lock, as `reply_send` takes it: a reply written meanwhile is seen.
        lock_item(reply.item_id)
        reply_answered_later_check(reply)
        reply.status = ReplyStatus.QUEUED
        reply.crisis_decided_by = person(actor)
        reply.crisis_decided_at = now
        reply.save(update_fields=["status", "crisis_decided_by", "crisis_decided_at"])
        item = reply.item
        if not reply.previous:
            item = _move_on_release(reply, actor=actor, now=now)
        log_event(
            item,
            action="reply_crisis_approved",
            actor=actor,
            now=now,
            data={"reply_id": reply.pk, "crisis_id": reply.crisis_id},
        )
        _crisis_log(
            reply, reply.crisis, kind="reply_approved", text=reply.text, actor=actor, now=now
        )
        after_commit(tasks.reply_deliver, reply_id=reply.pk)
    return reply


def _move_on_release(reply: Reply, *, actor: ActorLike, now: datetime) -> InboxItem:
    """PU-12, DI-1: the reply the crisis leader lets go moves its item now, so its clocks
    stop when the citizen is answered (late, if the wait took it past the deadline). An
    item that has moved on meanwhile in a way the reply cannot follow (closed, say) stays
    as it is. The snapshot is taken here, for a failed delivery to put back."""
    item = lock_item(reply.item_id)
    if not _moves(item, reply.effect) or reply.effect not in workflow.allowed_actions(item.status):
        return item
    reply.previous = _snapshot(item)
    reply.save(update_fields=["previous"])
    _policy, targets, version = policy_state(item.municipality)
    transition(
        item,
        action=reply.effect,
        actor=actor,
        now=now,
        targets=targets,
        version=version,
        data={"reply_id": reply.pk, "template": reply.template},
    )
    return item


def reply_crisis_reject(
    *, reply_id: Any, actor: ActorLike, reason: str, now: datetime | None = None
) -> Reply:
    """PU-12: the crisis leader stops a waiting reply; the reason goes back to its author.
    A reply written during the crisis never moved its item, which stays open; one held
    after it had moved the item puts it back as it was (as when delivery fails)."""
    from ordstyrer.crisis import tasks as crisis_tasks

    reason = str(reason or "").strip()[:2000]
    if not visible_text(reason):  # zero-width characters alone say nothing either
        raise ServiceError(gettext_lazy("Skriv hvorfor svaret avvises."), rule="PU-12")
    now = now or timezone.now()
    with transaction.atomic():
        reply = _crisis_reply(reply_id=reply_id, actor=actor)
        if reply.status != ReplyStatus.AWAITING_CRISIS_APPROVAL:
            if reply.status == ReplyStatus.REJECTED:
                return reply  # a replayed form: rejected once
            raise Conflict(gettext_lazy("Svaret er allerede godkjent og sendt."), rule="PU-12")
        reply.status = ReplyStatus.REJECTED
        reply.crisis_decided_by = person(actor)
        reply.crisis_decided_at = now
        reply.crisis_reason = reason
        reply.save(
            update_fields=["status", "crisis_decided_by", "crisis_decided_at", "crisis_reason"]
        )
        log_event(
            reply.item,
            action="reply_crisis_rejected",
            actor=actor,
            now=now,
            text=reason,
            data={"reply_id": reply.pk, "crisis_id": reply.crisis_id},
        )
        if reply.previous:
            _restore_item(reply, now=now, error=reason)
        _crisis_log(reply, reply.crisis, kind="reply_rejected", text=reason, actor=actor, now=now)
        after_commit(crisis_tasks.reply_crisis_rejected_notify, reply_id=reply.pk)
    return reply
