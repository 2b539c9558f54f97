"""Private replies to a commenter (#15, MO-4 notices): Facebook and Instagram send
`POST /{page-id|ig-user-id}/messages` with `recipient.comment_id`, against the Graph
stand-in; one per comment; the simulated page keeps them in its world."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.base import Capability, ConnectorError, supports
from tests.connectors.conftest import NOW


def test_facebook_private_reply_reaches_the_commenter_once(fb, fake, page) -> None:
    assert supports(fb, Capability.PRIVATE_REPLIER)
    post = fake.store.create_post(page, message="Vannet er stengt", check_duplicate=False)
    c = fake.store.add_comment(
        post.id,
        from_id="5550001",
        from_name="Kari Nordmann",
        message="Spam!!!",
        created=NOW - timedelta(minutes=5),
    )
    message_id = fb.private_reply(c.id, "Hei! Vi har slettet en kommentar du skrev.")
    assert message_id.startswith("m_")
    sent = fake.store.private_replies[c.id]
    assert sent["to"] == "5550001" and sent["text"].startswith("Hei! Vi har slettet")
    assert any(p.endswith(f"{page.id}/messages") for _m, p in fake.store.requests)
    with pytest.raises(ConnectorError):  # one private reply per comment
        fb.private_reply(c.id, "En gang til.")
    with pytest.raises(ConnectorError):
        fb.private_reply(c.id, "   ")


def test_instagram_private_reply_on_the_ig_user(ig, fake, page) -> None:
    assert supports(ig, Capability.PRIVATE_REPLIER)
    m = fake.store.add_ig_media(
        page.ig_user_id,
        caption="Kulturskolen",
        media_url="https://cdn.example/a.jpg",
        alt_text="Alt",
    )
    c = fake.store.add_ig_comment(
        m.id,
        from_id="178001",
        username="kari_n",
        text="Stygg kommentar",
        created=NOW - timedelta(minutes=1),
    )
    assert ig.private_reply(c.id, "Hei! Vi har slettet en kommentar du skrev.")
    assert fake.store.private_replies[c.id]["to"] == "178001"
    assert any(p.endswith(f"{page.ig_user_id}/messages") for _m, p in fake.store.requests)


def test_a_deleted_comment_cannot_get_a_private_reply(fb, fake, page) -> None:
    post = fake.store.create_post(page, message="Skolestart", check_duplicate=False)
    c = fake.store.add_comment(
        post.id, from_id="5550002", from_name="Per Li", message="x", created=NOW
    )
    assert fb.delete_comment(c.id) is True
    with pytest.raises(ConnectorError) as info:
        fb.private_reply(c.id, "Hei!")
    assert info.value.permanent
