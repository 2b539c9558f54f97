"""Reads of the archive for the console: lists without the heavy columns, one record
with its chain status, police steps and exports."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.archive.canonical import chain_hash, parse_iso, record_columns
from ordstyrer.archive.exporters.common import OSLO
from ordstyrer.archive.models import (
    GENESIS_HASH,
    ArchiveExport,
    ArchiveRecord,
    ChainHead,
    PoliceReportStatus,
    PoliceStatus,
    RecordKind,
)
from ordstyrer.archive.services import DELETION_CONFIRMED
from ordstyrer.channels.models import Channel
from ordstyrer.core.errors import NotFound
from ordstyrer.core.queries import capped_count, unprepared

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


PAGE_SIZE = 50


def search_condition(q: str) -> Q:
    """`q` anywhere in the title, the text, the author's name or the channel's name, in
    any case (`UPPER(column) LIKE UPPER('%q%')`; SQLite folds only ASCII letters). On
    PostgreSQL the trigram indexes of migration 0006 serve a rare word; a common one is
    found soon in the list's own order."""
    return (
        Q(title__icontains=q)
        | Q(author_name__icontains=q)
        | Q(text__icontains=q)
        | Q(channel_name__icontains=q)
    )


def _filtered(
    *,
    municipality: Any,
    q: str = "",
    kind: str = "",
    ground: str = "",
    channel_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ArchiveRecord]:
    records = ArchiveRecord.objects.filter(municipality=municipality)
    if q:
        records = records.filter(search_condition(q))
    if kind:
        records = records.filter(kind=kind)
    if ground:
        # A range read of (municipality, ground, sequence) in the list's order, for a
        # ground however rare (migration 0007; tests/archive/test_s15_ground_index.py).
        records = records.filter(ground=ground)
    if channel_id:
        records = records.filter(channel_id=channel_id)
    if since:
        records = records.filter(archived_at__gte=datetime.combine(since, time.min, tzinfo=OSLO))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=OSLO)
        records = records.filter(archived_at__lt=end)
    return records


def _listed(records: QuerySet[ArchiveRecord]) -> QuerySet[ArchiveRecord]:
    police = PoliceReportStatus.objects.filter(record=OuterRef("pk"))
    return records.only(*LIST_COLUMNS).annotate(
        police_prepared=Exists(police),
        police_reported=Exists(police.filter(status=PoliceStatus.REPORTED)),
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
    filtered = _filtered(
        municipality=municipality,
        q=q,
        kind=kind,
        ground=ground,
        channel_id=channel_id,
        since=since,
        until=until,
    )
    return _listed(filtered).order_by("-sequence")


@dataclass
class ArchivePage:
    """One page of the archive's list, newest first. `count` is counted up to COUNT_CAP
    + 1 (more is shown as "over COUNT_CAP"); `newer` and `older` are the cursors of the
    neighbouring pages (a record number to page from), None at either end."""

    records: list[ArchiveRecord]
    count: int
    newer: int | None
    older: int | None


def archive_page(
    *,
    municipality: Any,
    older_than: int | None = None,
    newer_than: int | None = None,
    limit: int | None = None,
    **filters: Any,
) -> ArchivePage:
    """A page of `archive_records(**filters)`: the records before `older_than` (or,
    with `newer_than`, the ones just after it), in a constant number of queries whose
    cost does not grow with the archive: keyset paging on the record number (no OFFSET,
    and a page never shifts when records are appended, as the API's list), and the
    count capped as the inbox counts."""
    limit = PAGE_SIZE if limit is None else limit
    filtered = _filtered(municipality=municipality, **filters)
    rows = _listed(filtered)
    if newer_than is not None:
        rows = rows.filter(sequence__gt=newer_than).order_by("sequence")
    else:
        if older_than is not None:
            rows = rows.filter(sequence__lt=older_than)
        rows = rows.order_by("-sequence")
    with unprepared() if filters.get("q") else nullcontext():
        count = capped_count(filtered)
        found = list(rows[: limit + 1])
    more = len(found) > limit
    records = found[:limit]
    if newer_than is not None:
        records.reverse()
        newer = records[0].sequence if more else None
        older = records[-1].sequence if records else None
    else:
        newer = records[0].sequence if older_than is not None and records else None
        older = records[-1].sequence if more else None
    return ArchivePage(records=records, count=count, newer=newer, older=older)


def archive_channels(*, municipality: Any, keep: int | None = None) -> list[tuple[int, str]]:
    """The channels for the filter: the municipality's channels, from the channels table
    (reading them off the records took a DISTINCT over the whole archive). A record keeps
    the channel's name as it was, and is filtered by the channel's id, so a renamed
    channel finds its records under its new name. A channel since deleted has no row:
    `keep` (the id asked for) is then offered under the name one of its records carries,
    so a link to it still filters (one more query, reading one record)."""
    channels = list(
        Channel.objects.filter(municipality=municipality)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    if keep is not None and all(pk != keep for pk, _name in channels):
        name = (
            ArchiveRecord.objects.filter(municipality=municipality, channel_id=keep)
            .order_by()
            .values_list("channel_name", flat=True)[:1]
        )
        channels += [(keep, found) for found in name]
    return channels


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
        raise NotFound(gettext_lazy("Fant ikke arkivposten."))
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


@dataclass(frozen=True)
class RemovalConfirmed:
    """When a deleted comment left the platform, as a later note of the chain says."""

    at: datetime
    sequence: int  # the note's record number
    archived_at: datetime


def removal_confirmed(
    record: ArchiveRecord, *, archived_until: datetime | None = None
) -> RemovalConfirmed | None:
    """The platform's confirmation that `record`'s comment was deleted: the internal
    note (X) appended when the deletion succeeded (MO-2; the record itself, archived
    before the deletion, never changes, AR-3). With `archived_until`, only a note
    archived by then (an evidence package shows what was known when prepared)."""
    notes = ArchiveRecord.objects.filter(
        municipality_id=record.municipality_id,
        refers_to_sequence=record.sequence,
        kind=RecordKind.MODERATION_NOTE,
    )
    if archived_until is not None:
        notes = notes.filter(archived_at__lte=archived_until)
    for sequence, archived_at, canonical in notes.order_by("sequence").values_list(
        "sequence", "archived_at", "canonical"
    ):
        body = json.loads(canonical)
        deleted = parse_iso(body["when"]["deleted"])
        if (body.get("extra") or {}).get(DELETION_CONFIRMED) is True and deleted is not None:
            return RemovalConfirmed(deleted, sequence, archived_at)
    return None


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
        raise NotFound(gettext_lazy("Fant ikke eksporten."))
    return export
