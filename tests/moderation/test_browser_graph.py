"""A failed notice is visible and is sent again as a private reply — on a Facebook Page
served by the Graph API stand-in (#15; MO-4), in Debian's Chromium with axe-core.

The comment arrives the way every Facebook comment does (a poll through the Graph
connector); the ban's private reply (`POST /{page-id}/messages` with
`recipient.comment_id`) is refused once by the stand-in; the item page shows the
failure with its alternatives, and «Send som privat melding» delivers it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation import bans
from ordstyrer_fakegraph import FakeGraph
from tests.browser_support import assert_accessible, login
from tests.conftest import make_personas
from tests.publishing.conftest import make_channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


def test_a_failed_notice_on_facebook_is_sent_again_privately(
    page: Page, live_server, graph: FakeGraph
):
    from ordstyrer.platforms.connections import connection_connect_system

    p = make_personas("grafby", "indre-fosen")
    fb_page = graph.add_page("Grafby kommune")
    channel = make_channel(p, name="Grafby på Facebook", kind="facebook")
    connection_connect_system(
        channel=channel, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    post = graph.store.create_post(fb_page, message="Skolestart", check_duplicate=False)
    comment = graph.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Ola Nordmann",
        message=SPAM,
        created=datetime.now(UTC),
    )
    poll_channel(channel_id=channel.pk)
    item = InboxItem.objects.get(channel=channel, platform_id=comment.id)

    # The Page may not send messages right now: the private notice is refused once.
    graph.inject(10, path="/messages", method="POST", message="Meldinger er slått av.")
    ban = bans.author_ban(actor=p.employee, item=item, ground="spam", justification=WHY)
    ban.refresh_from_db()
    assert ban.notice_state == "failed" and comment.id not in graph.store.private_replies

    login(page, live_server.url, p.employee)  # the channel's main administrator (MO-5)
    page.goto(f"{live_server.url}/m/{p.municipality.slug}/innboks/{item.pk}/")
    box = page.locator(".mod-notice-failed")
    expect(box).to_contain_text("Beskjeden til forfatteren kom ikke fram (MO-4)")
    expect(box.get_by_role("button", name="Kopier teksten")).to_be_visible()
    expect(box.get_by_label("Gitt på en annen måte – hvordan?")).to_be_visible()
    assert_accessible(page)
    box.get_by_role("button", name="Send som privat melding").click()
    expect(page.get_by_text("Beskjeden sendes på nytt som privat melding.")).to_be_visible()
    expect(page.locator(".mod-notice-failed")).to_have_count(0)
    expect(page.locator(".mod-history")).to_contain_text("beskjed: sendt")
    assert_accessible(page)

    sent = graph.store.private_replies[comment.id]
    assert sent["to"] == "5550001" and sent["text"].startswith("Hei Ola!")
    assert any(path.endswith(f"{fb_page.id}/messages") for _m, path in graph.store.requests)
    ban.refresh_from_db()
    assert (ban.notice_state, ban.notice_via) == ("sent", "private_reply")
