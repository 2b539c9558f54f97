"""A notice to an author (MO-4) during a crisis waits for the crisis leader (PU-12).

Birkenes: «I krisesituasjoner hvor rådmannen har satt kriseledelse godkjennes all
informasjon av kriseleder». A moderator deleting a comment during a declared crisis,
with «si fra til forfatteren» on (the default), used to have the notice — a comment in
the municipality's name — posted at once, only logged. Now the deletion goes on (archived
first, MO-2) and the notice is held until the crisis leader approves it in the item's
moderation panel; then it goes out on the platform, logged in the crisis. Where the
municipality's PU-12 settings let replies through, notices go out at once, as before.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.crisis.models import CrisisLogEntry
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.moderation.bans import author_ban, author_unban
from ordstyrer.moderation.models import (
    ActionStatus,
    NoticeState,
    NoticeVia,
    OpKind,
    OpStatus,
    PlatformOp,
)
from ordstyrer.moderation.services import comment_delete
from ordstyrer.tenants.services import policy_update
from tests.moderation.conftest import citizen_comment, client_for, make_world, on_platform

pytestmark = pytest.mark.django_db

RUMOUR = "Jeg har hørt at rektor på skolen er tatt for underslag, det vet alle."
WHY = "Rykte om en navngitt person, uten grunnlag."
BAN_WHY = "Gjentatte rykter om navngitte personer."


@pytest.fixture
def world(db, clock):
    return make_world("s19-krise", preset="birkenes")


def _declare(world):
    return crisis_declare(
        municipality=world.municipality, name="Flom i sentrum", actor=world.p.crisis_leader
    )


def _notice_on_page(world, text: str) -> int:
    from ordstyrer.inbox.platform import channel_connector

    with channel_connector(world.channel) as connector:
        return sum(
            1
            for c in connector.platform.state["comments"].values()
            if c["page_author"] and c["text"] == text and not c["removed"]
        )


def _said_to_the_author(world) -> int:
    """What the page has said: its own comments, and its private messages (MO-4)."""
    from ordstyrer.inbox.platform import channel_connector

    with channel_connector(world.channel) as connector:
        state = connector.platform.state
        public = sum(1 for c in state["comments"].values() if c["page_author"])
        return public + len(state.get("private_replies", {}))


def _delete(world, run, item):
    return run(
        comment_delete,
        actor=world.admin,
        item=item,
        ground="rumour",
        justification=WHY,
        notify=True,
    )


def _approve_url(world, action) -> str:
    return reverse("moderation:notice_crisis_approve", args=[world.municipality.slug, action.pk])


def _item_url(world, item) -> str:
    return reverse("inbox:detail", args=[world.municipality.slug, item.pk])


def test_a_deletions_notice_waits_for_the_crisis_leader_and_goes_out_when_approved(
    world, run, django_capture_on_commit_callbacks, mailoutbox
):
    """PU-12 (Birkenes: the crisis leader approves all information), MO-4, MO-2: the
    comment is archived and deleted at once; the notice is not posted until the crisis
    leader approves it, then it is, on the simulated page, and both are in the crisis log."""
    crisis = _declare(world)
    item = citizen_comment(world.channel, RUMOUR)

    action = _delete(world, run, item)

    # The deletion itself does not wait: archived first, then gone from the platform.
    assert action.status == ActionStatus.DONE
    assert ArchiveRecord.objects.filter(pk=action.archive_record_id).exists()
    assert on_platform(world.channel, item.platform_id)["removed"]
    # The notice does: nothing in the municipality's name before the crisis leader saw it.
    assert action.notify and action.notice_text
    assert _said_to_the_author(world) == 0
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    (notice,) = PlatformOp.objects.filter(action=action, kind__in=(OpKind.NOTICE, "private"))
    assert notice.status == OpStatus.HELD and notice.attempts == 0
    # A private reply needs the comment, which is deleted: public, without the name.
    assert notice.kind == OpKind.NOTICE and action.notice_via == NoticeVia.PUBLIC_REPLY
    assert "Ola" not in action.notice_text
    assert not CrisisLogEntry.objects.filter(crisis=crisis, kind="notice_sent").exists()

    # The outbox sweep does not send it either.
    from ordstyrer.moderation.outbox import outbox_sweep

    run(outbox_sweep, now=notice.created_at)
    notice.refresh_from_db()
    assert notice.status == OpStatus.HELD

    # The crisis leader is told by e-mail, with a link to the held notices, and approves
    # it there (the crisis leader does not read the channel's inbox, CH-3).
    held_url = reverse("moderation:crisis_notices", args=[world.municipality.slug])
    (mail,) = [m for m in mailoutbox if world.p.crisis_leader.email in m.to]
    assert held_url in mail.body and "PU-12" in mail.body
    leader = client_for(world.p.crisis_leader)
    page = leader.get(held_url).content.decode()
    assert _approve_url(world, action) in page and action.notice_text.split()[0] in page
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(_approve_url(world, action), {"next": held_url})
    assert response.status_code == 302

    action.refresh_from_db()
    notice.refresh_from_db()
    assert notice.status == OpStatus.DONE
    assert action.notice_state == NoticeState.SENT
    assert action.notice_crisis_approved_by == world.p.crisis_leader
    assert _notice_on_page(world, action.notice_text) == 1
    assert _said_to_the_author(world) == 1
    kinds = list(
        CrisisLogEntry.objects.filter(crisis=crisis, object_kind="moderation_action").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["reply_approved", "notice_sent"]


def test_the_moderator_is_told_the_notice_waits_and_cannot_approve_it(
    world, run, django_capture_on_commit_callbacks
):
    """PU-12: the panel says the notice waits for the crisis leader; only the crisis
    leader (or a deputy) approves — not the moderator, not an outsider (404)."""
    _declare(world)
    item = citizen_comment(world.channel, RUMOUR)
    action = _delete(world, run, item)

    moderator = client_for(world.admin)
    page = moderator.get(_item_url(world, item)).content.decode()
    assert "venter på kriselederen" in page and _approve_url(world, action) not in page
    held_url = reverse("moderation:crisis_notices", args=[world.municipality.slug])
    assert held_url in page
    listed = moderator.get(held_url).content.decode()
    assert action.notice_text.split()[0] in listed and _approve_url(world, action) not in listed
    # Someone neither moderating nor in the crisis staff does not see the page.
    assert client_for(world.editor).get(held_url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        moderator.post(_approve_url(world, action))
    action.refresh_from_db()
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL

    outsider = client_for(world.p.outsider)
    assert outsider.post(_approve_url(world, action)).status_code == 404
    action.refresh_from_db()
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    assert _notice_on_page(world, action.notice_text) == 0


def test_a_notice_held_when_the_crisis_ends_still_waits_for_the_crisis_leader(world, run):
    """PU-12, as for held replies: the end of the crisis decides nothing; approved after
    it, the notice goes out and is logged in the crisis that held it."""
    crisis = _declare(world)
    item = citizen_comment(world.channel, RUMOUR)
    action = _delete(world, run, item)
    crisis_end(municipality=world.municipality, actor=world.p.crisis_leader)
    assert _said_to_the_author(world) == 0

    from ordstyrer.moderation.outbox import outbox_sweep

    run(outbox_sweep, now=action.requested_at)
    action.refresh_from_db()
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    assert _notice_on_page(world, action.notice_text) == 0

    from ordstyrer.moderation.crisis_notices import notice_crisis_approve

    action = run(notice_crisis_approve, actor=world.p.crisis_leader, action=action)
    assert action.notice_state == NoticeState.SENT
    assert _said_to_the_author(world) == 1
    assert _notice_on_page(world, action.notice_text) == 1
    assert CrisisLogEntry.objects.filter(
        crisis=crisis, kind="notice_sent", object_id=str(action.pk)
    ).exists()


def test_where_replies_go_through_in_a_crisis_the_notice_goes_out_at_once(world, run):
    """PU-12 with `approve_replies = false` (the supported override): nothing changes —
    the notice is sent at once and logged in the crisis."""
    policy_update(
        actor=world.p.chief_administrator,  # PU-12 is the rådmann's
        municipality=world.municipality,
        overrides={"PU-12": {"approve_replies": False}},
        reason="Svar går ut under krise.",
    )
    crisis = _declare(world)
    item = citizen_comment(world.channel, RUMOUR)

    action = _delete(world, run, item)

    assert action.status == ActionStatus.DONE
    assert action.notice_state == NoticeState.SENT
    assert set(PlatformOp.objects.filter(action=action).values_list("status", flat=True)) == {
        OpStatus.DONE
    }
    assert _said_to_the_author(world) == 1
    assert CrisisLogEntry.objects.filter(
        crisis=crisis, kind="notice_sent", object_id=str(action.pk)
    ).exists()


def test_a_ban_notice_waits_too_and_lifting_the_ban_withdraws_it(world, run):
    """PU-12, MO-4: a ban's notice is held like a deletion's; the ban itself is made at
    once, and lifting it withdraws the notice that never went out."""
    _declare(world)
    item = citizen_comment(world.channel, RUMOUR)

    ban = run(
        author_ban,
        actor=world.admin,
        item=item,
        ground="rumour",
        justification=BAN_WHY,
        notify=True,
    )

    assert ban.status == ActionStatus.DONE
    assert _said_to_the_author(world) == 0
    assert ban.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    (notice,) = PlatformOp.objects.filter(action=ban, kind__in=(OpKind.NOTICE, "private"))
    assert notice.status == OpStatus.HELD

    run(author_unban, actor=world.admin, item=item, justification="Feil person.")
    ban.refresh_from_db()
    notice.refresh_from_db()
    assert ban.notice_state == NoticeState.CANCELLED
    assert notice.status == OpStatus.CANCELLED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_held_notice_in_the_browser(page, live_server):
    """PU-12 in Debian's headless Chromium, axe-core on each page: the moderator's panel
    says the notice waits; the crisis leader approves it on the page of held notices."""
    from playwright.sync_api import expect

    from tests.browser_support import assert_accessible, login

    world = make_world("s19-krise-nett", preset="birkenes")
    _declare(world)
    item = citizen_comment(world.channel, RUMOUR)
    action = comment_delete(
        actor=world.admin, item=item, ground="rumour", justification=WHY, notify=True
    )
    action.refresh_from_db()
    assert action.notice_state == NoticeState.AWAITING_CRISIS_APPROVAL
    base, slug = live_server.url, world.municipality.slug

    login(page, base, world.admin)
    page.goto(f"{base}/m/{slug}/innboks/{item.pk}/")
    held = page.locator(f"#notice-held-{action.pk}-box")
    expect(held).to_contain_text("venter på kriselederen")
    assert_accessible(page)

    login(page, base, world.p.crisis_leader)
    page.goto(f"{base}/m/{slug}/moderering/krise/")
    expect(page.get_by_role("heading", name="Beskjeder som venter på kriselederen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Godkjenn og send beskjeden").click()
    expect(page.get_by_text("Beskjeden er godkjent og sendes nå.")).to_be_visible()
    expect(page.get_by_text("Ingen beskjeder venter på kriselederen.")).to_be_visible()
    assert_accessible(page)
    action.refresh_from_db()
    assert action.notice_state == NoticeState.SENT
