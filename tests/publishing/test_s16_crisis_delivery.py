"""PU-12 at the delivery: in a crisis scheduled and automatic posts stop, whatever state
their delivery is in (waiting out a retry, half failed with a copy on the platform's
scheduler, in flight while the crisis is declared); PU-6 pull-back and edits never leave
a copy behind on the platform's scheduler either."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ordstyrer.connectors.base import ErrorCode
from ordstyrer.connectors.simulated.platform import SLOT_SECONDS, slot_floor
from ordstyrer.core.errors import ServiceError
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.media import consent_withdraw
from ordstyrer.publishing.models import DeliveryStatus, Post, PostEvent, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_channel, person_photo, texts_on

TEXT = "Brua over Stjørna er stengt til fredag. https://indrefosen.kommune.no/veg"
OTHER = "Kulturskolen har åpen dag lørdag. https://indrefosen.kommune.no/kultur"
OURS = (TEXT, OTHER)  # the simulated page publishes posts of its own


def _texts(channel, *, published: bool) -> list[str]:
    """Our texts on a simulated channel: published, or waiting on its scheduler."""
    return texts_on(channel, OURS, published=published)


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


def _photo_with_consent(w, now):
    """A photo of a recognisable adult, with his consent on record (PU-6)."""
    return person_photo(w, seed=3, name="Per Hansen")


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


# --------------------------------------------------------------------------- 2: half failed


def _half_failed(w, now, **kw):
    """A post scheduled two days ahead on two channels: the main page's copy is handed
    to the platform's scheduler, the library's delivery fails for good (a permanent
    platform error)."""
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    post = post_publish(
        actor=w.editor,
        post_id=_post(w, [w.page, library], publish_at=now + timedelta(days=2), **kw).pk,
        now=now,
    )
    assert post.status == PostStatus.SCHEDULED
    page_row = post.deliveries.get(channel=w.page)
    library_row = post.deliveries.get(channel=library)
    assert delivery.delivery_run(post_channel_id=page_row.pk, now=now) == DeliveryStatus.SCHEDULED
    _fail_next(library, "schedule", now=now, permanent=True)
    assert delivery.delivery_run(post_channel_id=library_row.pk, now=now) == DeliveryStatus.FAILED
    page_row.refresh_from_db()
    assert page_row.platform_scheduled and page_row.platform_id
    assert _texts(w.page, published=False) == [TEXT]
    post.refresh_from_db()
    return post, library


def _left_failed(post):
    """Such a post as `settle` leaves it: failed, the copy still scheduled on the
    platform."""
    Post.objects.filter(pk=post.pk).update(status=PostStatus.FAILED)
    post.refresh_from_db()
    return post


def test_a_post_failed_on_one_channel_is_failed_and_a_crisis_pauses_it(
    world, django_capture_on_commit_callbacks
):
    """PU-12: while a copy waits on the platform's scheduler the post is failed (the
    author sees it and can fix it), yet the crisis pauses it and the copy is cancelled
    on the platform."""
    w = world
    now = timezone.now()
    post, _library = _half_failed(w, now)
    assert post.status == PostStatus.FAILED
    assert post.deliveries.filter(status=DeliveryStatus.FAILED).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        crisis = crisis_declare(
            municipality=w.municipality, name="Uvær", actor=w.p.crisis_leader, now=now
        )
    assert crisis.paused_count == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    assert _texts(w.page, published=False) == []
    assert delivery.confirm_native(now=now + timedelta(days=2, minutes=30)) == 0
    assert _texts(w.page, published=True) == []


def test_a_half_failed_post_is_listed_failed_and_shows_its_waiting_copy(client, world):
    """The failure is not hidden for the weeks the other copy waits: the post is
    `failed` in the lists (the API's and the console's `?status=failed`), the post page
    shows the copy waiting on the platform's scheduler with its time, and the author
    can fix the failed channel at once (the edit cancels the waiting copy first)."""
    from ordstyrer.publishing import selectors

    w = world
    now = timezone.now()
    post, library = _half_failed(w, now)
    assert post.status == PostStatus.FAILED
    failed = selectors.posts_list(municipality=w.municipality, user=w.editor, status="failed")
    assert [p.pk for p in failed] == [post.pk]
    assert not selectors.posts_list(municipality=w.municipality, user=w.editor, status="scheduled")

    client.force_login(w.editor)
    page = client.get(reverse("publishing:detail", args=[w.municipality.slug, post.pk]))
    body = page.content.decode()
    assert "<strong>Feilet</strong>" in body
    assert "Planlagt (hos plattformen) · Publiseres" in body
    assert reverse("publishing:edit", args=[w.municipality.slug, post.pk]) in body

    services.post_update(actor=w.editor, post_id=post.pk, channel_ids=[w.page.pk, library.pk])
    assert _texts(w.page, published=False) == [TEXT]  # cancelled after commit, not before
    row = post.deliveries.get(channel=w.page)
    assert row.cancel_platform_id and not row.platform_id


def test_a_retired_channel_cancels_the_waiting_copy_of_a_failed_post(world):
    """CH-1: a channel taken out of use cancels a copy waiting on its platform's
    scheduler also when the post is failed on another channel."""
    from ordstyrer.channels.models import Channel

    w = world
    now = timezone.now()
    post, _library = _half_failed(w, now)
    assert post.status == PostStatus.FAILED
    Channel.objects.filter(pk=w.page.pk).update(status="retired")
    assert delivery.stop_not_in_use(now=now) == 1
    assert delivery.cancel_due(now=now) == 1
    assert _texts(w.page, published=False) == []
    assert delivery.confirm_native(now=now + timedelta(days=2, minutes=30)) == 0
    assert _texts(w.page, published=True) == []
    row = post.deliveries.get(channel=w.page)
    assert row.status == DeliveryStatus.FAILED and "ikke lenger i bruk" in row.error


def test_the_post_fails_once_its_scheduled_copy_is_out(world):
    w = world
    now = timezone.now()
    post, _library = _half_failed(w, now)
    assert delivery.confirm_native(now=now + timedelta(days=2, minutes=30)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED  # the library still needs the author
    assert _texts(w.page, published=True) == [TEXT]


def test_a_crisis_pauses_a_failed_post_with_a_copy_on_the_platform_scheduler(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    post = _left_failed(_half_failed(w, now)[0])
    with django_capture_on_commit_callbacks(execute=True):
        crisis = crisis_declare(
            municipality=w.municipality, name="Uvær", actor=w.p.crisis_leader, now=now
        )
    assert crisis.paused_count == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED and post.paused_from == PostStatus.FAILED
    assert _texts(w.page, published=False) == []


def test_editing_a_failed_post_cancels_its_scheduled_copy(world):
    """An edit starts the deliveries over: the old copy on the platform's scheduler is
    cancelled first, so the re-published post is scheduled there once."""
    w = world
    now = timezone.now()
    post = _left_failed(_half_failed(w, now)[0])
    services.post_update(actor=w.editor, post_id=post.pk, text=OTHER, now=now)
    post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    for row in post.deliveries.all():
        delivery.delivery_run(post_channel_id=row.pk, now=now)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert _texts(w.page, published=False) == [OTHER]


def test_a_consent_withdrawn_pulls_back_a_failed_post_with_a_scheduled_copy(
    world, django_capture_on_commit_callbacks
):
    """PU-6: the copy on the platform's scheduler never goes out with the photo."""
    w = world
    now = timezone.now()
    photo, consent = _photo_with_consent(w, now)
    post = _left_failed(_half_failed(w, now, media_ids=[photo.pk])[0])
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=w.editor, consent_id=consent.pk, note="Ønsker ikke å være med.")
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert _texts(w.page, published=False) == []


# --------------------------------------------------------------------------- 3: in flight


def _stop_during_the_platform_call(monkeypatch, stop):
    """`stop()` happens right after the simulated platform accepted a scheduled post,
    before the delivery records it (a crisis declared, a withdrawal, a consent pulled
    back, in another request)."""
    from ordstyrer.connectors.simulated.connector import SimulatedConnector

    schedule = SimulatedConnector.schedule

    def schedule_then_stop(self, draft, at, *, now):
        result = schedule(self, draft, at, now=now)
        stop()
        return result

    monkeypatch.setattr(SimulatedConnector, "schedule", schedule_then_stop)


def _scheduled_tomorrow(w, now, **kw):
    post = post_publish(
        actor=w.editor,
        post_id=_post(w, [w.page], publish_at=now + timedelta(days=1), **kw).pk,
        now=now,
    )
    assert post.status == PostStatus.SCHEDULED
    return post, post.deliveries.get()


def _copy_cancelled(w, row, capture):
    """The copy the platform scheduled is on record for cancellation, and gone from the
    platform's scheduler once the cancel task has run."""
    assert len(capture) >= 1
    for callback in capture:
        callback()
    row.refresh_from_db()
    assert not row.platform_scheduled and not row.platform_id and not row.cancel_platform_id
    assert row.status == DeliveryStatus.QUEUED
    assert _texts(w.page, published=False) == []


def test_a_crisis_declared_during_the_platform_call_cancels_the_scheduled_copy(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    post, row = _scheduled_tomorrow(w, now)
    _stop_during_the_platform_call(
        monkeypatch,
        lambda: crisis_declare(
            municipality=w.municipality, name="Brann", actor=w.p.crisis_leader, now=now
        ),
    )
    with django_capture_on_commit_callbacks() as capture:
        assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "cancelling"
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    _copy_cancelled(w, row, capture)
    assert delivery.confirm_native(now=now + timedelta(days=1, minutes=30)) == 0
    assert _texts(w.page, published=True) == []


def test_a_withdrawal_during_the_platform_call_cancels_the_scheduled_copy(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    post, row = _scheduled_tomorrow(w, now)
    _stop_during_the_platform_call(
        monkeypatch, lambda: services.post_withdraw(actor=w.editor, post_id=post.pk, now=now)
    )
    with django_capture_on_commit_callbacks() as capture:
        delivery.delivery_run(post_channel_id=row.pk, now=now)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    _copy_cancelled(w, row, capture)

    # Edited and sent again, it is scheduled once.
    services.post_update(actor=w.editor, post_id=post.pk, text=OTHER, now=now)
    post = post_publish(actor=w.editor, post_id=post.pk, now=now)
    monkeypatch.undo()
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.SCHEDULED
    assert _texts(w.page, published=False) == [OTHER]


def test_a_consent_pulled_back_during_the_platform_call_cancels_the_scheduled_copy(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """PU-6 as well: the photo never goes out from the platform's scheduler."""
    w = world
    now = timezone.now()
    photo, consent = _photo_with_consent(w, now)
    post, row = _scheduled_tomorrow(w, now, media_ids=[photo.pk])
    _stop_during_the_platform_call(
        monkeypatch,
        lambda: consent_withdraw(actor=w.editor, consent_id=consent.pk, note="Angrer."),
    )
    with django_capture_on_commit_callbacks() as capture:
        delivery.delivery_run(post_channel_id=row.pk, now=now)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    _copy_cancelled(w, row, capture)


def test_a_post_released_anew_during_the_platform_call_is_scheduled_once(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Withdrawn, edited and sent again while the first attempt's platform call was under
    way: the first attempt finds its row taken over and leaves its copy for
    cancellation; only the new text is on the platform's scheduler."""
    w = world
    now = timezone.now()
    post, row = _scheduled_tomorrow(w, now)

    def again():
        services.post_withdraw(actor=w.editor, post_id=post.pk, now=now)
        services.post_update(actor=w.editor, post_id=post.pk, text=OTHER, now=now)
        post_publish(actor=w.editor, post_id=post.pk, now=now)

    _stop_during_the_platform_call(monkeypatch, again)
    with django_capture_on_commit_callbacks() as capture:
        assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "changed"
    monkeypatch.undo()
    for callback in capture:
        callback()  # the new release's delivery, the old copy's cancellation
    delivery.cancel_due(now=now)
    row.refresh_from_db()
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert row.status == DeliveryStatus.SCHEDULED and not row.cancel_platform_id
    assert _texts(w.page, published=False) == [OTHER]


# --------------------------------------------------------------------------- due copies


def _due_soon(now):
    """A publishing time (native scheduling: 10 minutes ahead or more) the simulated
    platform's scheduler has acted on 30 seconds later (its clock runs in 10-minute
    slots), and a moment 55 seconds after it: out on the platform, before the sweep's
    `confirm_native` (one minute's slack) has recorded it."""
    base = int((now + timedelta(minutes=20)).timestamp())
    at = datetime.fromtimestamp(slot_floor(base) + SLOT_SECONDS - 30, tz=UTC)
    return at, at + timedelta(seconds=55)


def test_a_crisis_leaves_a_copy_already_out_on_the_platform(world):
    """A copy whose time has come is published: cancelling it would delete a published
    post (Graph DELETE /{post-id}); the post is out, not paused."""
    w = world
    now = timezone.now()
    at, moment = _due_soon(now)
    post = post_publish(actor=w.editor, post_id=_post(w, [w.page], publish_at=at).pk, now=now)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.SCHEDULED

    crisis = crisis_declare(
        municipality=w.municipality, name="Storm", actor=w.p.crisis_leader, now=moment
    )
    assert crisis.paused_count == 0
    delivery.cancel_due(now=moment)
    assert delivery.confirm_native(now=moment + timedelta(minutes=2)) == 1
    row.refresh_from_db()
    post.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED and not row.cancel_platform_id
    assert post.status == PostStatus.PUBLISHED
    assert _texts(w.page, published=True) == [TEXT]


def test_a_crisis_pauses_the_rest_of_a_post_whose_copy_is_out(world):
    """The main page's copy went out from the platform's scheduler; the library's
    delivery waits to retry. The crisis pauses what is left and leaves the copy that is
    out; resumed after the crisis, the library gets it and the page still has it once."""
    w = world
    now = timezone.now()
    at, moment = _due_soon(now)
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    post = post_publish(
        actor=w.editor, post_id=_post(w, [w.page, library], publish_at=at).pk, now=now
    )
    page_row = post.deliveries.get(channel=w.page)
    library_row = post.deliveries.get(channel=library)
    delivery.delivery_run(post_channel_id=page_row.pk, now=now)
    _fail_next(library, "schedule", now=now)
    assert delivery.delivery_run(post_channel_id=library_row.pk, now=now) == "retrying"

    crisis = crisis_declare(
        municipality=w.municipality, name="Storm", actor=w.p.crisis_leader, now=moment
    )
    assert crisis.paused_count == 1
    delivery.cancel_due(now=moment)
    assert delivery.confirm_native(now=moment + timedelta(minutes=2)) == 1
    page_row.refresh_from_db()
    assert page_row.status == DeliveryStatus.PUBLISHED
    later = moment + timedelta(hours=1)
    assert delivery.retry_due(now=later) == 0
    assert _texts(library, published=True) == []

    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=later)
    services.post_resume(actor=w.editor, post_id=post.pk, now=later)
    delivery.retry_due(now=later)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert _texts(w.page, published=True) == [TEXT]
    assert _texts(library, published=True) == [TEXT]


# --------------------------------------------------------------------------- ids


NO_IDS = ["²", "١", "-1", "0", " 1", "1_0", str(2**63), "9" * 30, True]


@pytest.mark.parametrize("bad", NO_IDS)
def test_the_live_check_leaves_out_a_channel_id_that_is_no_id(world, bad):
    """ "²" passes `str.isdigit` but not `int` (a 500); a number past the database's
    range overflowed the lookup. The live check leaves such a channel out."""
    w = world
    findings = services.check_draft(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[bad, w.page.pk, str(w.page.pk)],
        text=TEXT,
    )
    assert isinstance(findings, list)


@pytest.mark.parametrize("bad", NO_IDS)
def test_a_channel_or_file_id_that_is_no_id_is_a_form_error(world, bad):
    w = world
    with pytest.raises(ServiceError, match="Ukjent kanal"):
        post_create(actor=w.editor, municipality=w.municipality, channel_ids=[bad], text=TEXT)
    with pytest.raises(ServiceError, match="Ukjent bilde"):
        services.check_draft(
            actor=w.editor,
            municipality=w.municipality,
            channel_ids=[w.page.pk],
            text=TEXT,
            media_ids=[bad],
        )


def test_the_declaration_preview_counts_what_the_declaration_pauses(world):
    """The crisis page's "will pause" figure counts the same posts the declaration pauses:
    a post whose delivery waits to retry was left out of the figure (PU-12)."""
    from ordstyrer.crisis import queue

    w = world
    now = timezone.now()
    _retrying(w, now)
    counts = queue.posts_to_pause(municipality=w.municipality)
    assert counts is not None
    scheduled, waiting = counts
    crisis = crisis_declare(
        municipality=w.municipality, name="Ras ved Vanvikan", actor=w.p.crisis_leader, now=now
    )
    assert (scheduled, waiting) == (crisis.paused_scheduled_count, 0) == (1, 0)


# --------------------------------------------------------------------------- claim handed back


def test_a_claim_handed_back_to_a_crisis_leaves_no_attempt_stamp(world):
    """PU-12 backstop: the delivery claims the row, finds the crisis and hands the claim
    back without calling the platform. Its stamp must go with it: a later attempt that
    finds a stamp looks for an earlier copy by its text, and would adopt the crisis
    staff's announcement with the same words instead of publishing the post."""
    from ordstyrer.connectors.base import Draft

    w = world
    now = timezone.now()
    post = post_publish(actor=w.editor, post_id=_post(w, [w.page]).pk, now=now)
    row = post.deliveries.get()
    assert row.status == DeliveryStatus.QUEUED and row.attempt_started_at is None
    Crisis.objects.create(
        municipality=w.municipality, name="Ras", declared_at=now, declared_by=w.p.crisis_leader
    )
    assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "crisis_paused"
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and row.claimed_at is None
    assert row.attempt_started_at is None  # no platform call was made

    # The crisis staff post the same words during the pause (and another post after).
    during = now + timedelta(minutes=5)
    with channel_connector(w.page, now=during) as connector:
        staff = connector.publish(Draft(text=TEXT))
    with channel_connector(w.page, now=during + timedelta(minutes=1)) as connector:
        connector.publish(Draft(text=OTHER))

    later = now + timedelta(minutes=20)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader, now=later)
    services.post_resume(actor=w.editor, post_id=post.pk, now=later)
    result = delivery.delivery_run(post_channel_id=row.pk, now=later)
    row.refresh_from_db()
    assert result == DeliveryStatus.PUBLISHED, row.error
    assert row.platform_id and row.platform_id != str(staff.id)
    assert _texts(w.page, published=True).count(TEXT) == 2  # the staff's and the post's


# --------------------------------------------------------------------------- crisis log


def test_the_deliverys_crisis_pause_is_in_the_crisis_log(client, world):
    """PU-12: every crisis decision is in the crisis log. The delivery's backstop pause
    (a crisis the declaration's pause missed) writes a "posts paused" line counting the
    post, with the post and its channel, as the declaration writes its own."""
    from ordstyrer.crisis.models import CrisisLogEntry, CrisisLogKind
    from ordstyrer.crisis.services import paused_posts_counts

    w = world
    now = timezone.now()
    post, row = _retrying(w, now)
    crisis = Crisis.objects.create(
        municipality=w.municipality, name="Ras", declared_at=now, declared_by=w.p.crisis_leader
    )
    later = row.next_attempt_at + timedelta(minutes=1)
    delivery.retry_due(now=later)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED

    lines = list(CrisisLogEntry.objects.filter(crisis=crisis, kind=CrisisLogKind.POSTS_PAUSED))
    assert len(lines) == 1
    line = lines[0]
    assert (line.object_kind, line.object_id, line.channel_id) == ("post", str(post.pk), w.page.pk)
    assert paused_posts_counts(line.text) == (1, 0)
    assert line.created_at == later

    # The crisis log page shows it in the reader's words.
    client.force_login(w.p.crisis_leader)
    page = client.get(reverse("crisis:log", args=[w.municipality.slug, crisis.pk]))
    assert page.status_code == 200
    assert "1 planlagt innlegg satt på pause." in page.content.decode()


# --------------------------------------------------------------------------- dropped channels


def _on_both_schedulers(w, now):
    """A post two days ahead on the main page and the library, each copy handed to the
    platform's own scheduler."""
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    post = post_publish(
        actor=w.editor,
        post_id=_post(w, [w.page, library], publish_at=now + timedelta(days=2)).pk,
        now=now,
    )
    for row in post.deliveries.all():
        assert delivery.delivery_run(post_channel_id=row.pk, now=now) == DeliveryStatus.SCHEDULED
    assert _texts(w.page, published=False) == [TEXT] == _texts(library, published=False)
    return post, library


def test_an_edit_keeps_a_dropped_channel_whose_copy_is_not_cancelled_yet(
    world, django_capture_on_commit_callbacks
):
    """PU-6/PU-12: a post withdrawn from the platform's scheduler while the cancellation
    fails (a token expired): the author removes that channel in an edit. Deleted, the
    row took the pending cancellation with it and the copy went out at its time; the
    drop is refused until the copy is gone."""
    from ordstyrer.core.errors import Conflict

    w = world
    now = timezone.now()
    post, library = _on_both_schedulers(w, now)
    _fail_next(w.page, "cancel_scheduled", now=now)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_withdraw(actor=w.editor, post_id=post.pk, now=now)
    assert _texts(w.page, published=False) == [TEXT]  # the cancellation failed
    assert _texts(library, published=False) == []

    with pytest.raises(Conflict, match="ikke slettet der ennå"):
        services.post_update(actor=w.editor, post_id=post.pk, channel_ids=[library.pk], now=now)
    row = post.deliveries.get(channel=w.page)
    assert row.cancel_platform_id

    # The sweep gets the cancellation through; then the channel can go.
    assert delivery.cancel_due(now=now) == 1
    assert _texts(w.page, published=False) == []
    services.post_update(actor=w.editor, post_id=post.pk, channel_ids=[library.pk], now=now)
    assert list(post.deliveries.values_list("channel_id", flat=True)) == [library.pk]
    assert delivery.confirm_native(now=now + timedelta(days=2, minutes=30)) == 0
    assert _texts(w.page, published=True) == []


def test_an_edit_keeps_a_dropped_channel_with_a_copy_waiting_on_the_platform(
    world, django_capture_on_commit_callbacks
):
    """A failed post whose other copy waits on the platform's scheduler: dropping that
    channel is refused (the copy would go out with nothing left to cancel it); an edit
    keeping the channel cancels the copy, and the channel can go after that."""
    from ordstyrer.core.errors import Conflict

    w = world
    now = timezone.now()
    post, library = _half_failed(w, now)
    with pytest.raises(Conflict, match="Lagre endringen først"):
        services.post_update(actor=w.editor, post_id=post.pk, channel_ids=[library.pk], now=now)
    assert _texts(w.page, published=False) == [TEXT]
    assert post.deliveries.filter(channel=w.page, platform_scheduled=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(actor=w.editor, post_id=post.pk, text=OTHER, now=now)
    assert _texts(w.page, published=False) == []
    services.post_update(actor=w.editor, post_id=post.pk, channel_ids=[library.pk], now=now)
    assert list(post.deliveries.values_list("channel_id", flat=True)) == [library.pk]


def test_an_edit_keeps_a_dropped_channel_with_a_delivery_in_flight(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Withdrawn while the platform call is under way, and the channel removed in an
    edit at once: the row must stay, or the delivery finds nothing to record the copy
    on and the copy it scheduled is never cancelled."""
    from ordstyrer.core.errors import Conflict

    w = world
    now = timezone.now()
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    post = post_publish(
        actor=w.editor,
        post_id=_post(w, [w.page, library], publish_at=now + timedelta(days=1)).pk,
        now=now,
    )
    row = post.deliveries.get(channel=w.page)
    refused = []

    def withdraw_and_drop():
        services.post_withdraw(actor=w.editor, post_id=post.pk, now=now)
        try:
            services.post_update(actor=w.editor, post_id=post.pk, channel_ids=[library.pk], now=now)
        except Conflict as exc:
            refused.append(str(exc))

    _stop_during_the_platform_call(monkeypatch, withdraw_and_drop)
    with django_capture_on_commit_callbacks() as capture:
        assert delivery.delivery_run(post_channel_id=row.pk, now=now) == "cancelling"
    assert refused and "akkurat nå" in refused[0]
    _copy_cancelled(w, row, capture)
    services.post_update(actor=w.editor, post_id=post.pk, channel_ids=[library.pk], now=now)
    assert delivery.confirm_native(now=now + timedelta(days=1, minutes=30)) == 0
    assert _texts(w.page, published=True) == []
