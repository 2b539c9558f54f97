"""MO-2 / MO-4 / PU-6: taking a post down deletes the citizens' comments under it on the
platform (s19).

- The confirmation page states it, channel by channel: how many comments go with the
  post on each, that they are archived first (MO-2), and, where the guideline says the
  author of anything deleted is told why (MO-4, Indre Fosen), that Ordstyrer does not
  tell them.
- Where MO-4 applies, the archive holds, beside each comment's record, an internal note
  (X) that its author was not told, and the take-down's audit entry counts them; a
  comment that came in after the decision gets its note when the worker archives it.
  Where MO-4 does not apply (Rennebu), no such note.

Before, the page gave only the total, and the archive was silent about the authors (its
docstring: "nobody is told (MO-4)")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, Post
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_world, png

pytestmark = pytest.mark.django_db

TEXT = "Se bildene fra 17. mai-toget i sentrum! https://indrefosen.kommune.no/17mai"
REASON = "Samtykket er trukket tilbake."
NOT_TOLD = "Forfatterne får ikke beskjed om hvorfor kommentarene slettes"


@pytest.fixture
def world(request, db):
    """The publishing world on the preset the test names (Indre Fosen unless it says)."""
    return make_world(preset=getattr(request, "param", "indre-fosen"))


def _published(c) -> Post:
    """Our post with a photo, out on Facebook and Instagram through the Graph stand-in."""
    w = c.world
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="toget.png",
        content=png(),
        alt_text="Korpset går først i toget",
    )
    media_update(
        actor=w.editor,
        asset_id=asset.pk,
        people="none",
        photographer="Kari Foto",
        photographer_permission=True,
    )
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[c.facebook.pk, c.instagram.pk],
        text=TEXT,
        media_ids=[asset.pk],
    )
    post_publish(actor=w.editor, post_id=post.pk)
    for row in post.deliveries.all():
        assert delivery.delivery_run(post_channel_id=row.pk) == DeliveryStatus.PUBLISHED
    return post


def _comment(c, post: Post, channel, *, author: str, author_id: str, text: str) -> InboxItem:
    """A citizen comments under our post on `channel`; the inbox polls it in."""
    row = post.deliveries.get(channel=channel)
    store = c.fake.store
    if channel.kind == "instagram":
        comment = store.add_ig_comment(
            row.platform_id, from_id=author_id, username=author, text=text, created=store.now()
        )
    else:
        comment = store.add_comment(
            row.platform_id, from_id=author_id, from_name=author, message=text, created=store.now()
        )
    poll_channel(channel_id=channel.pk)
    return InboxItem.objects.get(channel=channel, platform_id=comment.id)


def _three_comments(c, post: Post) -> list[InboxItem]:
    return [
        _comment(
            c, post, c.facebook, author="Ola Nordmann", author_id="5550001", text="Flott tog!"
        ),
        _comment(
            c, post, c.facebook, author="Kari Hansen", author_id="5550002", text="Hvor er bildet?"
        ),
        _comment(c, post, c.instagram, author="per_p", author_id="7700001", text="Så fint"),
    ]


def _page(client, c, post: Post) -> str:
    client.force_login(c.world.editor)
    url = reverse("publishing:take_down", args=[c.world.municipality.slug, post.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _take_down(client, c, post: Post) -> None:
    client.force_login(c.world.editor)
    url = reverse("publishing:take_down", args=[c.world.municipality.slug, post.pk])
    response = client.post(url, {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302


def _notes() -> dict[str, ArchiveRecord]:
    return {
        r.idempotency_key: r
        for r in ArchiveRecord.objects.filter(
            idempotency_key__startswith="publishing:take-down:not-told:"
        )
    }


def test_the_confirmation_states_the_comments_per_channel_and_that_nobody_is_told(
    connected, client
):
    """MO-2, MO-4 (Indre Fosen): the page counts the citizens' comments going with the
    post on each channel, says they are archived first and that their authors are not
    told; the page's own replies are not counted."""
    c = connected
    post = _published(c)
    _three_comments(c, post)
    page = _page(client, c, post)
    assert "3 kommentarer under innlegget slettes også; de arkiveres først (MO-2)." in page
    assert "«Pubby på Facebook»: 2 kommentarer fra innbyggere" in page
    assert "«Pubby på Instagram»: 1 kommentar fra en innbygger" in page
    assert NOT_TOLD in page and "(MO-4)" in page


def test_each_author_not_told_is_noted_in_the_archive(connected, client):
    """MO-4 (Indre Fosen), MO-2, AR-3: beside each comment's record an internal note (X)
    that its author was not told, referring to that record, once however often the
    take-down runs; a comment that came in after the decision is noted when the worker
    archives it; the audit entry counts the authors."""
    c = connected
    post = _published(c)
    items = _three_comments(c, post)
    _take_down(client, c, post)

    notes = _notes()
    assert set(notes) == {f"publishing:take-down:not-told:{i.pk}" for i in items}
    for item in items:
        note = notes[f"publishing:take-down:not-told:{item.pk}"]
        deleted = ArchiveRecord.objects.get(
            idempotency_key=f"publishing:take-down:comment:{item.pk}"
        )
        assert note.kind == "moderation_note" and note.direction == "X" and note.journal
        assert note.refers_to_sequence == deleted.sequence
        assert item.author_name in note.title
        assert "Forfatteren har ikke fått beskjed" in note.text and "(MO-4)" in note.text
    entry = AuditEntry.objects.get(action="post_take_down")
    assert entry.data["comments_archived"] == 3 and entry.data["authors_not_told"] == 3

    # A comment written after the decision, before Facebook deletes the post.
    late = _comment(
        c, post, c.facebook, author="Nils Berg", author_id="5550003", text="Hva skjedde?"
    )
    facebook = post.deliveries.get(channel=c.facebook)
    assert delivery.take_down_run(post_channel_id=facebook.pk) == "taken_down"
    assert set(_notes()) == {f"publishing:take-down:not-told:{i.pk}" for i in [*items, late]}
    assert ArchiveRecord.objects.filter(kind="moderation_note").count() == 4


@pytest.mark.parametrize("world", ["rennebu"], indirect=True)
def test_without_mo4_the_authors_are_not_noted(connected, client):
    """MO-2 without MO-4 (Rennebu): the comments are counted and archived; the page says
    nothing about telling their authors, and the archive notes nothing."""
    c = connected
    post = _published(c)
    items = _three_comments(c, post)
    page = _page(client, c, post)
    assert "«Pubby på Facebook»: 2 kommentarer fra innbyggere" in page
    assert NOT_TOLD not in page and "MO-4" not in page

    _take_down(client, c, post)
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == len(items)
    assert _notes() == {}
    entry = AuditEntry.objects.get(action="post_take_down")
    assert entry.data["comments_archived"] == 3 and "authors_not_told" not in entry.data
