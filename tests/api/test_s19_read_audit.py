"""Reads of citizens' text and of the archive through a token are in the audit log
(api.md "Authentication": every use is attributable; PU-1, AR-1): one `api_read` entry
per request with the token's id, the method, the path and the count — never the query
string, whose filter values may hold personal data."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ordstyrer.archive.exports import export_path, exports_dir
from ordstyrer.archive.models import ArchiveExport, ExportStatus
from ordstyrer.core.models import AuditEntry
from tests.api.conftest import ApiClient, citizen_comment, token_for

SEARCH = "Ola Nordmann"


def reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="api_read").order_by("pk"))


def test_inbox_reads_are_audited_without_the_query(world):
    """PU-1."""
    secret = token_for(world.p.communications, world.municipality)
    prefix = secret.split("_")[1]
    api = ApiClient(secret)
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    citizen_comment(world.channel, "Og biblioteket?")
    listed = api.get("/api/v1/m/apiby/inbox/items", category=SEARCH, limit=1)
    assert listed.status_code == 200
    detail = api.get(f"/api/v1/m/apiby/inbox/items/{item.pk}")
    assert detail.status_code == 200
    first, second = reads()
    assert first.actor == second.actor == world.p.communications
    assert first.municipality == world.municipality
    assert first.data == {
        "token": prefix,
        "method": "GET",
        "path": "/api/v1/m/apiby/inbox/items",
        "count": len(listed.json()["items"]),
    }
    assert second.data["path"] == f"/api/v1/m/apiby/inbox/items/{item.pk}"
    assert second.data["count"] == 1
    assert SEARCH not in str(first.data) and secret not in str(first.data)
    # Reads of nothing personal are not logged one by one.
    api.get("/api/v1/me")
    api.get("/api/v1/m/apiby/crisis")
    assert len(reads()) == 2


def test_archive_reads_and_downloads_are_audited(world, settings, tmp_path):
    """AR-1."""
    settings.DATA_DIR = tmp_path
    secret = token_for(world.p.communications, world.municipality)
    api = ApiClient(secret)
    records = api.get("/api/v1/m/apiby/archive/records", kind="comment")
    assert records.status_code == 200
    export = ArchiveExport.objects.create(
        municipality=world.municipality,
        format="noark5-uttrekk",
        since=date(2026, 1, 1),
        until=date(2026, 1, 31),
        status=ExportStatus.DONE,
        requested_by=world.p.communications,
        requested_at=timezone.now(),
        file_name="uttrekk.zip",
    )
    exports_dir().mkdir(parents=True)
    export_path(export).write_bytes(b"PK\x03\x04")
    download = api.get(f"/api/v1/m/apiby/archive/exports/{export.pk}/download")
    assert download.status_code == 200
    listed, fetched = reads()
    assert listed.data["path"] == "/api/v1/m/apiby/archive/records"
    assert listed.data["count"] == len(records.json()["items"])
    assert fetched.data["path"] == f"/api/v1/m/apiby/archive/exports/{export.pk}/download"
    assert fetched.data["count"] == 1 and fetched.data["token"] == secret.split("_")[1]
    # A refused read (another municipality's path) reads nothing and logs nothing.
    assert api.get("/api/v1/m/annenby/archive/records").status_code == 404
    assert len(reads()) == 2
