"""Reads across apps for the crisis console and API: what waits for the crisis leader
(posts and replies; and, counted apart, the moderation app's held notices to authors)
and the posts paused by a crisis (PU-12).

Kept apart from `selectors.py`, which imports no other feature app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Count, prefetch_related_objects
from django.utils import timezone

from ordstyrer.language.masking import mask_national_ids
from ordstyrer.tenants.models import Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

PUBLISHING = "ordstyrer.publishing"
MODERATION = "ordstyrer.moderation"


@dataclass(frozen=True)
class Waiting:
    """One post or reply waiting for the crisis leader."""

    kind: str  # "post" | "reply"
    id: int
    text: str
    channel: str
    created_by: str
    created_at: datetime | None
    # For a reply: the citizen's comment it answers, national ID numbers masked as the
    # inbox shows them (PU-1): no one on the crisis page has the audited reveal.
    in_reply_to: str = ""
    in_reply_to_author: str = ""
    # For a post: the approval round whose text this is; the confirmation carries it, so
    # that a decision never reaches a newer text (`services.crisis_approve`).
    approval_round: int | None = None
    # For a post: the post itself and its files. The crisis leader approves all of it
    # (PU-12), not the text alone: its links, its files with their alternative text, its
    # time and its findings are shown with it (`crisis/index.html`, `confirm_decide.html`).
    post: Any = None
    attached: tuple[Any, ...] = ()


def _name(user: AbstractUser | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _channels_of(post: Any) -> str:
    deliveries = getattr(post, "deliveries", None)
    if deliveries is None:
        return ""
    return ", ".join(d.channel.name for d in deliveries.all())


def waiting_replies(*, municipality: Municipality) -> list[Waiting]:
    from ordstyrer.inbox.models import Reply, ReplyStatus

    replies = (
        Reply.objects.filter(
            status=ReplyStatus.AWAITING_CRISIS_APPROVAL, item__channel__municipality=municipality
        )
        .select_related("item__channel", "author")
        .order_by("created_at", "pk")
    )
    return [
        Waiting(
            kind="reply",
            id=r.pk,
            text=r.text,
            channel=r.item.channel.name,
            created_by=_name(r.author),
            created_at=r.created_at,
            in_reply_to=mask_national_ids(r.item.text or ""),
            in_reply_to_author=r.item.author_name,
        )
        for r in replies
    ]


def waiting_posts(*, municipality: Municipality) -> list[Waiting]:
    if not apps.is_installed(PUBLISHING):
        return []
    from ordstyrer.publishing.selectors import posts_awaiting_crisis_approval

    posts = posts_awaiting_crisis_approval(municipality=municipality)
    prefetch_related_objects(posts, "attachments__asset")
    return [
        Waiting(
            kind="post",
            id=p.pk,
            text=p.text,
            channel=_channels_of(p),
            created_by=_name(getattr(p, "author", None)),
            created_at=getattr(p, "created_at", None),
            approval_round=p.approval_round,
            post=p,
            attached=tuple(pm.asset for pm in p.attachments.all()),
        )
        for p in posts
    ]


def crisis_approvals(*, municipality: Municipality) -> list[Waiting]:
    """Everything that waits for the crisis leader, oldest first (posts, then replies)."""
    return waiting_posts(municipality=municipality) + waiting_replies(municipality=municipality)


def held_notices(*, user: Any, municipality: Municipality) -> int | None:
    """How many notices to authors (MO-4) wait for the crisis leader (PU-12) as `user`
    sees them on the moderation app's page of held notices (`moderation:crisis_notices`,
    where they are approved); None where that page is not theirs. Not in
    `crisis_approvals`: a notice is approved there, not by `services.crisis_approve`.
    Counted apart so that the crisis page and the end's confirmation point to them: a
    held notice waits after the crisis too, and its author is told nothing until then."""
    if not apps.is_installed(MODERATION):
        return None
    from ordstyrer.moderation.selectors import held_notices as moderation_held

    found = moderation_held(user=user, municipality=municipality)
    return None if found is None else len(found[0])


def waiting_item(*, municipality: Municipality, kind: str, object_id: int) -> Waiting | None:
    for waiting in crisis_approvals(municipality=municipality):
        if waiting.kind == kind and waiting.id == object_id:
            return waiting
    return None


def paused_posts(*, municipality: Municipality) -> list[Any]:
    """Posts a crisis paused, each waiting for a decision (PU-12)."""
    if not apps.is_installed(PUBLISHING):
        return []
    from ordstyrer.publishing.selectors import posts_paused

    return list(posts_paused(municipality=municipality))


def posts_to_pause(*, municipality: Municipality) -> tuple[int, int] | None:
    """How many posts a declaration would pause now: (scheduled or on their way, waiting
    for approval) — the same posts the declaration pauses (`posts_pausable`, PU-12); None
    without the publishing app."""
    if not apps.is_installed(PUBLISHING):
        return None
    from ordstyrer.publishing.models import PostStatus
    from ordstyrer.publishing.services import posts_pausable

    waiting = (PostStatus.AWAITING_APPROVAL, PostStatus.AWAITING_CRISIS_APPROVAL)
    counts = dict(
        posts_pausable(municipality=municipality, now=timezone.now())
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    held = sum(n for status, n in counts.items() if status in waiting)
    return sum(counts.values()) - held, held
