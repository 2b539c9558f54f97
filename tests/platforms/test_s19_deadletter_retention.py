"""Dead letters of the webhook queue are not kept for ever (PU-1; GDPR art. 5(1)(e);
docs/privacy.md): their bodies are whole — comment texts, authors' names, national ID
numbers. One no municipality can see any more (its Page disconnected) or ever could (no
readable entry) is deleted 30 days after receipt, as a processed body; one a
municipality still sees waits 90 days for communications to retry or discard it. The
operators list and discard any of them with `ordstyrer webhook-deadletters`."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ordstyrer.core.models import AuditEntry
from ordstyrer.core.worker import registered_sweeps
from ordstyrer.platforms import connections, deadletters, webhooks
from ordstyrer.platforms.models import DeliveryStatus, PlatformConnection, WebhookDelivery
from tests.platforms.conftest import comment_value, feed_body, make_channel

pytestmark = pytest.mark.django_db

PAGE = "1919191"
LINKED_PAGE = "1919192"
IG_ACCOUNT = "17841919"
TEXT = "Når kommer vannet tilbake? Blåbær på Ørsta."


def dead(body: bytes, *, received: datetime, error: str = "222: KeyError: 'x'") -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        received_at=received,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        status=DeliveryStatus.FAILED,
        attempts=webhooks.MAX_ATTEMPTS,
        next_attempt_at=None,
        error=error,
    )


def retention_sweeps(now: datetime) -> None:
    """Every retention sweep the platforms app registers with the worker."""
    for sweep in registered_sweeps():
        if sweep.name.startswith("platforms.") and "retention" in sweep.name:
            sweep.func(now=now)


def exists(delivery: WebhookDelivery) -> bool:
    return WebhookDelivery.objects.filter(pk=delivery.pk).exists()


def test_a_dead_letter_of_a_disconnected_page_is_seen_by_nobody_and_deleted_after_30_days(
    personas, caplog
):
    """PU-1: once its Page is disconnected nobody can retry or discard it; it goes after
    `webhooks.RETENTION`, counted from its receipt, with one log line of counts."""
    now = timezone.now()
    channel = make_channel(personas, platform_id=PAGE)
    letter = dead(feed_body([comment_value(PAGE, "222_1901")], PAGE), received=now)
    assert [
        d.delivery.pk
        for d in deadletters.dead_letters_for(
            user=personas.communications, municipality=personas.municipality
        )
    ] == [letter.pk]
    connections.connection_disconnect(actor=personas.employee, channel=channel, now=now)
    assert (
        deadletters.dead_letters_for(
            user=personas.communications, municipality=personas.municipality
        )
        == []
    )
    # A failed one whose next attempt is planned is no dead letter: the queue has it.
    waiting = WebhookDelivery.objects.create(
        received_at=now,
        body=b'{"entry": []}',
        sha256="a" * 64,
        status=DeliveryStatus.FAILED,
        attempts=1,
        next_attempt_at=now + timedelta(days=40),
        error="x",
    )

    retention_sweeps(now + webhooks.RETENTION - timedelta(minutes=1))
    assert exists(letter)
    with caplog.at_level(logging.INFO, logger="ordstyrer.platforms"):
        retention_sweeps(now + webhooks.RETENTION + timedelta(minutes=1))
    assert not exists(letter)
    assert exists(waiting)
    [line] = [r for r in caplog.records if r.getMessage() == "dead webhook deliveries deleted"]
    assert (line.expired, line.orphaned) == (0, 1)
    assert TEXT not in str(line.__dict__) and "Kari" not in str(line.__dict__)


def test_a_body_with_no_readable_entry_is_deleted_after_30_days(personas):
    """PU-1: no municipality ever sees a body with no readable entry."""
    now = timezone.now()
    make_channel(personas, platform_id=PAGE)
    letter = dead(b'{"object": "page", "entry": "' + TEXT.encode() + b'"}', received=now)
    retention_sweeps(now + timedelta(days=29))
    assert exists(letter)
    retention_sweeps(now + timedelta(days=31))
    assert not exists(letter)


def test_one_a_municipality_sees_is_kept_until_90_days(personas):
    """PU-1: communications has 90 days to retry or discard a dead letter it sees; an
    Instagram connection's linked Page counts as seen, as on the console page."""
    now = timezone.now()
    make_channel(personas, platform_id=PAGE)
    ig = make_channel(personas, kind="instagram", name="Instagram", platform_id=IG_ACCOUNT)
    PlatformConnection.objects.filter(channel=ig).update(page_id=LINKED_PAGE)
    ours = dead(feed_body([comment_value(PAGE, "222_1902")], PAGE), received=now)
    linked = dead(feed_body([comment_value(LINKED_PAGE, "222_1903")], LINKED_PAGE), received=now)
    seen = deadletters.dead_letters_for(
        user=personas.communications, municipality=personas.municipality
    )
    assert {d.delivery.pk for d in seen} == {ours.pk, linked.pk}

    retention_sweeps(now + timedelta(days=89, hours=23))
    assert exists(ours) and exists(linked)
    retention_sweeps(now + timedelta(days=90, minutes=1))
    assert not exists(ours) and not exists(linked)


def test_the_operators_list_without_the_body_and_discard_one_audited(personas, capsys):
    """PU-1: `ordstyrer webhook-deadletters --list` shows id, receipt, size, who sees it
    and the error, never the text; `--discard ID` deletes it with an audit entry."""
    now = timezone.now()
    make_channel(personas, platform_id=PAGE)
    ours = dead(feed_body([comment_value(PAGE, "222_1904")], PAGE), received=now)
    orphan = dead(
        feed_body([comment_value("8888888", "222_1905")], "8888888"),
        received=now,
        error="ugyldig webhook-innhold: ValidationError",
    )

    call_command("webhook_deadletters", "--list")
    listed = capsys.readouterr().out
    assert f"\n{ours.pk}\t" in listed and f"\n{orphan.pk}\t" in listed
    assert str(len(orphan.body)) in listed and "ValidationError" in listed
    assert personas.municipality.slug in listed and "ingen" in listed
    assert TEXT not in listed and "Kari Nordmann" not in listed

    call_command("webhook_deadletters", "--discard", str(orphan.pk))
    assert "er forkastet" in capsys.readouterr().out
    assert not exists(orphan) and exists(ours)
    entry = AuditEntry.objects.get(action="webhook_delivery_discard")
    assert entry.object_id == str(orphan.pk) and entry.actor is None
    assert entry.data["sha256"] == orphan.sha256 and "ValidationError" in entry.data["error"]
    assert entry.municipality is None  # nobody saw it

    with pytest.raises(CommandError, match="Fant ingen levering"):
        call_command("webhook_deadletters", "--discard", str(orphan.pk))
    call_command("webhook_deadletters", "--discard", str(ours.pk))
    assert AuditEntry.objects.get(object_id=str(ours.pk)).municipality == personas.municipality
