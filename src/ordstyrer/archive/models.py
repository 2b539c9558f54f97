"""The archive: one append-only, hash-chained record store per municipality (AR-3).

Only `services.archive_append` writes `ArchiveRecord` and `ArchiveFile` rows; the
admin is read-only; on PostgreSQL a trigger (migration 0002) refuses UPDATE and
DELETE on the append-only tables. Each record keeps its canonical serialisation
(sorted-key JSON) and `hash = sha256(prev_hash + canonical)`; the columns beside it
are copies for search and filters, and `ordstyrer archive verify` checks both.

References to people and channels are plain ids without database constraints: a
record must never change, so nothing may cascade into it or null it out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ordstyrer.archive.entry import Kind

GENESIS_HASH = "0" * 64


class RecordKind(models.TextChoices):
    DELETED_COMMENT = Kind.DELETED_COMMENT, _("Slettet kommentar")
    HIDDEN_COMMENT = Kind.HIDDEN_COMMENT, _("Skjult kommentar")
    JOURNAL_INBOUND = Kind.JOURNAL_INBOUND, _("Journalført henvendelse (I)")
    JOURNAL_OUTBOUND = Kind.JOURNAL_OUTBOUND, _("Journalført svar (U)")
    MODERATION_NOTE = Kind.MODERATION_NOTE, _("Modereringsnotat (X)")
    OWN_POST = Kind.OWN_POST, _("Kommunens innlegg")


class ChainHead(models.Model):
    """The newest record of a municipality's chain; claimed with SELECT … FOR UPDATE
    so concurrent appends on PostgreSQL take turns (SQLite serialises writers)."""

    municipality = models.OneToOneField(
        "tenants.Municipality", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    sequence = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.municipality_id}#{self.sequence}"


class ArchiveRecord(models.Model):
    # No index of its own: the constraints and indexes below all start with it. No
    # database constraint either: every record is written after its municipality's
    # chain head (services, pg_append), whose own foreign key keeps the municipality
    # from being deleted, and the records cannot be deleted (migration 0002). The
    # constraint's check cost each append 12–15 % of its rate (#17, docs/archive.md).
    municipality = models.ForeignKey(
        "tenants.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    sequence = models.PositiveBigIntegerField(_("arkivnummer"))
    kind = models.CharField(_("type"), max_length=30, choices=RecordKind.choices)
    archived_at = models.DateTimeField(_("arkivert"))
    occurred_at = models.DateTimeField(_("skrevet"), null=True, blank=True)
    title = models.CharField(_("tittel"), max_length=300)
    public_title = models.CharField(_("offentlig tittel"), max_length=300)
    text = models.TextField(_("tekst"), blank=True)
    author_name = models.CharField(_("forfatter"), max_length=300, blank=True)
    channel_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    channel_name = models.CharField(_("kanal"), max_length=200, blank=True)
    platform = models.CharField(_("plattform"), max_length=30, blank=True)
    ground = models.CharField(_("grunnlag"), max_length=40, blank=True)
    action = models.CharField(_("handling"), max_length=20, blank=True)
    journal = models.BooleanField(_("journalført"), default=False)
    direction = models.CharField(_("journalposttype"), max_length=1, blank=True)
    confidential = models.BooleanField(_("skjermet"), default=False)
    actor_id = models.BigIntegerField(null=True, blank=True)
    refers_to_sequence = models.PositiveBigIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    canonical = models.TextField()
    prev_hash = models.CharField(max_length=64)
    # Not indexed: nothing looks a record up by its hash (verify walks the sequence, and
    # (municipality, sequence) is unique, so a chain cannot fork); a unique index on
    # random 64-character keys would only cost each append an insert and the disk space.
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["municipality", "-sequence"]
        verbose_name = _("arkivpost")
        verbose_name_plural = _("arkivposter")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "sequence"], name="archive_record_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="archive_record_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "archived_at"]),
            models.Index(fields=["municipality", "kind", "archived_at"]),
            # The browser's filter by ground (`selectors.archive_page`): a range read in
            # the list's own order, newest first and paged by record number, for a ground
            # however rare. Built CONCURRENTLY on PostgreSQL (migration 0007).
            models.Index(
                fields=["municipality", "ground", "sequence"], name="archive_record_ground_seq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}#{self.sequence} {self.kind}"


class ArchiveFile(models.Model):
    """A media file of a record, its bytes in the database (several web and worker
    machines then see the same archive without a shared disk)."""

    record = models.ForeignKey(ArchiveRecord, on_delete=models.PROTECT, related_name="files")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    mime = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()

    class Meta:
        ordering = ["record", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "position"], name="archive_file_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}/{self.position} {self.name}"


class ArchiveRendering(models.Model):
    """The PDF/A-2b rendering of a record, made once and then kept unchanged, so every
    download and export hands over the same archival document (same checksum)."""

    record = models.OneToOneField(
        ArchiveRecord, on_delete=models.PROTECT, primary_key=True, related_name="rendering"
    )
    pdf = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    renderer = models.CharField(max_length=60)
    rendered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"PDF/A {self.record_id}"


class RenderingFailure(models.Model):
    """A record the `archive_render` sweep could not render: how often, when last and
    with which error type (never its message, which may quote the record). The sweep
    passes it by until `pdf.RENDER_RETRY_AFTER` has gone, and for good after
    `pdf.RENDER_ATTEMPTS` tries, so one record that always fails fails alone."""

    record = models.OneToOneField(
        ArchiveRecord, on_delete=models.CASCADE, primary_key=True, related_name="render_failure"
    )
    attempts = models.PositiveSmallIntegerField()
    failed_at = models.DateTimeField()
    error_type = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"PDF/A {self.record_id} failed {self.attempts}×"


class PoliceStatus(models.TextChoices):
    PREPARED = "prepared", _("Bevispakke klargjort")
    REPORTED = "reported", _("Anmeldt til politiet")


class PoliceReportStatus(models.Model):
    """One step of a police report about a record (MO-3), never updated: a later
    step is a new row. The rows of a record form their own small hash chain that
    starts from the record's hash."""

    record = models.ForeignKey(
        ArchiveRecord, on_delete=models.PROTECT, related_name="police_statuses"
    )
    status = models.CharField(max_length=20, choices=PoliceStatus.choices)
    penal_provision = models.CharField(max_length=20, blank=True)
    protected_grounds = models.JSONField(default=list, blank=True)
    police_reference = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    canonical = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["record", "at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.status}"


class ExportFormat(models.TextChoices):
    FIKS_ARKIV = "fiks-arkiv", _("KS Fiks Arkiv – arkivmelding (v1)")
    EFORMIDLING = "eformidling", _("eFormidling – arkivmelding")
    NOARK5_UTTREKK = "noark5-uttrekk", _("Noark 5 arkivuttrekk (v5.0)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Ferdig")
    FAILED = "failed", _("Feilet")


class ArchiveExport(models.Model):
    """An export requested in the console and run by the worker (AR-2). A job, not
    archive content: its status changes as it runs."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(_("format"), max_length=20, choices=ExportFormat.choices)
    since = models.DateField(_("fra og med"))
    until = models.DateField(_("til og med"))
    status = models.CharField(
        max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["municipality", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.format} {self.since}–{self.until}"


class ScreeningReason(models.TextChoices):
    """Why a record is screened from public access in an export (AR-2, PU-1)."""

    PERSONAL_DATA = "personal_data", _("Personopplysninger i innbyggerens innlegg")
    POLICE = "police", _("Anmeldt til politiet (bevispakke)")


class ScreeningRule(models.Model):
    """The legal basis the archive office uses for one screening reason in one
    municipality. Without a row the defaults in `archive.screening` apply. Read when an
    export is made, so a change applies to later exports; records never change (AR-3)."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("grunn"), max_length=30, choices=ScreeningReason.choices)
    access_code = models.CharField(_("tilgangsrestriksjon"), max_length=20)
    authority = models.CharField(_("skjermingshjemmel"), max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["municipality", "reason"]
        verbose_name = _("skjermingsregel")
        verbose_name_plural = _("skjermingsregler")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reason"], name="archive_screening_rule_unique_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.reason}: {self.authority}"
