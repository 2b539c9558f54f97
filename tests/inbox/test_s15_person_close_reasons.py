"""A person never closes an item as "channel retired" or "removed by the author": those
are the system's reasons (CH-1, CH-3; DI-1 — a retired channel's close is no response in
time, so offering it would let anyone take an item out of the response-time report)."""

from __future__ import annotations

import pytest

from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox import services
from ordstyrer.inbox.models import CloseReason, ItemStatus
from tests.inbox.conftest import comment, ingest, item_page, signed_in

pytestmark = pytest.mark.django_db


def test_the_close_form_and_the_work_list_offer_only_a_persons_reasons(world):
    item = ingest(world.channel, comment("c1"))
    page = item_page(world, item)
    listing = signed_in(world.editor).get(f"/m/{world.municipality.slug}/innboks/")
    for html in (page, listing.content.decode()):
        assert 'value="no_reply_needed"' in html
        assert 'value="channel_retired"' not in html
        assert 'value="author_removed"' not in html


@pytest.mark.parametrize("reason", [CloseReason.CHANNEL_RETIRED, CloseReason.AUTHOR_REMOVED])
def test_a_system_reason_is_refused_on_the_item_page_and_in_bulk(world, reason):
    item = ingest(world.channel, comment("c1"))
    client = signed_in(world.editor)
    base = f"/m/{world.municipality.slug}/innboks/"
    client.post(f"{base}{item.pk}/status/", {"action": "close", "close_reason": reason})
    client.post(
        f"{base}handling/", {"row": f"close:{item.pk}", "close_reason": reason}, follow=True
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW and item.open and item.close_reason == ""
    with pytest.raises(ServiceError, match="Velg hvorfor henvendelsen lukkes"):
        services.item_set_status(actor=world.editor, item=item, action="close", close_reason=reason)
