"""Who else is writing a reply on an item (#15, item 7: "someone else is writing here").

A person's reply box on an item is "open" from the moment they ask for it (a template
or «Skriv et nytt svar», a refused draft shown again) and while they type in it (the
item page's `presence.js` posts a heartbeat at most once a minute). Colleagues who
open the item within `WINDOW` of the last sign see their name and since when, so two
people do not answer the same citizen twice. A sent reply ends the person's presence.

Presence records no decision, so it has no audit entry and no item event; only the
people who may reply on the channel (CH-3) mark it, and only they see it. Names shown
are colleagues' (the municipality's staff), never a citizen's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.inbox.access import require_work
from ordstyrer.inbox.models import InboxItem, ReplyPresence

# A person who has shown no sign for this long is no longer writing here.
WINDOW = timedelta(minutes=5)
# The page's script refreshes presence at most this often while someone types.
HEARTBEAT = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Writer:
    """A colleague with the reply box open on the item."""

    name: str
    since: datetime
    seen_at: datetime


def presence_mark(*, actor: ActorLike, item: InboxItem, now: datetime) -> None:
    """Record that `actor` has the reply box open on `item` now (CH-3: only those who
    may reply). A sign after a gap longer than `WINDOW` starts a new session."""
    require_work(actor, item.channel)
    user = user_of(actor)
    kept = ReplyPresence.objects.filter(item=item, user=user, seen_at__gte=now - WINDOW).update(
        seen_at=now
    )
    if not kept:
        ReplyPresence.objects.update_or_create(
            item=item, user=user, defaults={"started_at": now, "seen_at": now}
        )


def presence_end(*, actor: ActorLike, item: InboxItem) -> None:
    """`actor` is no longer writing on `item` (their reply went out)."""
    ReplyPresence.objects.filter(item=item, user=user_of(actor)).delete()


def others_writing(*, item: InboxItem, user: ActorLike, now: datetime) -> list[Writer]:
    """The colleagues other than `user` who had the reply box open on `item` within
    `WINDOW`, the earliest first."""
    rows = (
        ReplyPresence.objects.filter(item=item, seen_at__gte=now - WINDOW)
        .exclude(user=user_of(user))
        .select_related("user")
        .order_by("started_at", "id")
    )
    return [
        Writer(
            name=row.user.get_full_name() or row.user.get_username(),
            since=row.started_at,
            seen_at=row.seen_at,
        )
        for row in rows
    ]
