"""Archive test set-up: personas, a channel, entries as the moderation and inbox
services will hand them over, and tasks that run at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ordstyrer.archive.entry import (
    ArchiveEntry,
    Confidentiality,
    ContextItem,
    Edit,
    Kind,
    MediaFile,
    Person,
)
from ordstyrer.channels.models import Channel
from tests.conftest import Personas

T0 = datetime(2025, 5, 16, 8, 0, tzinfo=UTC)

# A 1×1 PNG (red pixel), a real image for the PDF/A and the packages.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63f8cfc000000301010018dd8db00000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DATA_DIR = tmp_path / "data"


def make_channel(p: Personas, name: str = "Testby kommune", kind: str = "facebook") -> Channel:
    return Channel.objects.create(
        municipality=p.municipality,
        kind=kind,
        name=name,
        status="active",
        platform_id="1234567890",
        created_at=timezone.now(),
    )


def deleted_comment(p: Personas, channel: Channel | None = None, **kw: Any) -> ArchiveEntry:
    values: dict[str, Any] = {
        "municipality": p.municipality,
        "kind": Kind.DELETED_COMMENT,
        "text": "Innvandrerne er en pest. Jag dem ut av bygda!",
        "edits": (Edit("Innvandrerne er en pest.", T0 - timedelta(minutes=5)),),
        "author": Person("Ola Nordmann", "100200300", "https://www.facebook.com/100200300"),
        "channel": channel,
        "post_id": "1234567890_111",
        "item_id": "1234567890_111_222",
        "permalink": "https://www.facebook.com/1234567890/posts/111?comment_id=222",
        "post_text": "Velkommen til 17. mai-feiring på torget kl. 11.",
        "context": (
            ContextItem("Kari Li", "Gleder meg!", T0 - timedelta(minutes=20), "1234567890_111_221"),
            ContextItem("Per Hansen", "Så hyggelig 🎉", T0 + timedelta(minutes=3)),
        ),
        "created_at": T0,
        "captured_at": T0 + timedelta(minutes=1),
        "deleted_at": T0 + timedelta(minutes=10),
        "media": (MediaFile("bilde.png", "image/png", PNG),),
        "raw": {
            "id": "1234567890_111_222",
            "message": "Innvandrerne er en pest. Jag dem ut av bygda!",
            "from": {"id": "100200300", "name": "Ola Nordmann"},
            "created_time": "2025-05-16T08:00:00+0000",
        },
        "action": "delete",
        "ground": "hate_speech",
        "justification": "Hatefull ytring mot innvandrere (strl. § 185 a).",
    }
    values.update(kw)
    return ArchiveEntry(**values)


def inquiry(p: Personas, channel: Channel | None = None, **kw: Any) -> ArchiveEntry:
    values: dict[str, Any] = {
        "municipality": p.municipality,
        "kind": Kind.JOURNAL_INBOUND,
        "text": "Hei, jeg søkte om byggetillatelse i mars. Når får jeg svar?",
        "author": Person("Marit Haugen", "555"),
        "channel": channel,
        "item_id": "1234567890_333",
        "created_at": T0,
        "raw": '{"id": "1234567890_333", "message": "Hei"}',
    }
    values.update(kw)
    return ArchiveEntry(**values)


CONFIDENTIAL = Confidentiality()


APPEND_ONLY_TABLES = (
    "archive_archiverecord",
    "archive_archivefile",
    "archive_archiverendering",
    "archive_policereportstatus",
)


def tamper(sql: str, params: tuple = ()) -> None:
    """Change the archive behind the services' back, as an intruder with database access
    would. On PostgreSQL the AR-3 trigger is switched off around it (the table owner can)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks pending in the test's transaction block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in APPEND_ONLY_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in APPEND_ONLY_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
