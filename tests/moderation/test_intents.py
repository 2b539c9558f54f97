"""One moderation action per intent (#15): every moderation form carries a key made when
it is rendered; a double click, Back + submit or a retried request returns the first
action instead of acting twice (MO-1, MO-2: one deletion, one archive record)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.intents import clean_intent_key, new_intent_key
from ordstyrer.moderation import bans, services
from ordstyrer.moderation.models import ModerationAction, ModerationSettings, PlatformOp
from tests.moderation.conftest import citizen_comment, client_for

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


def mod_url(world, name: str, *args) -> str:
    return reverse(f"moderation:{name}", args=[world.municipality.slug, *args])


def keys_in(html: str) -> list[str]:
    return re.findall(r'name="intent_key" value="([0-9a-f]{32})"', html)


def test_keys_are_fresh_per_render_and_only_ours_are_used():
    assert new_intent_key() != new_intent_key()
    assert clean_intent_key(new_intent_key()) != ""
    for bad in ("", "short", "x" * 65, "a b c d e f g h i j", None, "<script>alert(1)</script>"):
        assert clean_intent_key(bad) == ""


def test_a_replayed_deletion_returns_the_first(world, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    key = new_intent_key()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.comment_delete(
            actor=world.admin, item=item, ground="spam", justification=WHY, intent_key=key
        )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.comment_delete(
            actor=world.admin, item=item, ground="spam", justification=WHY, intent_key=key
        )
    assert again.pk == first.pk and not callbacks
    assert ModerationAction.objects.filter(kind="delete").count() == 1
    assert ArchiveRecord.objects.filter(kind="deleted_comment").count() == 1
    assert PlatformOp.objects.filter(kind="delete").count() == 1
    # Without the key a second deletion is refused, as before.
    with pytest.raises(ServiceError, match="ikke lenger på plattformen"):
        services.comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)


def test_replayed_hide_unhide_ban_and_unban_return_the_first(world):
    item = citizen_comment(world.channel, SPAM)
    hide, unhide, ban, unban = (new_intent_key() for _ in range(4))
    first = services.comment_hide(actor=world.admin, item=item, intent_key=hide)
    # The hide is still under way: a replay is the same action, not "already hidden".
    assert services.comment_hide(actor=world.admin, item=item, intent_key=hide).pk == first.pk
    item.refresh_from_db()
    item.hidden = True
    item.save(update_fields=["hidden"])
    ModerationAction.objects.filter(pk=first.pk).update(status="done")
    shown = services.comment_unhide(actor=world.admin, item=item, intent_key=unhide)
    assert services.comment_unhide(actor=world.admin, item=item, intent_key=unhide).pk == shown.pk
    banned = bans.author_ban(
        actor=world.main_admin, item=item, ground="spam", justification=WHY, intent_key=ban
    )
    again = bans.author_ban(
        actor=world.main_admin, item=item, ground="spam", justification=WHY, intent_key=ban
    )
    assert again.pk == banned.pk
    # A ban is lifted once it is finished (blocked, its notice out), as a hide is shown
    # again once it is done.
    ModerationAction.objects.filter(pk=banned.pk).update(status="done", notice_state="sent")
    lifted = bans.author_unban(actor=world.main_admin, item=item, intent_key=unban)
    assert bans.author_unban(actor=world.main_admin, item=item, intent_key=unban).pk == lifted.pk
    counts = {
        k: ModerationAction.objects.filter(kind=k).count()
        for k in ("hide", "unhide", "ban", "unban")
    }
    assert counts == {"hide": 1, "unhide": 1, "ban": 1, "unban": 1}


def test_the_same_approval_posted_twice_stands_once(world, django_capture_on_commit_callbacks):
    ModerationSettings.objects.create(municipality=world.municipality, second_approver=True)
    item = citizen_comment(world.channel, SPAM)
    pending = services.comment_delete(
        actor=world.admin, item=item, ground="spam", justification=WHY
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.deletion_approve(actor=world.main_admin, action=pending)
    pending.refresh_from_db()
    again = services.deletion_approve(actor=world.main_admin, action=pending)
    assert again.pk == pending.pk and again.approved_by == world.main_admin
    assert PlatformOp.objects.filter(kind="capture").count() == 1


def test_the_confirmation_replayed_in_the_browser_deletes_once(
    world, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    client = client_for(world.admin)
    page = client.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
    keys = keys_in(page.content.decode())
    assert len(keys) == len(set(keys)) >= 3  # hide, delete, ban: each its own
    again = client.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
    assert not set(keys) & set(keys_in(again.content.decode()))  # fresh per render
    delete_key = re.search(
        r'id="mod-delete-form".*?name="intent_key" value="([0-9a-f]{32})"',
        page.content.decode(),
        re.S,
    ).group(1)
    data = {"ground": "spam", "justification": WHY, "intent_key": delete_key}
    confirm = client.post(mod_url(world, "delete", item.pk), data).content.decode()
    assert f'value="{delete_key}"' in confirm  # the confirmation carries the same key
    for _attempt in range(3):  # double click, then Back + submit
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(mod_url(world, "delete", item.pk), {**data, "confirmed": "1"})
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
        assert "Kommentaren er arkivert og slettes nå." in html
        assert "allerede slettet" not in html
    assert ModerationAction.objects.filter(kind="delete").count() == 1
    # An outsider replaying the post gets 404 and changes nothing.
    outsider = client_for(world.p.outsider)
    assert (
        outsider.post(mod_url(world, "delete", item.pk), {**data, "confirmed": "1"}).status_code
        == 404
    )
    assert ModerationAction.objects.filter(kind="delete").count() == 1
