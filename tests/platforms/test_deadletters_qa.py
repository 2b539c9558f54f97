"""QA: a dead-letter form posted for a delivery id that never existed is a 404, like
every other form; only a replayed one hears that it was retried or discarded already."""

from __future__ import annotations

import pytest

from ordstyrer.core.models import AuditEntry
from ordstyrer.platforms.models import WebhookDelivery
from tests.conftest import make_personas
from tests.platforms.conftest import comment_value, feed_body, make_channel
from tests.platforms.test_hardening_deadletters import PAGE, dead, url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["forkast", "prov-igjen"])
def test_an_id_that_never_existed_is_404(client, personas, action):
    client.force_login(personas.communications)
    assert client.post(url(personas, f"99999/{action}/")).status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="webhook_delivery").exists()


def test_a_replayed_discard_still_says_it_is_done_already(client, personas):
    make_channel(personas, platform_id=PAGE)
    letter = dead(feed_body([comment_value(PAGE, "222_1790")], PAGE), "malformed")
    client.force_login(personas.communications)
    client.post(url(personas, f"{letter.pk}/forkast/"), follow=True)
    assert not WebhookDelivery.objects.filter(pk=letter.pk).exists()
    again = client.post(url(personas, f"{letter.pk}/forkast/"), follow=True)
    assert again.status_code == 200
    assert "Leveringen var allerede prøvd igjen eller forkastet." in again.content.decode()
    retried = client.post(url(personas, f"{letter.pk}/prov-igjen/"), follow=True)
    assert "Leveringen var allerede prøvd igjen eller forkastet." in retried.content.decode()


def test_another_municipalitys_discarded_delivery_is_404_to_us(client, personas):
    neighbours = make_personas(slug="nabo")
    make_channel(neighbours, platform_id=PAGE)
    letter = dead(feed_body([comment_value(PAGE, "222_1791")], PAGE))
    client.force_login(neighbours.communications)
    client.post(url(neighbours, f"{letter.pk}/forkast/"))
    assert not WebhookDelivery.objects.filter(pk=letter.pk).exists()
    client.force_login(personas.communications)
    assert client.post(url(personas, f"{letter.pk}/forkast/")).status_code == 404
