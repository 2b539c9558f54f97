"""MO-4 / MO-2 / PU-6 / PU-12: the authors of the comments that go with a post the
municipality takes down are told why (s20).

Indre Fosen: «Hvis du utestenger en person eller sletter det vedkommende har skrevet, må
du informere personen om hvorfor». Before, the take-down's confirmation said their
authors are not told, and the archive noted that per comment (b7d8934). Now:

- each author gets a private message (the moderation notice machinery: a `with_post`
  action and its outbox op) BEFORE the post, and so the comment, is deleted — a private
  reply needs the comment; the take-down worker waits for the notices to be sent or to
  fail, at most ten minutes, then withdraws what is unsent, records it, and deletes;
- in a crisis the notices wait for the crisis leader (a30bcd4), the take-down no longer
  than those ten minutes;
- the confirmation states how many authors are told and how, and why the others are
  not; nothing is pre-selected, and a replayed POST tells nobody twice;
- the archive says per comment whether and when its author was told, or why not.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import Conflict
from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis.services import crisis_declare
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.crisis_notices import notice_crisis_approve
from ordstyrer.moderation.models import (
    ModerationAction,
    NoticeState,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.outbox import op_run
from ordstyrer.policy import load_policy
from ordstyrer.publishing import delivery
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import DeliveryStatus, Post
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import jpeg, make_world

pytestmark = pytest.mark.django_db

TEXT = "Se bildene fra 17. mai-toget i sentrum! https://indrefosen.kommune.no/17mai"
REASON = "Samtykket fra Kari Nordmann er trukket tilbake."
TOLD = "Forfatterne av 3 kommentarer får en privat melding fra kanalen"
NOTICE_NB = "tar ned et innlegg på «Pubby på Facebook», og kommentaren du skrev under det"


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
        filename="toget.jpg",
        content=jpeg(),
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


def _url(c, post: Post) -> str:
    return reverse("publishing:take_down", args=[c.world.municipality.slug, post.pk])


def _page(client, c, post: Post) -> str:
    client.force_login(c.world.editor)
    response = client.get(_url(c, post))
    assert response.status_code == 200
    return response.content.decode()


def _take_down(client, c, post: Post):
    client.force_login(c.world.editor)
    response = client.post(_url(c, post), {"reason": REASON, "confirm": "on"}, follow=True)
    assert response.status_code == 200
    return response


def _record(item: InboxItem) -> ArchiveRecord:
    return ArchiveRecord.objects.get(idempotency_key=f"publishing:take-down:comment:{item.pk}")


def _about(item: InboxItem) -> list[ArchiveRecord]:
    """What the archive says about the comment's author, beside its record."""
    record = _record(item)
    return list(
        ArchiveRecord.objects.filter(refers_to_sequence=record.sequence).order_by("sequence")
    )


def _still_on_platform(c, row) -> bool:
    return not c.fake.store.objects[row.platform_id].deleted


def test_mo4_each_author_is_told_privately_before_the_post_is_deleted(
    connected, client, django_capture_on_commit_callbacks
):
    """MO-4, MO-2, PU-6: the confirmation says the authors get a private message before
    the post is deleted; each gets one (in the stand-in, which refuses a private reply to
    a deleted comment), in Bokmål, naming neither them nor why the post went; the archive
    holds the notice as sent (U) beside each comment's record, with when."""
    c = connected
    post = _published(c)
    items = _three_comments(c, post)

    page = _page(client, c, post)
    assert TOLD in page and "før innlegget slettes (MO-4)" in page
    assert "Ordstyrer sender ingen beskjed" not in page
    assert "senest 10 minutter etter at du tar det ned" in page
    assert "får ikke beskjed:" not in page
    assert "checked" not in page  # nothing pre-selected

    with django_capture_on_commit_callbacks(execute=True):
        _take_down(client, c, post)

    sent = c.fake.store.private_replies
    assert set(sent) == {i.platform_id for i in items}
    for item in items:
        text = sent[item.platform_id]["text"]
        assert text.startswith("Hei! Pubby kommune tar ned et innlegg på «")
        assert "Kommentaren blir ikke slettet på grunn av det du skrev." in text
        assert item.author_name.split()[0] not in text and item.text not in text
        assert "Kari Nordmann" not in text and "Samtykket" not in text
        action = ModerationAction.objects.get(item=item, kind="with_post")
        assert action.notice_state == NoticeState.SENT and action.notice_via == "private_reply"
        assert action.archive_record_id == _record(item).pk
        (told,) = _about(item)
        assert told.kind == "journal_outbound" and told.direction == "U"
        assert told.text == text and told.occurred_at == action.notice_updated_at
    assert NOTICE_NB in sent[items[0].platform_id]["text"]

    # The notices went first: Facebook's copy is deleted after them, its comments too.
    facebook = post.deliveries.get(channel=c.facebook)
    assert facebook.status == DeliveryStatus.QUEUED and not facebook.platform_id
    for item in items[:2]:
        item.refresh_from_db()
        assert item.removed_at is not None
    assert ModerationAction.objects.get(item=items[0]).status == "done"
    entry = AuditEntry.objects.get(action="post_take_down")
    assert entry.data["authors_told"] == 3 and entry.data["authors_not_told"] == 0


def test_the_take_down_waits_for_the_notices_and_deletes_once_they_are_sent(
    connected, client, django_capture_on_commit_callbacks
):
    """MO-4: the worker does not delete while a notice is on its way; the row says it
    waits; the sweep deletes once the notices are sent."""
    c = connected
    post = _published(c)
    item = _comment(
        c, post, c.facebook, author="Ola Nordmann", author_id="5550001", text="Flott tog!"
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _take_down(client, c, post)
    assert queued  # notices and take-downs: not run yet
    row = post.deliveries.get(channel=c.facebook)

    now = timezone.now()
    assert delivery.take_down_run(post_channel_id=row.pk, now=now) == "waiting"
    assert _still_on_platform(c, row)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PUBLISHED and "Venter på at forfatterne" in row.error
    # Nothing due yet: the sweep leaves it. It runs the Instagram copy's take-down, whose
    # task this test never ran: a lost task is the sweep's (s21).
    assert delivery.take_down_due(now=now) == 1
    assert _still_on_platform(c, row)

    op = PlatformOp.objects.get(action__item=item)
    assert op_run(op_id=op.pk) == OpStatus.DONE
    assert item.platform_id in c.fake.store.private_replies
    assert delivery.take_down_due(now=now + delivery.NOTICE_RECHECK) == 1
    assert not _still_on_platform(c, row)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and row.next_attempt_at is None


def test_a_notice_not_sent_within_ten_minutes_is_withdrawn_and_the_post_deleted(
    connected, client, django_capture_on_commit_callbacks
):
    """MO-4, bounded: a notice that never went (its task lost, the platform down) holds
    the take-down ten minutes at most; then it is withdrawn, recorded as not sent in the
    archive (X, beside the comment's record), and the post is deleted."""
    c = connected
    post = _published(c)
    item = _comment(
        c, post, c.facebook, author="Ola Nordmann", author_id="5550001", text="Flott tog!"
    )
    with django_capture_on_commit_callbacks(execute=False):
        _take_down(client, c, post)
    row = post.deliveries.get(channel=c.facebook)
    decided = row.claimed_at
    assert decided is not None
    assert delivery.take_down_run(post_channel_id=row.pk, now=decided) == "waiting"
    # This copy looks again; the Instagram copy's take-down, whose task this test never
    # ran, is the sweep's (s21).
    assert delivery.take_down_due(now=decided + timedelta(minutes=9, seconds=50)) == 2
    assert _still_on_platform(c, row)

    later = decided + timedelta(minutes=10, seconds=1)
    assert delivery.take_down_due(now=later) == 1
    assert not _still_on_platform(c, row)
    op = PlatformOp.objects.get(action__item=item)
    assert op.status == OpStatus.CANCELLED
    assert op_run(op_id=op.pk, now=later) == OpStatus.CANCELLED  # never sent afterwards
    assert c.fake.store.private_replies == {}
    action = op.action
    action.refresh_from_db()
    assert action.notice_state == NoticeState.FAILED
    assert "Beskjeden var ikke sendt da innlegget ble slettet" in action.notice_error
    (note,) = _about(item)
    assert note.direction == "X" and note.kind == "moderation_note"
    assert "Beskjeden til forfatteren (MO-4) feilet og er ikke utført" in note.text
    assert "ventet i 10 minutter" in note.text


def test_in_a_crisis_the_notices_wait_for_the_crisis_leader_and_the_take_down_ten_minutes(
    connected, client, django_capture_on_commit_callbacks
):
    """PU-12 (a30bcd4), MO-4: the page says the notices wait for the crisis leader; they
    are held; one approved goes out before the deletion; one not approved within ten
    minutes is withdrawn, the archive says the crisis leader had not approved it, and
    approving it afterwards is refused."""
    c = connected
    w = c.world
    post = _published(c)
    first = _comment(
        c, post, c.facebook, author="Ola Nordmann", author_id="5550001", text="Flott tog!"
    )
    second = _comment(
        c, post, c.facebook, author="Kari Hansen", author_id="5550002", text="Hvor er bildet?"
    )
    crisis_declare(municipality=w.municipality, name="Flom i sentrum", actor=w.p.crisis_leader)
    page = _page(client, c, post)
    assert "meldingene sendes først når kriselederen har godkjent dem (PU-12)" in page

    with django_capture_on_commit_callbacks(execute=True):
        _take_down(client, c, post)
    row = post.deliveries.get(channel=c.facebook)
    held = {a.item_id: a for a in ModerationAction.objects.filter(kind="with_post")}
    assert {a.notice_state for a in held.values()} == {NoticeState.AWAITING_CRISIS_APPROVAL}
    assert _still_on_platform(c, row) and c.fake.store.private_replies == {}
    # The crisis leader's e-mail says the comment goes with a post, not that it is gone.
    mailed = [m.body for m in mail.outbox if "krisemodus" in m.body]
    assert mailed and all("slettes sammen med et innlegg kommunen tar ned" in b for b in mailed)
    assert all("senest 10 minutter" in b and "er slettet, eller" not in b for b in mailed)
    client.force_login(w.p.crisis_leader)
    listed = client.get(reverse("moderation:crisis_notices", args=[w.municipality.slug]))
    assert (
        "innlegget slettes senest 10 minutter etter at det ble bestemt" in listed.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        notice_crisis_approve(actor=w.p.crisis_leader, action=held[first.pk])
    assert set(c.fake.store.private_replies) == {first.platform_id}
    assert _still_on_platform(c, row)  # the other still waits

    assert row.claimed_at is not None
    later = row.claimed_at + timedelta(minutes=10, seconds=1)
    assert delivery.take_down_run(post_channel_id=row.pk, now=later) == "taken_down"
    assert not _still_on_platform(c, row)
    waited = held[second.pk]
    waited.refresh_from_db()
    assert waited.notice_state == NoticeState.FAILED
    assert "Kriselederen hadde ikke godkjent beskjeden (PU-12)" in waited.notice_error
    assert "Kriselederen hadde ikke godkjent" in _about(second)[0].text
    assert _about(first)[0].direction == "U"
    with pytest.raises(Conflict):
        notice_crisis_approve(actor=w.p.crisis_leader, action=waited)
    assert set(c.fake.store.private_replies) == {first.platform_id}


def test_the_authors_that_cannot_be_told_are_named_on_the_page_and_in_the_archive(
    connected, client, django_capture_on_commit_callbacks
):
    """MO-4: a comment older than the platform's 7 days for a private reply cannot be
    answered privately, and a comment on the post would go with it: the page says so,
    and the archive notes why beside its record; the others are told."""
    c = connected
    post = _published(c)
    items = _three_comments(c, post)
    old = items[0]
    InboxItem.objects.filter(pk=old.pk).update(
        platform_created_at=timezone.now() - timedelta(days=8)
    )
    page = _page(client, c, post)
    assert "Forfatterne av 2 kommentarer får en privat melding" in page
    assert (
        "Forfatteren av 1 kommentar får ikke beskjed: kommentaren er mer enn 7 dager gammel, "
        "og plattformen tillater en privat melding bare de første 7 dagene." in page
    )

    with django_capture_on_commit_callbacks(execute=True):
        _take_down(client, c, post)
    assert set(c.fake.store.private_replies) == {i.platform_id for i in items[1:]}
    assert not ModerationAction.objects.filter(item=old).exists()
    (note,) = _about(old)
    extra = json.loads(note.canonical)["extra"]
    assert note.direction == "X" and extra["author_told"] is False
    assert extra["why"] == "too_old" and "mer enn 7 dager gammel" in note.text
    entry = AuditEntry.objects.get(action="post_take_down")
    assert entry.data["authors_told"] == 2 and entry.data["authors_not_told"] == 1


@pytest.mark.parametrize(
    ("setting", "why"),
    [
        ({"notify_author": False}, "kommunen har slått av beskjeder til forfatterne"),
        ({"notice_delivery": "public_reply"}, "kommunen sender beskjeder bare som offentlig"),
    ],
)
@pytest.mark.parametrize("world", ["rennebu"], indirect=True)
def test_where_the_municipality_does_not_send_private_notices_nobody_is_told(
    connected, client, django_capture_on_commit_callbacks, setting, why
):
    """MO-4 as moderation reads it (`wants_notice`, the notice route): without MO-4 the
    settings decide; a public notice would go with the post. The page says why, the
    archive notes it, nothing is sent and the deletion does not wait."""
    c = connected
    settings = settings_for(c.world.municipality)
    for name, value in setting.items():
        setattr(settings, name, value)
    settings.save()
    post = _published(c)
    items = _three_comments(c, post)
    page = _page(client, c, post)
    assert f"Forfatterne av 3 kommentarer får ikke beskjed: {why}" in page
    assert "får en privat melding" not in page

    with django_capture_on_commit_callbacks(execute=True):
        _take_down(client, c, post)
    assert c.fake.store.private_replies == {}
    assert not PlatformOp.objects.exists()
    assert all(why in _about(i)[0].text for i in items)
    assert post.deliveries.get(channel=c.facebook).status == DeliveryStatus.QUEUED


def test_a_replayed_post_tells_nobody_twice(connected, client, django_capture_on_commit_callbacks):
    """A deliberate act, idempotent: the same POST again (Back + submit) queues no second
    notice and sends no second private message."""
    c = connected
    post = _published(c)
    items = _three_comments(c, post)
    with django_capture_on_commit_callbacks(execute=False):
        _take_down(client, c, post)
        response = _take_down(client, c, post)
    assert "Innlegget er allerede tatt ned" in response.content.decode()
    assert ModerationAction.objects.filter(kind="with_post").count() == len(items)
    assert PlatformOp.objects.count() == len(items)
    assert AuditEntry.objects.filter(action="post_take_down").count() == 1


@pytest.mark.parametrize(
    ("standard", "expected"),
    [
        (
            "nb",
            "Hei! Indre Fosen kommune tar ned et innlegg på «Skolen», og kommentaren du skrev "
            "under det, blir slettet sammen med innlegget. Kommentaren blir ikke slettet på "
            "grunn av det du skrev. Har du spørsmål, kan du kontakte Indre Fosen kommune ",
        ),
        (
            "nn",
            "Hei! Indre Fosen kommune tek ned eit innlegg på «Skolen», og kommentaren du "
            "skreiv under det, blir sletta saman med innlegget. Kommentaren blir ikkje sletta "
            "på grunn av det du skreiv. Har du spørsmål, kan du kontakte Indre Fosen kommune ",
        ),
    ],
)
def test_the_notice_is_in_the_citizens_written_standard_and_names_nobody(standard, expected):
    """MO-4: Bokmål or Nynorsk as the comment is written, as other notices choose it; no
    ground (nobody judged the comment), no name, where to ask."""
    from ordstyrer.moderation.notices import render_with_post_notice

    notice = render_with_post_notice(
        policy=load_policy("indre-fosen"),
        written_standard=standard,
        channel_name="Skolen",
        municipality_name="Indre Fosen kommune",
    )
    assert notice.language == standard
    assert notice.text.startswith(expected)
    assert "Grunnen" not in notice.text
