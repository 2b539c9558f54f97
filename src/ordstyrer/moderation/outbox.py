"""The moderation outbox: platform calls carried out after commit, crash-safe (MO-2).

Each `PlatformOp` row is run by `op_run` in three steps, each in its own transaction
or outside any:

1. **claim** — compare-and-set `pending` → `running` with a fresh token and a lease
   (or take over a `running` row whose lease ran out: its worker died). One
   `OpAttempt` row per claim; an attempt left open by a dead worker is closed as
   abandoned.
2. **call** the platform through `channels.platform.open_connector` — outside every
   transaction of ours.
3. **record** the outcome, compare-and-set on the token: done (with the effects of
   the step, in the same transaction), a retry with backoff (`retry_after` honoured),
   or failed for good — also when our own side refuses the step's effects (a
   `DomainError`, such as the archive refusing the record): at once, with its reason.

A deletion runs as `capture` → `delete` → `notice`, or `capture` → `hide` → `private`
→ `delete` when the notice is a private reply (which needs the comment to exist). The
capture step reads the comment from the platform and then, in ONE transaction, appends
the archive record (`archive_append`, kind `deleted_comment`) and writes the rows that
follow: the deletion can only be claimed once the record is committed. A comment's
picture (a photo, sticker or GIF comment) is fetched in the capture step too, while its
address still works, after the connector's block has ended (no transaction or row lock
of ours is held while another server takes its time; `connectors.attachments` bounds it
well inside the lease); its bytes go into the archive record, never into the op's row.
A platform that says the comment is already gone (the connector returns False, or
`not_found`) makes the deletion done, so a retry after a crash never deletes twice. A
public notice (MO-4) waits for the deletion; a private one for the hide (`effects`).

During a crisis that holds replies for the crisis leader, a notice is held before it
is claimed (`crisis_notices`, PU-12): `held` until approved, never claimed meanwhile.

A notice is a create, and a create's answer can be lost after the platform did it (a
502, a timeout, a dead worker). So every retry of a notice first re-checks the platform
(meta-graph-api §3.4): a public notice looks for itself among the post's comments
before posting again, and a private one reads "already replied to" (Graph 10900; the
simulated page's duplicate) as sent — never a second notice, never a false "failed".

The `moderation.outbox` sweep runs what is due: rows whose task was lost, retries
whose backoff has passed and rows whose worker died. Tasks and the sweep may race: the
claim decides.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels.platform import open_connector
from ordstyrer.connectors.attachments import fetch_attachment
from ordstyrer.connectors.base import (
    Capability,
    CommentAttachment,
    ConnectorError,
    ErrorCode,
    iterate_pages,
    supports,
)
from ordstyrer.core.errors import DomainError
from ordstyrer.core.meta_waits import WAIT_LIMIT, WAITED_OUT, waited_out_message
from ordstyrer.core.worker import SweepClock
from ordstyrer.moderation import effects
from ordstyrer.moderation.crisis_notices import hold_if_needed
from ordstyrer.moderation.models import (
    AttemptOutcome,
    OpAttempt,
    OpKind,
    OpStatus,
    PlatformOp,
)

logger = logging.getLogger("ordstyrer.moderation")

LEASE = timedelta(minutes=5)
# A notice's re-check reads the post's comments from this long before it was queued.
NOTICE_LOOKBACK = timedelta(hours=1)
MAX_ATTEMPTS = 8
# Seconds to wait after the 1st, 2nd, … failed attempt (or the platform's retry_after).
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)
# A first attempt is the on-commit task's; the sweep takes it only if the task was lost.
FIRST_ATTEMPT_GRACE = timedelta(seconds=60)
SWEEP_BATCH = 50
# A sweep claims no more ops once it has run this long (well inside LEASE).
SWEEP_BUDGET = LEASE / 2
# What the moderation calls on the platform need from the connector.
NEEDS = {
    OpKind.CAPTURE: Capability.COMMENT_SOURCE,
    OpKind.HIDE: Capability.MODERATOR,
    OpKind.UNHIDE: Capability.MODERATOR,
    OpKind.DELETE: Capability.MODERATOR,
    OpKind.BLOCK: Capability.BLOCKER,
    OpKind.UNBLOCK: Capability.BLOCKER,
    OpKind.NOTICE: Capability.REPLIER,
    OpKind.PRIVATE_NOTICE: Capability.PRIVATE_REPLIER,
}
# "Already in that state" is done, not an error.
GONE_IS_DONE = frozenset({OpKind.HIDE, OpKind.UNHIDE, OpKind.DELETE, OpKind.UNBLOCK})


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:80]


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds before the next try after `attempts` failed ones."""
    wait = float(BACKOFF_SECONDS[min(max(attempts, 1) - 1, len(BACKOFF_SECONDS) - 1)])
    if retry_after:
        wait = max(wait, float(retry_after))
    return wait


# --- 1. claim --------------------------------------------------------------------------------


def claim(op_id: int, *, now: datetime, worker: str) -> tuple[PlatformOp, str, OpAttempt] | None:
    """Claim the op for this worker (compare-and-set), or None if it is not ours to run."""
    token = uuid.uuid4().hex
    due = Q(status=OpStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    # A worker that died MAX_ATTEMPTS times on this op (a call that kills the process)
    # does not get it again: `bury_exhausted` fails it for a human (issue #18).
    dead = Q(status=OpStatus.RUNNING, lease_until__lt=now, attempts__lt=MAX_ATTEMPTS)
    with transaction.atomic():
        won = (
            PlatformOp.objects.filter(pk=op_id)
            .filter(due | dead)
            .update(
                status=OpStatus.RUNNING,
                claim_token=token,
                lease_until=now + LEASE,
                attempts=F("attempts") + 1,
            )
        )
        if not won:
            return None
        OpAttempt.objects.filter(op_id=op_id, finished_at__isnull=True).update(
            finished_at=now,
            outcome=AttemptOutcome.ABANDONED,
            error=_("Bakgrunnsjobben stoppet før forsøket var ferdig; forsøket tas opp igjen."),
        )
        op = PlatformOp.objects.select_related("action", "channel__municipality").get(pk=op_id)
        attempt = OpAttempt.objects.create(op=op, number=op.attempts, worker=worker, started_at=now)
    return op, token, attempt


# --- 2. the platform call ----------------------------------------------------------------------


def perform(op: PlatformOp, connector: Any, *, retried_after_crash: bool) -> dict[str, Any]:
    """Make the op's platform call; returns what to record. Raises `ConnectorError`."""
    need = NEEDS[OpKind(op.kind)]
    if not supports(connector, need):
        if op.kind == OpKind.CAPTURE:  # archive what the inbox holds instead
            return {"unsupported": True}
        if op.kind in (OpKind.BLOCK, OpKind.UNBLOCK):
            reason = getattr(connector, "blocking_unsupported_reason", None)
            raise ConnectorError(
                str(reason or _("Plattformen kan ikke utestenge personer.")),
                permanent=True,
                code=ErrorCode.UNSUPPORTED,
            )
        raise ConnectorError(
            _("Plattformen støtter ikke dette (%(need)s).") % {"need": need.value},
            permanent=True,
            code=ErrorCode.UNSUPPORTED,
        )
    try:
        return _call(op, connector, retried_after_crash=retried_after_crash)
    except ConnectorError as exc:
        if exc.code == ErrorCode.NOT_FOUND and op.kind in GONE_IS_DONE:
            return {"changed": False, "gone": True}
        if exc.code == ErrorCode.NOT_FOUND and op.kind == OpKind.CAPTURE:
            return {"gone": True}
        if exc.permanent and op.kind == OpKind.CAPTURE:
            return {"unreadable": exc.message}
        raise


def _call(op: PlatformOp, connector: Any, *, retried_after_crash: bool) -> dict[str, Any]:
    kind = op.kind
    if kind == OpKind.CAPTURE:
        comment = connector.get_comment(op.target)
        captured = {
            "text": comment.text,
            "raw": comment.raw or None,
            "edited": comment.edited,
            "hidden": comment.hidden,
            "created_at": comment.created_at.isoformat() if comment.created_at else None,
        }
        if comment.attachment is not None:  # its picture: `_with_picture`, after the block
            captured["attachment"] = _attachment_found(comment.attachment)
        return captured
    if kind == OpKind.HIDE:
        return {"changed": bool(connector.hide_comment(op.target))}
    if kind == OpKind.UNHIDE:
        return {"changed": bool(connector.unhide_comment(op.target))}
    if kind == OpKind.DELETE:
        changed = bool(connector.delete_comment(op.target))
        return {"changed": changed, "gone": not changed}
    if kind == OpKind.BLOCK:
        # MO-4: a ban is done only when the person is blocked. `block` answering False
        # (the platform did not confirm) is checked against the block list where the
        # connector can read it, and otherwise fails with its reason, never DONE.
        if connector.block(op.target) or _blocked_after_all(connector, op.target):
            return {"changed": True}
        raise ConnectorError(
            _(
                "Plattformen bekreftet ikke utestengingen. "
                "Prøv igjen, eller gjør det på plattformen."
            ),
            permanent=True,
            code=ErrorCode.BAD_ANSWER,
        )
    if kind == OpKind.UNBLOCK:
        changed = bool(connector.unblock(op.target))
        return {"changed": changed, "gone": not changed}
    if kind == OpKind.PRIVATE_NOTICE:
        return _private_notice(op, connector, retried=_retried(op, retried_after_crash))
    return _notice(op, connector, retried=_retried(op, retried_after_crash))


def _blocked_after_all(connector: Any, author_id: str) -> bool:
    is_blocked = getattr(connector, "is_blocked", None)
    return bool(is_blocked(author_id)) if callable(is_blocked) else False


def _attachment_found(attachment: CommentAttachment) -> dict[str, Any]:
    """What the comment carries besides its text, for its archive record: its kind and
    addresses (MO-2, MO-3)."""
    return {
        "kind": attachment.kind,
        "platform_type": attachment.platform_type,
        "url": attachment.url,
        "image_url": attachment.image_url,
    }


def _with_picture(result: dict[str, Any]) -> dict[str, Any]:
    """The capture's result with the comment's picture (MO-2, MO-3): its bytes under
    `data` (kept out of the op's row: `_storable`), or why it was not fetched under
    `error`. Called after the connector's block has ended, so no transaction or row lock
    (the simulated page's world) is held during the download. Never fails the capture:
    the comment is archived and deleted with or without its picture (the raw JSON in
    the record keeps the addresses either way)."""
    found = result.get("attachment")
    if not isinstance(found, dict) or not found.get("image_url"):
        return result
    try:
        fetched = fetch_attachment(
            str(found["image_url"]),
            hosts=settings.ORDSTYRER_ATTACHMENT_HOSTS,  # Meta's CDNs: not any address (SSRF)
            https_only=settings.PRODUCTION,
        )
    except ConnectorError as exc:
        return {**result, "attachment": {**found, "error": exc.message}}
    picture = {
        "mime": fetched.mime,
        "size": len(fetched.data),
        "sha256": hashlib.sha256(fetched.data).hexdigest(),
        "data": fetched.data,
    }
    return {**result, "attachment": {**found, **picture}}


def _storable(result: dict[str, Any]) -> dict[str, Any]:
    """The result as the op's row keeps it: a captured picture's bytes go to the archive
    record only (its access rules and skjerming apply there), the row keeps its sha256."""
    attachment = result.get("attachment")
    if isinstance(attachment, dict) and "data" in attachment:
        return {**result, "attachment": {k: v for k, v in attachment.items() if k != "data"}}
    return result


def _retried(op: PlatformOp, retried_after_crash: bool) -> bool:
    """Whether an earlier attempt of this op may have reached the platform: a worker died
    during one, or one ended in a transient or network failure (its answer may have been
    lost after the platform acted). `attempts` counts the claims, this one included."""
    return retried_after_crash or op.attempts > 1


# Graph's answer to a second private reply to one comment [S: error-code lists].
ALREADY_REPLIED = 10900


def _private_notice(op: PlatformOp, connector: Any, *, retried: bool) -> dict[str, Any]:
    """Send the notice as a private reply. The platform takes one per comment and
    refuses another with "Activity already replied to" (Graph 10900; the simulated page:
    `duplicate`). On a retry that refusal is our own earlier attempt arriving, its answer
    lost: the notice is sent (the message id is not known then). On a first attempt it
    is someone else's reply, and the notice fails visibly."""
    try:
        return {"platform_id": str(connector.private_reply(op.target, op.text)), "private": True}
    except ConnectorError as exc:
        already = exc.platform_code == ALREADY_REPLIED or exc.code == ErrorCode.DUPLICATE
        if retried and already:
            return {"platform_id": "", "private": True, "already_sent": True}
        raise


def _notice(op: PlatformOp, connector: Any, *, retried: bool) -> dict[str, Any]:
    """Post the notice as a comment on the post (a reply under the deleted comment would
    be deleted with it). Posting is not idempotent: on every retry, look for it first
    (meta-graph-api §3.4: re-check state before retrying a create)."""
    if not op.target:
        raise ConnectorError(
            _("Vi vet ikke hvilket innlegg kommentaren sto under."),
            permanent=True,
            code=ErrorCode.BAD_REQUEST,
        )
    if retried and supports(connector, Capability.COMMENT_SOURCE):
        existing = _posted_before(op, connector)
        if existing:
            return {"platform_id": existing, "found_on_retry": True}
    post = getattr(connector, "comment", None)
    posted = post(op.target, op.text) if post is not None else connector.reply(op.target, op.text)
    return {"platform_id": str(posted.id)}


def _posted_before(op: PlatformOp, connector: Any) -> str | None:
    """The Page's comment on the post with this notice's text that no other notice of
    ours already is (a notice for another deletion under the same post has the same
    words: the public notice names nobody), or None.

    Only the comments written since the notice was queued (less an hour for the
    platform's clock) are read: the comments are listed oldest first, and on a busy post
    a bounded read from the start would never reach a notice posted today (MO-4). A read
    cut off at its page cap even so has not seen them all: the notice is not posted
    blindly but fails for a person to look (`ConnectorError`, permanent), never twice."""
    others = {
        str(platform_id)
        for platform_id in PlatformOp.objects.filter(
            channel_id=op.channel_id, kind=OpKind.NOTICE, target=op.target, status=OpStatus.DONE
        )
        .exclude(pk=op.pk)
        .values_list("result__platform_id", flat=True)
        if platform_id
    }
    since = op.created_at - NOTICE_LOOKBACK
    comments = iterate_pages(
        lambda cursor: connector.list_comments(op.target, since=since, cursor=cursor, limit=100),
        max_pages=100,
    )
    for comment in comments:
        if comment.is_page_author and comment.text == op.text and str(comment.id) not in others:
            return str(comment.id)
    if comments.truncated:
        logger.warning("notice re-check cut off at its page cap", extra={"op_id": op.pk})
        raise ConnectorError(
            _(
                "Ordstyrer vet ikke om varselet ble publisert: svaret fra plattformen kom "
                "ikke fram, og innlegget har fått for mange kommentarer til at varselet kan "
                "finnes igjen. Se etter varselet under innlegget. Står det der, må det ikke "
                "sendes igjen."
            ),
            permanent=True,
        )
    return None


# --- 3. record ---------------------------------------------------------------------------------


def _finish_attempt(attempt: OpAttempt, outcome: str, now: datetime, exc: Any = None) -> None:
    OpAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=now,
        outcome=outcome,
        error=str(getattr(exc, "message", "") or "")[:1000],
        error_code=str(getattr(exc, "code", "") or "")[:40],
        retry_after=getattr(exc, "retry_after", None),
    )


def record_success(
    op: PlatformOp, token: str, attempt: OpAttempt, result: dict[str, Any], *, now: datetime
) -> str:
    gone = bool(result.get("gone")) and op.kind != OpKind.CAPTURE
    try:
        with transaction.atomic():
            won = PlatformOp.objects.filter(
                pk=op.pk, status=OpStatus.RUNNING, claim_token=token
            ).update(
                status=OpStatus.DONE,
                done_at=now,
                result=_storable(result),
                lease_until=None,
                last_error="",
            )
            if not won:  # our lease ran out and another worker took over
                _finish_attempt(attempt, AttemptOutcome.SUPERSEDED, now)
                return "superseded"
            _finish_attempt(attempt, AttemptOutcome.GONE if gone else AttemptOutcome.OK, now)
            # In memory the result keeps a captured picture's bytes, for the archive record.
            op.status, op.result, op.done_at = OpStatus.DONE, result, now
            effects.succeeded(op, now=now)
    except DomainError as exc:
        # Our own side refused what follows the step (the archive refused the record, a
        # state its transition). That is the same on every retry: the op fails now with
        # the refusal's own words, rather than staying `running` until its lease runs
        # out, being claimed again and given up 40 minutes later as a dead worker (#18).
        # Anything else raised here is taken for a crash and left to the lease.
        return _record_refused(op, token, attempt, result, exc, now=now)
    return OpStatus.DONE


def _record_refused(
    op: PlatformOp,
    token: str,
    attempt: OpAttempt,
    result: dict[str, Any],
    exc: DomainError,
    *,
    now: datetime,
) -> str:
    """Fail the op for good: `effects.succeeded` refused its outcome (rolled back)."""
    reason = str(exc.message)
    if op.kind == OpKind.CAPTURE:  # nothing was changed on the platform (MO-2)
        error = _("Kommentaren ble ikke arkivert, og derfor ikke slettet: %(reason)s") % {
            "reason": reason
        }
    else:
        error = _(
            "Plattformen utførte steget, men Ordstyrer kunne ikke registrere det: %(reason)s"
        ) % {"reason": reason}
    with transaction.atomic():
        won = PlatformOp.objects.filter(
            pk=op.pk, status=OpStatus.RUNNING, claim_token=token
        ).update(
            status=OpStatus.FAILED,
            done_at=now,
            result=_storable(result),
            lease_until=None,
            last_error=error[:1000],
        )
        if not won:
            _finish_attempt(attempt, AttemptOutcome.SUPERSEDED, now)
            return "superseded"
        OpAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now,
            outcome=AttemptOutcome.PERMANENT,
            error=error[:1000],
            error_code=str(exc.code or "")[:40],
        )
        op.status, op.result, op.last_error = OpStatus.FAILED, _storable(result), error
        effects.failed(op, error=error, now=now)
    logger.warning(
        "moderation step refused on our side",
        extra={"op_id": op.pk, "kind": op.kind, "rule": exc.rule},
    )
    return OpStatus.FAILED


def _first_tried(op: PlatformOp, *, now: datetime) -> datetime:
    """When the op was first claimed: a notice held for the crisis leader or waiting for
    its deletion has not been waiting for Meta meanwhile."""
    first = OpAttempt.objects.filter(op=op).order_by("started_at").first()
    return first.started_at if first is not None else now


def record_failure(
    op: PlatformOp, token: str, attempt: OpAttempt, exc: ConnectorError, *, now: datetime
) -> str:
    attempts = op.attempts
    # meta-graph-api §3.4: Meta's limits are waited out without using up an attempt (the
    # claim's is given back), but only for `WAIT_LIMIT` since the op's first try; then
    # it fails as any other, for a person to look (MO-2).
    waits = exc.code in WAITED_OUT and not exc.permanent
    if waits and now - _first_tried(op, now=now) >= WAIT_LIMIT:
        waits = False
        exc = ConnectorError(waited_out_message(WAIT_LIMIT, exc.message), permanent=True)
    retry = waits or (not exc.permanent and attempts < MAX_ATTEMPTS)
    if not retry and op.kind == OpKind.CAPTURE:
        # The platform could not be read: archive what the inbox holds and go on; the
        # deletion itself will meet the same platform and retry or fail on its own.
        return record_success(op, token, attempt, {"unreadable": exc.message}, now=now)
    with transaction.atomic():
        if retry:
            won = PlatformOp.objects.filter(
                pk=op.pk, status=OpStatus.RUNNING, claim_token=token
            ).update(
                status=OpStatus.PENDING,
                attempts=max(attempts - 1, 0) if waits else attempts,
                next_attempt_at=now + timedelta(seconds=backoff(attempts, exc.retry_after)),
                lease_until=None,
                claim_token="",
                last_error=str(exc.message)[:1000],
            )
        else:
            won = PlatformOp.objects.filter(
                pk=op.pk, status=OpStatus.RUNNING, claim_token=token
            ).update(
                status=OpStatus.FAILED,
                done_at=now,
                lease_until=None,
                last_error=str(exc.message)[:1000],
            )
        if not won:
            _finish_attempt(attempt, AttemptOutcome.SUPERSEDED, now, exc)
            return "superseded"
        _finish_attempt(
            attempt, AttemptOutcome.TRANSIENT if retry else AttemptOutcome.PERMANENT, now, exc
        )
        if not retry:
            op.status, op.last_error = OpStatus.FAILED, str(exc.message)
            effects.failed(op, error=str(exc.message), now=now)
    logger.warning(
        "moderation platform call failed",
        extra={"op_id": op.pk, "kind": op.kind, "code": exc.code, "retry": retry},
    )
    return OpStatus.PENDING if retry else OpStatus.FAILED


def op_run(*, op_id: int, now: datetime | None = None, worker: str | None = None) -> str:
    """Claim, call and record one outbox op; returns its status afterwards.

    Safe to call any number of times, from tasks and sweeps at once: only a claim runs
    the platform call, and a deletion that finds the comment gone is done."""
    ran = run_claimed(op_id=op_id, now=now or timezone.now(), worker=worker or worker_name())
    if ran is not None:
        return ran
    status = PlatformOp.objects.filter(pk=op_id).values_list("status", flat=True).first()
    return str(status or "missing")


def run_claimed(*, op_id: int, now: datetime, worker: str) -> str | None:
    """Run the op if this worker wins the claim (its status after), else None. A notice
    that would go out during a crisis without the crisis leader's approval is held
    instead, before any claim (PU-12, `crisis_notices`)."""
    if hold_if_needed(op_id, now=now):
        return OpStatus.HELD
    claimed = claim(op_id, now=now, worker=worker)
    if claimed is None:
        return None
    op, token, attempt = claimed
    after_crash = OpAttempt.objects.filter(op=op, outcome=AttemptOutcome.ABANDONED).exists()
    failure: ConnectorError | None = None
    try:
        with open_connector(op.channel) as connector:
            # The error is kept, not raised, inside the block: the opener of the simulated
            # page saves its world only when the block ends normally, and a platform error
            # is something that happened there (an injected failure is used up).
            try:
                result = perform(op, connector, retried_after_crash=after_crash)
            except ConnectorError as exc:
                failure = exc
    except ConnectorError as exc:  # the connector could not be built (settings, token)
        failure = exc
    except ImportError as exc:  # a connector module that cannot load: nothing to retry
        failure = ConnectorError(str(exc), permanent=True, code=ErrorCode.UNSUPPORTED)
    if failure is not None:
        return record_failure(op, token, attempt, failure, now=now)
    if op.kind == OpKind.CAPTURE:
        result = _with_picture(result)
    if after_crash:
        # "Already gone" after a dead worker's try may be that try's own deletion.
        result["after_crash"] = True
    return record_success(op, token, attempt, result, now=now)


# --- the sweep ------------------------------------------------------------------------------------


def due_ops(*, now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Ops to run now: retries whose wait is over, first tries whose task seems lost,
    and ops whose worker died (lease expired)."""
    retries = Q(status=OpStatus.PENDING, attempts__gt=0, next_attempt_at__lte=now)
    lost = Q(status=OpStatus.PENDING, attempts=0, next_attempt_at__lte=now - FIRST_ATTEMPT_GRACE)
    dead = Q(status=OpStatus.RUNNING, lease_until__lt=now, attempts__lt=MAX_ATTEMPTS)
    return list(
        PlatformOp.objects.filter(retries | lost | dead)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def bury_exhausted(*, now: datetime, limit: int = SWEEP_BATCH) -> int:
    """Fail the ops whose worker died on their last attempt (never claimed again): the
    action fails as any permanent failure does (`effects.failed`), for a human to see."""
    error = _(
        "Gitt opp etter %(n)s forsøk: bakgrunnsjobben stoppet hver gang før kallet var ferdig."
    ) % {"n": MAX_ATTEMPTS}
    exhausted = PlatformOp.objects.filter(
        status=OpStatus.RUNNING, lease_until__lt=now, attempts__gte=MAX_ATTEMPTS
    ).values_list("pk", flat=True)[:limit]
    buried = 0
    for op_id in list(exhausted):
        with transaction.atomic():
            won = PlatformOp.objects.filter(
                pk=op_id, status=OpStatus.RUNNING, lease_until__lt=now
            ).update(status=OpStatus.FAILED, done_at=now, lease_until=None, last_error=error)
            if not won:
                continue
            OpAttempt.objects.filter(op_id=op_id, finished_at__isnull=True).update(
                finished_at=now, outcome=AttemptOutcome.ABANDONED, error=error
            )
            op = PlatformOp.objects.select_related("action", "channel__municipality").get(pk=op_id)
            effects.failed(op, error=error, now=now)
        buried += 1
        logger.warning("moderation op given up", extra={"op_id": op_id, "kind": op.kind})
    return buried


def notice_withdraw(op_id: int, *, error: str, now: datetime) -> bool:
    """Withdraw a notice no worker has claimed (waiting, pending, or held for the crisis
    leader): it never goes out, and its action's notice fails with `error`, noted in the
    archive (`effects.failed`, MO-4). Compare-and-set, as a claim: False when a worker
    has it (its own outcome is recorded) or it is settled. For a comment deleted with
    its post, whose take-down waits for its notice no longer (`with_post.give_up`)."""
    with transaction.atomic():
        won = PlatformOp.objects.filter(
            pk=op_id,
            kind__in=(OpKind.NOTICE, OpKind.PRIVATE_NOTICE),
            status__in=(OpStatus.WAITING, OpStatus.PENDING, OpStatus.HELD),
        ).update(
            status=OpStatus.CANCELLED, done_at=now, next_attempt_at=None, last_error=error[:1000]
        )
        if not won:
            return False
        op = PlatformOp.objects.select_related("action", "channel__municipality").get(pk=op_id)
        effects.failed(op, error=error, now=now)
    logger.info("moderation notice withdrawn", extra={"op_id": op_id})
    return True


def outbox_sweep(*, now: datetime, limit: int = SWEEP_BATCH) -> int:
    """Run the due ops in this worker; returns how many it claimed and ran. One op that
    raises does not stop the others (issue #18).

    Each op is claimed at the time it is reached (`SweepClock`), so its lease is a whole
    `LEASE` from its claim however long the ops before it took; and the batch claims no
    more once it has run for `SWEEP_BUDGET`: the rest wait for the next sweep (here or
    in another worker), never for a lease that runs out while this one is still to call
    the platform (MO-2, MO-4: one notice, not two)."""
    ran = 0
    worker = f"sweep-{worker_name()}"[:80]
    clock = SweepClock(now, budget=SWEEP_BUDGET)
    bury_exhausted(now=now, limit=limit)
    for op_id in due_ops(now=now, limit=limit):
        if clock.spent():
            logger.info("outbox sweep stopped at its budget", extra={"op_id": op_id})
            break
        try:
            if run_claimed(op_id=op_id, now=clock.now(), worker=worker) is not None:
                ran += 1
        except Exception:  # noqa: BLE001 — logged with its trace; the lease brings it back
            logger.exception("moderation op could not be run", extra={"op_id": op_id})
    return ran
