"""Issue #18: the dead letters of the webhook queue on a console page for communications,
with "Prøv igjen" and "Forkast" (confirmed first), both audited; other municipalities'
deliveries are neither shown nor reachable."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.conftest import make_personas
from tests.platforms.conftest import comment_value, feed_body, make_channel

pytestmark = pytest.mark.django_db

PAGE = "1717171"
OTHER_PAGE = "1616161"


@pytest.fixture
def channel(personas):
    return make_channel(personas, platform_id=PAGE)


def dead(body: bytes, error: str = "ugyldig webhook-innhold: ValidationError") -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        received_at=timezone.now(),
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        status=DeliveryStatus.FAILED,
        attempts=webhooks.MAX_ATTEMPTS,
        next_attempt_at=None,
        error=error,
    )


def url(personas, suffix: str = "") -> str:
    return f"/m/{personas.municipality.slug}/webhook-feil/{suffix}"


def test_communications_sees_its_dead_letters_and_nothing_else(client, personas, channel):
    ours = dead(feed_body([comment_value(PAGE, "222_1700")], PAGE), "222_1700: KeyError: 'x'")
    neighbours = make_personas(slug="nabo")
    make_channel(neighbours, platform_id=OTHER_PAGE)
    dead(feed_body([comment_value(OTHER_PAGE, "222_1701")], OTHER_PAGE), "nabo-feil")
    dead(b"[1, 2, 3]", "ikke en konvolutt")  # no entries: only the operators see it
    client.force_login(personas.communications)
    response = client.get(url(personas))
    assert response.status_code == 200
    page = response.content.decode()
    assert "KeyError" in page and channel.name in page
    assert "nabo-feil" not in page and "ikke en konvolutt" not in page
    assert f"/{ours.pk}/forkast/" in page
    assert "Når kommer vannet" not in page  # the comments themselves are never shown
    assert "slettes av seg selv 90 dager" in page  # and how long they are kept


@pytest.mark.parametrize("who", ["employee", "archivist", "outsider"])
def test_others_get_403_or_404(client, personas, channel, who):
    letter = dead(feed_body([comment_value(PAGE, "222_1702")], PAGE))
    client.force_login(getattr(personas, who))
    expected = 404 if who == "outsider" else 403
    assert client.get(url(personas)).status_code == expected
    assert client.get(url(personas, f"{letter.pk}/forkast/")).status_code == expected
    assert client.post(url(personas, f"{letter.pk}/forkast/")).status_code == expected
    assert client.post(url(personas, f"{letter.pk}/prov-igjen/")).status_code == expected
    assert WebhookDelivery.objects.filter(pk=letter.pk, status=DeliveryStatus.FAILED).exists()
    assert not AuditEntry.objects.filter(action__startswith="webhook_delivery").exists()


def test_another_municipalitys_delivery_is_404_to_our_communications(client, personas, channel):
    neighbours = make_personas(slug="nabo")
    make_channel(neighbours, platform_id=OTHER_PAGE)
    theirs = dead(feed_body([comment_value(OTHER_PAGE, "222_1703")], OTHER_PAGE))
    client.force_login(personas.communications)
    assert client.get(url(personas, f"{theirs.pk}/forkast/")).status_code == 404
    assert client.post(url(personas, f"{theirs.pk}/forkast/")).status_code == 404
    assert client.post(url(personas, f"{theirs.pk}/prov-igjen/")).status_code == 404
    assert WebhookDelivery.objects.filter(pk=theirs.pk).exists()


def test_retry_puts_it_back_in_the_queue_once_and_is_audited(client, personas, channel, settings):
    letter = dead(feed_body([comment_value(PAGE, "222_1704")], PAGE), "RecursionError: dyp")
    client.force_login(personas.communications)
    response = client.post(url(personas, f"{letter.pk}/prov-igjen/"), follow=True)
    assert "lagt i køen igjen" in response.content.decode()
    letter.refresh_from_db()
    assert (letter.status, letter.attempts, letter.error) == (DeliveryStatus.RECEIVED, 0, "")
    entry = AuditEntry.objects.get(action="webhook_delivery_retry")
    assert entry.actor == personas.communications and entry.municipality == personas.municipality
    assert entry.data["sha256"] == letter.sha256 and "RecursionError" in entry.data["error"]
    # A replayed form changes nothing more.
    client.post(url(personas, f"{letter.pk}/prov-igjen/"))
    assert AuditEntry.objects.filter(action="webhook_delivery_retry").count() == 1
    assert webhooks.deliveries_drain() == 1
    assert InboxItem.objects.filter(platform_id="222_1704").exists()


def test_discard_is_confirmed_first_then_deleted_and_audited(client, personas, channel):
    letter = dead(feed_body([comment_value(PAGE, "222_1705")], PAGE), "malformed")
    client.force_login(personas.communications)
    confirm = client.get(url(personas, f"{letter.pk}/forkast/"))
    assert confirm.status_code == 200 and "slettes for godt" in confirm.content.decode()
    assert WebhookDelivery.objects.filter(pk=letter.pk).exists()  # nothing yet
    response = client.post(url(personas, f"{letter.pk}/forkast/"), follow=True)
    assert "er forkastet" in response.content.decode()
    assert not WebhookDelivery.objects.filter(pk=letter.pk).exists()
    entry = AuditEntry.objects.get(action="webhook_delivery_discard")
    assert entry.data["sha256"] == letter.sha256 and entry.data["error"] == "malformed"
    again = client.post(url(personas, f"{letter.pk}/forkast/"), follow=True)
    assert "allerede" in again.content.decode()
    assert AuditEntry.objects.filter(action="webhook_delivery_discard").count() == 1


def test_a_delivery_also_for_another_municipality_cannot_be_discarded_here(
    client, personas, channel
):
    neighbours = make_personas(slug="nabo")
    make_channel(neighbours, platform_id=OTHER_PAGE)
    body = (
        b'{"object":"page","entry":[{"id":"' + PAGE.encode() + b'","changes":[]},'
        b'{"id":"' + OTHER_PAGE.encode() + b'","changes":[]}]}'
    )
    letter = dead(body)
    client.force_login(personas.communications)
    page = client.get(url(personas)).content.decode()
    assert "utenfor kommunen" in page and f"/{letter.pk}/forkast/" not in page
    response = client.post(url(personas, f"{letter.pk}/forkast/"), follow=True)
    assert "kan ikke forkastes herfra" in response.content.decode()
    assert WebhookDelivery.objects.filter(pk=letter.pk).exists()
