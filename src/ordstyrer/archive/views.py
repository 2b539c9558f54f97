"""Console pages of the archive: thin, they call selectors and services.

Every page resolves the municipality through `municipality_view` (outsiders get 404)
and needs `view_archive` (communications, archive); records are looked up by their
number within that municipality, so another municipality's record is never found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ordstyrer.archive import selectors
from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.exports import archive_export_request, export_path
from ordstyrer.archive.forms import (
    ArchiveFilterForm,
    ExportForm,
    PoliceFiledForm,
    PolicePrepareForm,
    ScreeningRuleForm,
    ground_label,
)
from ordstyrer.archive.models import ArchiveRecord, ExportStatus, PoliceStatus, ScreeningRule
from ordstyrer.archive.pdf import RenderError, record_context, rendering_for
from ordstyrer.archive.police import (
    PROTECTED_GROUNDS,
    PROVISIONS,
    REPORTABLE_GROUNDS,
    REPORTABLE_KINDS,
    package_for_download,
    police_package_prepare,
    police_report_filed,
)
from ordstyrer.archive.screening import screening_rule_set, screening_table
from ordstyrer.core.console import MunicipalityRequest, fail_message, municipality_view, submit_form
from ordstyrer.core.errors import NotFound, ServiceError
from ordstyrer.core.permissions import has_role
from ordstyrer.core.queries import COUNT_CAP
from ordstyrer.tenants.models import Municipality, Role


def _attachment(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _record_number(value: str | None) -> int | None:
    """A record number from the URL (a cursor or a channel id), None if it is not one."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


@municipality_view(need="view_archive")
@require_GET
def archive_list(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """The archive browser: newest first, paged by record number (`eldre`: the records
    before it, `nyere`: the ones after it), so no page reads the whole archive."""
    channels = selectors.archive_channels(
        municipality=municipality, keep=_record_number(request.GET.get("channel"))
    )
    form = ArchiveFilterForm(request.GET or None, channels=channels)
    page = selectors.archive_page(
        municipality=municipality,
        older_than=_record_number(request.GET.get("eldre")),
        newer_than=_record_number(request.GET.get("nyere")),
        **form.filters(),
    )
    query = request.GET.copy()
    for cursor in ("eldre", "nyere", "side"):
        query.pop(cursor, None)
    head = selectors.chain_head(municipality=municipality)
    for record in page.records:
        # Read by the list's template; a label for the page, not a field of the record.
        record.ground_label = ground_label(record.ground) if record.ground else ""  # type: ignore[attr-defined]
    return render(
        request,
        "archive/list.html",
        {
            "form": form,
            "page": page,
            "count_cap": COUNT_CAP,
            "query": query.urlencode(),
            "head_sequence": head[0],
            "head_hash": head[1],
        },
    )


@municipality_view(need="view_archive")
@require_POST
def archive_verify(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """Recompute the whole hash chain now (AR-3), as `ordstyrer archive verify` and the
    API do: read-only, so no confirmation; the result is shown on the archive page."""
    report = verify_chain(municipality.pk)
    if report.ok:
        messages.success(
            request,
            ngettext(
                "Kjeden er i orden: %(records)s post kontrollert, siste hash %(hash)s.",
                "Kjeden er i orden: %(records)s poster kontrollert, siste hash %(hash)s.",
                report.records,
            )
            % {"records": report.records, "hash": report.head_hash},
        )
    else:
        messages.error(
            request,
            _("Kjeden er brutt ved post nr. %(sequence)s: %(problem)s (AR-3)")
            % {"sequence": report.broken_sequence, "problem": report.problem},
        )
    return redirect("archive:list", municipality.slug)


@municipality_view(need="view_archive")
@require_GET
def record_detail(
    request: MunicipalityRequest, municipality: Municipality, sequence: int
) -> HttpResponse:
    record = selectors.archive_record(municipality=municipality, sequence=sequence)
    return _record_page(request, municipality, record)


def _record_page(
    request: MunicipalityRequest,
    municipality: Municipality,
    record: ArchiveRecord,
    *,
    prepare_form: PolicePrepareForm | None = None,
    filed_form: PoliceFiledForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The record with its police steps; a refused police form is shown again as posted,
    with its errors (`status` 400), so nothing typed is lost."""
    files = list(record.files.order_by("position").defer("data"))
    statuses = selectors.police_statuses(record)
    latest = statuses[-1] if statuses else None
    may_report = has_role(request.actor, municipality, {Role.COMMUNICATIONS})
    reportable = record.kind in REPORTABLE_KINDS and record.ground in REPORTABLE_GROUNDS
    return render(
        request,
        "archive/detail.html",
        {
            "record": record,
            "view": record_context(record, files, for_pdf=False),
            "files": files,
            "chain": selectors.record_chain_status(record),
            "statuses": statuses,
            "provisions": PROVISIONS,
            "protected_grounds": PROTECTED_GROUNDS,
            "may_report": may_report,
            "show_prepare": reportable and may_report and latest is None,
            "show_filed": may_report
            and latest is not None
            and latest.status == PoliceStatus.PREPARED,
            "reportable": reportable,
            "prepare_form": prepare_form or PolicePrepareForm(prefix="prepare"),
            "filed_form": filed_form or PoliceFiledForm(prefix="filed"),
        },
        status=status,
    )


@municipality_view(need="view_archive")
@require_GET
def record_pdf(
    request: MunicipalityRequest, municipality: Municipality, sequence: int
) -> HttpResponse:
    record = selectors.archive_record(municipality=municipality, sequence=sequence)
    try:
        rendering = rendering_for(record)
    except RenderError as exc:
        messages.error(request, _("PDF/A-dokumentet kunne ikke lages: %(error)s") % {"error": exc})
        return redirect("archive:detail", slug=municipality.slug, sequence=sequence)
    return _attachment(
        bytes(rendering.pdf), f"arkivpost-{record.sequence:06d}.pdf", "application/pdf"
    )


@municipality_view(need="view_archive")
@require_GET
def record_file(
    request: HttpRequest, municipality: Municipality, sequence: int, position: int
) -> HttpResponse:
    record = selectors.archive_record(municipality=municipality, sequence=sequence)
    stored = record.files.filter(position=position).first()
    if stored is None:
        raise NotFound(_("Fant ikke filen."))
    suffix = Path(stored.name).suffix.lower()[:10]
    return _attachment(
        bytes(stored.data), f"vedlegg-{record.sequence:06d}-{position}{suffix}", stored.mime
    )


@municipality_view(need="view_archive")
@require_POST
def police_action(
    request: MunicipalityRequest, municipality: Municipality, sequence: int
) -> HttpResponse:
    """Prepare the evidence package or register the police's reference (MO-3). A form
    that is refused — no provision, no § 185 ground, no reference — comes back as typed,
    the reason on the form (400); the note is never lost."""
    record = selectors.archive_record(municipality=municipality, sequence=sequence)
    action = request.POST.get("action")
    if action == "prepare":
        form = PolicePrepareForm(request.POST, prefix="prepare")
        done = _("Bevispakken er klargjort. Last den ned og anmeld.")
        submitted = form.is_valid() and _police_call(
            request,
            form,
            lambda data: police_package_prepare(
                actor=request.actor,
                record=record,
                provision=data["provision"],
                protected_grounds=data["grounds"],
                note=data["note"],
            ),
        )
        if not submitted:
            return _record_page(request, municipality, record, prepare_form=form, status=400)
    elif action == "filed":
        filed = PoliceFiledForm(request.POST, prefix="filed")
        done = _("Anmeldelsen er registrert med politiets referanse.")
        submitted = filed.is_valid() and _police_call(
            request,
            filed,
            lambda data: police_report_filed(
                actor=request.actor,
                record=record,
                reference=data["reference"],
                note=data["note"],
            ),
        )
        if not submitted:
            return _record_page(request, municipality, record, filed_form=filed, status=400)
    else:
        fail_message(request, ServiceError(_("Ukjent handling.")))
        return redirect("archive:detail", slug=municipality.slug, sequence=sequence)
    messages.success(request, done)
    return redirect("archive:detail", slug=municipality.slug, sequence=sequence)


def _police_call(request: HttpRequest, form: Any, call: Any) -> bool:
    """Call the police service with the form's data: True when done; a refusal goes on
    the form (with its rule id), a package that could not be rendered is the page's
    error, and False shows the form again."""
    try:
        call(form.cleaned_data)
    except ServiceError as exc:
        message = str(getattr(exc, "message", None) or exc)
        rule = getattr(exc, "rule", None)
        form.add_error(None, f"{message} ({rule})" if rule and rule not in message else message)
        return False
    except RenderError as exc:
        messages.error(request, _("Bevispakken kunne ikke lages: %(error)s") % {"error": exc})
        return False
    return True


@municipality_view(need="view_archive")
@require_GET
def police_package(
    request: MunicipalityRequest, municipality: Municipality, sequence: int
) -> HttpResponse:
    record = selectors.archive_record(municipality=municipality, sequence=sequence)
    try:
        data, _prepared = package_for_download(record)
    except ServiceError:
        raise NotFound(_("Bevispakken er ikke klargjort.")) from None
    return _attachment(data, f"bevis-{record.sequence:06d}.zip", "application/zip")


@municipality_view(need="view_archive")
@require_http_methods(["GET", "POST"])
def exports(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    may_export = has_role(request.actor, municipality, {Role.COMMUNICATIONS, Role.ARCHIVIST})
    form = ExportForm(request.POST or None)
    if request.method == "POST":
        queued = submit_form(
            request,
            form,
            lambda data: archive_export_request(
                actor=request.actor,
                municipality=municipality,
                fmt=data["format"],
                since=data["since"],
                until=data["until"],
            ),
            to=reverse("archive:exports", kwargs={"slug": municipality.slug}),
            done=_("Eksporten er lagt i kø. Siden viser når den er klar til nedlasting."),
            on_form=False,
        )
        if queued is not None:
            return queued
    jobs = selectors.archive_exports(municipality=municipality)
    return render(
        request,
        "archive/exports.html",
        {
            "form": form,
            "jobs": jobs,
            "may_export": may_export,
            "pending": any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs),
        },
    )


@municipality_view(need="view_archive")
@require_GET
def export_download(request: MunicipalityRequest, municipality: Municipality, export_id: int):
    export = selectors.archive_export(municipality=municipality, export_id=export_id)
    path = export_path(export)
    if export.status != ExportStatus.DONE or path is None or not path.is_file():
        raise NotFound(_("Eksporten er ikke klar."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@municipality_view(need="view_archive")
@require_http_methods(["GET", "POST"])
def screening(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """The screening table (AR-2): which tilgangsrestriksjon and skjermingshjemmel the
    exports declare for each reason. Everyone with the archive sees it; the archive
    office (archivist) edits it."""
    may_edit = has_role(request.actor, municipality, {Role.ARCHIVIST})
    rows = screening_table(municipality=municipality)
    posted = request.POST.get("reason") if request.method == "POST" else None
    for row in rows:
        bound = posted == row["reason"]
        row["form"] = ScreeningRuleForm(
            request.POST if bound else None,
            prefix=row["reason"],
            initial={
                "access_code": row["code"],
                "authority": row["authority"],
            },
        )
        if bound:

            def save(data: dict[str, Any], reason: str = row["reason"]) -> ScreeningRule:
                return screening_rule_set(
                    actor=request.actor,
                    municipality=municipality,
                    reason=reason,
                    access_code=data["access_code"],
                    authority=data["authority"],
                )

            saved = submit_form(
                request,
                row["form"],
                save,
                to=reverse("archive:screening", kwargs={"slug": municipality.slug}),
                done=_("Skjermingshjemmelen for «%(reason)s» er lagret. Den gjelder nye eksporter.")
                % {"reason": row["label"]},
                on_form=False,
            )
            if saved is not None:
                return saved
    if posted is not None and not any(posted == row["reason"] for row in rows):
        messages.error(request, _("Ukjent skjermingsgrunn."))
    return render(request, "archive/screening.html", {"rows": rows, "may_edit": may_edit})
