"""MO-4 / PU-6: a failed notice to the author of a comment that goes with a post taken
down offers only what can work (s21).

The notice (`ActionKind.WITH_POST`, `moderation.with_post`) is a private reply sent
before the post is deleted. When it failed, the item's panel and the action's page
offered «Send som offentlig kommentar, uten navn» — a comment on a post that is gone,
or going, with the comments under it. Now they offer a private reply only while the
comment is still there and the platform allows one, else only «Registrer at beskjeden
er gitt» (told another way), and say why; a replayed or forged POST of the public way
is refused by the service with a Norwegian message, and nothing is queued. The other
places that speak of these notices — the crisis leader's page of held notices and the
e-mails — offer no way to send one again.

Set-up: the Graph stand-in and the helpers of `test_s20_takedown_notices`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from ordstyrer.core.errors import ServiceError
from ordstyrer.crisis.services import crisis_declare
from ordstyrer.moderation import notice_followup
from ordstyrer.moderation.models import ModerationAction, NoticeState, OpStatus, PlatformOp
from ordstyrer.moderation.outbox import op_run
from ordstyrer.publishing import delivery
from tests.publishing.test_s20_takedown_notices import (
    _comment,
    _published,
    _still_on_platform,
    _take_down,
)

pytestmark = pytest.mark.django_db

PUBLIC_BUTTON = "Send som offentlig kommentar, uten navn"
PRIVATE_BUTTON = "Send som privat melding"
BY_HAND = "Registrer at beskjeden er gitt"
WHY_NOT_PUBLIC = (
    "Kommentaren slettes sammen med innlegget kommunen tar ned, så beskjeden kan ikke "
    "sendes som offentlig kommentar på innlegget."
)
REFUSED_PUBLIC_NOR_PRIVATE = (
    "Kommentaren slettes sammen med innlegget kommunen tar ned, så beskjeden kan ikke "
    "sendes som offentlig kommentar på innlegget, og plattformen kan ikke sende en privat "
    "melding om den"
)
REFUSED_PUBLIC = (
    "Kommentaren slettes sammen med innlegget kommunen tar ned, så beskjeden kan ikke "
    "sendes som offentlig kommentar på innlegget. Send den som privat melding, eller "
    "registrer at forfatteren har fått beskjed på en annen måte."
)


def _pages(client, c, action: ModerationAction) -> dict[str, str]:
    """The item's page (its moderation panel) and the action's page, as the channel's
    administrator sees them."""
    slug = c.world.municipality.slug
    client.force_login(c.world.p.employee)  # the channel's main administrator
    pages = {}
    for name, url in (
        ("item", reverse("inbox:detail", args=[slug, action.item_id])),
        ("action", reverse("moderation:action", args=[slug, action.pk])),
    ):
        response = client.get(url)
        assert response.status_code == 200
        pages[name] = response.content.decode()
    return pages


def _retry(client, c, action: ModerationAction, via: str, *, user=None):
    """The retry form posted by hand (a forged or replayed form), back to the item."""
    slug = c.world.municipality.slug
    client.force_login(user or c.world.p.employee)
    return client.post(
        reverse("moderation:notice_retry", args=[slug, action.pk]),
        {"via": via, "next": reverse("inbox:detail", args=[slug, action.item_id])},
        follow=True,
    )


def _withdrawn_when_the_post_went(client, c, capture, *, crisis: bool) -> ModerationAction:
    """A post with one comment taken down; its author's notice not sent within the ten
    minutes the take-down waits (its task lost, or not approved by the crisis leader):
    withdrawn, failed, and the post deleted with the comment."""
    w = c.world
    post = _published(c)
    _comment(c, post, c.facebook, author="Ola Nordmann", author_id="5550001", text="Flott tog!")
    if crisis:
        crisis_declare(municipality=w.municipality, name="Flom i sentrum", actor=w.p.crisis_leader)
    with capture(execute=crisis):
        _take_down(client, c, post)
    row = post.deliveries.get(channel=c.facebook)
    later = row.claimed_at + timedelta(minutes=10, seconds=1)
    assert delivery.take_down_run(post_channel_id=row.pk, now=later) == "taken_down"
    assert not _still_on_platform(c, row)
    action = ModerationAction.objects.get(kind="with_post")
    assert action.notice_state == NoticeState.FAILED
    assert action.item.removed_at is not None
    return action


@pytest.mark.parametrize("crisis", [False, True], ids=["no-crisis", "crisis"])
def test_a_notice_withdrawn_when_the_post_went_can_only_be_given_another_way(
    connected, client, django_capture_on_commit_callbacks, crisis
):
    """MO-4: the comment is gone with the post: neither a public comment on the post nor
    a private reply can reach its author. The pages offer only «given another way» and
    say why; the public and the private way posted anyway are refused, with the reason,
    and queue nothing; recording it as given another way works. Nothing else — the
    crisis leader's page, the e-mails — offers to send it again."""
    c = connected
    action = _withdrawn_when_the_post_went(
        client, c, django_capture_on_commit_callbacks, crisis=crisis
    )
    ops = PlatformOp.objects.count()

    for name, page in _pages(client, c, action).items():
        assert PUBLIC_BUTTON not in page, name
        assert PRIVATE_BUTTON not in page, name
        assert 'value="public"' not in page and 'value="private"' not in page, name
        assert WHY_NOT_PUBLIC in page, name
        assert "Plattformen kan heller ikke sende en privat melding om den." in page, name
        assert BY_HAND in page, name

    with pytest.raises(ServiceError) as refused:
        notice_followup.notice_retry(actor=c.world.p.employee, action=action, private=False)
    assert refused.value.code == "public_unavailable" and refused.value.rule == "MO-4"
    assert str(refused.value.message).startswith(REFUSED_PUBLIC_NOR_PRIVATE)
    for via in ("public", "private", "anything"):
        with django_capture_on_commit_callbacks(execute=True):
            page = _retry(client, c, action, via).content.decode()
        assert REFUSED_PUBLIC_NOR_PRIVATE in page, via
        assert "Registrer at forfatteren har fått beskjed på en annen måte." in page, via
    assert PlatformOp.objects.count() == ops
    action.refresh_from_db()
    assert action.notice_state == NoticeState.FAILED

    # Another municipality's person finds nothing.
    assert _retry(client, c, action, "public", user=c.world.p.outsider).status_code == 404

    if crisis:
        client.force_login(c.world.p.crisis_leader)
        held = client.get(reverse("moderation:crisis_notices", args=[c.world.municipality.slug]))
        listed = held.content.decode()
        assert "Ingen beskjeder venter på kriselederen." in listed
        assert PUBLIC_BUTTON not in listed and "offentlig kommentar" not in listed
    assert not any("offentlig kommentar" in m.body for m in mail.outbox)

    notice_followup.notice_mark_delivered(
        actor=c.world.p.employee, action=action, note="ringt 7. des., forklarte hvorfor"
    )
    action.refresh_from_db()
    assert action.notice_state == NoticeState.DELIVERED_BY_HAND


def test_a_notice_that_failed_while_the_comment_is_still_there_can_be_sent_privately(
    connected, client, django_capture_on_commit_callbacks
):
    """MO-4: the private reply was refused while the post, and so the comment, is still
    out: the pages offer a private reply again (and «given another way»), never a public
    comment on the post; the public way posted anyway is refused and nothing is posted;
    the private way sends it."""
    c = connected
    post = _published(c)
    item = _comment(
        c, post, c.facebook, author="Ola Nordmann", author_id="5550001", text="Flott tog!"
    )
    with django_capture_on_commit_callbacks(execute=False):
        _take_down(client, c, post)
    row = post.deliveries.get(channel=c.facebook)
    c.fake.inject(100, message="(#100) Invalid parameter", path="/messages", method="POST")
    op = PlatformOp.objects.get(action__item=item)
    assert op_run(op_id=op.pk) == OpStatus.FAILED
    action = ModerationAction.objects.get(kind="with_post")
    assert action.notice_state == NoticeState.FAILED
    assert _still_on_platform(c, row)
    comments_on_post = len(c.fake.store.comments_of(row.platform_id))

    for name, page in _pages(client, c, action).items():
        assert PRIVATE_BUTTON in page, name
        assert PUBLIC_BUTTON not in page and 'value="public"' not in page, name
        assert WHY_NOT_PUBLIC in page, name
        assert "Plattformen kan heller ikke" not in page, name
        assert BY_HAND in page, name

    ops = PlatformOp.objects.count()
    with pytest.raises(ServiceError) as refused:
        notice_followup.notice_retry(actor=c.world.p.employee, action=action, private=False)
    assert str(refused.value.message) == REFUSED_PUBLIC
    with django_capture_on_commit_callbacks(execute=True):
        page = _retry(client, c, action, "public").content.decode()
    assert REFUSED_PUBLIC in page
    assert PlatformOp.objects.count() == ops
    assert len(c.fake.store.comments_of(row.platform_id)) == comments_on_post

    with django_capture_on_commit_callbacks(execute=True):
        page = _retry(client, c, action, "private").content.decode()
    assert "Beskjeden sendes på nytt som privat melding." in page
    action.refresh_from_db()
    assert action.notice_state == NoticeState.SENT and action.notice_via == "private_reply"
    assert set(c.fake.store.private_replies) == {item.platform_id}
    assert len(c.fake.store.comments_of(row.platform_id)) == comments_on_post
