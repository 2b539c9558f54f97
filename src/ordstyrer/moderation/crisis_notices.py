"""Notices to authors (MO-4) during a crisis: held for the crisis leader (PU-12).

Birkenes: «I krisesituasjoner hvor rådmannen har satt kriseledelse godkjennes all
informasjon av kriseleder»; Indre Fosen, Rennebu and Gausdal: all communication goes
through the crisis staff. A notice is a public comment or a private message in the
municipality's name, so where the municipality's PU-12 settings hold replies for the
crisis leader (`approve_replies`, `crisis.selectors.crisis_requiring_approval`), a
notice waits too — and goes out, unchanged, once the crisis leader (a deputy, or a
role the preset names) approves it. Where replies go through, notices do too (logged).

Only the notice waits: the deletion (archived first, MO-2) or the ban is done at once.
A deletion's notice is then a public comment on the post (`deletion_notice_public`,
asked by `effects` and by the confirmations' `preview`), as a private reply needs the
comment to exist (meta-graph-api §1.4).

The outbox asks `hold_if_needed` right before it claims a notice (`outbox.run_claimed`),
as a reply's delivery asks before its platform call (`inbox.replies`): one place for
every notice — a deletion's, a ban's, one sent again — and for a crisis declared while
a notice waited for its turn. The held op (`OpStatus.HELD`) is never claimed; the
action's notice reads «Venter på kriseleder» in the item's moderation panel, and the
crisis leader and the deputies are told by e-mail, with a link to the page that lists
the held notices (`/m/<slug>/moderering/krise/`), where they approve them
(`notice_crisis_approve`; from the panel too, for those who open the item). The crisis
page's queue lists posts and replies; it counts the held notices apart and links to
their page, as do the end's confirmation and the approvers' start page
(`crisis.queue.held_notices`, `web.needs`).

When the crisis ends, a held notice still waits for the crisis leader's decision, as a
held reply does (docs/crisis.md); approved after the end, it goes out and is logged in
the crisis that held it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.errors import Conflict, NotPermitted
from ordstyrer.core.mail import addresses, console_url, send
from ordstyrer.core.permissions import actor_for, not_found
from ordstyrer.core.services import after_commit, person
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.selectors import (
    crisis_approvers,
    crisis_approvers_said,
    crisis_requiring_approval,
    may_approve_in_crisis,
)
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.transitions import lock_item
from ordstyrer.moderation import tasks
from ordstyrer.moderation.actions import NOTICE_KINDS, audit, enqueue
from ordstyrer.moderation.models import (
    ActionKind,
    AttemptOutcome,
    ModerationAction,
    NoticeState,
    OpAttempt,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.with_post import WAIT
from ordstyrer.tenants.models import Municipality

logger = logging.getLogger("ordstyrer.moderation")


def notice_crisis(municipality: Municipality) -> Crisis | None:
    """The active crisis if a notice must wait for the crisis leader now (PU-12): the
    municipality's setting for replies decides (`approve_replies`)."""
    return crisis_requiring_approval(municipality=municipality, kind="reply")


def deletion_notice_public(item: InboxItem) -> bool:
    """Whether a deletion's notice that would go as a private reply goes as a public
    comment on the post instead (PU-12, MO-4): the notice waits for the crisis leader
    now, the deletion does not, and a private reply needs the comment to exist. The one
    decision: `effects` switches the notice by it when the deletion runs, and the
    confirmations (`preview`) show the public notice by it."""
    return bool(item.post_id) and notice_crisis(item.municipality) is not None


def approved_in(action: ModerationAction, crisis: Crisis) -> bool:
    """Whether the crisis leader let the notice go in `crisis` (as for replies: the
    approval of the crisis that held it, or one given after `crisis` was declared)."""
    approved = action.notice_crisis_approved_at
    return approved is not None and (
        action.notice_crisis_id == crisis.pk or approved >= crisis.declared_at
    )


def _dead(op: PlatformOp, *, now: datetime) -> bool:
    """Whether the outbox would take `op` over from a worker that died: running, its
    lease run out, attempts left (`outbox.claim`'s condition)."""
    from ordstyrer.moderation.outbox import MAX_ATTEMPTS

    return (
        op.status == OpStatus.RUNNING
        and op.lease_until is not None
        and op.lease_until < now
        and op.attempts < MAX_ATTEMPTS
    )


def hold_if_needed(op_id: int, *, now: datetime) -> bool:
    """Hold the notice op `op_id` for the crisis leader if it would go out now during a
    crisis that holds replies, without the crisis leader's approval (PU-12). True when
    held (by this call or before). A pending op, and a running one whose worker died
    (its lease ran out): the outbox claims that one again (`outbox.claim`), so a notice
    whose worker died before the declaration would otherwise go out unapproved after it.
    Compare-and-set on the status and lease as read: an op another worker claimed
    meanwhile is left to that worker's claim. The dead worker's attempt is closed as
    abandoned, as a claim closes it, so the run after the approval looks for the notice
    on the platform before it posts (the dead attempt may have got it out). A step that
    waited for a private notice (the deletion after it) goes on without it."""
    op = (
        PlatformOp.objects.filter(pk=op_id, kind__in=NOTICE_KINDS)
        .select_related("channel__municipality")
        .first()
    )
    if op is None:
        return False
    if op.status == OpStatus.HELD:
        return True
    dead = _dead(op, now=now)
    if op.status != OpStatus.PENDING and not dead:
        return False
    crisis = notice_crisis(op.channel.municipality)
    if crisis is None:
        return False
    as_read = (
        {"status": OpStatus.RUNNING, "lease_until": op.lease_until, "claim_token": op.claim_token}
        if dead
        else {"status": OpStatus.PENDING}
    )
    with transaction.atomic():
        action = ModerationAction.objects.select_for_update(of=("self",)).get(pk=op.action_id)
        if approved_in(action, crisis):
            return False
        won = PlatformOp.objects.filter(pk=op.pk, **as_read).update(
            status=OpStatus.HELD, next_attempt_at=None, lease_until=None, claim_token=""
        )
        if not won:
            return False
        if dead:
            OpAttempt.objects.filter(op_id=op.pk, finished_at__isnull=True).update(
                finished_at=now,
                outcome=AttemptOutcome.ABANDONED,
                error=_("Bakgrunnsjobben stoppet før forsøket var ferdig; forsøket tas opp igjen."),
            )
        # The deletion after a private notice does not wait for the crisis leader (MO-2,
        # MO-6: removed as soon as decided); it follows what the notice followed.
        for waiting in PlatformOp.objects.filter(after=op, status=OpStatus.WAITING):
            PlatformOp.objects.filter(pk=waiting.pk, status=OpStatus.WAITING).update(
                status=OpStatus.PENDING, next_attempt_at=now, after=op.after_id
            )
            enqueue(waiting)
        action.notice_state, action.notice_updated_at = NoticeState.AWAITING_CRISIS_APPROVAL, now
        action.notice_crisis = crisis
        action.save(update_fields=["notice_state", "notice_updated_at", "notice_crisis"])
        audit(action, "notice_held", actor=None, crisis_id=crisis.pk, op_id=op.pk)
        after_commit(tasks.notice_held_notify, action_id=action.pk)
    logger.info("moderation notice held for the crisis leader", extra={"op_id": op.pk})
    return True


def notify_notice_held(*, action_id: int) -> int:
    """PU-12: tell the crisis leader and the deputies by e-mail that a notice waits for
    them, with a link to the page that lists the held notices (`views.crisis_notices_page`).
    Sent only while it still waits; no text of the notice or the comment is quoted."""
    action = (
        ModerationAction.objects.select_related("municipality", "channel")
        .filter(pk=action_id)
        .first()
    )
    if action is None or action.notice_state != NoticeState.AWAITING_CRISIS_APPROVAL:
        return 0
    municipality = action.municipality
    # Those who may approve it: not the deputy who requested or approved the action
    # (`notice_crisis_approve` refuses them), the crisis leader always.
    recipients = addresses(crisis_approvers(municipality=municipality, hands=notice_hands(action)))
    if not recipients:
        return 0
    context = {
        "channel": action.channel.name,
        "municipality": municipality.name,
        "path": console_url(reverse("moderation:crisis_notices", args=[municipality.slug])),
    }
    # The comment goes with a post being taken down: it is not deleted yet, and the
    # take-down waits at most `with_post.WAIT` for this approval (MO-4).
    with_post = action.kind == ActionKind.WITH_POST
    if with_post:
        context["minutes"] = str(int(WAIT.total_seconds() // 60))

    def compose() -> tuple[str, str]:
        # Who approves, as the guide and the crisis page say it (PU-12).
        context["who"] = crisis_approvers_said(municipality=municipality)
        subject = _("En beskjed til en innbygger venter på godkjenning fra kriseleder")
        if with_post:
            said = _(
                "Kommunen er i krisemodus. En kommentar på %(channel)s i %(municipality)s "
                "slettes sammen med et innlegg kommunen tar ned, og beskjeden til forfatteren "
                "om hvorfor venter på godkjenning fra %(who)s eller en stedfortreder "
                "(PU-12). Innlegget slettes senest %(minutes)s minutter etter at det ble "
                "bestemt; er beskjeden ikke godkjent da, blir den ikke sendt.\n\n"
                "Se og godkjenn beskjeden: %(path)s"
            )
        else:
            said = _(
                "Kommunen er i krisemodus. En kommentar på %(channel)s i %(municipality)s er "
                "slettet, eller forfatteren er utestengt, og beskjeden til forfatteren om hvorfor "
                "venter på godkjenning fra %(who)s eller en stedfortreder (PU-12).\n\n"
                "Se og godkjenn beskjeden: %(path)s"
            )
        return subject, said % context

    return send(compose, recipients)


def notice_hands(action: ModerationAction) -> set[int | None]:
    """Whose own the notice of `action` is (PU-12): who requested the deletion or ban and
    who approved it. `notice_crisis_approve` refuses them unless they are the crisis
    leader (`crisis_own_text_check`), and they are not told it waits for them."""
    return {action.requested_by_id, action.approved_by_id}


def may_approve_notice(user: ActorLike, municipality: Municipality) -> bool:
    """Who lets a held notice go: whoever approves posts and replies in a crisis there
    (`may_approve_in_crisis`: the crisis leader, the deputies, the preset's approvers)."""
    return may_approve_in_crisis(user=user, municipality=municipality)


def notice_crisis_approve(
    *, actor: ActorLike, action: ModerationAction | int, now: datetime | None = None
) -> ModerationAction:
    """PU-12: the crisis leader lets a held notice go out, unchanged; sent after commit,
    or once the step it waits for is done. Logged in the crisis that held it.

    404 for an outsider, 403 for a member who does not approve in a crisis; a deputy
    does not approve the notice of a deletion or ban they asked for or approved
    themselves (`crisis_own_text_check`). Their own approval posted again changes
    nothing; a notice that does not wait (any more) is a `Conflict`."""
    from ordstyrer.crisis.services import crisis_log_write, crisis_own_text_check

    now = now or timezone.now()
    pk = action.pk if isinstance(action, ModerationAction) else int(action)
    with transaction.atomic():
        item_id = ModerationAction.objects.values_list("item_id", flat=True).filter(pk=pk).first()
        if item_id is None:
            raise not_found()
        item: InboxItem = lock_item(item_id)
        locked = ModerationAction.objects.select_for_update(of=("self",)).get(pk=pk)
        municipality = item.municipality
        who = actor_for(actor, municipality)
        if not who.roles:
            raise not_found()
        if not may_approve_notice(who, municipality):
            raise NotPermitted(
                gettext_lazy("Bare kriselederen eller en stedfortreder kan godkjenne (PU-12).")
            )
        me = getattr(user_of(who), "pk", None)
        if locked.notice_state != NoticeState.AWAITING_CRISIS_APPROVAL:
            if locked.notice_crisis_approved_at is not None and (
                locked.notice_crisis_approved_by_id == me
            ):
                return locked  # their own approval, replayed: nothing happens twice
            raise Conflict(gettext_lazy("Beskjeden venter ikke på kriseleder."), rule="PU-12")
        crisis_own_text_check(municipality=municipality, hands=notice_hands(locked), actor=who)
        for op in PlatformOp.objects.select_for_update().filter(
            action=locked, status=OpStatus.HELD
        ):
            # Its turn has come if the step before it is done (a deletion's notice waits
            # for the deletion); otherwise that step lets it go (`effects._release_waiting`).
            ready = op.after_id is None or (
                PlatformOp.objects.filter(pk=op.after_id, status=OpStatus.DONE).exists()
            )
            PlatformOp.objects.filter(pk=op.pk, status=OpStatus.HELD).update(
                status=OpStatus.PENDING if ready else OpStatus.WAITING,
                next_attempt_at=now if ready else None,
            )
            if ready:
                enqueue(op)
        locked.notice_state, locked.notice_updated_at = NoticeState.QUEUED, now
        locked.notice_crisis_approved_by, locked.notice_crisis_approved_at = person(who), now
        locked.save(
            update_fields=[
                "notice_state",
                "notice_updated_at",
                "notice_crisis_approved_by",
                "notice_crisis_approved_at",
            ]
        )
        audit(locked, "notice_crisis_approved", actor=who, crisis_id=locked.notice_crisis_id)
        if locked.notice_crisis is not None:
            # The crisis log has no kind of its own for a notice's approval (the crisis
            # app's `CrisisLogKind`); a notice is the municipality's reply to the author.
            crisis_log_write(
                crisis=locked.notice_crisis,
                kind="reply_approved",
                text=locked.notice_text,
                channel=item.channel,
                object_kind="moderation_action",
                object_id=locked.pk,
                actor=who,
                now=now,
            )
    return locked
