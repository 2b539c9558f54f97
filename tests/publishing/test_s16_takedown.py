"""PU-6 take-down: a copy taken down no longer counts as published, and a post taken
down goes out nowhere else.

- Taken down, fixed and released again, the post goes out anew on the channel where it
  was taken down, and can be taken down again.
- A post still on its way elsewhere (a delivery waiting to retry) stops there.
- A delivery in flight that publishes after the take-down is taken down as well."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ordstyrer.connectors.base import ErrorCode
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.publishing import delivery, services
from ordstyrer.publishing.media import (
    consent_withdraw,
    post_take_down,
    posts_to_take_down,
)
from ordstyrer.publishing.models import DeliveryStatus, Post, PostEvent, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_channel, partly_published, person_photo, texts_on

TEXT = "Biblioteket har utvidet åpningstid i sommer. https://indrefosen.kommune.no/bibliotek"
REASON = "Samtykket er trukket tilbake."


def _live(channel) -> list[str]:
    """Our text as it is out on a simulated channel (published, not deleted)."""
    return texts_on(channel, (TEXT,))


def _fail_next(channel, *, permanent: bool) -> None:
    code = ErrorCode.PERMISSION if permanent else ErrorCode.TRANSIENT
    with channel_connector(channel, now=timezone.now()) as connector:
        connector.fail_next("publish", code=code, permanent=permanent)


def _photo(w, *, consent: bool):
    """A photo: of a recognisable adult with his consent on record, or of no people."""
    return person_photo(w, consent=consent, seed=7 if consent else 8, name="Ola Nordmann")


def _out_on_page_failed_on_library(w, photo, capture):
    """Out on the main page, failed for good on the library's page: `failed`."""
    post, library = partly_published(w, photo, capture, TEXT)
    assert _live(w.page) == [TEXT] and _live(library) == []
    return post, library


def test_a_post_taken_down_and_released_again_goes_out_anew_and_comes_down_again(
    client, world, django_capture_on_commit_callbacks
):
    """The reviewer's case: out on one channel, failed on the other; the consent is
    withdrawn and the post taken down; the photo is swapped and the post published
    again. The channel where it was taken down gets the new version (it was skipped as
    "published" and the page said «Publisert» there), and the post can be taken down
    again (the stamp of the first take-down made the second do nothing)."""
    w = world
    photo, consent = _photo(w, consent=True)
    post, library = _out_on_page_failed_on_library(w, photo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=w.editor, consent_id=consent.pk, note="Ola ringte.")
    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=post.pk, reason=REASON)
    assert _live(w.page) == []
    post.refresh_from_db()
    assert post.taken_down_at is not None
    page_row = post.deliveries.get(channel=w.page)
    assert page_row.status != DeliveryStatus.PUBLISHED
    assert not page_row.platform_id and not page_row.permalink
    assert page_row.error == "Tatt ned fra plattformen."

    # The post page no longer says it is out there.
    client.force_login(w.editor)
    detail = reverse("publishing:detail", args=[w.municipality.slug, post.pk])
    cells = client.get(detail).content.decode().split("<tbody>", 1)[1].split("</tbody>")[0]
    assert "Publisert" not in cells and "Tatt ned" in cells

    # Fixed (another photo) and published again: out on both channels, once each.
    other, _none = _photo(w, consent=False)
    services.post_update(actor=w.editor, post_id=post.pk, media_ids=[other.pk])
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=w.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert post.taken_down_at is None
    assert _live(w.page) == [TEXT] and _live(library) == [TEXT]
    assert set(post.deliveries.values_list("status", flat=True)) == {DeliveryStatus.PUBLISHED}
    assert "Publisert" in client.get(detail).content.decode()

    # And it comes down again where it is out.
    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=post.pk, reason="Feil bilde.")
    assert _live(w.page) == [] and _live(library) == []
    assert PostEvent.objects.filter(post=post, action="take_down").count() == 2
    assert posts_to_take_down(other) == []


def test_a_take_down_stops_the_channels_still_to_go(world, django_capture_on_commit_callbacks):
    """Out on the main page, the library's delivery waiting to retry (the post is
    `publishing`): taken down, the post goes out nowhere else and is a draft again."""
    w = world
    now = timezone.now()
    photo, _consent = _photo(w, consent=True)
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    _fail_next(library, permanent=False)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, library.pk],
        text=TEXT,
        media_ids=[photo.pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=w.editor, post_id=post.pk, now=now)
    post.refresh_from_db()
    retry = post.deliveries.get(channel=library)
    assert post.status == PostStatus.PUBLISHING
    due = retry.next_attempt_at
    assert retry.status == DeliveryStatus.QUEUED and due is not None and due > now

    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=post.pk, reason="Feil dato i teksten.")
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    event = PostEvent.objects.get(post=post, action="take_down")
    assert (event.from_status, event.to_status) == (PostStatus.PUBLISHING, PostStatus.DRAFT)
    assert _live(w.page) == []
    assert delivery.retry_due(now=due + timedelta(hours=1)) == 0
    assert _live(library) == []


def test_a_delivery_in_flight_during_the_take_down_is_taken_down_too(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """The library's platform call is under way when the post is taken down: the copy it
    publishes is recorded and taken down as well, never left out."""
    from ordstyrer.connectors.simulated.connector import SimulatedConnector

    w = world
    photo, _consent = _photo(w, consent=True)
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, library.pk],
        text=TEXT,
        media_ids=[photo.pk],
    )
    post_publish(actor=w.editor, post_id=post.pk)  # tasks not run: deliveries by hand
    page_row = post.deliveries.get(channel=w.page)
    library_row = post.deliveries.get(channel=library)
    assert delivery.delivery_run(post_channel_id=page_row.pk) == DeliveryStatus.PUBLISHED

    publish = SimulatedConnector.publish

    def publish_then_take_down(self, draft):
        result = publish(self, draft)
        post_take_down(actor=w.editor, post_id=post.pk, reason="Feil bilde.")
        return result

    monkeypatch.setattr(SimulatedConnector, "publish", publish_then_take_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.delivery_run(post_channel_id=library_row.pk) == DeliveryStatus.PUBLISHED
    assert _live(w.page) == [] and _live(library) == []
    library_row.refresh_from_db()
    assert library_row.status == DeliveryStatus.QUEUED and not library_row.platform_id
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT
