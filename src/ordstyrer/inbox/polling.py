"""Pull new comments from each live channel's `CommentSource` into the inbox.

Webhooks (Facebook, Instagram) call `inbox_ingest` as changes happen; polling is the
way in for the simulated platform of the demo and the safety net for the others. A
connector with an event feed (`events_since(seq)`, the simulated page) gives adds,
edits, removals and hides in order; any other `CommentSource` is read post by post.

One poisoned comment fails alone and never stalls the poll (issue #18): each is
ingested on its own (`ingest_each`: counted, logged without personal data, the others
go in) and the poll moves on; an unexpected failure of the poll itself is recorded in
`last_error` and `failures` like a platform error, so the start page shows it.

Nothing is lost to the page cap (DI-1). A post's comments are read oldest first
(`filter=stream` is in time order) with `since`, at most `COMMENT_PAGES` pages a post
and poll. A post that has more is cut off there: the poll then keeps `last_polled_at`,
stores in `cursor` (Unix seconds; event feeds keep their sequence number there) the
time of the newest comment it read on the cut-off posts — the earliest of them — and
says so in `last_error`; the next poll reads on from that time, and only a poll that
read every post to the end moves `last_polled_at` and clears `cursor`.

A comment read post by post is the platform's current state as of the poll
(`inbox_ingest(current=True)`): Graph says nothing of edits in a read, so a text that
differs from the stored one is an edit whose webhook was lost (Meta drops events after
36 h of failed deliveries, spec §2.4) and is taken as one, triaged again (PU-1); an edit
a webhook brought after the poll began is not overwritten (`ingest._is_newer`). Only
comments written within the poll's window are read (`since`: the last poll, less an
hour), so an edit of an older comment whose webhook was lost is seen by a backfill only.

Instagram tells us of no removal (no webhook, spec §2.6), and Facebook's "remove"
webhook can be lost like any other: for each post read to the end, an open item of the
poll's window whose comment the platform no longer lists, and that the platform then
answers "not found" for, is ingested as removed by its author, as a removal webhook
would (DI-1: it leaves the waiting and overdue counts). The cost is bounded: one
`get_comment` per such item, only for items written within the window (normally none:
every comment still there is listed), at most `BATCH` a poll; a reply under a comment
found gone in the same poll is not asked about (it went with it, `_gone`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.channels import workflow as channel_workflow
from ordstyrer.channels.models import Channel, ChannelKind
from ordstyrer.connectors.base import (
    Capability,
    ChangeEvent,
    Comment,
    ConnectorError,
    ErrorCode,
    Listing,
    iterate_pages,
    supports,
)
from ordstyrer.core.services import after_commit
from ordstyrer.inbox import tasks
from ordstyrer.inbox.ingest import Context, inbox_ingest, ingest_context, pretriage
from ordstyrer.inbox.models import ChannelPoll, InboxItem, ItemKind
from ordstyrer.inbox.platform import channel_connector

logger = logging.getLogger("ordstyrer.inbox")

# Seconds between polls: the simulated page is the demo's only way in; the others have
# webhooks and are polled as a safety net.
POLL_EVERY: dict[str, int] = {
    ChannelKind.SIMULATED: 60,
    ChannelKind.FACEBOOK: 900,
    ChannelKind.INSTAGRAM: 900,
}
RECENT_POSTS = timedelta(days=14)
OVERLAP = timedelta(hours=1)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 100
# A post's comments per page (Graph's largest, spec §1.10) and pages per post and poll:
# up to 10,000 comments of one post in one poll; a post with more is read on by the
# next poll from where this one stopped (DI-1).
COMMENTS_PER_PAGE = 100
COMMENT_PAGES = 100
POST_PAGES = 8
# Platforms whose removals of comments the poll looks for: Instagram sends none (spec
# §2.6); Facebook's feed webhook says "remove", but a lost delivery would leave the item
# open and overdue (spec §2.4, DI-1). The simulated feed says "remove" in order.
RECONCILE_REMOVALS = frozenset({ChannelKind.INSTAGRAM, ChannelKind.FACEBOOK})


def comment_from_event(event: ChangeEvent) -> Comment | None:
    """A platform change as the normalised Comment `inbox_ingest` takes (comments only)."""
    if event.item != "comment" or not event.comment_id:
        return None
    return Comment(
        id=event.comment_id,
        post_id=event.post_id,
        author=event.author,
        text=event.text or "",
        created_at=event.created_at,
        parent_id=event.parent_id,
        edited=event.verb == "edited",
        removed=event.verb == "remove",
        hidden=event.verb == "hide",
        is_page_author=event.is_page_author,
        # The verb tells ingestion whether this change says anything about `hidden`.
        raw={"verb": event.verb},
    )


@dataclass
class Reading:
    """What one poll read: the comments in order and where the reading stands.

    `cut_off`: a post had more comments than one poll reads; `cursor` then holds when
    the reading goes on. `complete`: the posts read to the end since `since`, with the
    ids the platform listed under each. `current`: the comments are reads of the
    platform's current state (post by post), not change events (`inbox_ingest`)."""

    comments: list[Comment]
    cursor: int
    since: datetime | None = None
    cut_off: bool = False
    complete: dict[str, set[str]] = field(default_factory=dict)
    current: bool = False


def _read(connector: Any, poll: ChannelPoll, now: datetime) -> Reading:
    """What changed since the last poll, or since where a cut-off poll stopped."""
    if hasattr(connector, "events_since"):
        changes = connector.events_since(poll.cursor)
        comments = [c for _seq, e in changes if (c := comment_from_event(e)) is not None]
        cursor = max((seq for seq, _e in changes), default=poll.cursor)
        return Reading(comments, cursor)
    if poll.cursor:
        since = datetime.fromtimestamp(poll.cursor, tz=UTC)
    else:
        since = (poll.last_polled_at or now - RECENT_POSTS) - OVERLAP
    reading = Reading([], 0, since=since, current=True)
    stopped: datetime | None = None
    posts = iterate_pages(
        lambda cursor: connector.list_posts(since=now - RECENT_POSTS, cursor=cursor, limit=25),
        max_pages=POST_PAGES,
    )
    for post in posts:

        def page_of_comments(cursor: str | None, pid: str = post.id) -> Listing[Comment]:
            return connector.list_comments(pid, since=since, cursor=cursor, limit=COMMENTS_PER_PAGE)

        pages = iterate_pages(page_of_comments, max_pages=COMMENT_PAGES)
        read = list(pages)
        reading.comments.extend(read)
        if not pages.truncated:
            reading.complete[post.id] = {str(c.id) for c in read}
            continue
        # Read oldest first: everything up to the newest comment read is in.
        reached = max((c.created_at for c in read if c.created_at), default=since)
        stopped = reached if stopped is None else min(stopped, reached)
        logger.warning(
            "inbox poll cut off at its page cap",
            extra={"channel_id": poll.channel_id, "post_id": str(post.id)[:120]},
        )
    if posts.truncated:
        logger.warning(
            "inbox poll read only the newest posts", extra={"channel_id": poll.channel_id}
        )
    if stopped is not None:
        reading.cut_off = True
        reading.cursor = max(int(stopped.timestamp()), int(since.timestamp()))
    return reading


def _gone(channel: Channel, connector: Any, reading: Reading) -> list[Comment]:
    """Removals the platform did not send (Instagram) or whose webhook was lost
    (Facebook): the open items of a post read to the end whose comment, written within
    the window read, the platform no longer lists and answers "not found" for — as the
    removal a webhook would bring (DI-1). Comments are asked about before replies: a
    reply under a comment found gone went with it and is not asked about (its item is
    closed with the comment's removal, `ingest.close_replies_under`). At most `BATCH`
    are asked about per poll; a failing question leaves the rest for the next poll."""
    if reading.since is None or not reading.complete:
        return []
    missing = sorted(
        (bool(parent), pk, post_id, platform_id, parent)
        for post_id, seen in reading.complete.items()
        for pk, platform_id, parent in InboxItem.objects.filter(
            channel=channel,
            post_id=post_id,
            kind__in=(ItemKind.COMMENT, ItemKind.REPLY),
            open=True,
            from_page=False,
            removed_at__isnull=True,
            platform_created_at__gte=reading.since,
        ).values_list("pk", "platform_id", "parent_platform_id")
        if platform_id not in seen
    )
    gone: list[Comment] = []
    asked = 0
    for _reply, _pk, post_id, platform_id, parent in missing:
        if parent and parent in {c.id for c in gone}:
            continue  # gone with the comment it is under
        if asked == BATCH:
            break
        asked += 1
        try:
            connector.get_comment(platform_id)
        except ConnectorError as exc:
            if exc.code != ErrorCode.NOT_FOUND:
                break
            gone.append(
                Comment(
                    id=platform_id,
                    post_id=post_id,
                    author=None,
                    text="",
                    created_at=None,
                    removed=True,
                    raw={"verb": "remove"},
                )
            )
    return gone


def ingest_each(
    channel: Channel,
    comments: list[Comment],
    *,
    received_at: datetime,
    context: Context,
    source: str,
    current: bool = False,
) -> tuple[int, int]:
    """`inbox_ingest` every comment, each on its own, in order: (stored, failed).

    `current`: the comments were read from the platform as they are now (a poll post by
    post, a backfill), not change events (`inbox_ingest`).

    `stored` counts those that became or updated an inbox item (not our own replies
    coming back). Whatever one comment raises fails that comment alone: it is counted and
    logged (`source`, channel, platform id and the error's type — never its text or
    author), and the rest go in. The texts are triaged in one batch first; should that
    fail, each is triaged as it is ingested."""
    try:
        triaged = pretriage(channel, comments, context)
    except Exception as exc:  # noqa: BLE001 — triaged one at a time instead
        logger.warning(
            "batch triage failed",
            extra={"source": source, "channel_id": channel.pk, "error": type(exc).__name__},
        )
        triaged = {}
    stored = failed = 0
    for comment in comments:
        try:
            item = inbox_ingest(
                channel=channel,
                comment=comment,
                received_at=received_at,
                context=context,
                triaged=triaged,
                current=current,
            )
        except Exception as exc:  # noqa: BLE001 — one poisoned comment never stalls the rest
            failed += 1
            logger.warning(
                "comment not ingested",
                extra={
                    "source": source,
                    "channel_id": channel.pk,
                    "comment_id": str(comment.id)[:120],
                    "error": type(exc).__name__,
                },
            )
            continue
        if item is not None:
            stored += 1
    return stored, failed


def not_ingested_note(failed: int) -> str:
    """What a poll or a history job says about the comments it could not ingest."""
    if not failed:
        return ""
    return _("Kommentarer som ikke kunne tas inn: %(n)s (se driftsloggen).") % {"n": failed}


def cut_off_note() -> str:
    """What a poll that could not read every comment of a post in one go says."""
    return _(
        "Et innlegg har flere nye kommentarer enn én henting rekker; "
        "neste henting fortsetter der denne stoppet."
    )


def poll_channel(*, channel_id: int, now: datetime | None = None) -> int:
    """Poll one channel; returns how many comments were ingested (or failed alone)."""
    now = now or timezone.now()
    channel = Channel.objects.select_related("municipality").get(pk=channel_id)
    poll, _created = ChannelPoll.objects.get_or_create(
        channel=channel, defaults={"next_poll_at": now}
    )
    try:
        with channel_connector(channel, now=now) as connector:
            if not supports(connector, Capability.COMMENT_SOURCE):
                raise ConnectorError("Plattformen kan ikke lese kommentarer.", permanent=True)
            reading = _read(connector, poll, now)
            if channel.kind in RECONCILE_REMOVALS:
                reading.comments.extend(_gone(channel, connector, reading))
        context = ingest_context(channel)
    except ConnectorError as exc:
        _failed(poll, exc, now)
        return 0
    except Exception as exc:  # noqa: BLE001 — recorded and shown, never an invisible stall
        _unexpected(poll, exc, now)
        return 0
    comments = reading.comments
    _stored, failed = ingest_each(
        channel,
        comments,
        received_at=now,
        context=context,
        source="poll",
        current=reading.current,
    )
    notes = [not_ingested_note(failed), cut_off_note() if reading.cut_off else ""]
    ChannelPoll.objects.filter(pk=poll.pk).update(
        cursor=reading.cursor,
        # A cut-off poll read not everything up to now: the next one reads on (DI-1).
        last_polled_at=poll.last_polled_at if reading.cut_off else now,
        last_error=" ".join(note for note in notes if note),
        failures=0,
    )
    return len(comments) - failed


def _failed(poll: ChannelPoll, exc: ConnectorError, now: datetime) -> None:
    _backoff(poll, str(exc.message), now, retry_after=exc.retry_after)
    logger.warning(
        "inbox poll failed",
        extra={"channel_id": poll.channel_id, "code": exc.code, "permanent": exc.permanent},
    )


def _unexpected(poll: ChannelPoll, exc: Exception, now: datetime) -> None:
    logger.exception("inbox poll failed unexpectedly", extra={"channel_id": poll.channel_id})
    _backoff(
        poll, _("Uventet feil (%(kind)s); se driftsloggen.") % {"kind": type(exc).__name__}, now
    )


def _backoff(
    poll: ChannelPoll, error: str, now: datetime, *, retry_after: float | None = None
) -> None:
    failures = poll.failures + 1
    wait = timedelta(seconds=60 * 2 ** min(failures, 8))
    if retry_after:
        wait = max(wait, timedelta(seconds=float(retry_after)))
    ChannelPoll.objects.filter(pk=poll.pk).update(
        failures=failures,
        last_error=error[:1000],
        next_poll_at=now + min(wait, MAX_BACKOFF),
    )


def pollable(channels: QuerySet[Channel]) -> QuerySet[Channel]:
    """The channels among `channels` a poll can read: the simulated platform, and a
    Facebook Page or Instagram account once it is connected (its connection, or a token
    in its configuration). One never connected is no failing poll but a channel waiting
    for its main administrator to connect it — the start page says so."""
    return channels.filter(
        Q(kind=ChannelKind.SIMULATED)
        | Q(platform_connection__status="connected")
        | Q(connector_config__has_key="token")
    )


def polls_sweep(*, now: datetime) -> int:
    """Claim the live channels due for a poll (compare-and-set) and queue their polls."""
    live = pollable(Channel.objects.filter(status__in=channel_workflow.LIVE))
    missing = live.filter(inbox_poll__isnull=True).values_list("pk", flat=True)[:BATCH]
    for channel_id in list(missing):
        try:
            with transaction.atomic():
                ChannelPoll.objects.create(channel_id=channel_id, next_poll_at=now)
        except IntegrityError:  # another worker made it
            continue
    due = ChannelPoll.objects.filter(next_poll_at__lte=now, channel__in=live).values_list(
        "pk", "channel_id", "channel__kind", "next_poll_at"
    )[:BATCH]
    claimed = 0
    for pk, channel_id, kind, at in list(due):
        every = timedelta(seconds=POLL_EVERY.get(kind, 900))
        with transaction.atomic():
            won = ChannelPoll.objects.filter(pk=pk, next_poll_at=at).update(
                next_poll_at=now + every
            )
            if won:
                claimed += 1
                after_commit(tasks.channel_poll, channel_id=channel_id)
    return claimed
