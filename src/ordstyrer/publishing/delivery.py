"""Carrying a post to a platform (tasks and the sweep only; never in a request or a
business transaction).

One `PostChannel` row is claimed with a compare-and-set update (queued → publishing),
which also stamps `attempt_started_at` and commits it *before* the platform call (the
earliest uncertain attempt's stamp is kept until the delivery settles). An
attempt that finds an earlier stamp knows a previous call may have reached the platform
(the platform accepted the post, but the answer or our commit was lost): it looks for
the post on the platform first — scheduled posts, then the channel's recent posts, by
the same text — and records the one it finds instead of posting again. The Graph API
offers no idempotency key, so the text and the time window identify our post; posting
the same text twice in a row is refused by Facebook anyway (506), which leads to the
same lookup. A post with no text is known by its link or its files' alt texts and by
being made after the attempt started; one that cannot be told apart is not sent again
but failed for a person to check (`find_existing`, `_unknown_copy`).

Transient errors retry with backoff (Instagram's 24-hour publishing cap waits for its
window without using up attempts); permanent ones flag the delivery failed with the
platform's Norwegian reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels import workflow
from ordstyrer.connectors.base import (
    Capability,
    Caption,
    ConnectorError,
    Draft,
    ErrorCode,
    Media,
    supports,
)
from ordstyrer.connectors.base import Post as PlatformPost
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.meta_waits import WAIT_LIMIT, WAITED_OUT, waited_out_message
from ordstyrer.core.services import after_commit
from ordstyrer.core.worker import SweepClock
from ordstyrer.formats import norwegian_datetime
from ordstyrer.publishing import access, checks, rules, tasks
from ordstyrer.publishing.models import (
    CaptionMode,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostChannel,
    PostEvent,
    PostStatus,
)

logger = logging.getLogger("ordstyrer.publishing")

LOOKBACK = timedelta(minutes=10)
SLACK = timedelta(minutes=1)
STALE_CLAIM = timedelta(minutes=15)
# A sweep's loop claims no more rows once it has run this long (well inside STALE_CLAIM).
SWEEP_BUDGET = STALE_CLAIM / 2


def _open(channel: Any, now: datetime) -> Any:
    """The channel's connector (the simulated world loaded and saved under a row lock)."""
    from ordstyrer.inbox.platform import channel_connector

    return channel_connector(channel, now=now)


def public_url(asset: MediaAsset) -> str:
    """Where Instagram fetches the file from (Meta downloads media itself, Graph §4.5)."""
    base = str(
        getattr(settings, "ORDSTYRER_PUBLIC_URL", "") or f"http://127.0.0.1:{settings.WEB_PORT}"
    )
    return base.rstrip("/") + reverse(
        "publishing:public_media", args=[asset.municipality.slug, asset.public_token]
    )


# A cue's timing line (SRT `00:00:01,000 --> 00:00:04,000`, WebVTT `00:01.000 -->
# 00:04.000 align:start`): its start and end; WebVTT's cue settings after them go.
_TIMING = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")
# What WebVTT marks up in a cue and SRT does not know: inline timestamps (karaoke style)
# and the voice, class, language and ruby spans (their text stays).
_VTT_MARKUP = re.compile(r"<(?:\d+:)?\d{2}:\d{2}[.,]\d{3}>|</?(?:v|c|lang|ruby|rt)(?:[ .][^>]*)?>")


def vtt_to_srt(text: str) -> str:
    """The caption file as Facebook takes it (Graph §1.8): SRT with LF line ends, its
    cues numbered from 1. A WebVTT file becomes SRT (its header, NOTE, STYLE and REGION
    blocks and cue settings dropped, its times written the SRT way); a file saved with
    CR alone for line ends, which `media.read_captions` accepts, is read as lines too.

    A cue is a timing line with text under it. A file with none captions nothing
    (PU-3): `ServiceError`, which `media.read_captions` shows when the file is
    uploaded."""
    webvtt = text.lstrip("\ufeff").lstrip().startswith("WEBVTT")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[tuple[str, list[str]]] = []
    said: list[str] | None = None  # the text lines of the cue being read
    for number, line in enumerate(lines):
        if "-->" in line:  # a timing line opens a cue
            match = _TIMING.match(line)
            said = None
            if match is not None:
                said = []
                cues.append((f"{_srt_time(match[1])} --> {_srt_time(match[2])}", said))
        elif not line.strip():  # a blank line ends it
            said = None
        elif number + 1 < len(lines) and "-->" in lines[number + 1]:
            continue  # the next cue's number (SRT) or identifier (WebVTT)
        elif said is not None:
            said.append(_VTT_MARKUP.sub("", line).rstrip() if webvtt else line.rstrip())
    out: list[str] = []
    for stamp, cue in cues:
        shown = [line for line in cue if line.strip()]
        if shown:
            out.append("\n".join([str(len(out) + 1), stamp, *shown]))
    if not out:
        raise ServiceError(
            gettext_lazy(
                "Fant ingen undertekster i undertekstfilen. Hver undertekst må ha en tidslinje "
                "(som 00:00:01,000 --> 00:00:04,000) med tekst under. Rett filen og last den "
                "opp på nytt."
            ),
            rule="PU-3",
            code="invalid",
        )
    return "\n\n".join(out) + "\n"


def _srt_time(value: str) -> str:
    value = value.strip()
    if value.count(":") == 1:
        value = "00:" + value
    return value.replace(".", ",")


def build_draft(post: Post, channel: Any) -> Draft:
    """The connector's `Draft` for one channel: the text as the platform gets it, the
    first link (beside the text where the platform takes one), the media."""
    limits = rules.limits_for(channel.kind)
    media = []
    for pm in post.attachments.select_related("asset").order_by("position", "id"):
        asset = pm.asset
        captions: tuple[Caption, ...] = ()
        if (
            asset.kind == "video"
            and asset.caption_mode == CaptionMode.FILE
            and asset.captions_text
            and limits.caption_files
        ):
            try:
                srt = vtt_to_srt(asset.captions_text)
            except ServiceError:
                # A file stored before such files were refused at upload: sent without a
                # cue, the connector refuses the video before it goes up (PU-3).
                srt = ""
            captions = (Caption(locale=asset.captions_locale, srt=srt),)
        by_url = channel.kind == "instagram"
        media.append(
            Media(
                kind=asset.kind,  # type: ignore[arg-type]
                url=public_url(asset) if by_url else None,
                content=None if by_url else bytes(asset.content),
                filename=asset.filename,
                alt_text=asset.alt_text or None,
                title=asset.title or None,
                captions=captions,
            )
        )
    # The platform takes one link (its preview); the others go in the text. Where it has
    # no link field (Instagram; a Facebook video, whose post has a description), the text
    # carries that link too. `rules` defines both, and the length check measures the
    # same (`rules.measured_text`).
    text, link = rules.sent_text(post.text, list(post.links or ()))
    if rules.link_goes_in_text(channel.kind, video=any(m.kind == "video" for m in media)):
        text, link = rules.caption(text, link), None
    return Draft(text=text, link=link, media=tuple(media))


def _same(found: PlatformPost, text: str) -> bool:
    mine = text.strip()
    theirs = (found.text or "").strip()
    return bool(mine) and (theirs == mine or theirs.startswith(mine + "\n"))


class UnknownCopy(Exception):
    """An earlier attempt may have put a post with no text on the platform, and a copy
    there may be it, but nothing tells it apart from another: a person must look before
    it is sent again (`_unknown_copy`)."""


def _told_apart(found: PlatformPost, draft: Draft, *, since: datetime) -> bool | None:
    """Whether `found` is the copy of `draft` (a post with no text of its own) that an
    attempt started at `since` published: True when its link or every file's alt text
    (or title) says so, None when it may be (the same shape, made after `since`, nothing
    more to go by), False when it cannot be (other text, other files, made before)."""
    if (found.text or "").strip() != draft.text.strip():
        return False
    if found.created_at is not None and found.created_at < since - SLACK:
        return False
    kinds = [m.kind for m in draft.media]
    if found.media and [m.kind for m in found.media] != kinds:
        return False
    if draft.link and found.link and draft.link.rstrip("/") == found.link.rstrip("/"):
        return True

    def known(value: str | None) -> str:
        return (value or "").strip()

    if draft.media and len(found.media) == len(draft.media):
        if all(
            (known(m.alt_text) and known(m.alt_text) == known(f.alt_text))
            or (known(m.title) and known(m.title) == known(f.title))
            for m, f in zip(draft.media, found.media, strict=True)
        ):
            return True
    return None


def find_existing(
    connector: Any, *, draft: Draft, text: str, since: datetime
) -> PlatformPost | None:
    """Our post on the platform, if an earlier attempt (started at `since`) got it there:
    scheduled, or published since shortly before `since`.

    A post with text is known by its text. One without (an image, a link alone) is known
    by what it carries, the link or the files' alt texts, and by being made after the
    attempt started (`_told_apart`); a copy that may be it but cannot be told apart
    raises `UnknownCopy`: sending again could put it out twice, and a person must look.
    None when nothing there can be it."""

    def candidates() -> Iterator[PlatformPost]:
        if supports(connector, Capability.SCHEDULER):
            yield from connector.list_scheduled()
        if supports(connector, Capability.COMMENT_SOURCE):
            yield from connector.list_posts(since=since - LOOKBACK, limit=25).items

    if text.strip():
        return next((f for f in candidates() if _same(f, text)), None)
    verdicts = [(f, _told_apart(f, draft, since=since)) for f in candidates()]
    ours = [f for f, verdict in verdicts if verdict]
    if len(ours) == 1:
        return ours[0]
    if ours or any(verdict is None for _f, verdict in verdicts):
        raise UnknownCopy
    return None


def delivery_run(*, post_channel_id: int, now: datetime | None = None) -> str:
    """Publish one post on one channel (or hand it to the platform's scheduler)."""
    now = now or timezone.now()
    row = (
        PostChannel.objects.select_related("post__municipality", "channel__municipality")
        .filter(pk=post_channel_id)
        .first()
    )
    if row is None:
        return "gone"
    if row.status != DeliveryStatus.QUEUED:
        return str(row.status)
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return "waiting"
    post = row.post
    if post.status not in (PostStatus.PUBLISHING, PostStatus.SCHEDULED):
        return "not_released"
    if row.channel.status not in access.PUBLISHABLE:
        return channel_stop(row, now=now)  # CH-1: paused waits, retired fails
    earlier = row.attempt_started_at
    # The earliest uncertain attempt's stamp is kept until the delivery settles: an
    # attempt that fails before reaching the platform (the look-up refused, the local
    # throttle) must not move the look-up window past the attempt whose answer was lost
    # (a second copy, or Facebook's 506 failing a post that is out, PU-6).
    won = PostChannel.objects.filter(pk=row.pk, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.PUBLISHING,
        claimed_at=now,
        attempt_started_at=Coalesce(F("attempt_started_at"), Value(now)),
    )
    if not won:
        return "claimed_elsewhere"
    from ordstyrer.publishing.services import crisis_stops, post_pause_for_crisis

    # Read again after the claim: a post paused or withdrawn meanwhile is not sent.
    post.refresh_from_db(fields=["status", "crisis_ref", "crisis_approved_at"])
    released = post.status in (PostStatus.PUBLISHING, PostStatus.SCHEDULED)
    crisis = crisis_stops(post) if released else None
    if not released or crisis is not None:
        # The claim is handed back as it was: no platform call was made, so the stamp of
        # this attempt goes too. Left, it made the next attempt look for an earlier copy
        # by its text and adopt any post with the same words (the crisis staff's
        # announcement during the pause, PU-12) instead of publishing this one.
        PostChannel.objects.filter(
            pk=row.pk, status=DeliveryStatus.PUBLISHING, claimed_at=now
        ).update(
            status=DeliveryStatus.QUEUED,
            claimed_at=None,
            next_attempt_at=None,
            attempt_started_at=earlier,
        )
        if crisis is None:
            return "not_released"
        # PU-12 backstop: in a crisis a post goes out only with the crisis leader's
        # approval; it pauses as the crisis would have paused it (a retry queued before
        # the crisis, a held post come due).
        post_pause_for_crisis(post_id=post.pk, crisis=crisis, now=now, channel=row.channel)
        return "crisis_paused"
    blocked = _block_finding(post, row.channel, now=now)
    if blocked is not None:
        # A block finding that arose after the post was released (a consent withdrawn,
        # PU-6): never out. It fails here, on its own, with the reason on the post.
        reason = _("Innlegget ble stoppet før publisering på «%(channel)s»: %(reason)s") % {
            "channel": row.channel.name,
            "reason": blocked["message_nb"],
        }
        return _fail(
            row, reason=reason, attempts=row.attempts, data={"rule": blocked["rule"]}, now=now
        )
    schedule_at = post.publish_at if post.publish_at and post.publish_at > now + SLACK else None
    draft = build_draft(post, row.channel)
    result: PlatformPost | None = None
    try:
        with _open(row.channel, now) as connector:
            # An old scheduled copy never goes out as well: cancelled first, or, if the
            # platform's scheduler published it meanwhile, it is this delivery's copy.
            old = _cancel_pending(connector, row, now=now)
            if old.done:
                try:
                    if earlier:
                        result = find_existing(
                            connector, draft=draft, text=post.text, since=earlier
                        )
                    if result is None:
                        result = _call(
                            connector,
                            draft,
                            schedule_at=schedule_at,
                            now=now,
                            text=post.text,
                            since=earlier or now,
                        )
                except UnknownCopy:
                    result = None  # never sent again blindly: a person looks (`_unknown_copy`)
    except ConnectorError as exc:
        if schedule_at is not None and exc.code == ErrorCode.SCHEDULE_WINDOW:
            return _hold(row, now=now)
        return _failed(row, exc, now=now)
    if old.out is not None:
        return _record_out(row, old.out, now=now, claimed_at=now)
    if old.wait_until is not None:
        # Nothing was sent: the claim is handed back, its stamp as it was, and the
        # delivery looks again once the platform's scheduler has had its time.
        PostChannel.objects.filter(
            pk=row.pk, status=DeliveryStatus.PUBLISHING, claimed_at=now
        ).update(
            status=DeliveryStatus.QUEUED,
            claimed_at=None,
            next_attempt_at=old.wait_until,
            attempt_started_at=earlier,
        )
        return "waiting"
    if result is None:
        return _unknown_copy(row, now=now)
    return _succeeded(row, result, scheduled=schedule_at is not None, now=now, claimed_at=now)


def _call(
    connector: Any,
    draft: Draft,
    *,
    schedule_at: datetime | None,
    now: datetime,
    text: str,
    since: datetime,
) -> PlatformPost:
    try:
        if schedule_at is not None:
            if not supports(connector, Capability.SCHEDULER):
                raise ConnectorError(
                    _("Plattformen kan ikke planlegge innlegg."),
                    permanent=True,
                    code=ErrorCode.SCHEDULE_WINDOW,
                )
            return connector.schedule(draft, schedule_at, now=now)
        if not supports(connector, Capability.PUBLISHER):
            raise ConnectorError(
                _("Plattformen kan ikke publisere innlegg."),
                permanent=True,
                code=ErrorCode.UNSUPPORTED,
            )
        return connector.publish(draft)
    except ConnectorError as exc:
        if exc.code != ErrorCode.DUPLICATE:
            raise
        # Graph 506: the same text was just posted — most likely by our lost attempt.
        found = find_existing(connector, draft=draft, text=text, since=since)
        if found is None:
            raise
        return found


def _hold(row: PostChannel, *, now: datetime) -> str:
    """Outside the platform's scheduling window: Ordstyrer holds it and publishes when due."""
    PostChannel.objects.filter(pk=row.pk, status=DeliveryStatus.PUBLISHING).update(
        status=DeliveryStatus.SCHEDULED,
        platform_scheduled=False,
        claimed_at=None,
        next_attempt_at=None,
        error="",  # an earlier retry's error is over; a paused channel's hold sets its own
    )
    return DeliveryStatus.SCHEDULED


def _succeeded(
    row: PostChannel, result: PlatformPost, *, scheduled: bool, now: datetime, claimed_at: datetime
) -> str:
    """Record what the platform accepted, compare-and-set on this attempt's claim (a
    pause, a withdrawal or a pull-back leaves a delivery in flight alone).

    A post paused or withdrawn while the platform call was under way is no longer
    released: a copy the platform scheduled for it is put on record for cancellation and
    cancelled after commit (PU-12: nothing slips out in a crisis); one published at once
    is out and recorded so (never twice)."""
    platform_id = str(result.id)[:255]
    mine = PostChannel.objects.filter(
        pk=row.pk, status=DeliveryStatus.PUBLISHING, claimed_at=claimed_at
    )
    status: str = DeliveryStatus.SCHEDULED if scheduled else DeliveryStatus.PUBLISHED
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).filter(pk=row.post_id).first()
        released = post is not None and post.status in (PostStatus.PUBLISHING, PostStatus.SCHEDULED)
        # Published by a delivery in flight while the post was taken down (PU-6): its
        # take-down is decided now, claimed and due as `media.post_take_down` queues one,
        # so the sweep runs it if its task is lost (`take_down_due`).
        taking_down = not scheduled and post is not None and post.taken_down_at is not None
        if scheduled and not released:
            status = "cancelling"
            won = mine.update(
                status=DeliveryStatus.QUEUED,
                platform_id="",
                cancel_platform_id=platform_id,
                platform_scheduled=False,
                claimed_at=None,
                next_attempt_at=None,
                error="",
                attempts=row.attempts + 1,
                attempt_started_at=None,  # settled: the copy is known
            )
        else:
            won = mine.update(
                status=status,
                platform_id=platform_id,
                permalink=(result.permalink or "")[:500],
                platform_scheduled=scheduled,
                published_at=None if scheduled else now,
                claimed_at=now if taking_down else None,
                next_attempt_at=now if taking_down else None,
                error="",
                attempts=row.attempts + 1,
                attempt_started_at=None,  # settled: the copy is known
            )
        if not won:
            _orphaned(row, platform_id, scheduled=scheduled)
            return "changed"
        audit_record(
            actor=None,
            action="post_delivered" if not scheduled else "post_scheduled_on_platform",
            municipality=row.post.municipality,
            obj=row.post,
            data={
                "channel_id": row.channel_id,
                "platform_id": platform_id,
                **({"cancel": True} if status == "cancelling" else {}),
            },
        )
        if status == "cancelling":
            after_commit(tasks.post_cancel_scheduled, post_channel_id=row.pk)
        else:
            if not scheduled:
                _crisis_log_published(post or row.post, channel=row.channel, now=now)
            settle(row.post_id, now=now)
        if taking_down:
            # It comes down as the rest did.
            after_commit(tasks.post_take_down, post_channel_id=row.pk)
    if not scheduled:
        from ordstyrer.channels.closures import closure_post_published
        from ordstyrer.channels.services import channel_record_activity

        channel_record_activity(channel_id=row.channel_id, at=now)
        # CH-9: a post that goes out while the channel is closed (its closure notice
        # included) gets its comments switched off like the rest.
        closure_post_published(channel_id=row.channel_id, post_id=str(result.id))
    return status


def _orphaned(row: PostChannel, platform_id: str, *, scheduled: bool) -> None:
    """The row changed under this attempt (its claim went stale and another attempt
    took it, or the post was released anew). A copy this attempt had scheduled is put on
    record for cancellation unless another attempt is in flight (it finds the copy by
    its text and keeps it) or already keeps it; one published is found the same way."""
    if scheduled:
        moved = (
            PostChannel.objects.filter(pk=row.pk, cancel_platform_id="")
            .exclude(status=DeliveryStatus.PUBLISHING)
            .exclude(platform_id=platform_id)
            .update(cancel_platform_id=platform_id)
        )
        if moved:
            after_commit(tasks.post_cancel_scheduled, post_channel_id=row.pk)
    logger.warning(
        "post delivery finished after its row changed",
        extra={"post_channel_id": row.pk, "scheduled": scheduled},
    )


def _failed(row: PostChannel, exc: ConnectorError, *, now: datetime) -> str:
    limit = exc.code == ErrorCode.PUBLISHING_LIMIT
    # meta-graph-api §3.4: Meta's limits are waited out without using up an attempt, as
    # Instagram's publishing cap is, but only for `WAIT_LIMIT` since the delivery's
    # first try; then it fails as others.
    waits = exc.code in WAITED_OUT and not exc.permanent
    if waits and now - (row.attempt_started_at or now) >= WAIT_LIMIT:
        waits = False
        exc = ConnectorError(waited_out_message(WAIT_LIMIT, exc.message), permanent=True)
    attempts = row.attempts if (limit or waits) else row.attempts + 1
    if not exc.permanent and (limit or waits or attempts < rules.MAX_ATTEMPTS):
        wait = rules.backoff(attempts, exc.retry_after or (3600.0 if limit else None))
        PostChannel.objects.filter(pk=row.pk, status=DeliveryStatus.PUBLISHING).update(
            status=DeliveryStatus.QUEUED,
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=wait),
            claimed_at=None,
            error=str(exc.message)[:1000],
        )
        logger.info(
            "post delivery will retry",
            extra={"post_channel_id": row.pk, "code": exc.code, "wait": wait},
        )
        return "retrying"
    reason = _("Publiseringen på «%(channel)s» feilet: %(reason)s") % {
        "channel": row.channel.name,
        "reason": exc.message,
    }
    return _fail(row, reason=reason, attempts=attempts, data={"code": exc.code}, now=now)


def _unknown_copy(row: PostChannel, *, now: datetime) -> str:
    """An earlier attempt's answer was lost and a post with no text cannot be told apart
    on the platform (`UnknownCopy`): the delivery is not sent again but failed, with
    what to look for on the post's page. Its attempt stamp goes: a person who sends the
    post again has looked, and it is sent then without looking for a copy again."""
    logger.warning(
        "post delivery cannot tell whether an earlier attempt published",
        extra={"post_channel_id": row.pk},
    )
    reason = _(
        "Ordstyrer vet ikke om innlegget ble publisert på «%(channel)s»: svaret fra "
        "plattformen kom ikke fram, og et innlegg uten tekst kan ikke kjennes sikkert igjen "
        "der. Se etter innlegget på kanalen. Står det der, må det ikke sendes dit igjen: ta "
        "bort kanalen før du sender innlegget på nytt. Står det ikke der, kan du sende "
        "innlegget på nytt."
    ) % {"channel": row.channel.name}
    return _fail(
        row,
        reason=reason,
        attempts=row.attempts + 1,
        data={"code": "unknown_copy"},
        now=now,
        attempt_started_at=None,
    )


def _fail(
    row: PostChannel,
    *,
    reason: str,
    attempts: int,
    data: dict[str, Any],
    now: datetime,
    source: tuple[str, ...] = (DeliveryStatus.PUBLISHING,),
    **fields: Any,
) -> str:
    """The delivery failed for good (compare-and-set from `source`), with its Norwegian
    reason on the post's channel row (and `fields`); the post settles.

    The attempt's stamp goes when no earlier attempt was left uncertain (`row` as read
    before the claim has none): this attempt's failure is certain, and a person who
    sends the post again is not held to it. One kept from an attempt whose answer was
    lost stays: sent again, the delivery looks for that copy first (never twice)."""
    if row.attempt_started_at is None:
        fields.setdefault("attempt_started_at", None)
    with transaction.atomic():
        won = PostChannel.objects.filter(pk=row.pk, status__in=source).update(
            status=DeliveryStatus.FAILED,
            attempts=attempts,
            next_attempt_at=None,
            claimed_at=None,
            error=reason[:1000],
            **fields,
        )
        if won:
            audit_record(
                actor=None,
                action="post_delivery_failed",
                municipality=row.post.municipality,
                obj=row.post,
                data={"channel_id": row.channel_id, **data, "reason": reason},
            )
            settle(row.post_id, now=now)
    return DeliveryStatus.FAILED


def _block_finding(post: Post, channel: Any, *, now: datetime) -> dict[str, Any] | None:
    """The first block finding on the post going out on `channel` now (the same checks
    `post_publish` ran), or None."""
    assets = [
        pm.asset
        for pm in post.attachments.select_related("asset").prefetch_related("asset__consents")
    ]
    findings = checks.findings_for(
        municipality=post.municipality,
        channels=[channel],
        text=post.text,
        links=post.links,
        assets=assets,
        when=post.publish_at or now,
        exclude_post=post.pk,
    )
    return next((f for f in findings if f.get("severity") == "block"), None)


# --------------------------------------------------------------------------- CH-1


def channel_stop(row: PostChannel, *, now: datetime) -> str:
    """A delivery on a channel that does not publish now (CH-1, `access.PUBLISHABLE`).

    Paused: held (scheduled by Ordstyrer, the reason on the post); `release_due` sends
    it once the channel is in use again. Retired (or anything else): failed with the
    reason. A copy on the platform's scheduler is cancelled there (`cancel_due`) either
    way. Compare-and-set from the row's status as read, so a delivery in flight is left
    to finish."""
    channel = row.channel
    held = channel.status == workflow.PAUSED
    fields: dict[str, Any] = {}
    if row.status == DeliveryStatus.SCHEDULED and row.platform_scheduled and row.platform_id:
        fields = {"cancel_platform_id": row.platform_id, "platform_id": ""}
    if held:
        reason = _(
            "Kanalen «%(channel)s» er satt på pause. Innlegget publiseres ikke der før "
            "kanalen er i bruk igjen."
        ) % {"channel": channel.name}
    else:
        reason = _stop_reason(channel)
    with transaction.atomic():
        won = PostChannel.objects.filter(
            pk=row.pk, status=row.status, platform_id=row.platform_id
        ).update(
            status=DeliveryStatus.SCHEDULED if held else DeliveryStatus.FAILED,
            platform_scheduled=False,
            claimed_at=None,
            next_attempt_at=None,
            error=reason[:1000],
            **fields,
        )
        if not won:
            return "changed"
        audit_record(
            actor=None,
            action="post_delivery_held" if held else "post_delivery_failed",
            municipality=row.post.municipality,
            obj=row.post,
            data={"channel_id": row.channel_id, "channel_status": channel.status, "reason": reason},
        )
        if held:
            PostEvent.objects.create(
                post_id=row.post_id,
                action="hold",
                from_status=row.post.status,
                to_status=row.post.status,
                at=now,
                note=reason,
                data={"channel_id": row.channel_id},
            )
        settle(row.post_id, now=now)
    return "held" if held else DeliveryStatus.FAILED


def _stop_reason(channel: Any) -> str:
    """Why a delivery on a channel no longer in use failed (CH-1): nothing went out
    there. A copy left on the platform's scheduler says otherwise (`_cancel_failed`)."""
    return _(
        "Kanalen «%(channel)s» er ikke lenger i bruk (%(status)s). Innlegget ble ikke "
        "publisert der."
    ) % {"channel": channel.name, "status": channel.get_status_display()}


def _not_in_use(now: datetime) -> Any:
    """Deliveries still to go out on a channel that does not publish now, other than
    those already held for a paused channel and the platform-scheduled ones already due
    (out on the platform: `confirm_native` records them). A copy waiting on the
    platform's scheduler is one whatever the post's status (a post failed on another
    channel is `failed`, `settle`), and so is a copy held for its time on a post failed
    on another channel (`release_due` sends it)."""
    return (
        PostChannel.objects.filter(
            Q(
                status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SCHEDULED),
                post__status__in=(PostStatus.PUBLISHING, PostStatus.SCHEDULED),
            )
            | Q(status=DeliveryStatus.SCHEDULED, platform_scheduled=True)
            | Q(status=DeliveryStatus.SCHEDULED, post__status=PostStatus.FAILED)  # `HOLDING`
        )
        .exclude(channel__status__in=access.PUBLISHABLE)
        .exclude(
            Q(channel__status=workflow.PAUSED)
            & Q(status=DeliveryStatus.SCHEDULED, platform_scheduled=False)
            & ~Q(error="")
        )
        .exclude(
            status=DeliveryStatus.SCHEDULED, platform_scheduled=True, post__publish_at__lte=now
        )
        .select_related("channel__municipality", "post__municipality")
    )


def channel_deliveries_hold(*, channel_id: int, now: datetime | None = None) -> int:
    """Hold (paused) or fail (retired) every delivery still to go out on the channel, at
    once: for `channels` to call when it pauses or retires a channel. The publishing sweep
    does the same within a sweep (`stop_not_in_use`), so nothing depends on the call."""
    now = now or timezone.now()
    rows = list(_not_in_use(now).filter(channel_id=channel_id))
    return sum(1 for row in rows if channel_stop(row, now=now) != "changed")


def stop_not_in_use(*, now: datetime, limit: int = 100) -> int:
    """Sweep step: deliveries on paused or retired channels are held or failed (CH-1)."""
    rows = list(_not_in_use(now)[:limit])
    return sum(1 for row in rows if channel_stop(row, now=now) != "changed")


def settle(post_id: int, *, now: datetime, event: bool = True) -> str:
    """The post's status from its deliveries (inside the caller's transaction); a post
    with documentation value is journaled once its first copy is out (AR-1), whatever
    becomes of the others (`_journal_once`).

    A post failed on one channel is failed, also while a copy waits on another
    channel's platform scheduler or is held by Ordstyrer for its time: the author and
    the console see the failure, and the author may fix it (an edit cancels a copy on the
    platform's scheduler first and stops a held one, `services.post_update`). The copy is
    not forgotten: a held one goes out at its time as the platform's scheduler sends
    its own (`release_due`), a crisis pauses the post (PU-12) and a pull-back stops it
    (PU-6) whatever its status (`services._copy_to_go_by_itself`: a copy on the
    platform's scheduler or a held one), a paused or retired channel holds or fails it
    (`_not_in_use`), and the post page shows it waiting. Without `event` the change is
    not written as a `settle` event (the caller writes its own)."""
    post = (
        Post.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=post_id)
    )
    statuses = list(post.deliveries.values_list("status", flat=True))
    _journal_once(post, statuses, now=now)
    if post.status not in (PostStatus.PUBLISHING, PostStatus.SCHEDULED):
        return str(post.status)
    pending = {DeliveryStatus.QUEUED, DeliveryStatus.PUBLISHING}
    source = post.status
    if any(s in pending for s in statuses):
        return str(post.status)
    if any(s == DeliveryStatus.FAILED for s in statuses):
        post.status = PostStatus.FAILED
    elif any(s == DeliveryStatus.SCHEDULED for s in statuses):
        post.status = PostStatus.SCHEDULED
    else:
        post.status = PostStatus.PUBLISHED
        post.published_at = now
    if post.status == source:
        return str(post.status)
    post.updated_at = now
    post.save()
    if event:
        PostEvent.objects.create(
            post=post, action="settle", from_status=source, to_status=post.status, at=now
        )
    return str(post.status)


def _journal_once(post: Post, statuses: list[str], *, now: datetime) -> None:
    """AR-1: a post with documentation value is in the archive once it is public on any
    channel: journaled when its first copy is out (a post out on one channel and failed
    on another is public too), once (`journal.journal_post`, idempotency key
    `post:<id>`)."""
    if not post.documentation_value or post.archive_record_id is not None:
        return
    if DeliveryStatus.PUBLISHED not in statuses:
        return
    from ordstyrer.publishing.journal import journal_post

    journal_post(post, now=now)


def _crisis_log_published(post: Post, *, channel: Any, now: datetime) -> None:
    """PU-12: a post's copy that goes out on `channel` while a crisis is declared is in
    the crisis log, and so is one the crisis held (approved by the crisis leader, or
    paused, and not sent in again since: `_held_by_crisis`) that goes out after the
    crisis ended: in that crisis's log, next to its approval. Written per channel when that copy is published (not when it is merely
    scheduled), in the transaction that records it so: a post out on one channel and
    failed on another is in the log for the channel it is out on, once.

    `now` is when the copy went out: for a copy the platform's own scheduler published
    (`confirm_native`), its publish time, not the sweep's. A copy out before the active
    crisis was declared went out before it: not in its log."""
    from ordstyrer.crisis.selectors import active_crisis
    from ordstyrer.crisis.services import crisis_log_write

    crisis = active_crisis(municipality=post.municipality)
    if crisis is not None and now < crisis.declared_at:
        crisis = None
    if crisis is None:
        crisis = _held_by_crisis(post)
    if crisis is None:
        return
    crisis_log_write(
        crisis=crisis,
        kind="post_published",
        text=post.text,
        channel=channel,
        object_kind="post",
        object_id=post.pk,
        actor=None,
        now=now,
    )


def _held_by_crisis(post: Post) -> Any:
    """The crisis that held `post` as it goes out now (PU-12): its `crisis_ref`, when
    that crisis's leader approved this round of it or the crisis paused it after it was
    last sent in. None for a post that crisis once held and that was sent in again since
    (rejected by the crisis leader, or withdrawn from the pause, rewritten and sent
    anew): what goes out then is not the crisis's, however late it is published."""
    from ordstyrer.crisis.models import Crisis

    if not post.crisis_ref:
        return None
    # `post_publish` clears the crisis leader's approval for each new round.
    if post.crisis_approved_at is None:
        sent = (
            post.events.filter(action="publish")
            .order_by("-at", "-pk")
            .values_list("at", flat=True)
            .first()
        )
        paused = post.events.filter(action="pause", data__crisis_id=post.crisis_ref)
        if sent is not None:
            paused = paused.filter(at__gte=sent)
        if not paused.exists():
            return None
    return Crisis.objects.filter(pk=post.crisis_ref, municipality=post.municipality).first()


# --------------------------------------------------------------------------- sweep steps


# A post whose held copies the sweep sends when due: scheduled, or failed on another
# channel (its held copies go out at their time, as copies on the platform's scheduler
# do; `settle`).
HOLDING = (PostStatus.SCHEDULED, PostStatus.FAILED)


def release_due(*, now: datetime, limit: int = 100) -> int:
    """Held posts whose time has come: scheduled → queued (compare-and-set), then run.
    The post is publishing while they go (a post failed elsewhere settles failed again,
    with this copy out)."""
    due = list(
        PostChannel.objects.filter(
            Q(post__publish_at__lte=now) | Q(post__publish_at__isnull=True),  # held, paused
            status=DeliveryStatus.SCHEDULED,
            platform_scheduled=False,
            post__status__in=HOLDING,
            channel__status__in=access.PUBLISHABLE,  # CH-1: a paused channel's wait
        ).values_list("pk", flat=True)[:limit]
    )
    handled = 0
    for pk, at in _claim_times(due, now=now):
        won = PostChannel.objects.filter(
            pk=pk, status=DeliveryStatus.SCHEDULED, platform_scheduled=False
        ).update(status=DeliveryStatus.QUEUED, next_attempt_at=at)
        if won:
            with transaction.atomic():
                post_id = PostChannel.objects.values_list("post_id", flat=True).get(pk=pk)
                Post.objects.filter(pk=post_id, status__in=HOLDING).update(
                    status=PostStatus.PUBLISHING, updated_at=at
                )
            _run_one(pk, now=at)
            handled += 1
    return handled


def _run_one(pk: int, *, now: datetime) -> str:
    """One delivery of a sweep: an unexpected error in one post is logged and never stops
    the others (the claim goes stale and `retry_due` tries it again)."""
    try:
        return delivery_run(post_channel_id=pk, now=now)
    except Exception:  # noqa: BLE001 — one bad post must not stall the sweep; logged with trace
        logger.exception("post delivery crashed", extra={"post_channel_id": pk})
        return "crashed"


def retry_due(*, now: datetime, limit: int = 100) -> int:
    """Queued deliveries whose backoff has passed, or whose task was lost."""
    PostChannel.objects.filter(
        status=DeliveryStatus.PUBLISHING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=DeliveryStatus.QUEUED, next_attempt_at=now, claimed_at=None)
    due = list(
        PostChannel.objects.filter(
            status=DeliveryStatus.QUEUED,
            next_attempt_at__lte=now,
            post__status__in=(PostStatus.PUBLISHING, PostStatus.SCHEDULED),
            channel__status__in=access.PUBLISHABLE,  # the others: `stop_not_in_use`
        ).values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk, at in _claim_times(due, now=now) if _run_one(pk, now=at) in _DONE)


def _claim_times(pks: list[int], *, now: datetime) -> Iterator[tuple[int, datetime]]:
    """The rows of a sweep's loop, each with the time it is reached, to claim it with:
    a claim stamped with the sweep's start looked stale to another worker's `retry_due`
    while this one was still publishing it (two copies of a post). None once the loop
    has run for `SWEEP_BUDGET`: the rest wait for the next sweep."""
    clock = SweepClock(now, budget=SWEEP_BUDGET)
    for pk in pks:
        if clock.spent():
            return
        yield pk, clock.now()


_DONE = {DeliveryStatus.PUBLISHED, DeliveryStatus.SCHEDULED, DeliveryStatus.FAILED, "retrying"}


def confirm_native(*, now: datetime, limit: int = 50) -> int:
    """Posts the platform's own scheduler should have published: read them back and
    mark them published (or failed when the platform no longer has them)."""
    due = list(
        PostChannel.objects.filter(
            status=DeliveryStatus.SCHEDULED,
            platform_scheduled=True,
            post__publish_at__lte=now - SLACK,
        ).select_related("channel__municipality", "post__municipality")[:limit]
    )
    handled = 0
    clock = SweepClock(now)  # each claim stamped with its own time, not the sweep's start
    for row in due:
        try:
            with _open(row.channel, now) as connector:
                found = connector.get_post(row.platform_id)
        except ConnectorError as exc:
            if exc.code != ErrorCode.NOT_FOUND:
                continue
            at = clock.now()
            won = PostChannel.objects.filter(pk=row.pk, status=DeliveryStatus.SCHEDULED).update(
                status=DeliveryStatus.PUBLISHING, claimed_at=at
            )
            if won:
                _failed(row, exc, now=at)
                handled += 1
            continue
        if not found.is_published:
            continue
        with transaction.atomic():
            won = PostChannel.objects.filter(pk=row.pk, status=DeliveryStatus.SCHEDULED).update(
                status=DeliveryStatus.PUBLISHED,
                published_at=row.post.publish_at,
                permalink=(found.permalink or row.permalink)[:500],
            )
            if won:
                # Out at its publish time, which may lie before a crisis declared since
                # (PU-12): logged by when it went out, not by when the sweep saw it.
                out_at = row.post.publish_at or now
                _crisis_log_published(row.post, channel=row.channel, now=out_at)
                settle(row.post_id, now=now)
                handled += 1
    return handled


# An unpublished copy this long past its time was not published by the platform's
# scheduler (it failed there): deleting it deletes nothing anyone saw (`_cancel_pending`).
NATIVE_LATE = timedelta(hours=1)
# How many copies a retirement cancels in its request, before the console disconnects
# the channel (`channel_cancel_scheduled`); any left say so on their post.
RETIRE_CANCEL_LIMIT = 20


class OldCopy(NamedTuple):
    """What became of a copy on the platform's scheduler that was to be cancelled
    (`_cancel_pending`): `done` (cancelled, gone already, or there was none), `out` (the
    platform's scheduler published it first: it stays) or `wait_until` (its time is too
    near to delete it safely: looked at again then)."""

    done: bool = False
    out: PlatformPost | None = None
    wait_until: datetime | None = None


def _cancel_pending(connector: Any, row: PostChannel, *, now: datetime) -> OldCopy:
    """An old copy on the platform's scheduler is cancelled before anything else; a
    copy already gone counts as cancelled. Raises `ConnectorError` if it could not.

    The cancellation is Graph's `DELETE /{post-id}`, which deletes a published post as
    well, with the citizens' comments under it and no archive (MO-2). So the copy is read
    first. One the platform's scheduler published meanwhile (a cancellation that failed
    before its time) is out: returned as `out`, never deleted. The caller records it as
    published (PU-12: the crisis log shows it went out, `_record_out`), and a person
    takes it down if it must come down (`media.post_take_down`, which archives the
    comments first). One whose time is less than `SLACK` away, or has passed without it
    being read back as published, is not deleted either (it may be published between
    the read and the deletion): `wait_until`. Only one still unpublished `NATIVE_LATE`
    after its time, which the platform did not publish, is deleted then."""
    platform_id = row.cancel_platform_id
    if not platform_id:
        return OldCopy(done=True)
    copy: PlatformPost | None = None
    gone = False
    if supports(connector, Capability.COMMENT_SOURCE):
        try:
            copy = connector.get_post(platform_id)
        except ConnectorError as exc:
            if exc.code != ErrorCode.NOT_FOUND:
                raise
            gone = True
    if copy is not None and copy.is_published:
        return OldCopy(out=copy)
    if not gone:
        due = (copy.scheduled_at if copy is not None else None) or row.post.publish_at
        if due is not None and due - SLACK <= now < due + NATIVE_LATE:
            return OldCopy(wait_until=max(now, due) + SLACK)
        connector.cancel_scheduled(platform_id)
    PostChannel.objects.filter(pk=row.pk, cancel_platform_id=platform_id).update(
        cancel_platform_id=""
    )
    row.cancel_platform_id = ""
    return OldCopy(done=True)


def _record_out(
    row: PostChannel, copy: PlatformPost, *, now: datetime, claimed_at: datetime | None = None
) -> str:
    """The copy that was to be cancelled (`row.cancel_platform_id`) is published: the
    platform's scheduler sent it at its time, before a cancellation got through (a post
    paused for a crisis, withdrawn, edited or stopped). It stays there, and is put on
    record as what it is: the delivery's copy, published at its time, in the crisis log
    (PU-12, `_crisis_log_published`) and the archive (AR-1, `settle`). The post is marked
    with what happened, and its page offers the take-down (a person's decision; the
    take-down archives the comments first, MO-2). A post taken down meanwhile had that
    decided already: this copy comes down as the others did (`tasks.post_take_down`).

    Compare-and-set: on this delivery's claim (`claimed_at`, from `delivery_run`), or on a
    row not in flight. A row that holds another copy of its own (an attempt whose row
    was taken over left this one for cancellation, `_orphaned`) keeps it: this copy is
    on record on the post alone, for a person to delete on the platform."""
    platform_id = row.cancel_platform_id
    channel = row.channel
    out_at = min(row.post.publish_at or copy.created_at or now, now)
    mine = PostChannel.objects.filter(pk=row.pk, cancel_platform_id=platform_id)
    if claimed_at is not None:
        mine = mine.filter(status=DeliveryStatus.PUBLISHING, claimed_at=claimed_at)
    else:
        mine = mine.exclude(status=DeliveryStatus.PUBLISHING)
    own = claimed_at is not None or (not row.platform_id and row.status != DeliveryStatus.PUBLISHED)
    names = {"channel": channel.name, "time": norwegian_datetime(out_at)}
    if own:
        note = (
            _(
                "Plattformens egen planlegger publiserte innlegget på «%(channel)s» %(time)s, "
                "før Ordstyrer fikk stoppet det der. Det står der nå, med kommentarene som er "
                "kommet. Skal det ned, må det tas ned (kommentarene arkiveres først)."
            )
            % names
        )
    else:
        note = _(
            "Plattformens egen planlegger publiserte en eldre kopi av innlegget på "
            "«%(channel)s» %(time)s, før Ordstyrer fikk stoppet den: %(link)s. Ordstyrer "
            "kan ikke ta den ned; slett den direkte på plattformen."
        ) % {**names, "link": copy.permalink or platform_id}
    with transaction.atomic():
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("municipality")
            .get(pk=row.post_id)
        )
        taking_down = own and post.taken_down_at is not None
        if own:
            mine = mine.filter(platform_id="")
            won = mine.update(
                status=DeliveryStatus.PUBLISHED,
                platform_id=platform_id,
                cancel_platform_id="",
                permalink=(copy.permalink or "")[:500],
                platform_scheduled=True,
                published_at=out_at,
                claimed_at=now if taking_down else None,
                next_attempt_at=now if taking_down else None,
                attempt_started_at=None,  # settled: the copy is known
                error=note[:1000],
            )
        else:
            won = mine.update(cancel_platform_id="")
        if not won:
            return "changed"
        audit_record(
            actor=None,
            action="post_delivered",
            municipality=post.municipality,
            obj=post,
            data={
                "channel_id": row.channel_id,
                "platform_id": platform_id,
                "native": True,
                "not_cancelled": True,
                "on_row": own,
            },
        )
        if not post.flagged_reason:
            Post.objects.filter(pk=post.pk).update(flagged_reason=note, updated_at=now)
        PostEvent.objects.create(
            post=post,
            action="settle",
            from_status=post.status,
            to_status=post.status,
            at=now,
            note=note,
            data={"channel_id": row.channel_id, "platform_id": platform_id},
        )
        _crisis_log_published(post, channel=channel, now=out_at)
        settle(post.pk, now=now)
        if taking_down:
            after_commit(tasks.post_take_down, post_channel_id=row.pk)
    logger.warning(
        "a scheduled copy to cancel was published by the platform first; recorded, not deleted",
        extra={"post_channel_id": row.pk, "on_row": own},
    )
    return DeliveryStatus.PUBLISHED


def _reachable(channel: Any) -> bool:
    """Whether Ordstyrer can still call the channel's platform: a Graph channel needs
    its token, which a disconnected connection no longer gives
    (`platforms.recording.connection_config`; a retired channel's is disconnected)."""
    from ordstyrer.channels.models import ChannelKind
    from ordstyrer.channels.platform import connector_config

    if channel.kind not in (ChannelKind.FACEBOOK, ChannelKind.INSTAGRAM):
        return True
    config = connector_config(channel)
    return bool(config.get("token") or config.get("token_encrypted"))


def _still_scheduled(row: PostChannel) -> str:
    """What a delivery on a channel no longer in use says while its copy is still on the
    platform's scheduler (CH-1): not that it was not published there."""
    when = row.post.publish_at
    if when is None:
        return _(
            "Innlegget ligger fortsatt planlagt hos plattformen på «%(channel)s» og "
            "publiseres der hvis det ikke slettes."
        ) % {"channel": row.channel.name}
    return _(
        "Innlegget ligger fortsatt planlagt hos plattformen på «%(channel)s» og publiseres "
        "der %(time)s hvis det ikke slettes."
    ) % {"channel": row.channel.name, "time": norwegian_datetime(when)}


def _cancel_later(row: PostChannel, *, at: datetime) -> None:
    """The cancellation waits its turn again, from `at`: the row goes behind the others
    waiting (`cancel_due` takes the longest waiting first, so copies it cannot cancel now
    never crowd out the rest). A delivery's own later retry stays as set."""
    later = max(row.next_attempt_at or at, at)
    PostChannel.objects.filter(pk=row.pk, cancel_platform_id=row.cancel_platform_id).exclude(
        status=DeliveryStatus.PUBLISHING
    ).update(next_attempt_at=later)


def _cancel_failed(row: PostChannel, exc: ConnectorError, *, now: datetime) -> None:
    """A cancellation that failed is tried again (`_cancel_later`). A delivery failed on
    a channel no longer in use (CH-1, `channel_stop`) has nothing else to say: its post
    says the copy is still on the platform's scheduler, and when it goes out there. So
    does a paused post's (PU-12, `_paused_copy_left`)."""
    logger.warning(
        "cancelling a scheduled post failed; the sweep tries again",
        extra={"post_channel_id": row.pk, "code": exc.code},
    )
    _cancel_later(row, at=now)
    if row.status != DeliveryStatus.FAILED:
        _paused_copy_left(
            row,
            why=_("Ordstyrer fikk ikke slettet det (%(reason)s) og prøver igjen.")
            % {"reason": str(exc.message).rstrip(".")},
            now=now,
        )
    else:
        reason = " ".join(
            [
                _still_scheduled(row),
                _(
                    "Ordstyrer fikk ikke slettet det (%(reason)s) og prøver igjen så lenge "
                    "kanalen er koblet til. Slett det ellers direkte på plattformen."
                )
                % {"reason": str(exc.message).rstrip(".")},
            ]
        )
        PostChannel.objects.filter(
            pk=row.pk, status=DeliveryStatus.FAILED, cancel_platform_id=row.cancel_platform_id
        ).update(error=reason[:1000])


# A paused post's copy that could not be cancelled on the platform: its history says so
# once, and the crisis leader and deputies are told then (`_paused_copy_left`).
COPY_LEFT = "copy_not_cancelled"


def _paused_copy_left(row: PostChannel, *, why: str, now: datetime) -> None:
    """PU-12: the copy of a post paused for a crisis is still on the platform's own
    scheduler, and the cancellation failed (`why`; the sweep tries again): it goes out
    at its time, paused or not, unless it is deleted there. The delivery says so, with
    the time (the post's page and the page of paused posts show it), and, the first
    time for this copy, so does the post's history, and the crisis leader and deputies
    are e-mailed (`crisis.notifications.notify_copy_left`). Nothing for a post no longer
    paused: released, the delivery cancels the copy itself before it sends (`delivery_run`)."""
    platform_id = row.cancel_platform_id
    if row.post.status != PostStatus.PAUSED or not platform_id:
        return
    reason = " ".join(
        [
            _still_scheduled(row),
            why,
            _(
                "Slett det direkte på plattformen: ellers publiseres det der selv om "
                "innlegget står på pause (PU-12)."
            ),
        ]
    )
    with transaction.atomic():
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("municipality")
            .get(pk=row.post_id)
        )
        if post.status != PostStatus.PAUSED:
            return
        won = (
            PostChannel.objects.filter(pk=row.pk, cancel_platform_id=platform_id)
            .exclude(status__in=(DeliveryStatus.PUBLISHING, DeliveryStatus.FAILED))
            .update(error=reason[:1000])
        )
        if won:
            _copy_left_once(post, row, platform_id, reason=reason, now=now)


def _copy_left_once(
    post: Post, row: PostChannel, platform_id: str, *, reason: str, now: datetime
) -> None:
    """The first time a paused post's copy `platform_id` could not be cancelled (inside
    the caller's transaction, `post` locked): the post's history says so, and the crisis
    leader and deputies are told after commit (PU-12). Once per copy."""
    if post.status != PostStatus.PAUSED:
        return
    if post.events.filter(action=COPY_LEFT, data__platform_id=platform_id).exists():
        return
    PostEvent.objects.create(
        post=post,
        action=COPY_LEFT,
        from_status=post.status,
        to_status=post.status,
        at=now,
        note=reason,
        data={"channel_id": row.channel_id, "platform_id": platform_id},
    )
    audit_record(
        actor=None,
        action="post_cancel_failed",
        municipality=post.municipality,
        obj=post,
        data={"channel_id": row.channel_id, "platform_id": platform_id, "reason": reason},
    )
    from ordstyrer.crisis.tasks import post_copy_left_notify

    after_commit(post_copy_left_notify, post_channel_id=row.pk)


def _paused_copy_gone(row: PostChannel, platform_id: str, *, now: datetime) -> None:
    """The copy `_paused_copy_left` said was still on the platform's scheduler is
    cancelled after all: the delivery no longer says so, and the post's history does."""
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).get(pk=row.post_id)
        if not post.events.filter(action=COPY_LEFT, data__platform_id=platform_id).exists():
            return
        won = (
            PostChannel.objects.filter(pk=row.pk, cancel_platform_id="", error=row.error)
            .exclude(status__in=(DeliveryStatus.PUBLISHING, DeliveryStatus.FAILED))
            .update(error="")
        )
        if won:
            PostEvent.objects.create(
                post=post,
                action="copy_cancelled",
                from_status=post.status,
                to_status=post.status,
                at=now,
                note=_("Kopien på «%(channel)s» er slettet hos plattformen.")
                % {"channel": row.channel.name},
                data={"channel_id": row.channel_id, "platform_id": platform_id},
            )


def _give_up(row: PostChannel, *, now: datetime) -> str:
    """A retired channel's copy on the platform's scheduler that Ordstyrer can no
    longer reach (its connection disconnected, the token forgotten; CH-1): no longer
    tried, and the delivery fails saying that the copy is still there, when it goes out,
    and that a person must delete it on the platform."""
    platform_id = row.cancel_platform_id
    reason = " ".join(
        [
            _still_scheduled(row),
            _(
                "Ordstyrer har ikke lenger tilgang til kanalen og kan ikke slette det: slett "
                "innlegget direkte på plattformen."
            ),
        ]
    )
    with transaction.atomic():
        won = (
            PostChannel.objects.filter(pk=row.pk, cancel_platform_id=platform_id)
            .exclude(status=DeliveryStatus.PUBLISHING)
            .update(
                cancel_platform_id="",
                status=DeliveryStatus.FAILED,
                claimed_at=None,
                next_attempt_at=None,
                error=reason[:1000],
            )
        )
        if not won:
            return "changed"
        audit_record(
            actor=None,
            action="post_cancel_given_up",
            municipality=row.post.municipality,
            obj=row.post,
            data={"channel_id": row.channel_id, "platform_id": platform_id, "reason": reason},
        )
        settle(row.post_id, now=now)
        # A paused post's copy goes out at its time: the crisis staff are told (PU-12).
        post = Post.objects.select_related("municipality").get(pk=row.post_id)
        _copy_left_once(post, row, platform_id, reason=reason, now=now)
    logger.warning(
        "a retired channel's scheduled copy cannot be cancelled; left for a person",
        extra={"post_channel_id": row.pk},
    )
    return "given_up"


def cancel_run(*, post_channel_id: int, now: datetime | None = None) -> str:
    """Cancel a post on the platform's own scheduler (a pause, PU-12, a withdrawal, a
    channel no longer in use, CH-1); the sweep tries again until the platform confirms.

    "cancelled"; "published" when the platform's scheduler published it first (recorded,
    not deleted: `_cancel_pending`, `_record_out`); "waiting" when its time is too near
    to delete it; "failed" (tried again); "given_up" on a retired channel Ordstyrer no
    longer reaches (`_give_up`); "unreachable" on a channel in use that is not connected
    (tried again once it is); "nothing" or "changed"."""
    now = now or timezone.now()
    row = (
        PostChannel.objects.select_related("channel__municipality", "post__municipality")
        .filter(pk=post_channel_id)
        .exclude(cancel_platform_id="")
        .exclude(status=DeliveryStatus.PUBLISHING)  # a delivery in flight cancels it itself
        .first()
    )
    if row is None:
        return "nothing"
    if not _reachable(row.channel):
        if row.channel.status == workflow.RETIRED:
            return _give_up(row, now=now)
        _cancel_later(row, at=now)
        _paused_copy_left(
            row,
            why=_(
                "Ordstyrer når ikke kanalen fordi den ikke er koblet til, og prøver igjen når "
                "den er koblet til."
            ),
            now=now,
        )
        return "unreachable"
    platform_id = row.cancel_platform_id
    try:
        with _open(row.channel, now) as connector:
            old = _cancel_pending(connector, row, now=now)
    except ConnectorError as exc:
        _cancel_failed(row, exc, now=now)
        return "failed"
    if old.out is not None:
        return _record_out(row, old.out, now=now)
    if old.wait_until is not None:
        _cancel_later(row, at=old.wait_until)
        return "waiting"
    if row.status == DeliveryStatus.FAILED and row.channel.status not in access.PUBLISHABLE:
        # The copy is gone: the post says again that nothing went out there (CH-1).
        PostChannel.objects.filter(pk=row.pk, status=DeliveryStatus.FAILED).update(
            error=_stop_reason(row.channel)[:1000]
        )
    elif row.error:
        _paused_copy_gone(row, platform_id, now=now)
    return "cancelled"


_SETTLED = {"cancelled", DeliveryStatus.PUBLISHED, "given_up"}


def cancel_due(*, now: datetime, limit: int = 50) -> int:
    """Scheduled copies still waiting to be cancelled on the platform, the longest
    waiting first: one tried and failed goes behind the others (`_cancel_later`), so
    copies that cannot be cancelled now never take every place of a round. How many
    were settled (cancelled, found published, or given up)."""
    rows = list(
        PostChannel.objects.exclude(cancel_platform_id="")
        .exclude(status=DeliveryStatus.PUBLISHING)
        .order_by(F("next_attempt_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in rows if cancel_run(post_channel_id=pk, now=now) in _SETTLED)


def channel_cancel_scheduled(
    *, channel_id: int, now: datetime | None = None, limit: int = RETIRE_CANCEL_LIMIT
) -> int:
    """Cancel at once the copies the channel's stopped deliveries left on the platform's
    scheduler (`channel_stop`), for `channels.services.channel_retire` to call after its
    transaction: the console disconnects the channel right after
    (`channels.views._retire`), the token forgotten, and `cancel_due` could no longer
    cancel them; they went out on the retired channel (CH-1). A platform call outside
    the sweep, so bounded: at most `limit` copies. One not cancelled says so on its post
    (`_cancel_failed`, `_give_up`). Returns how many are still on the scheduler."""
    now = now or timezone.now()
    pending = PostChannel.objects.filter(channel_id=channel_id).exclude(cancel_platform_id="")
    for pk in pending.order_by("pk").values_list("pk", flat=True)[:limit]:
        try:
            cancel_run(post_channel_id=pk, now=now)
        except Exception:  # noqa: BLE001 — the retirement is done; the sweep tries again
            logger.exception("cancelling a scheduled post crashed", extra={"post_channel_id": pk})
    return pending.count()


def scheduled_copies_left(*, channel_id: int) -> int:
    """How many copies the channel's deliveries still have on the platform's scheduler
    to cancel (`channel_cancel_scheduled` could not): what the console's retirement says
    a person must delete on the platform (CH-1)."""
    return PostChannel.objects.filter(channel_id=channel_id).exclude(cancel_platform_id="").count()


def take_down_run(*, post_channel_id: int, now: datetime | None = None) -> str:
    """Delete a published post on the platform (consent withdrawn, PU-6). A post already
    gone counts as taken down. The comments under it, which go with it, are archived
    first (MO-2).

    Their authors are told first (MO-4, `moderation.with_post`): a private notice needs
    the comment, so the deletion waits until every notice under the copy is sent or has
    failed for good, at most `with_post.WAIT` from the take-down's decision (the row's
    claim). Meanwhile the row says so and the sweep looks again (`take_down_due`). A
    notice still unsent then (retrying, or held for the crisis leader, PU-12) is
    withdrawn and recorded as not sent, and the post is deleted: never a take-down stuck
    on a notice.

    A deletion that fails leaves the row published with the reason on its `error`, and
    releases the claim `media.post_take_down` set: the console offers to try again (on
    Instagram, to confirm deleting it by hand). The comments under it stay online and
    are not shown as removed.

    Once the platform confirms, `mark_taken_down` records it (the comments under it are
    removed then). A post released anew while this take-down was under way sends its
    new version here at the sweep's next round."""
    now = now or timezone.now()
    row = (
        PostChannel.objects.select_related("channel__municipality", "post__municipality")
        .filter(pk=post_channel_id)
        .first()
    )
    if row is None or row.status != DeliveryStatus.PUBLISHED or not row.platform_id:
        return "nothing"
    from ordstyrer.formats import norwegian_datetime
    from ordstyrer.moderation import with_post
    from ordstyrer.publishing.media import archive_comments_going_with

    # The comments go with the post (MO-2): `media.post_take_down` archived those the
    # inbox held; what came in since (or under a copy published while the post was
    # taken down) is archived here, committed before the platform is called, and its
    # author's notice queued (MO-4).
    with transaction.atomic():
        archive_comments_going_with([row], actor=None, reason=row.post.flagged_reason, now=now)
    notices = with_post.under(channel_id=row.channel_id, post_id=row.platform_id)
    until = (row.claimed_at or now) + with_post.WAIT
    if now < until and with_post.waiting(notices):
        PostChannel.objects.filter(
            pk=row.pk, status=DeliveryStatus.PUBLISHED, platform_id=row.platform_id
        ).update(
            next_attempt_at=min(until, now + NOTICE_RECHECK),
            error=_(
                "Venter på at forfatterne av kommentarene under innlegget får beskjed (MO-4). "
                "Innlegget slettes senest %(time)s."
            )
            % {"time": norwegian_datetime(until)},
        )
        return "waiting"
    # Waited long enough: what is still unsent will not go (a private reply to a
    # deleted comment cannot); each is recorded as not sent.
    with_post.give_up(notices, now=now)
    try:
        with _open(row.channel, now) as connector:
            deleter = getattr(connector, "delete_post", None)
            if deleter is None:
                # Instagram's API cannot delete published media: a person must. The row
                # stays published: the copy may be out until someone deletes it.
                message = _(
                    "Plattformen kan ikke slette innlegg gjennom API-et. Slett innlegget "
                    "direkte i appen."
                )
                PostChannel.objects.filter(pk=row.pk).update(
                    error=message, claimed_at=None, next_attempt_at=None
                )
                return "unsupported"
            deleter(row.platform_id)
    except ConnectorError as exc:
        if exc.code != ErrorCode.NOT_FOUND:
            # The claim `media.post_take_down` set is released with the reason: the
            # console offers to try again (PU-6), `media.deliveries_to_take_down_again`.
            PostChannel.objects.filter(pk=row.pk).update(
                error=str(exc.message)[:1000], claimed_at=None, next_attempt_at=None
            )
            return "failed"
    return "taken_down" if mark_taken_down(row, actor=None, now=now) else "changed"


# How often a take-down waiting for the notices to the comments' authors looks again
# (MO-4): the publishing sweep runs it when its row's `next_attempt_at` is due.
NOTICE_RECHECK = timedelta(seconds=30)


def _taking_down() -> QuerySet[PostChannel]:
    """The copies of taken-down posts still out whose deletion is under way: claimed by
    the take-down's decision (`media.post_take_down`), not yet released by a failure."""
    return PostChannel.objects.filter(
        status=DeliveryStatus.PUBLISHED,
        claimed_at__isnull=False,
        post__taken_down_at__isnull=False,
    ).exclude(platform_id="")


def take_down_queued(*, post_channel_id: int, now: datetime | None = None) -> str:
    """Run a take-down whose time has come (PU-6): the one its decision queued (the
    task, `tasks.post_take_down`), or one the publishing sweep finds due
    (`take_down_due`) because its task was lost, it waits for the notices to the
    comments' authors (MO-4), or a run of it died.

    The decision makes the row due at once (`media.post_take_down`), as a release makes
    a delivery due (`services._release`): the task and the sweep may both reach it.
    Whichever claims it, compare-and-set on that time, runs it; the other finds nothing.
    The claim holds the row for `STALE_CLAIM`, the bound `retry_due` gives a delivery in
    flight: a run that dies midway is run again after it, never two at once.
    `take_down_run` sets the row's next time (waiting for the notices), or none (done,
    or failed for a person to try again)."""
    now = now or timezone.now()
    at = (
        _taking_down()
        .filter(pk=post_channel_id, next_attempt_at__lte=now)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if at is None:
        return "nothing"
    won = PostChannel.objects.filter(
        pk=post_channel_id, status=DeliveryStatus.PUBLISHED, next_attempt_at=at
    ).update(next_attempt_at=now + STALE_CLAIM)
    if not won:
        return "nothing"
    return take_down_run(post_channel_id=post_channel_id, now=now)


def take_down_due(*, now: datetime, limit: int = 50) -> int:
    """Take-downs whose time has come (`take_down_queued`): queued and their task lost
    (the row is due from the decision on), waiting for the notices to the comments'
    authors (MO-4, `take_down_run` set the time to look again), or a run that died
    (its claim has passed). Each is claimed compare-and-set, so one worker runs it.
    How many ran."""
    due = list(_taking_down().filter(next_attempt_at__lte=now).values_list("pk", flat=True)[:limit])
    ran = 0
    for pk, at in _claim_times(due, now=now):
        try:
            outcome = take_down_queued(post_channel_id=pk, now=at)
        except Exception:  # noqa: BLE001 — one bad post must not stall the sweep; logged
            logger.exception("take-down crashed", extra={"post_channel_id": pk})
            outcome = "crashed"
        ran += outcome != "nothing"
    return ran


def mark_taken_down(
    row: PostChannel, *, actor: ActorLike | None, now: datetime, by_hand: bool = False
) -> bool:
    """The copy `row` (as read before its deletion) is off the platform: the platform
    confirmed its deletion (`take_down_run`), or, where the API cannot delete
    (Instagram), the editor confirmed deleting it by hand (`media.post_taken_down_by_hand`,
    `by_hand`). The delivery no longer counts as published: it is queued again with
    nothing on the platform (its reason on the row), so a post edited and released again
    goes out here anew (`services._release` skips only what is out), and a later
    take-down finds what that release published. The comments under it, archived before
    the deletion (MO-2), are removed now (`media.comments_gone_with`). False when the
    row changed meanwhile (nothing done)."""
    from ordstyrer.publishing.media import comments_gone_with

    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).get(pk=row.post_id)
        released = post.status in (PostStatus.PUBLISHING, PostStatus.SCHEDULED)
        won = PostChannel.objects.filter(
            pk=row.pk, status=DeliveryStatus.PUBLISHED, platform_id=row.platform_id
        ).update(
            status=DeliveryStatus.QUEUED,
            platform_id="",
            permalink="",
            platform_scheduled=False,
            published_at=None,
            attempts=0,
            attempt_started_at=None,
            claimed_at=None,
            next_attempt_at=now if released else None,
            error=_("Tatt ned fra plattformen."),
        )
        if not won:
            return False
        comments = comments_gone_with([row], actor=actor, reason=post.flagged_reason, now=now)
        audit_record(
            actor=actor,
            action="post_taken_down",
            municipality=row.post.municipality,
            obj=row.post,
            data={
                "channel_id": row.channel_id,
                "platform_id": row.platform_id,
                "comments_removed": comments,
                **({"by_hand": True} if by_hand else {}),
            },
        )
    return True
