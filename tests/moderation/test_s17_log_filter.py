"""The moderation log's channel filter ignores what is no channel id (a 500 before:
`"²".isdigit()` is True, and `int("²")` raises)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.moderation import services
from tests.factories import PASSWORD
from tests.moderation.conftest import citizen_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "①", "١٢", "9" * 30, "-1", "1.0", " 1", ""])
def test_a_channel_filter_that_is_no_id_shows_every_channel(world, value):
    item = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!!")
    services.comment_hide(actor=world.main_admin, item=item)
    client = Client()
    assert client.login(username=world.p.communications.username, password=PASSWORD)
    url = reverse("moderation:log", args=[world.municipality.slug])
    response = client.get(url, {"kanal": value})
    assert response.status_code == 200
    assert response.context["chosen_channel"] is None
    assert [a.item_id for a in response.context["page"]] == [item.pk]


def test_a_channel_filter_with_an_id_still_filters(world):
    item = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!!")
    services.comment_hide(actor=world.main_admin, item=item)
    client = Client()
    assert client.login(username=world.p.communications.username, password=PASSWORD)
    url = reverse("moderation:log", args=[world.municipality.slug])
    shown = client.get(url, {"kanal": str(world.channel.pk)})
    assert shown.context["chosen_channel"] == world.channel.pk and len(shown.context["page"]) == 1
    other = client.get(url, {"kanal": str(world.other_channel.pk)})
    assert other.status_code == 200 and len(other.context["page"]) == 0
