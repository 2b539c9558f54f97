"""A channel's history: backfill through the API, and a Page's own export (spec §6).

* Backfill: the channel's posts since N days ago (`list_posts`, paged to the end) and
  every comment and reply on them (`list_comments`, `filter=stream`), each through
  `inbox_ingest`. Replies the Page already wrote on the platform mark the citizens'
  items answered, so the inbox shows what is really still open.
* Import: a "Download your information" export (zip or folder; `parse_dyi` repairs
  Meta's mojibake). It holds the Page's own posts and comments only [U]: the Page's
  comments go into the inbox history (never triaged), and posts and comments into the
  archive (`archive_append`, idempotent per record, AR-1/AR-3). Records by anyone
  other than the Page, if an export has them, are counted and skipped.

Both run in a task (`history_run`) or from `ordstyrer platform-import`; starting one
is a service with the usual permission check (CH-3, "manage"). One poisoned comment or
record fails alone (issue #18): it is counted, logged without personal data and named in
the job's note, and the job goes on with the rest.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels.models import Channel
from ordstyrer.channels.permissions import require_channel_role
from ordstyrer.channels.transitions import lock_channel
from ordstyrer.connectors.base import (
    Capability,
    Comment,
    ConnectorError,
    Listing,
    Post,
    iterate_pages,
    supports,
)
from ordstyrer.connectors.facebook.dyi import ZIP_DAMAGE, DamagedExport, DyiExport, parse_dyi
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.core.services import after_commit, person
from ordstyrer.core.stale import jobs_fail_stale
from ordstyrer.platforms import tasks as platform_tasks
from ordstyrer.platforms.models import HistoryJob, JobKind, JobStatus, Platform
from ordstyrer.platforms.recording import live_connection

logger = logging.getLogger("ordstyrer.platforms")

MAX_DAYS = 730
MAX_EXPORT_JSON = 200 * 1024 * 1024  # uncompressed JSON kept from an uploaded export
PROGRESS_EVERY = 50
TRIAGE_BATCH = 50  # comments triaged in one batch during a backfill
STALE_AFTER = timedelta(hours=6)  # a job running longer lost its worker
_JSON_MEMBER = ("posts/", "comments_and_reactions/")


@dataclass
class Counts:
    posts: int = 0
    comments: int = 0
    ingested: int = 0
    archived: int = 0
    skipped: int = 0
    note: str = ""
    failed: int = 0  # comments that could not be ingested: in the job's note
    unarchived: int = 0  # records that could not be archived: in the job's note

    def columns(self) -> dict[str, Any]:
        """The job's columns (what failed alone is in `note`, by `name_failures`)."""
        values = dataclasses.asdict(self)
        del values["failed"], values["unarchived"]
        return values

    def name_failures(self) -> None:
        """Add to `note` what failed alone; once, when the run is over."""
        from ordstyrer.inbox.polling import not_ingested_note

        unarchived = (
            _("Innlegg og kommentarer som ikke kunne arkiveres: %(n)s (se driftsloggen).")
            % {"n": self.unarchived}
            if self.unarchived
            else ""
        )
        parts = (self.note, not_ingested_note(self.failed), unarchived)
        self.note = " ".join(part for part in parts if part)


# --- starting a job ------------------------------------------------------------------


def _start(actor: ActorLike, channel: Channel, kind: str, **fields: Any) -> HistoryJob:
    now = timezone.now()
    with transaction.atomic():
        channel = lock_channel(channel)
        require_channel_role(actor, channel, "manage")
        if channel.kind not in Platform.values:
            raise ServiceError(
                gettext_lazy("Historikk hentes bare for Facebook- og Instagram-kanaler.")
            )
        job = HistoryJob.objects.create(
            channel=channel,
            kind=kind,
            requested_by=person(actor),
            requested_at=now,
            **fields,
        )
        audit_record(
            actor=actor,
            action=f"platform_{kind}",
            municipality=channel.municipality,
            obj=channel,
            data={"job_id": job.pk, "days": fields.get("days"), "file": fields.get("filename")},
        )
        after_commit(platform_tasks.history_run, job_id=job.pk)
    return job


def history_backfill_start(*, actor: ActorLike, channel: Channel, days: int) -> HistoryJob:
    """Queue a backfill of the last `days` days of posts and comments."""
    if not 1 <= int(days) <= MAX_DAYS:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Velg mellom 1 og %(max)s dager tilbake."), {"max": MAX_DAYS}
            ),
            code="days",
        )
    connection = live_connection(channel)
    if connection is None or not connection.usable:
        raise ServiceError(gettext_lazy("Koble kanalen til plattformen før du henter historikk."))
    return _start(actor, channel, JobKind.BACKFILL, days=int(days))


def _damaged() -> ServiceError:
    """A zip that cannot be read, as one Norwegian line (never a traceback or a 500)."""
    return ServiceError(
        gettext_lazy(
            "Filen er skadet og kunne ikke leses, så ingenting ble importert. "
            "Last ned eksporten på nytt."
        )
    )


def export_json_only(upload: IO[bytes]) -> bytes:
    """The export's posts and comments JSON files as a small zip (media left out).

    Refuses anything that is not a zip, a zip that cannot be read (damaged, encrypted, an
    unknown compression), and exports whose JSON would unpack to more than
    `MAX_EXPORT_JSON` bytes (a zip bomb or the wrong file).
    """
    try:
        source = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise ServiceError(
            gettext_lazy("Filen er ikke en zip-fil fra «Last ned informasjonen din».")
        ) from None
    out = io.BytesIO()
    total = 0
    kept = 0
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name = info.filename
            if info.is_dir() or not name.endswith(".json"):
                continue
            if not any(part in name for part in _JSON_MEMBER):
                continue
            total += info.file_size
            if total > MAX_EXPORT_JSON:
                raise ServiceError(gettext_lazy("Eksporten er for stor (mer enn 200 MB tekst)."))
            try:
                content = source.read(info)
            except ZIP_DAMAGE:
                raise _damaged() from None
            target.writestr(name, content)
            kept += 1
    if not kept:
        raise ServiceError(
            gettext_lazy(
                "Fant ingen innlegg eller kommentarer i filen. Velg JSON-formatet ved eksport."
            )
        )
    return out.getvalue()


def history_import_start(
    *, actor: ActorLike, channel: Channel, upload: IO[bytes], filename: str
) -> HistoryJob:
    """Queue the import of an uploaded export (its JSON is kept until the job ran)."""
    payload = export_json_only(upload)
    return _start(actor, channel, JobKind.IMPORT, filename=(filename or "")[:255], payload=payload)


# --- running ---------------------------------------------------------------------------


def job_run(*, job_id: int, now: datetime | None = None) -> str:
    """Claim a queued job (compare-and-set) and run it."""
    now = now or timezone.now()
    if not HistoryJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    ):
        return "not_claimed"
    job = HistoryJob.objects.select_related("channel__municipality", "requested_by").get(pk=job_id)
    try:
        if job.kind == JobKind.BACKFILL:
            counts = backfill(channel=job.channel, days=job.days or 30, now=now, job=job)
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "export.zip"
                path.write_bytes(bytes(job.payload or b""))
                counts = import_export(
                    channel=job.channel, path=path, actor=job.requested_by, now=now, job=job
                )
    except (ConnectorError, ServiceError, FileNotFoundError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        # The export is emptied whatever the outcome (docs/privacy.md: kept "until the
        # import has run"); it holds the Page's posts and comments.
        HistoryJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=str(message)[:2000],
            payload=None,
        )
        return "failed"
    except Exception as exc:  # noqa: BLE001 — a job must never stay "running"; logged with trace
        logger.exception("history job failed", extra={"job_id": job.pk})
        HistoryJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=_("Uventet feil (%(kind)s); se driftsloggen.") % {"kind": type(exc).__name__},
            payload=None,
        )
        return "failed"
    _save_counts(job, counts, status=JobStatus.DONE, payload=None)
    return "done"


def history_jobs_fail_stale(*, now: datetime) -> int:
    """Mark failed the jobs running longer than `STALE_AFTER`, and empty their export:
    their worker died (restarted, killed, out of memory) and nothing else would end them
    or forget the Page's posts and comments (docs/privacy.md)."""

    def logged(pk: int) -> None:
        logger.warning("history job marked failed: stale", extra={"job_id": pk})

    return jobs_fail_stale(
        HistoryJob.objects.all(),
        now=now,
        stale_after=STALE_AFTER,
        running=JobStatus.RUNNING,
        failed=JobStatus.FAILED,
        error=_("Jobben ble ikke ferdig (arbeidsprosessen stoppet underveis). Start den på nytt."),
        also={"payload": None},
        on_failed=logged,
    )


def _save_counts(job: HistoryJob | None, counts: Counts, **extra: Any) -> None:
    if job is None:
        return
    fields = counts.columns()
    if "status" in extra:
        extra.setdefault("finished_at", timezone.now())
    HistoryJob.objects.filter(pk=job.pk).update(**fields, **extra)


def backfill(
    *, channel: Channel, days: int, now: datetime, job: HistoryJob | None = None
) -> Counts:
    """Read posts and comments of the last `days` days into the inbox (idempotent)."""
    from ordstyrer.channels.platform import connector_for
    from ordstyrer.inbox.ingest import ingest_context
    from ordstyrer.inbox.polling import ingest_each

    connector = connector_for(channel)
    if not supports(connector, Capability.COMMENT_SOURCE):
        raise ServiceError(gettext_lazy("Plattformen kan ikke lese kommentarer."))
    since = now - timedelta(days=days)
    context = ingest_context(channel)
    counts = Counts()
    posts = iterate_pages(lambda cursor: connector.list_posts(since=since, cursor=cursor, limit=25))
    for post in posts:
        counts.posts += 1

        def page_of_comments(cursor: str | None, pid: str = post.id) -> Listing[Comment]:
            return connector.list_comments(pid, cursor=cursor, limit=100)

        comments = iterate_pages(page_of_comments)
        while chunk := list(islice(comments, TRIAGE_BATCH)):
            # Triaged in one batch, then each ingested on its own: one that fails is
            # counted and logged, and the backfill goes on (issue #18).
            # Read as they are now: a text that changed is an edit whose webhook was lost.
            stored, failed = ingest_each(
                channel, chunk, received_at=now, context=context, source="backfill", current=True
            )
            before = counts.comments
            counts.comments += len(chunk)
            counts.ingested += stored
            counts.failed += failed
            if counts.comments // PROGRESS_EVERY > before // PROGRESS_EVERY:
                _save_counts(job, counts)
    counts.name_failures()
    return counts


def _page_names(channel: Channel, export: DyiExport) -> set[str]:
    connection = live_connection(channel)
    names = {n for n in (channel.name, getattr(connection, "account_name", "")) if n}
    authors = Counter(c.author.name for c in export.comments if c.author and c.author.name)
    if authors and not names & set(authors):
        # The export is the Page's own activity: its most frequent author is the Page,
        # even when the Page's display name differs from the channel's name here.
        names.add(authors.most_common(1)[0][0])
    return names


def import_export(
    *,
    channel: Channel,
    path: Path | str,
    actor: ActorLike = None,
    now: datetime | None = None,
    job: HistoryJob | None = None,
) -> Counts:
    """Import one export (folder or zip) into the inbox history and the archive."""
    from ordstyrer.inbox.ingest import ingest_context
    from ordstyrer.inbox.polling import ingest_each

    now = now or timezone.now()
    connection = live_connection(channel)
    try:
        export = parse_dyi(
            path,
            page_id=getattr(connection, "account_id", None) or channel.platform_id or None,
            page_name=getattr(connection, "account_name", "") or channel.name,
        )
    except DamagedExport:
        raise _damaged() from None
    names = _page_names(channel, export)
    counts = Counts(posts=len(export.posts), comments=len(export.comments), skipped=export.skipped)
    context = ingest_context(channel)
    own: list[Comment] = []
    for comment in export.comments:
        if comment.author is None or comment.author.name not in names:
            counts.skipped += 1
            continue
        own.append(dataclasses.replace(comment, is_page_author=True))
    # Each on its own (issue #18): one that fails is counted and logged, the rest go in.
    _stored, counts.failed = ingest_each(
        channel, own, received_at=now, context=context, source="import"
    )
    counts.ingested += len(own) - counts.failed
    if apps.is_installed("ordstyrer.archive"):
        records: list[Post | Comment] = [*export.posts, *own]
        for record in records:
            if _archive_alone(channel, actor, now, record):
                counts.archived += 1
            else:
                counts.unarchived += 1
    else:
        counts.note = _("Arkivet er ikke installert: ingenting ble arkivert.")
    counts.name_failures()
    _save_counts(job, counts)
    return counts


def _archive_alone(
    channel: Channel, actor: ActorLike, now: datetime, record: Post | Comment
) -> bool:
    """Archive one record of an export; a failure is this record's alone (logged without
    its text or author, the next re-import adds it: the key is idempotent)."""
    try:
        if isinstance(record, Post):
            _archive(channel, actor, now, post=record)
        else:
            _archive(channel, actor, now, comment=record)
    except Exception as exc:  # noqa: BLE001 — one poisoned record never stalls the import
        logger.warning(
            "export record not archived",
            extra={
                "source": "import",
                "channel_id": channel.pk,
                "record_id": str(record.id)[:120],
                "error": type(exc).__name__,
            },
        )
        return False
    return True


def _archive(
    channel: Channel,
    actor: ActorLike,
    now: datetime,
    *,
    post: Post | None = None,
    comment: Comment | None = None,
) -> None:
    from ordstyrer.archive.entry import ArchiveEntry, Kind, Person
    from ordstyrer.archive.services import archive_append

    record: Post | Comment = post if post is not None else comment  # type: ignore[assignment]
    text = record.text
    media = [m.url for m in getattr(record, "media", ()) if m.url]
    link = getattr(record, "link", None)
    if not text:
        text = _("(Innlegg uten tekst.)")
    title = ""
    if comment is not None:
        title = _("Kommentar fra %(page)s") % {"page": channel.name}
    archive_append(
        actor=person(actor),
        entry=ArchiveEntry(
            municipality=channel.municipality,
            kind=Kind.OWN_POST,
            text=text,
            author=Person(name=record.author.name if record.author else channel.name),
            channel=channel,
            item_id=record.id,
            created_at=record.created_at,
            captured_at=now,
            raw=record.raw or None,
            action="archive",
            title=title,
            idempotency_key=f"dyi:{channel.pk}:{record.id}",
            extra={
                "source": "download_your_information",
                "record": "comment" if comment is not None else "post",
                "media": media,
                "link": link or "",
            },
        ),
        now=now,
    )
