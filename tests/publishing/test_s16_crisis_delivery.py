"""PU-12 at the delivery: in a crisis scheduled and automatic posts stop, whatever state
their delivery is in (waiting out a retry, half failed with a copy on the platform's
scheduler, in flight while the crisis is declared); PU-6 pull-back and edits never leave
a copy behind on the platform's scheduler either."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ordstyrer.connectors.base import ErrorCode
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.models import DeliveryStatus, PostEvent, PostStatus
from ordstyrer.publishing.services import post_create, post_publish

TEXT = "Brua over Stjørna er stengt til fredag. https://indrefosen.kommune.no/veg"
OTHER = "Kulturskolen har åpen dag lørdag. https://indrefosen.kommune.no/kultur"
OURS = (TEXT, OTHER)  # the simulated page publishes posts of its own


def _texts(channel, *, published: bool) -> list[str]:
    """Our texts on a simulated channel: published, or waiting on its scheduler."""
    world = SimulatedWorld.objects.filter(channel=channel).first()
    posts = world.state["posts"].values() if world else []
    return [
        p["text"]
        for p in posts
        if p["published"] is published and not p["deleted"] and p["text"] in OURS
    ]


def _post(w, channels, text=TEXT, **kw):
    return post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[c.pk for c in channels],
        text=text,
        **kw,
    )


def _fail_next(channel, operation, *, now, permanent=False):
    """The simulated platform answers the next `operation` with an error."""
    code = ErrorCode.BAD_REQUEST if permanent else ErrorCode.TRANSIENT
    with channel_connector(channel, now=now) as connector:
        connector.fail_next(operation, code=code, permanent=permanent)


def _retrying(w, now):
    """A post released before the crisis whose delivery met a temporary platform error:
    publishing, its delivery queued to retry after the backoff."""
    post = post_publish(actor=w.editor, post_id=_post(w, [w.page]).pk, now=now)
    row = post.deliveries.get()
    _fail_next(w.page, "publish", now=now)
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "retrying"
    row.refresh_from_db()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHING
    assert row.status == DeliveryStatus.QUEUED and row.next_attempt_at > now
    return post, row


# --------------------------------------------------------------------------- 1: retries


def test_a_crisis_pauses_a_post_whose_delivery_waits_to_retry(world):
    """PU-12: the retry of a post released before the crisis does not go out during it."""
    w = world
    now = timezone.now()
    post, row = _retrying(w, now)

    crisis = crisis_declare(
        municipality=w.municipality, name="Flom i Stjørna", actor=w.p.crisis_leader, now=now
    )
    assert crisis.paused_count == 1 and crisis.paused_scheduled_count == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED and post.paused_from == PostStatus.PUBLISHING
    assert post.crisis_ref == crisis.pk

    later = row.next_attempt_at + timedelta(minutes=1)
    assert delivery.retry_due(now=later) == 0
    assert _texts(w.page, published=True) == []

    # After the crisis someone decides: resumed, it goes out once.
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=later)
    services.post_resume(actor=w.editor, post_id=post.pk, now=later)
    assert delivery.retry_due(now=later) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _texts(w.page, published=True) == [TEXT]


def test_the_delivery_refuses_a_post_without_the_crisis_leaders_approval(world):
    """PU-12 backstop: whatever the pause missed (here a crisis recorded while the sweep
    was under way, without a pause of its own), the delivery checks before the platform
    call and pauses the post instead of publishing it."""
    w = world
    now = timezone.now()
    post, row = _retrying(w, now)
    crisis = Crisis.objects.create(
        municipality=w.municipality, name="Ras", declared_at=now, declared_by=w.p.crisis_leader
    )

    later = row.next_attempt_at + timedelta(minutes=1)
    delivery.retry_due(now=later)
    assert _texts(w.page, published=True) == []
    post.refresh_from_db()
    row.refresh_from_db()
    assert post.status == PostStatus.PAUSED and post.crisis_ref == crisis.pk
    assert row.status == DeliveryStatus.QUEUED and row.claimed_at is None
    assert PostEvent.objects.filter(post=post, action="pause").exists()
    assert delivery.retry_due(now=later + timedelta(hours=1)) == 0
    assert _texts(w.page, published=True) == []


def test_a_post_the_crisis_leader_approved_still_retries_in_the_crisis(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    crisis_declare(municipality=w.municipality, name="Storm", actor=w.p.crisis_leader, now=now)
    post = post_publish(actor=w.editor, post_id=_post(w, [w.page]).pk, now=now)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    _fail_next(w.page, "publish", now=now)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_crisis_approve(actor=w.p.crisis_leader, post_id=post.pk, now=now)
    row = post.deliveries.get()
    assert row.status == DeliveryStatus.QUEUED and row.attempts == 1  # waits to retry
    assert row.next_attempt_at is not None

    assert delivery.retry_due(now=row.next_attempt_at + timedelta(minutes=1)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _texts(w.page, published=True) == [TEXT]
