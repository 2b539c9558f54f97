"""QA defects: a withdrawn consent (PU-6) and a paused or retired channel (CH-1) must stop
a post on its way, at every gate: the consent withdrawal itself, the approval, the
release after a crisis, and the delivery sweep right before sending."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ordstyrer.channels import services as channel_services
from ordstyrer.core.errors import Conflict, ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.inbox.models import SimulatedWorld
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.media import consent_record, consent_withdraw, media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, MediaAsset, PostEvent, PostStatus
from ordstyrer.publishing.services import PostRefused, post_approve, post_create, post_publish
from ordstyrer.publishing.sweeps import publishing_sweep
from tests.publishing.conftest import png

TEXT = (
    "Biblioteket er åpent til klokka seks i dag. Velkommen til oss! https://indrefosen.kommune.no"
)
OTHER = "Svømmehallen er stengt fredag. https://indrefosen.kommune.no/svom"
LATER = "Kommunestyret møtes neste uke. https://indrefosen.kommune.no/politikk"
FILM = "Kulturhuset viser film i kveld. https://indrefosen.kommune.no"
OURS = (TEXT, OTHER, LATER, FILM)  # the simulated page has posts of its own


def _sent(channel) -> list[str]:
    """The texts published (not merely scheduled) on a simulated channel."""
    world = SimulatedWorld.objects.filter(channel=channel).first()
    posts = world.state["posts"].values() if world else []
    return [p["text"] for p in posts if p["published"] and not p["deleted"] and p["text"] in OURS]


def _scheduled_on_platform(channel) -> list[str]:
    world = SimulatedWorld.objects.filter(channel=channel).first()
    posts = world.state["posts"].values() if world else []
    return [
        p["text"] for p in posts if not p["published"] and not p["deleted"] and p["text"] in OURS
    ]


def _child_photo(w, seed: int = 1):
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="klassen.png",
        content=png(seed),
        alt_text="Elever fra 3. klasse i skolegården",
    )
    return media_update(
        actor=w.editor,
        asset_id=asset.pk,
        people="recognisable",
        children=True,
        photographer_permission=True,
    )


def _child_consent(w, photo):
    return consent_record(
        actor=w.editor,
        asset_id=photo.pk,
        person_name="Ola (8)",
        given_by="Kari, mor",
        given_at=date(2026, 1, 5),
        is_child=True,
        form_name="skjema.pdf",
        form_content=b"%PDF-1.4 signert",
    )


def _blocks(findings, rule="PU-6"):
    return [f for f in findings if f["rule"] == rule and f["severity"] == "block"]


def _post(w, channel, text=TEXT, **kw):
    return post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[channel.pk], text=text, **kw
    )


# --------------------------------------------------------------------------- PU-6


def test_withdrawn_consent_pulls_back_a_post_waiting_for_approval(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    """QA's steps: blocked → consent → clear → planned on a channel needing approval →
    consent withdrawn → the post is a draft again, the author told, nothing goes out."""
    w = world
    now = timezone.now()
    photo = _child_photo(w)
    post = _post(w, w.school, media_ids=[photo.pk], publish_at=now + timedelta(minutes=4))
    assert _blocks(post.findings)
    consent = _child_consent(w, photo)
    assert not _blocks(services.post_check(actor=w.editor, post_id=post.pk))
    post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    assert post.status == PostStatus.AWAITING_APPROVAL

    with django_capture_on_commit_callbacks(execute=True):
        published = consent_withdraw(actor=w.editor, consent_id=consent.pk, note="Mor ringte.")
    assert published == []
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert "trukket tilbake" in post.flagged_reason
    event = PostEvent.objects.filter(post=post, action="pull_back").get()
    assert (event.from_status, event.to_status) == ("awaiting_approval", "draft")
    told = [m for m in mailoutbox if w.editor.email in m.to]
    assert len(told) == 1
    assert "stoppet" in told[0].subject and "«klassen.png»" in told[0].body
    assert "Ola" not in told[0].body  # the child's name stays in the console (PU-6)
    assert AuditEntry.objects.filter(action="post_pull_back", object_id=str(post.pk)).exists()

    # The unit leader's approval form is stale: it decides nothing.
    with pytest.raises(Conflict):
        post_approve(actor=w.p.unit_leader, post_id=post.pk, now=now + timedelta(minutes=1))
    assert delivery.release_due(now=now + timedelta(minutes=5)) == 0
    assert publishing_sweep(now=now + timedelta(minutes=5)) == 0
    assert _sent(w.school) == []
    # Sent again it is checked again, and refused.
    with pytest.raises(PostRefused):
        post_publish(actor=w.editor, post_id=post.pk, now=now + timedelta(minutes=1))


def test_withdrawn_consent_cancels_a_copy_on_the_platforms_scheduler(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    photo = _child_photo(w)
    consent = _child_consent(w, photo)
    post = _post(w, w.page, media_ids=[photo.pk], publish_at=now + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=post.pk, now=now)
    row = post.deliveries.get()
    assert row.platform_scheduled and row.platform_id
    assert _scheduled_on_platform(w.page) == [TEXT]

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=w.editor, consent_id=consent.pk)
    post.refresh_from_db()
    row.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert row.status == DeliveryStatus.QUEUED and not row.platform_scheduled
    assert row.platform_id == "" and row.cancel_platform_id == ""  # cancelled, confirmed
    assert _scheduled_on_platform(w.page) == []


def test_approval_checks_again_and_refuses_a_block_finding(world):
    """The register changed while the post waited (no pull-back for that): the approver
    cannot release it."""
    w = world
    photo = media_update(
        actor=w.editor,
        asset_id=media_upload(
            actor=w.editor,
            municipality=w.municipality,
            filename="skolen.png",
            content=png(7),
            alt_text="Skolebygget i sola",
        ).pk,
        people="none",
        photographer_permission=True,
    )
    post = post_publish(actor=w.editor, post_id=_post(w, w.school, media_ids=[photo.pk]).pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    # The register refuses this change now (`media._require_no_new_block`); a file changed
    # so before, or a policy made stricter meanwhile, still meets this check.
    MediaAsset.objects.filter(pk=photo.pk).update(people="recognisable", children=True)

    with pytest.raises(PostRefused) as refused:
        post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert refused.value.code == "blocked" and refused.value.rule == "PU-6"
    assert "kan ikke godkjennes" in str(refused.value)
    post.refresh_from_db()
    assert post.status == PostStatus.AWAITING_APPROVAL  # the approver sends it back
    services.post_reject(actor=w.p.unit_leader, post_id=post.pk, reason="Samtykke mangler.")
    assert _sent(w.school) == []


def test_delivery_checks_block_findings_before_sending_and_the_sweep_goes_on(world):
    """A scheduled post whose file got a block finding fails alone, with the reason on the
    post; the next post in the same sweep goes out."""
    w = world
    now = timezone.now()
    at = now + timedelta(minutes=4)  # held by Ordstyrer, released by the sweep
    photo = media_update(
        actor=w.editor,
        asset_id=media_upload(
            actor=w.editor,
            municipality=w.municipality,
            filename="skolen.png",
            content=png(8),
            alt_text="Skolebygget i sola",
        ).pk,
        people="none",
        photographer_permission=True,
    )
    bad = post_publish(
        actor=w.editor, post_id=_post(w, w.page, media_ids=[photo.pk], publish_at=at).pk, now=now
    )
    other = OTHER
    good = post_publish(actor=w.editor, post_id=_post(w, w.page, other, publish_at=at).pk, now=now)
    assert bad.status == good.status == PostStatus.SCHEDULED
    # As above: the register refuses it now; the delivery's own check still holds.
    MediaAsset.objects.filter(pk=photo.pk).update(people="recognisable", children=True)

    assert delivery.release_due(now=at + timedelta(seconds=1)) == 2
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == PostStatus.FAILED
    row = bad.deliveries.get()
    assert row.status == DeliveryStatus.FAILED
    assert "stoppet før publisering" in row.error and "Kommunen" in row.error
    assert good.status == PostStatus.PUBLISHED
    assert _sent(w.page) == [other]


def test_one_crashing_delivery_never_stalls_the_sweep(world, monkeypatch):
    w = world
    now = timezone.now()
    at = now + timedelta(minutes=4)
    first = post_publish(actor=w.editor, post_id=_post(w, w.page, publish_at=at).pk, now=now)
    other = OTHER
    post_publish(actor=w.editor, post_id=_post(w, w.page, other, publish_at=at).pk, now=now)
    real = delivery.build_draft

    def build(post, channel):
        if post.pk == first.pk:
            raise RuntimeError("seeded fault")
        return real(post, channel)

    monkeypatch.setattr(delivery, "build_draft", build)
    assert delivery.release_due(now=at + timedelta(seconds=1)) == 2
    assert _sent(w.page) == [other]


# --------------------------------------------------------------------------- CH-1


def test_a_paused_channel_refuses_publish_approve_and_holds_scheduled_posts(
    world, django_capture_on_commit_callbacks
):
    """QA's steps: a draft and a scheduled post → the channel paused → publishing the
    draft is refused, the scheduled post waits (and says so) → resumed → it goes out."""
    w = world
    now = timezone.now()
    at = now + timedelta(minutes=3)
    draft = _post(w, w.page, FILM)
    scheduled = post_publish(actor=w.editor, post_id=_post(w, w.page, publish_at=at).pk, now=now)
    waiting = post_publish(actor=w.editor, post_id=_post(w, w.school).pk, now=now)
    assert scheduled.status == PostStatus.SCHEDULED
    assert waiting.status == PostStatus.AWAITING_APPROVAL

    channel_services.channel_pause(actor=w.p.employee, channel=w.page, reason="Ferie")
    channel_services.channel_pause(actor=w.p.employee, channel=w.school, reason="Ferie")
    with pytest.raises(ServiceError) as refused:
        post_publish(actor=w.editor, post_id=draft.pk)
    assert refused.value.code == "channel_inactive" and refused.value.rule == "CH-1"
    assert "«Kommunen»" in str(refused.value)
    with pytest.raises(ServiceError) as refused:
        post_approve(actor=w.p.unit_leader, post_id=waiting.pk)
    assert refused.value.code == "channel_inactive" and "«Skolesiden»" in str(refused.value)

    due = at + timedelta(seconds=1)
    publishing_sweep(now=due)
    assert delivery.release_due(now=due + timedelta(seconds=30)) == 0
    assert _sent(w.page) == []
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.SCHEDULED  # the author may still withdraw it
    row = scheduled.deliveries.get()
    assert row.status == DeliveryStatus.SCHEDULED
    assert "«Kommunen» er satt på pause" in row.error
    assert PostEvent.objects.filter(post=scheduled, action="hold").count() == 1
    publishing_sweep(now=due + timedelta(minutes=1))  # held once, not again and again
    assert PostEvent.objects.filter(post=scheduled, action="hold").count() == 1

    channel_services.channel_resume(actor=w.p.employee, channel=w.page)
    assert delivery.release_due(now=due + timedelta(minutes=2)) == 1
    scheduled.refresh_from_db()
    assert scheduled.status == PostStatus.PUBLISHED
    assert scheduled.deliveries.get().error == ""
    assert _sent(w.page) == [TEXT]


def test_a_post_released_just_before_the_pause_is_held_and_goes_out_on_resume(
    world, django_capture_on_commit_callbacks
):
    w = world
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = post_publish(actor=w.editor, post_id=_post(w, w.page).pk)
    channel_services.channel_pause(actor=w.p.employee, channel=w.page)
    for callback in callbacks:
        callback()  # the delivery task runs after the pause
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert "satt på pause" in post.deliveries.get().error
    assert _sent(w.page) == []
    channel_services.channel_resume(actor=w.p.employee, channel=w.page)
    publishing_sweep(now=timezone.now())
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _sent(w.page) == [TEXT]


def test_a_retired_channel_fails_its_scheduled_posts_with_the_reason(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    held = post_publish(
        actor=w.editor, post_id=_post(w, w.page, publish_at=now + timedelta(minutes=3)).pk, now=now
    )
    later = LATER
    with django_capture_on_commit_callbacks(execute=True):
        native = post_publish(
            actor=w.editor,
            post_id=_post(w, w.page, later, publish_at=now + timedelta(days=2)).pk,
            now=now,
        )
    assert native.deliveries.get().platform_scheduled
    channel_services.channel_pause(actor=w.p.employee, channel=w.page)
    channel_services.channel_retire(actor=w.p.employee, channel=w.page, reason="Nedlagt")

    publishing_sweep(now=now + timedelta(minutes=4))  # the sweep alone suffices
    for post in (held, native):
        post.refresh_from_db()
        assert post.status == PostStatus.FAILED
        row = post.deliveries.get()
        assert row.status == DeliveryStatus.FAILED
        assert "«Kommunen» er ikke lenger i bruk" in row.error
    assert _sent(w.page) == []
    assert _scheduled_on_platform(w.page) == []  # the platform's copy is cancelled
    with pytest.raises(ServiceError):
        services.post_update(actor=w.editor, post_id=held.pk, channel_ids=[w.page.pk])


def test_channels_may_hold_a_paused_channels_deliveries_at_once(
    world, django_capture_on_commit_callbacks
):
    """`channel_deliveries_hold` for channels to call on pause: the platform's scheduled
    copy is cancelled there now, not at the next sweep; resumed, it goes out when due."""
    w = world
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(
            actor=w.editor,
            post_id=_post(w, w.page, LATER, publish_at=now + timedelta(days=2)).pk,
            now=now,
        )
    assert _scheduled_on_platform(w.page) == [LATER]
    channel_services.channel_pause(actor=w.p.employee, channel=w.page)
    assert delivery.channel_deliveries_hold(channel_id=w.page.pk, now=now) == 1
    assert delivery.channel_deliveries_hold(channel_id=w.page.pk, now=now) == 0
    assert delivery.cancel_due(now=now) == 1
    assert _scheduled_on_platform(w.page) == []
    post.refresh_from_db()
    row = post.deliveries.get()
    assert post.status == PostStatus.SCHEDULED
    assert row.status == DeliveryStatus.SCHEDULED and not row.platform_scheduled
    channel_services.channel_resume(actor=w.p.employee, channel=w.page)
    assert delivery.release_due(now=now + timedelta(days=2, seconds=1)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _sent(w.page) == [LATER]


def test_resume_after_a_crisis_refuses_a_paused_channel(world):
    w = world
    now = timezone.now()
    post = post_publish(
        actor=w.editor, post_id=_post(w, w.page, publish_at=now + timedelta(hours=2)).pk, now=now
    )
    crisis_declare(municipality=w.municipality, name="Storm", actor=w.p.crisis_leader, now=now)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=now)
    channel_services.channel_pause(actor=w.p.employee, channel=w.page)
    with pytest.raises(ServiceError) as refused:
        services.post_resume(actor=w.editor, post_id=post.pk)
    assert refused.value.code == "channel_inactive"
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
