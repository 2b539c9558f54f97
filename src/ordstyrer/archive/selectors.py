"""Reads of the archive for the console: lists without the heavy columns, one record
with its chain status, police steps and exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from ordstyrer.archive.canonical import chain_hash, record_columns
from ordstyrer.archive.exporters.common import OSLO
from ordstyrer.archive.models import (
    GENESIS_HASH,
    ArchiveExport,
    ArchiveRecord,
    ChainHead,
    PoliceReportStatus,
    PoliceStatus,
)
from ordstyrer.core.errors import NotFound

LIST_COLUMNS = (
    "id",
    "municipality_id",
    "sequence",
    "kind",
    "archived_at",
    "occurred_at",
    "title",
    "public_title",
    "author_name",
    "channel_id",
    "channel_name",
    "ground",
    "journal",
    "direction",
    "confidential",
)


def archive_records(
    *,
    municipality: Any,
    q: str = "",
    kind: str = "",
    ground: str = "",
    channel_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ArchiveRecord]:
    """The municipality's records, newest first, filtered; the canonical body is left
    out (lists never need it), the police state comes in the same query."""
    records = ArchiveRecord.objects.filter(municipality=municipality)
    if q:
        records = records.filter(
            Q(title__icontains=q)
            | Q(author_name__icontains=q)
            | Q(text__icontains=q)
            | Q(channel_name__icontains=q)
        )
    if kind:
        records = records.filter(kind=kind)
    if ground:
        records = records.filter(ground=ground)
    if channel_id:
        records = records.filter(channel_id=channel_id)
    if since:
        records = records.filter(archived_at__gte=datetime.combine(since, time.min, tzinfo=OSLO))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=OSLO)
        records = records.filter(archived_at__lt=end)
    police = PoliceReportStatus.objects.filter(record=OuterRef("pk"))
    return (
        records.only(*LIST_COLUMNS)
        .annotate(
            police_prepared=Exists(police),
            police_reported=Exists(police.filter(status=PoliceStatus.REPORTED)),
        )
        .order_by("-sequence")
    )


def archive_channels(*, municipality: Any) -> list[tuple[int, str]]:
    """Channels that have records, for the filter."""
    rows = (
        ArchiveRecord.objects.filter(municipality=municipality, channel_id__isnull=False)
        .values_list("channel_id", "channel_name")
        .distinct()
        .order_by("channel_name")
    )
    seen: dict[int, str] = {}
    for channel_id, name in rows:
        seen.setdefault(cast(int, channel_id), name)  # not null: filtered above
    return list(seen.items())


def chain_head(*, municipality: Any) -> tuple[int, str]:
    head = ChainHead.objects.filter(pk=municipality.pk).values_list("sequence", "head_hash").first()
    return head or (0, GENESIS_HASH)


def archive_record(*, municipality: Any, sequence: int) -> ArchiveRecord:
    record = (
        ArchiveRecord.objects.filter(municipality=municipality, sequence=sequence)
        .select_related("municipality")
        .first()
    )
    if record is None:
        raise NotFound(_("Fant ikke arkivposten."))
    return record


@dataclass(frozen=True)
class RecordChainStatus:
    ok: bool
    message: str


def record_chain_status(record: ArchiveRecord) -> RecordChainStatus:
    """This record's own link: its hash, its columns and the previous record's hash.
    (The whole chain is checked by `ordstyrer archive verify`.)"""
    if chain_hash(record.prev_hash, record.canonical) != record.hash:
        return RecordChainStatus(False, _("Innholdet stemmer ikke med hashen: posten er endret."))
    derived = record_columns(json.loads(record.canonical))
    if any(getattr(record, name) != value for name, value in derived.items()):
        return RecordChainStatus(False, _("Et felt stemmer ikke med det arkiverte innholdet."))
    # None: the record before it is missing, which the comparison below reports.
    previous: str | None
    if record.sequence == 1:
        previous = GENESIS_HASH
    else:
        previous = (
            ArchiveRecord.objects.filter(
                municipality_id=record.municipality_id, sequence=record.sequence - 1
            )
            .values_list("hash", flat=True)
            .first()
        )
    if previous != record.prev_hash:
        return RecordChainStatus(False, _("Posten peker ikke på forrige posts hash."))
    return RecordChainStatus(True, _("Hashen stemmer, og posten henger sammen med posten før."))


def police_statuses(record: ArchiveRecord) -> list[PoliceReportStatus]:
    return list(record.police_statuses.order_by("id"))


def archive_exports(*, municipality: Any, limit: int = 20) -> list[ArchiveExport]:
    return list(
        ArchiveExport.objects.filter(municipality=municipality)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")[:limit]
    )


def archive_export(*, municipality: Any, export_id: int) -> ArchiveExport:
    export = ArchiveExport.objects.filter(municipality=municipality, pk=export_id).first()
    if export is None:
        raise NotFound(_("Fant ikke eksporten."))
    return export
