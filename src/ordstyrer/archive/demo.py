"""Demo archive records, appended through `archive_append` (called from `setup_demo`).

A deleted spam comment, a hateful comment deleted under straffeloven § 185 with its
police evidence package prepared, an inquiry journaled as I with the municipality's
reply as U, and the moderation note (X) about banning the spammer. Idempotency
keys make a second run a no-op, so `ordstyrer archive verify --municipality demo`
and the three exports always have the same five records to show.

They are archived two days ago, when what they record happened (`_archive_times`), not
when the demo is set up: the Noark 5 deposit takes only days that are over (AR-3), so
the README's demo deposit has records to show on the day the demo is made. The times
never go back behind a record already in the chain: its order follows record numbers.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ordstyrer.archive.entry import ArchiveEntry, ContextItem, Edit, Kind, Person
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.pdf import RenderError
from ordstyrer.archive.police import current_status, police_package_prepare
from ordstyrer.archive.services import archive_append
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


def _archive_times(demo: Any, planned: list[datetime]) -> list[datetime]:
    """When each record is archived (`planned`, in the order they are appended), never
    before the last record already in the municipality's chain: a later number is never
    archived earlier, or a deposit of a closed period would leave out a record numbered
    before the ones it holds (AR-3)."""
    head = (
        ArchiveRecord.objects.filter(municipality=demo)
        .order_by("-sequence")
        .values_list("archived_at", flat=True)
        .first()
    )
    return [planned_at if head is None else max(planned_at, head) for planned_at in planned]


def setup_demo_archive(demo: Any) -> list[ArchiveRecord]:
    """Append the demo records (once) and prepare the police package (once)."""
    User = get_user_model()
    communications = User.objects.filter(username="kommunikasjon").first()
    channel = Channel.objects.filter(municipality=demo, name=demo.name).first() or (
        Channel.objects.filter(municipality=demo).order_by("id").first()
    )
    now = timezone.now().replace(microsecond=0)
    day = now - timedelta(days=2)
    # Archived when it happened: the deletions as they were made, the inquiry and the
    # reply as they were journaled, the ban note at the end of the day's moderation.
    spam_at, hate_at, inquiry_at, reply_at, note_at = _archive_times(
        demo,
        [
            day + timedelta(minutes=30),
            day + timedelta(hours=1, minutes=20),
            day + timedelta(hours=3, minutes=15),
            day + timedelta(hours=4),
            day + timedelta(hours=4, minutes=10),
        ],
    )
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
            backdated_to=spam_at,
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
            backdated_to=hate_at,
        )
        question = (
            "Hei! Jeg søkte om byggetillatelse for garasje i mars (sak 24/1234). Når får jeg svar?"
        )
        # Journaled as `journal_item` does (DI-7, AR-1), at the time it happened.
        inquiry = archive_append(
            actor=communications,
            entry=ArchiveEntry(
                **common,
                kind=Kind.JOURNAL_INBOUND,
                text=question,
                author=Person("Marit Haugen", "990003", "https://www.facebook.com/990003"),
                item_id=f"{post_id}_3003",
                created_at=day + timedelta(hours=3),
                raw=_raw(f"{post_id}_3003", "Marit Haugen", "990003", question, day),
                action="journal",
                justification="Saksbehandling hører ikke hjemme på Facebook (DI-7).",
                journal=True,
                direction="I",
                idempotency_key="demo:inquiry",
            ),
            backdated_to=inquiry_at,
        )
        answer = (
            "Hei Marit! Vi kan dessverre ikke behandle byggesaker her. Send spørsmålet til "
            "postmottak@demo.kommune.invalid, så svarer byggesak deg. Hilsen Kari"
        )
        reply = archive_append(
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
                journal=True,
                direction="U",
                idempotency_key="demo:reply",
            ),
            backdated_to=reply_at,
        )
        note = archive_append(
            actor=communications,
            entry=ArchiveEntry(
                **common,
                kind=Kind.MODERATION_NOTE,
                text="Brukeren «Rask Gevinst» er utestengt fra siden etter gjentatt spam.",
                action="ban",
                ground="spam",
                refers_to=spam,
                created_at=day + timedelta(minutes=35),
                journal=True,
                direction="X",
                idempotency_key="demo:ban-note",
            ),
            backdated_to=note_at,
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
