"""Console pages of the archive: thin, they call selectors and services.

Every page resolves the municipality through `municipality_view` (outsiders get 404)
and needs `view_archive` (communications, archive); records are looked up by their
number within that municipality, so another municipality's record is never found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
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
from ordstyrer.archive.models import (
    ArchiveRecord,
    ExportStatus,
    PoliceReportStatus,
    PoliceStatus,
    RecordKind,
    ScreeningRule,
)
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
from ordstyrer.core.console import (
    Already,
    MunicipalityRequest,
    fail_message,
    form_errors,
    municipality_view,
    submit_form,
)
from ordstyrer.core.errors import NotFound, ServiceError
from ordstyrer.core.permissions import has_role
from ordstyrer.core.queries import COUNT_CAP
from ordstyrer.core.relative import exact
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


@dataclass(frozen=True)
class _PoliceForms:
    """Which police step the record page offers this person."""

    may_report: bool
    reportable: bool
    prepare: bool  # «Klargjør bevispakke»: nothing prepared yet
    filed: bool  # «Registrer at saken er anmeldt»: prepared, not yet reported


def _police_forms_shown(
    request: MunicipalityRequest,
    municipality: Municipality,
    record: ArchiveRecord,
    statuses: list[PoliceReportStatus],
) -> _PoliceForms:
    latest = statuses[-1] if statuses else None
    may_report = has_role(request.actor, municipality, {Role.COMMUNICATIONS})
    reportable = record.kind in REPORTABLE_KINDS and record.ground in REPORTABLE_GROUNDS
    return _PoliceForms(
        may_report=may_report,
        reportable=reportable,
        prepare=reportable and may_report and latest is None,
        filed=may_report and latest is not None and latest.status == PoliceStatus.PREPARED,
    )


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
    shown = _police_forms_shown(request, municipality, record, statuses)
    view = record_context(record, files, for_pdf=False)
    return render(
        request,
        "archive/detail.html",
        {
            "record": record,
            "view": view,
            # A deleted comment's record says nothing of when it left the platform (it
            # is archived first, MO-2); the note appended when it did, does.
            "removed": selectors.removal_confirmed(record)
            if record.kind == RecordKind.DELETED_COMMENT and view["deleted"] is None
            else None,
            "files": files,
            "chain": selectors.record_chain_status(record),
            "statuses": statuses,
            "provisions": PROVISIONS,
            "protected_grounds": PROTECTED_GROUNDS,
            "may_report": shown.may_report,
            "show_prepare": shown.prepare,
            "show_filed": shown.filed,
            "reportable": shown.reportable,
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
        raise NotFound(gettext_lazy("Fant ikke filen."))
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
    the reason on the form (400); the note is never lost. A step someone did first is
    said instead, by whom and when (`_police_refused`)."""
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
            return _police_refused(request, municipality, record, form)
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
            return _police_refused(request, municipality, record, filed)
    else:
        fail_message(request, ServiceError(gettext_lazy("Ukjent handling.")))
        return redirect("archive:detail", slug=municipality.slug, sequence=sequence)
    messages.success(request, done)
    return redirect("archive:detail", slug=municipality.slug, sequence=sequence)


def _police_refused(
    request: MunicipalityRequest,
    municipality: Municipality,
    record: ArchiveRecord,
    form: PolicePrepareForm | PoliceFiledForm,
) -> HttpResponse:
    """A police form that was refused or invalid (MO-3). While the page still offers
    that step, the form comes back as typed with its errors (400). Once it does not —
    another person prepared the package or registered the report first, or this person's
    own second click did while the first was rendering the package — the page would show
    neither the form nor its error: a bare 400 that dropped what was typed unsaid. Then
    the record is shown again with what stands instead: who did the step, when, and on
    which provision or with which reference (this person's own replay as already done)."""
    statuses = selectors.police_statuses(record)
    shown = _police_forms_shown(request, municipality, record, statuses)
    if isinstance(form, PolicePrepareForm):
        if shown.prepare:
            return _record_page(request, municipality, record, prepare_form=form, status=400)
        step = PoliceStatus.PREPARED
    else:
        if shown.filed:
            return _record_page(request, municipality, record, filed_form=form, status=400)
        step = PoliceStatus.REPORTED
    done = next((status for status in statuses if status.status == step), None)
    if done is None:  # not this step's turn (nothing prepared to report; not reportable)
        form_errors(request, form)
    elif done.actor_id is not None and done.actor_id == request.user.pk:
        messages.info(request, _already_done_by_you(done))
    else:
        messages.error(request, _already_done_by_another(done))
    return redirect("archive:detail", slug=municipality.slug, sequence=record.sequence)


def _provision(status: PoliceReportStatus) -> str:
    """The provision the package was prepared on, as the record page names it, with its
    § 185 grounds (a–e)."""
    provision = PROVISIONS.get(status.penal_provision, status.penal_provision)
    provision = provision[:1].lower() + provision[1:]  # «etter straffeloven § 185 …»
    grounds = ", ".join(status.protected_grounds or ())
    return f"{provision} ({grounds})" if grounds else provision


def _already_done_by_you(status: PoliceReportStatus) -> Already:
    if status.status == PoliceStatus.PREPARED:
        return Already(
            _(
                "Du har allerede klargjort bevispakken %(when)s, etter %(provision)s. "
                "Ingenting er endret."
            )
            % {"when": exact(status.at), "provision": _provision(status)}
        )
    return Already(
        _(
            "Du har allerede registrert anmeldelsen %(when)s med politiets referanse "
            "%(reference)s. Ingenting er endret."
        )
        % {"when": exact(status.at), "reference": status.police_reference}
    )


def _already_done_by_another(status: PoliceReportStatus) -> str:
    name = status.actor_name or _("en annen")
    if status.status == PoliceStatus.PREPARED:
        return _(
            "Bevispakken er allerede klargjort av %(name)s %(when)s, etter %(provision)s. "
            "Det du fylte inn, er ikke lagret."
        ) % {"name": name, "when": exact(status.at), "provision": _provision(status)}
    return _(
        "Anmeldelsen er allerede registrert av %(name)s %(when)s med politiets referanse "
        "%(reference)s. Det du fylte inn, er ikke lagret."
    ) % {"name": name, "when": exact(status.at), "reference": status.police_reference}


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
        raise NotFound(gettext_lazy("Bevispakken er ikke klargjort.")) from None
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
        raise NotFound(gettext_lazy("Eksporten er ikke klar."))
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
