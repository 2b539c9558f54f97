"""Posts through the services: checks (PU-1, PU-4 …), warn overrides, approval with four
eyes, rejection, scheduling, publishing on the simulated platform, access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.media import media_upload
from ordstyrer.publishing.models import DeliveryStatus, PostEvent, PostStatus
from ordstyrer.publishing.services import PostRefused, post_create, post_publish
from tests.publishing.conftest import png

CLEAN = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
FNR = "Eleven med fødselsnummer 15038512363 har fått plass ved skolen fra høsten."


def _draft(w, text=CLEAN, channels=None, **kw):
    return post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[c.pk for c in (channels or [w.page])],
        text=text,
        **kw,
    )


def _world_posts(channel):
    state = SimulatedWorld.objects.get(channel=channel).state
    return [p for p in state["posts"].values() if not p["deleted"]]


def test_clean_post_publishes_on_the_simulated_platform(world, django_capture_on_commit_callbacks):
    post = _draft(world)
    assert post.status == PostStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=world.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    delivery_row = post.deliveries.get()
    assert delivery_row.status == DeliveryStatus.PUBLISHED
    assert delivery_row.platform_id
    texts = [p["text"] for p in _world_posts(world.page)]
    assert texts.count(CLEAN) == 1


def test_pu1_national_id_blocks_and_is_refused(world):
    post = _draft(world, text=FNR)
    assert any(f["rule"] == "PU-1" and f["severity"] == "block" for f in post.findings)
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=world.editor, post_id=post.pk, override_reason="Må ut i dag")
    assert refused.value.code == "blocked"
    assert refused.value.rule == "PU-1"
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    # Fixed: the national id gone, the post goes out.
    services.post_update(actor=world.editor, post_id=post.pk, text=CLEAN)
    post = post_publish(actor=world.editor, post_id=post.pk)
    assert post.status == PostStatus.PUBLISHING


def test_pu4_warning_needs_a_reason_kept_in_the_audit_log(world):
    image = media_upload(
        actor=world.editor,
        municipality=world.municipality,
        filename="IMG_2041.png",
        content=png(),
        # A file name for alt text: PU-4 warns, the platform takes it (a missing one is
        # refused by every platform, so blocked: tests/publishing/test_s18_checks.py).
        alt_text="IMG_2041.png",
    )
    from ordstyrer.publishing.media import media_update

    media_update(actor=world.editor, asset_id=image.pk, people="none", photographer_permission=True)
    post = _draft(world, media_ids=[image.pk])
    rules = {f["rule"] for f in post.findings}
    assert "PU-4" in rules
    with pytest.raises(PostRefused) as refused:
        post_publish(actor=world.editor, post_id=post.pk)
    assert refused.value.code == "needs_override"
    post = post_publish(
        actor=world.editor, post_id=post.pk, override_reason="Bildet er pynt; teksten sier alt."
    )
    assert post.status == PostStatus.PUBLISHING
    entry = AuditEntry.objects.get(action="post_publish", object_id=str(post.pk))
    assert entry.data["override_reason"] == "Bildet er pynt; teksten sier alt."
    assert "PU-4:warn" in entry.data["findings"]


def test_unit_page_waits_for_the_unit_leader_four_eyes(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    world.p.unit_leader.email = "leder@example.invalid"
    world.p.unit_leader.save()
    post = _draft(world, channels=[world.school])
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=world.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    # The approvers are told; the author (an editor) is not among them.
    notified = {to for m in mailoutbox for to in m.to}
    assert "leder@example.invalid" in notified and world.editor.email not in notified
    # A link a mail client can open (#15): absolute, to the approval queue.
    assert all("https://ordstyrer.example.no/m/pubby/" in m.body for m in mailoutbox)
    # The author may not approve (four eyes), nor may an ordinary employee.
    with pytest.raises(NotPermitted):
        services.post_approve(actor=world.editor, post_id=post.pk)
    with pytest.raises(NotPermitted):
        services.post_approve(actor=world.p.employee, post_id=post.pk)
    with pytest.raises(NotFound):
        services.post_approve(actor=world.p.outsider, post_id=post.pk)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_approve(actor=world.p.unit_leader, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert post.approved_by == world.p.unit_leader


def test_communications_approves_when_the_author_is_the_unit_leader(world):
    from ordstyrer.channels.models import ChannelMembership, ChannelRole

    ChannelMembership.objects.create(
        channel=world.school,
        user=world.p.unit_leader,
        role=ChannelRole.EDITOR,
        granted_at=timezone.now(),
    )
    post = post_create(
        actor=world.p.unit_leader,
        municipality=world.municipality,
        channel_ids=[world.school.pk],
        text=CLEAN,
    )
    post = post_publish(actor=world.p.unit_leader, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    with pytest.raises(NotPermitted):
        services.post_approve(actor=world.p.unit_leader, post_id=post.pk)
    post = services.post_approve(actor=world.p.communications, post_id=post.pk)
    assert post.status == PostStatus.PUBLISHING


def test_rejection_goes_back_to_the_author_with_the_reason(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    post = post_publish(actor=world.editor, post_id=_draft(world, channels=[world.school]).pk)
    with pytest.raises(ServiceError):
        services.post_reject(actor=world.p.unit_leader, post_id=post.pk, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_reject(
            actor=world.p.unit_leader, post_id=post.pk, reason="Vent til rektor har informert."
        )
    assert post.status == PostStatus.REJECTED
    assert post.rejection_reason == "Vent til rektor har informert."
    assert len(mailoutbox) == 1 and "Vent til rektor" in mailoutbox[0].body
    assert mailoutbox[0].to == [world.editor.email]
    assert f"https://ordstyrer.example.no/m/pubby/publisering/{post.pk}/" in mailoutbox[0].body
    # The author fixes it and sends it again: a new round.
    services.post_update(actor=world.editor, post_id=post.pk, text=CLEAN + " Velkommen!")
    post = post_publish(actor=world.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    assert post.approval_round == 2


def test_outsider_and_employee_cannot_post(world):
    with pytest.raises(NotFound):
        post_create(
            actor=world.p.outsider,
            municipality=world.municipality,
            channel_ids=[world.page.pk],
            text=CLEAN,
        )
    with pytest.raises(NotPermitted):
        post_create(
            actor=world.p.employee.__class__.objects.get(pk=world.p.archivist.pk),
            municipality=world.municipality,
            channel_ids=[world.page.pk],
            text=CLEAN,
        )
    post = _draft(world)
    with pytest.raises(NotFound):
        post_publish(actor=world.p.outsider, post_id=post.pk)
    with pytest.raises(NotPermitted):
        post_publish(actor=world.p.archivist, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_publish_is_idempotent_on_a_double_click(world, django_capture_on_commit_callbacks):
    post = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=world.editor, post_id=post.pk)
        post_publish(actor=world.editor, post_id=post.pk)
    texts = [p["text"] for p in _world_posts(world.page)]
    assert texts.count(CLEAN) == 1
    assert PostEvent.objects.filter(post=post, action="publish").count() == 1


def test_scheduled_post_is_held_and_published_by_the_sweep(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    at = now + timedelta(minutes=5)  # too soon for a platform's own scheduler: held
    post = _draft(world, publish_at=at)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=world.editor, post_id=post.pk, now=now)
    assert post.status == PostStatus.SCHEDULED
    row = post.deliveries.get()
    assert row.status == DeliveryStatus.SCHEDULED and not row.platform_scheduled
    assert delivery.release_due(now=now + timedelta(minutes=4)) == 0
    assert delivery.release_due(now=at + timedelta(seconds=1)) == 1
    assert delivery.release_due(now=at + timedelta(seconds=2)) == 0  # claimed once
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert [p["text"] for p in _world_posts(world.page)].count(CLEAN) == 1


def test_later_post_goes_to_the_platforms_own_scheduler(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    at = now + timedelta(days=2)
    post = _draft(world, publish_at=at)
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=world.editor, post_id=post.pk, now=now)
    row = post.deliveries.get()
    assert row.status == DeliveryStatus.SCHEDULED and row.platform_scheduled and row.platform_id
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_transient_failure_retries_with_backoff_then_permanent_fails(world):
    from ordstyrer.connectors.base import ErrorCode
    from ordstyrer.inbox.platform import channel_connector

    now = timezone.now()
    with channel_connector(world.page, now=now) as connector:
        connector.fail_next("publish", code=ErrorCode.TRANSIENT)
    post = post_publish(actor=world.editor, post_id=_draft(world).pk, now=now)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "retrying"
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and row.next_attempt_at > now
    assert delivery.retry_due(now=now) == 0  # not yet
    with channel_connector(world.page, now=now) as connector:
        connector.fail_next(
            "publish",
            code=ErrorCode.PERMISSION,
            permanent=True,
            message="Siden mangler tillatelsen CREATE_CONTENT.",
        )
    later = row.next_attempt_at + timedelta(seconds=1)
    assert delivery.retry_due(now=later) == 1
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert "CREATE_CONTENT" in row.error and "feilet" in row.error
    assert post.status == PostStatus.FAILED


def test_lost_answer_after_the_platform_accepted_is_not_posted_twice(world):
    """The platform accepted the post, but our worker died before recording it: the next
    attempt finds it on the platform instead of posting again."""
    now = timezone.now()
    post = post_publish(actor=world.editor, post_id=_draft(world).pk, now=now)
    row = post.deliveries.get()
    # First attempt: claimed (marker stamped), the platform accepts, the answer is lost.
    from ordstyrer.publishing.models import PostChannel

    PostChannel.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.PUBLISHING, claimed_at=now, attempt_started_at=now
    )
    from ordstyrer.inbox.platform import channel_connector

    with channel_connector(world.page, now=now) as connector:
        accepted = connector.publish(delivery.build_draft(post, world.page))
    # The stale claim is recovered by the sweep, which finds the post instead of posting.
    later = now + timedelta(minutes=20)
    assert delivery.retry_due(now=later) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
    assert row.platform_id == accepted.id
    assert [p["text"] for p in _world_posts(world.page)].count(CLEAN) == 1


def test_partly_failed_post_sent_again_only_goes_where_it_failed(
    world, django_capture_on_commit_callbacks
):
    """Published on one channel, failed on the other: fixing and sending it again
    publishes only where it failed — never a second copy where it is already out."""
    from ordstyrer.channels.models import ChannelMembership, ChannelRole
    from ordstyrer.connectors.base import ErrorCode
    from ordstyrer.inbox.platform import channel_connector
    from tests.publishing.conftest import make_channel

    other = make_channel(world.p, name="Biblioteket", editor=world.editor)
    assert ChannelMembership.objects.filter(channel=other, role=ChannelRole.EDITOR).exists()
    now = timezone.now()
    with channel_connector(other, now=now) as connector:
        connector.fail_next("publish", code=ErrorCode.PERMISSION, permanent=True)
    post = _draft(world, channels=[world.page, other])
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=world.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    statuses = dict(post.deliveries.values_list("channel_id", "status"))
    assert statuses == {world.page.pk: "published", other.pk: "failed"}
    with pytest.raises(ServiceError):
        services.post_update(actor=world.editor, post_id=post.pk, channel_ids=[other.pk])
    done = post.deliveries.get(channel=world.page)
    services.post_update(actor=world.editor, post_id=post.pk, text=CLEAN)
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=world.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    again = post.deliveries.get(channel=world.page)
    assert (again.attempts, again.published_at) == (done.attempts, done.published_at)
    assert [p["text"] for p in _world_posts(world.page)].count(CLEAN) == 1
    assert [p["text"] for p in _world_posts(other)].count(CLEAN) == 1


# The runner closes stale connections between sweeps, as a long-running worker must;
# inside a test's transaction that would close the test's own connection (PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_publishing_sweep(world):
    from ordstyrer.core.worker import SweepRunner, registered_sweeps

    assert "publishing" in {s.name for s in registered_sweeps()}
    now = timezone.now()
    post = post_publish(
        actor=world.editor, post_id=_draft(world, publish_at=now + timedelta(minutes=2)).pk, now=now
    )
    handled = SweepRunner(only="publishing").run_due(now=now + timedelta(minutes=3))
    assert handled == {"publishing": 1}
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
