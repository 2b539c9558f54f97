"""Pull new comments from each live channel's `CommentSource` into the inbox.

Webhooks (Facebook, Instagram) call `inbox_ingest` as changes happen; polling is the
way in for the simulated platform of the demo and the safety net for the others. A
connector with an event feed (`events_since(seq)`, the simulated page) gives adds,
edits, removals and hides in order; any other `CommentSource` is read post by post.

One poisoned comment fails alone and never stalls the poll (issue #18): each is
ingested on its own (`ingest_each`: counted, logged without personal data, the others
go in) and the poll moves on; an unexpected failure of the poll itself is recorded in
`last_error` and `failures` like a platform error, so the start page shows it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
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
    Listing,
    iterate_pages,
    supports,
)
from ordstyrer.core.services import after_commit
from ordstyrer.inbox import tasks
from ordstyrer.inbox.ingest import Context, inbox_ingest, ingest_context, pretriage
from ordstyrer.inbox.models import ChannelPoll
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


def _read(connector: Any, poll: ChannelPoll, now: datetime) -> tuple[list[Comment], int]:
    """What changed since the last poll: (comments in order, new cursor)."""
    if hasattr(connector, "events_since"):
        changes = connector.events_since(poll.cursor)
        comments = [c for _seq, e in changes if (c := comment_from_event(e)) is not None]
        cursor = max((seq for seq, _e in changes), default=poll.cursor)
        return comments, cursor
    since = (poll.last_polled_at or now - RECENT_POSTS) - OVERLAP
    out: list[Comment] = []
    posts = iterate_pages(
        lambda cursor: connector.list_posts(since=now - RECENT_POSTS, cursor=cursor, limit=25),
        max_pages=8,
    )
    for post in posts:

        def page_of_comments(cursor: str | None, pid: str = post.id) -> Listing[Comment]:
            return connector.list_comments(pid, since=since, cursor=cursor, limit=50)

        out.extend(iterate_pages(page_of_comments, max_pages=20))
    return out, poll.cursor


def ingest_each(
    channel: Channel,
    comments: list[Comment],
    *,
    received_at: datetime,
    context: Context,
    source: str,
) -> tuple[int, int]:
    """`inbox_ingest` every comment, each on its own, in order: (stored, failed).

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
            comments, cursor = _read(connector, poll, now)
        context = ingest_context(channel)
    except ConnectorError as exc:
        _failed(poll, exc, now)
        return 0
    except Exception as exc:  # noqa: BLE001 — recorded and shown, never an invisible stall
        _unexpected(poll, exc, now)
        return 0
    _stored, failed = ingest_each(
        channel, comments, received_at=now, context=context, source="poll"
    )
    ChannelPoll.objects.filter(pk=poll.pk).update(
        cursor=cursor, last_polled_at=now, last_error=not_ingested_note(failed), failures=0
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
