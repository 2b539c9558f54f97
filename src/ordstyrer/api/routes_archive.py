"""The archive (AR-1 … AR-3): records, chain verification, exports."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from ordstyrer.api.auth import municipality_for
from ordstyrer.api.problems import cursor_refusal, field_refusal
from ordstyrer.api.reads import api_read
from ordstyrer.api.schemas import (
    ERRORS,
    IDEMPOTENCY,
    AcceptedOut,
    ArchiveRecordList,
    ExportIn,
    ExportOut,
    ProblemOut,
    QueryInput,
    VerifyOut,
)
from ordstyrer.api.writes import api_write
from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.exports import PeriodRefused, archive_export_request, export_path
from ordstyrer.archive.models import ExportStatus
from ordstyrer.archive.selectors import archive_export, archive_records

router = Router(tags=["archive"])


class RecordQuery(QueryInput):
    kind: str | None = Field(None, max_length=30)
    limit: int = Field(50, ge=1, le=200)
    cursor: int | None = Field(
        None, ge=1, le=2**63 - 1, description="From `next`: the records before it."
    )


@router.get(
    "/m/{slug}/archive/records",
    response={200: ArchiveRecordList, 422: ProblemOut, **ERRORS},
    summary="Archive records, newest first",
)
def records(request: HttpRequest, slug: str, filters: Query[RecordQuery]) -> dict[str, Any]:
    """Keyset-paged by sequence number (new records never shift a page). Scope
    `archive:read`; for communications and the archive office (AR-1). Each read is in
    the audit log (`api_read`)."""
    municipality = municipality_for(request, slug, scope="archive:read", need="view_archive")
    rows = archive_records(municipality=municipality, kind=filters.kind or "")
    if filters.cursor:
        # `next` carries the sequence number of a record of this list (records stay).
        if not rows.filter(sequence=filters.cursor).exists():
            raise cursor_refusal()
        rows = rows.filter(sequence__lt=filters.cursor)
    page = list(
        rows.only("id", "sequence", "kind", "archived_at", "title", "hash")[: filters.limit + 1]
    )
    more = len(page) > filters.limit
    page = page[: filters.limit]
    next_url = None
    if more and page:
        query: dict[str, int | str] = {"limit": filters.limit, "cursor": page[-1].sequence}
        if filters.kind:
            query["kind"] = filters.kind
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    api_read(request, municipality=municipality, count=len(page))
    return {
        "items": [
            {
                "id": r.pk,
                "seq": r.sequence,
                "kind": r.kind,
                "created_at": r.archived_at,
                "title": r.title,
                "hash": r.hash,
            }
            for r in page
        ],
        "next": next_url,
    }


@router.get(
    "/m/{slug}/archive/verify",
    response={200: VerifyOut, **ERRORS},
    summary="Recompute the hash chain (AR-3)",
)
def verify(request: HttpRequest, slug: str) -> dict[str, Any]:
    """As `ordstyrer archive verify --municipality SLUG`. Scope `archive:read`."""
    municipality = municipality_for(request, slug, scope="archive:read", need="view_archive")
    report = verify_chain(municipality.pk)
    return {"ok": report.ok, "records": report.records, "first_bad": report.broken_sequence}


def _export_body(request: HttpRequest, slug: str, export: Any) -> dict[str, Any]:
    url = None
    if export.status == ExportStatus.DONE:
        url = request.build_absolute_uri(
            reverse("api-v1:archive_export_download", kwargs={"slug": slug, "id": export.pk})
        )
    return {"id": export.pk, "status": export.status, "download_url": url}


@router.post(
    "/m/{slug}/archive/exports",
    response={202: AcceptedOut, 422: ProblemOut, **ERRORS},
    summary="Export the archive for a period (AR-2)",
    openapi_extra=IDEMPOTENCY,
)
def export_create(request: HttpRequest, slug: str, payload: ExportIn) -> HttpResponse:
    """Queued and run by the worker; poll `GET …/exports/{id}`. `until` defaults to
    today; for `noark5-uttrekk`, a deposit that closes its period, to yesterday, and
    today or later is refused with a 422 (AR-3). Scope `archive:export`; honours
    `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="archive:export", need="view_archive")

    def run() -> tuple[int, dict[str, Any]]:
        try:
            export = archive_export_request(
                actor=request.actor,  # type: ignore[attr-defined]
                municipality=municipality,
                fmt=payload.format,
                since=payload.since,
                until=payload.until,  # None: today (the deposit: yesterday)
            )
        except PeriodRefused as exc:
            # The 422 lists the date at fault, with the reason in English and Norwegian
            # (api.md "Errors"), as routes_posts and routes_crisis do.
            problem = field_refusal(["body", exc.field], exc.message)
            problem.detail = exc.reason_en
            problem.extra["rule"] = exc.rule
            raise problem from None
        return 202, {"id": export.pk, "status": export.status}

    return api_write(request, municipality=municipality, action="archive_export", run=run)


@router.get(
    "/m/{slug}/archive/exports/{int:id}",
    response={200: ExportOut, **ERRORS},
    summary="An export's status and, when done, where to download it",
)
def export_status(request: HttpRequest, slug: str, id: int) -> dict[str, Any]:  # noqa: A002
    """`status` queued, running, done or failed. Scope `archive:export`."""
    municipality = municipality_for(request, slug, scope="archive:export", need="view_archive")
    export = archive_export(municipality=municipality, export_id=id)
    return _export_body(request, slug, export)


@router.get(
    "/m/{slug}/archive/exports/{int:id}/download",
    response={200: None, **ERRORS},
    url_name="archive_export_download",
    summary="Download a finished export (zip)",
)
def export_download(request: HttpRequest, slug: str, id: int) -> FileResponse:  # noqa: A002
    """Scope `archive:export`. Each download is in the audit log (`api_read`)."""
    municipality = municipality_for(request, slug, scope="archive:export", need="view_archive")
    export = archive_export(municipality=municipality, export_id=id)
    path = export_path(export)
    if export.status != ExportStatus.DONE or path is None or not path.is_file():
        raise Http404(_("Eksporten er ikke klar."))
    api_read(request, municipality=municipality, count=1)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
