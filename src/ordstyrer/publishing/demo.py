"""The demo's publishing: a week of posts on the school's simulated page, made through the
services — published (approved by the unit leader), scheduled, and one awaiting approval.

Idempotent: once the demo municipality has posts, nothing is added.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone

from ordstyrer.channels.models import Channel, ChannelKind
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.models import Approval, Post
from ordstyrer.tenants.models import Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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
WAITING = (
    "Skolefotografen kommer tirsdag. Barn som ikke skal fotograferes, gir beskjed til "
    "læreren. Se https://demo.kommune.no/rissa-skole"
)


def _user(username: str) -> User:
    return get_user_model().objects.get(username=username)


def setup_demo_publishing(demo: Municipality, *, now: datetime | None = None) -> int:
    """Create the demo's week of posts; returns how many were made."""
    if Post.objects.filter(municipality=demo).exists():
        return 0
    channel = Channel.objects.filter(
        municipality=demo, name=CHANNEL, kind=ChannelKind.SIMULATED
    ).first()
    if channel is None:
        return 0
    now = now or timezone.now()
    communications = _user("kommunikasjon")
    editor = _user("redaktor")
    leader = _user("enhetsleder")
    # Its website (PU-9, the posts' links) is the municipality's (`ordstyrer.demo`).
    # The school's page: the unit leader (or communications) approves, four eyes.
    services.channel_publishing_update(
        actor=communications,
        channel=channel,
        approval=Approval.UNIT_LEADER_OR_COMMUNICATIONS,
        four_eyes=True,
        is_main_page=False,
        now=now,
    )
    made = 0
    for hours, text in POSTS:
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
        services.post_approve(actor=leader, post_id=post.pk, now=when)
        for row in post.deliveries.all():
            delivery.delivery_run(post_channel_id=row.pk, now=when)
        made += 1
    post = services.post_create(
        actor=editor,
        municipality=demo,
        channel_ids=[channel.pk],
        text=WAITING,
        publish_at=now + timedelta(hours=70),
        now=now,
    )
    services.post_publish(actor=editor, post_id=post.pk, now=now)  # waits for the leader
    return made + 1
