"""Demo archive records, appended through `archive_append` (called from `setup_demo`).

A deleted spam comment, a hateful comment deleted under straffeloven § 185 with its
police evidence package prepared, an inquiry journaled as I with the municipality's
reply as U, and the moderation note (X) about banning the spammer. Idempotency
keys make a second run a no-op, so `ordstyrer archive verify --municipality demo`
and the three exports always have the same five records to show.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ordstyrer.archive.entry import ArchiveEntry, ContextItem, Edit, Kind, Person
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.pdf import RenderError
from ordstyrer.archive.police import current_status, police_package_prepare
from ordstyrer.archive.services import archive_append, journal_item
from ordstyrer.channels.models import Channel

logger = logging.getLogger("ordstyrer.archive")
PAGE_ID = "104857600000001"
POST = "Velkommen til 17. mai-feiring på torget! Toget går kl. 11 fra skolen."


def _raw(item_id: str, name: str, user_id: str, message: str, created: Any) -> dict[str, Any]:
    # The shape of a Graph API comment (meta-graph-api.md), as the connector reads it.
    return {
        "id": item_id,
        "message": message,
        "from": {"id": user_id, "name": name},
        "created_time": created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/2001?comment_id={item_id}",
    }


def setup_demo_archive(demo: Any) -> list[ArchiveRecord]:
    """Append the demo records (once) and prepare the police package (once)."""
    User = get_user_model()
    communications = User.objects.filter(username="kommunikasjon").first()
    channel = Channel.objects.filter(municipality=demo, name=demo.name).first() or (
        Channel.objects.filter(municipality=demo).order_by("id").first()
    )
    now = timezone.now().replace(microsecond=0)
    day = now - timedelta(days=2)
    post_id = f"{PAGE_ID}_2001"
    common: dict[str, Any] = {
        "municipality": demo,
        "channel": channel,
        "post_id": post_id,
        "post_text": POST,
    }
    records: list[ArchiveRecord] = []
    with transaction.atomic():
        spam_text = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
        spam = archive_append(
            actor=communications,
            entry=ArchiveEntry(
                **common,
                kind=Kind.DELETED_COMMENT,
                text=spam_text,
                author=Person("Rask Gevinst", "990001", "https://www.facebook.com/990001"),
                item_id=f"{post_id}_3001",
                permalink=f"https://www.facebook.com/{PAGE_ID}/posts/2001?comment_id=3001",
                created_at=day,
                captured_at=day + timedelta(minutes=2),
                deleted_at=day + timedelta(minutes=30),
                raw=_raw(f"{post_id}_3001", "Rask Gevinst", "990001", spam_text, day),
                action="delete",
                ground="spam",
                justification="Reklame for pengespill, lagt inn på ti innlegg samme dag.",
                idempotency_key="demo:spam",
            ),
        )
        hate_text = "Innvandrerne er en pest for bygda. De burde jages ut, alle sammen."
        hateful = archive_append(
            actor=communications,
            entry=ArchiveEntry(
                **common,
                kind=Kind.DELETED_COMMENT,
                text=hate_text,
                edits=(Edit("Innvandrerne er en pest for bygda.", day + timedelta(hours=1)),),
                author=Person("Ola Nordmann", "990002", "https://www.facebook.com/990002"),
                item_id=f"{post_id}_3002",
                permalink=f"https://www.facebook.com/{PAGE_ID}/posts/2001?comment_id=3002",
                context=(
                    ContextItem("Kari Li", "Gleder meg til toget!", day + timedelta(minutes=40)),
                    ContextItem(
                        "Per Hansen", "Dette hører ikke hjemme her.", day + timedelta(hours=2)
                    ),
                ),
                created_at=day + timedelta(hours=1, minutes=5),
                captured_at=day + timedelta(hours=1, minutes=6),
                deleted_at=day + timedelta(hours=1, minutes=20),
                raw=_raw(f"{post_id}_3002", "Ola Nordmann", "990002", hate_text, day),
                action="delete",
                ground="hate_speech",
                justification="Hatefull ytring mot innvandrere, straffeloven § 185 annet ledd a.",
                idempotency_key="demo:hate",
            ),
        )
        question = (
            "Hei! Jeg søkte om byggetillatelse for garasje i mars (sak 24/1234). Når får jeg svar?"
        )
        inquiry = journal_item(
            actor=communications,
            entry=ArchiveEntry(
                **common,
                kind=Kind.JOURNAL_INBOUND,
                text=question,
                author=Person("Marit Haugen", "990003", "https://www.facebook.com/990003"),
                item_id=f"{post_id}_3003",
                created_at=day + timedelta(hours=3),
                raw=_raw(f"{post_id}_3003", "Marit Haugen", "990003", question, day),
                justification="Saksbehandling hører ikke hjemme på Facebook (DI-7).",
                idempotency_key="demo:inquiry",
            ),
            direction="I",
        )
        answer = (
            "Hei Marit! Vi kan dessverre ikke behandle byggesaker her. Send spørsmålet til "
            "postmottak@demo.kommune.invalid, så svarer byggesak deg. Hilsen Kari"
        )
        reply = journal_item(
            actor=communications,
            entry=ArchiveEntry(
                **common,
                kind=Kind.JOURNAL_OUTBOUND,
                text=answer,
                author=Person("Demo kommune", PAGE_ID),
                recipient=Person("Marit Haugen", "990003"),
                item_id=f"{post_id}_3004",
                created_at=day + timedelta(hours=4),
                action="reply",
                refers_to=inquiry,
                idempotency_key="demo:reply",
            ),
            direction="U",
        )
        note = journal_item(
            actor=communications,
            entry=ArchiveEntry(
                **common,
                kind=Kind.MODERATION_NOTE,
                text="Brukeren «Rask Gevinst» er utestengt fra siden etter gjentatt spam.",
                action="ban",
                ground="spam",
                refers_to=spam,
                created_at=day + timedelta(minutes=35),
                idempotency_key="demo:ban-note",
            ),
            direction="X",
        )
        records = [spam, hateful, inquiry, reply, note]
    if communications is not None and current_status(hateful) is None:
        try:
            police_package_prepare(
                actor=communications,
                record=hateful,
                provision="185",
                protected_grounds=("a",),
                note="Kommentaren ble slettet samme time; forfatteren er utestengt.",
            )
        except RenderError:  # no PDF libraries on this machine: the records are there
            logger.warning("demo police package not prepared: PDF rendering unavailable")
    return records
