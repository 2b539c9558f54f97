"""PU-6 / MO-2: the comments under a post taken down show what happened on the platform
(s19). Each is archived when the take-down is decided, committed before the platform is
called (MO-2, archive first); it shows as removed only once the post is off the platform:

- Facebook refuses the deletion: the comment is still online, so it stays in the inbox,
  not removed, its history saying it is archived and waiting; the retry that succeeds
  removes it (archived once).
- Instagram's API cannot delete: the comment waits until the editor confirms deleting the
  post by hand in the app (`post_taken_down_by_hand`, the take-down page's form).
- The by-hand confirmation is only for a channel whose API cannot delete, after the
  take-down, by those who may take the post down."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import Conflict, NotFound
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import CloseReason, InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.models import PlatformOp
from ordstyrer.moderation.outbox import op_run
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_update, media_upload, post_take_down
from ordstyrer.publishing.models import DeliveryStatus, PostChannel, PostEvent
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer_fakegraph.records import IgMediaRec, PostRec
from tests.publishing.conftest import jpeg

pytestmark = pytest.mark.django_db

TEXT = "Se bildene fra 17. mai-toget i sentrum! https://indrefosen.kommune.no/17mai"
REASON = "Samtykket er trukket tilbake."
WAITING = "er fortsatt på plattformen til innlegget er slettet der"


def _published(c, channel) -> PostChannel:
    """Our post, out on `channel` through the Graph stand-in (a photo: Instagram needs
    one)."""
    asset = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="toget.jpg",
        content=jpeg(),
        alt_text="Korpset går først i toget",
    )
    media_update(
        actor=c.world.editor,
        asset_id=asset.pk,
        people="none",
        photographer="Kari Foto",
        photographer_permission=True,
    )
    post = post_create(
        actor=c.world.editor,
        municipality=c.world.municipality,
        channel_ids=[channel.pk],
        text=TEXT,
        media_ids=[asset.pk],
    )
    post_publish(actor=c.world.editor, post_id=post.pk)
    row = post.deliveries.get()
    assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    row.refresh_from_db()
    assert row.platform_id
    return row


def _comment(c, row: PostChannel, text: str) -> InboxItem:
    """A citizen comments under our post; the inbox polls it in."""
    store = c.fake.store
    if row.channel.kind == "instagram":
        comment = store.add_ig_comment(
            row.platform_id, from_id="7700001", username="ola_n", text=text, created=store.now()
        )
    else:
        comment = store.add_comment(
            row.platform_id,
            from_id="5550001",
            from_name="Ola Nordmann",
            message=text,
            created=store.now(),
        )
    poll_channel(channel_id=row.channel_id)
    item = InboxItem.objects.get(channel=row.channel, platform_id=comment.id)
    assert item.post_id == row.platform_id and item.open and item.removed_at is None
    return item


def _archived() -> set[str]:
    return set(
        ArchiveRecord.objects.filter(kind="deleted_comment").values_list(
            "idempotency_key", flat=True
        )
    )


def _still_online(item: InboxItem) -> None:
    """Shown as what it is: a comment on the platform, in the inbox's work list, its
    history saying it is archived and waits for the post's deletion."""
    item.refresh_from_db()
    assert item.removed_at is None
    assert item.open and item.listed
    assert any(WAITING in e.text for e in item.events.all())


def _author_told(item: InboxItem) -> None:
    """The take-down's private notice to the comment's author goes out first (MO-4, s20):
    the worker deletes the post only after it."""
    op = PlatformOp.objects.get(action__item=item)
    assert op_run(op_id=op.pk) == "done"


def _removed(item: InboxItem) -> None:
    item.refresh_from_db()
    assert item.removed_at is not None
    assert not item.open and item.close_reason == CloseReason.MODERATED
    assert item.due_at is None


def test_a_comment_stays_shown_online_while_facebook_refuses_the_deletion(connected):
    """MO-2, PU-6: archived at the decision; not removed while the post is online; removed
    once the retried deletion succeeds, archived once."""
    c = connected
    row = _published(c, c.facebook)
    item = _comment(c, row, "Hvorfor er jeg på bildet uten å ha blitt spurt?")
    key = f"publishing:take-down:comment:{item.pk}"

    post_take_down(actor=c.world.editor, post_id=row.post_id, reason=REASON)
    # Decided and committed, the platform not called yet: archived, still online.
    assert _archived() == {key}
    _still_online(item)
    _author_told(item)

    c.fake.inject(code=200, method="DELETE", times=1)  # Facebook: no permission
    assert delivery.take_down_run(post_channel_id=row.pk) == "failed"
    stored = c.fake.store.objects[row.platform_id]
    assert isinstance(stored, PostRec) and not stored.deleted
    _still_online(item)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED and row.error

    # Tried again: Facebook deletes the post, and the comment with it.
    post_take_down(actor=c.world.editor, post_id=row.post_id, reason=REASON)
    assert delivery.take_down_run(post_channel_id=row.pk) == "taken_down"
    assert c.fake.store.objects[row.platform_id].deleted
    _removed(item)
    assert _archived() == {key}
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1
    entry = AuditEntry.objects.filter(action="post_taken_down").get()
    assert entry.data["comments_removed"] == 1 and "by_hand" not in entry.data


def test_an_instagram_comment_waits_for_the_editor_to_confirm_deleting_by_hand(connected, client):
    """MO-2, PU-6: Instagram's API cannot delete the post; its comments are archived
    and shown online until the editor confirms deleting it in the app."""
    c = connected
    w = c.world
    row = _published(c, c.instagram)
    item = _comment(c, row, "Jeg vil ikke være med på bildet.")

    post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    _author_told(item)
    assert delivery.take_down_run(post_channel_id=row.pk) == "unsupported"
    media = c.fake.store.objects[row.platform_id]
    assert isinstance(media, IgMediaRec)
    assert _archived() == {f"publishing:take-down:comment:{item.pk}"}
    _still_online(item)

    client.force_login(w.editor)
    url = reverse("publishing:take_down", args=[w.municipality.slug, row.post_id])
    page = client.get(url).content.decode()
    assert "Jeg har slettet innlegget på «Pubby på Instagram» i appen" in page
    assert "1 kommentar under innlegget slettes også" in page

    # The box unticked: nothing is recorded.
    response = client.post(url, {"by_hand": str(row.channel_id)}, follow=True)
    assert "Kryss av for å bekrefte." in response.content.decode()
    _still_online(item)

    response = client.post(url, {"by_hand": str(row.channel_id), "confirm": "on"}, follow=True)
    assert "Registrert som slettet." in response.content.decode()
    _removed(item)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and not row.platform_id
    entry = AuditEntry.objects.filter(action="post_taken_down").get()
    assert entry.data["by_hand"] is True and entry.data["comments_removed"] == 1
    assert entry.actor_id == w.editor.pk
    event = PostEvent.objects.filter(post_id=row.post_id, action="take_down").last()
    assert event is not None and event.data == {"by_hand": True, "channel_ids": [row.channel_id]}

    # A second click records nothing more.
    response = client.post(url, {"by_hand": str(row.channel_id), "confirm": "on"}, follow=True)
    assert "Innlegget er allerede tatt ned" in response.content.decode()
    assert AuditEntry.objects.filter(action="post_taken_down").count() == 1
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1


def test_the_by_hand_confirmation_is_only_where_the_api_cannot_delete(connected):
    """PU-6: refused before the take-down, on a channel whose API deletes (try again
    there), and for someone of another municipality."""
    from ordstyrer.publishing.media import post_taken_down_by_hand

    c = connected
    w = c.world
    row = _published(c, c.facebook)
    with pytest.raises(Conflict):
        post_taken_down_by_hand(actor=w.editor, post_id=row.post_id, channel_id=row.channel_id)
    post_take_down(actor=w.editor, post_id=row.post_id, reason=REASON)
    c.fake.inject(code=200, method="DELETE", times=1)
    assert delivery.take_down_run(post_channel_id=row.pk) == "failed"
    with pytest.raises(Conflict) as refused:
        post_taken_down_by_hand(actor=w.editor, post_id=row.post_id, channel_id=row.channel_id)
    assert "prøv å ta det ned igjen" in refused.value.message
    with pytest.raises(NotFound):
        post_taken_down_by_hand(actor=w.p.outsider, post_id=row.post_id, channel_id=row.channel_id)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED
