"""The demo's publishing: a week of posts on the school's simulated page, made through the
services — published (approved by the unit leader), scheduled, and one awaiting approval.

Idempotent, and kept current: `bin/dev start` runs the set-up at every start, and time
publishes the scheduled posts and passes the waiting post's time. A later run adds the
scheduled posts again (from then) once none is still ahead, and the editor moves the
waiting post to a time ahead once its own has passed; a run while they are still ahead
(the same day) adds nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from ordstyrer.channels.models import Channel, ChannelKind
from ordstyrer.core.errors import DomainError
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.models import Approval, Post, PostStatus
from ordstyrer.tenants.models import Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("ordstyrer.publishing")
CHANNEL = "Rissa skole"

# (hours from now, text); negative = already published.
POSTS = (
    (
        -50,
        "Skolen har fått nye bøker i biblioteket. Elevene kan låne dem fra i dag. "
        "Se https://demo.kommune.no/rissa-skole",
    ),
    (
        -26,
        "Husk foreldremøtet i kveld klokka 18 i gymsalen. Velkommen! "
        "Se https://demo.kommune.no/rissa-skole/foreldremote",
    ),
    (
        -3,
        "Skolen er stengt fredag på grunn av planleggingsdag. Skolefritidsordningen er åpen som vanlig. "
        "Se https://demo.kommune.no/rissa-skole",
    ),
    (
        22,
        "Neste uke har vi aktivitetsdag. Ta med matpakke og gode sko. "
        "Se https://demo.kommune.no/rissa-skole/aktivitetsdag",
    ),
    (
        46,
        "Vi søker frivillige til skolefesten i mai. Meld deg på hos kontaktlæreren. "
        "Se https://demo.kommune.no/rissa-skole",
    ),
)
# The post waiting for the unit leader, planned this many hours ahead.
WAITING_HOURS = 70
WAITING = (
    "Skolefotografen kommer tirsdag. Barn som ikke skal fotograferes, gir beskjed til "
    "læreren. Se https://demo.kommune.no/rissa-skole"
)


def _user(username: str) -> User:
    return get_user_model().objects.get(username=username)


def setup_demo_publishing(demo: Municipality, *, now: datetime | None = None) -> int:
    """Create the demo's week of posts, or renew what time took from it (module
    docstring); returns how many posts were made."""
    channel = Channel.objects.filter(
        municipality=demo, name=CHANNEL, kind=ChannelKind.SIMULATED
    ).first()
    if channel is None:
        return 0
    now = now or timezone.now()
    editor = _user("redaktor")
    posts = Post.objects.filter(municipality=demo, deliveries__channel=channel)
    week: tuple[tuple[int, str], ...]
    if not Post.objects.filter(municipality=demo).exists():
        # Its website (PU-9, the posts' links) is the municipality's (`ordstyrer.demo`).
        # The school's page: the unit leader (or communications) approves, four eyes.
        services.channel_publishing_update(
            actor=_user("kommunikasjon"),
            channel=channel,
            approval=Approval.UNIT_LEADER_OR_COMMUNICATIONS,
            four_eyes=True,
            is_main_page=False,
            now=now,
        )
        week = POSTS
    elif posts.filter(status=PostStatus.SCHEDULED, publish_at__gt=now).exists():
        week = ()
    else:
        week = tuple((hours, text) for hours, text in POSTS if hours > 0)
    made = 0
    try:
        for hours, text in week:
            _approved_post(demo, channel, text, hours=hours, now=now, editor=editor)
            made += 1
        made += _keep_one_waiting(demo, channel, posts, now=now, editor=editor)
    except DomainError as exc:  # the demo shows what it can (a person paused the page…)
        logger.warning("demo publishing skipped", extra={"error": str(exc)})
    return made


def _approved_post(
    demo: Municipality, channel: Channel, text: str, *, hours: int, now: datetime, editor: User
) -> None:
    """A post the unit leader approved: published `hours` ago (negative), or scheduled
    `hours` from now."""
    at = now + timedelta(hours=hours)
    when = at if hours < 0 else now
    post = services.post_create(
        actor=editor,
        municipality=demo,
        channel_ids=[channel.pk],
        text=text,
        publish_at=None if hours < 0 else at,
        now=when - timedelta(minutes=30),
    )
    services.post_publish(actor=editor, post_id=post.pk, now=when - timedelta(minutes=20))
    services.post_approve(actor=_user("enhetsleder"), post_id=post.pk, now=when)
    for row in post.deliveries.all():
        delivery.delivery_run(post_channel_id=row.pk, now=when)


def _keep_one_waiting(
    demo: Municipality, channel: Channel, posts: QuerySet[Post], *, now: datetime, editor: User
) -> int:
    """One post waits for the unit leader's approval at a time ahead: the demo's own is
    moved there by its editor (withdrawn, a new time, sent again) once its time has
    passed, or a new one is made when none waits (someone approved it). Returns how many
    posts were made."""
    waiting = posts.filter(status=PostStatus.AWAITING_APPROVAL)
    if waiting.filter(Q(publish_at__isnull=True) | Q(publish_at__gt=now)).exists():
        return 0
    at = now + timedelta(hours=WAITING_HOURS)
    late = waiting.filter(text=WAITING).order_by("pk").first()
    if late is not None:
        services.post_withdraw(actor=editor, post_id=late.pk, now=now)
        services.post_update(actor=editor, post_id=late.pk, publish_at=at, now=now)
        services.post_publish(actor=editor, post_id=late.pk, now=now)  # waits for the leader
        return 0
    post = services.post_create(
        actor=editor,
        municipality=demo,
        channel_ids=[channel.pk],
        text=WAITING,
        publish_at=at,
        now=now,
    )
    services.post_publish(actor=editor, post_id=post.pk, now=now)  # waits for the leader
    return 1
