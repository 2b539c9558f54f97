"""The response-time report with charts and CSV, and the employees' report form (DI-11)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ordstyrer.core.console import MunicipalityRequest, municipality_view
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.intents import new_intent_key
from ordstyrer.core.reports import csv_cell, report_period
from ordstyrer.inbox.access import may_view_channel
from ordstyrer.inbox.forms import UnwantedReportForm
from ordstyrer.inbox.reports import TOTAL, Figures, Report, chart_bars, response_report
from ordstyrer.inbox.reports_unwanted import missing_leader_notice, unwanted_report
from ordstyrer.inbox.selectors import reportable_channels
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


def _report(request: MunicipalityRequest, municipality: Municipality) -> Report:
    """The response-time report for the period the request asks for."""
    since, until = report_period(request, default_days=DEFAULT_DAYS, max_days=MAX_DAYS)
    return response_report(
        user=request.actor,
        municipality=municipality,
        since=since,
        until=until,
        now=timezone.now(),
    )


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _table_row(figures: Figures) -> dict[str, str | int]:
    return {
        "label": figures.label,
        "items": figures.items,
        "resolved": figures.resolved,
        "first_share": _share(figures.first_share),
        "resolution_share": _share(figures.resolution_share),
        "first_median": _hours(figures.first_median),
        "first_p90": _hours(figures.first_p90),
        "resolution_median": _hours(figures.resolution_median),
        "resolution_p90": _hours(figures.resolution_p90),
        "overdue_now": figures.overdue_now,
    }


@municipality_view(need="inbox")
@require_GET
def report(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    result = _report(request, municipality)
    # A chart shows 20 bars at most: the largest rows, or the latest 20 months (the
    # months come oldest first); the table lists them all.
    sections = [
        {
            "code": code,
            "heading": heading,
            "rows": [_table_row(f) for f in rows],
            "chart": chart_bars(rows[-20:] if code == "month" else rows[:20]),
        }
        for code, heading, rows in result.dimensions
    ]
    return render(
        request,
        "inbox/report.html",
        {
            "report": result,
            "total": _table_row(result.total),
            "sections": sections,
            "since": result.since,
            "until": result.until,
        },
    )


@municipality_view(need="inbox")
@require_GET
def report_csv(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    result = _report(request, municipality)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="svartid-{municipality.slug}-{result.since}-{result.until}.csv"'
    )
    response.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Inndeling"),
            _("Verdi"),
            _("Henvendelser"),
            _("Ferdigbehandlet"),
            _("Første svar i tide"),
            _("Ferdig i tide"),
            _("Median første svar (arbeidstimer)"),
            _("90-persentil første svar (arbeidstimer)"),
            _("Median ferdig (arbeidstimer)"),
            _("90-persentil ferdig (arbeidstimer)"),
            _("Over fristen nå"),
        ]
    )
    groups = [("total", TOTAL, [result.total]), *result.dimensions]
    for _code, heading, rows in groups:
        for figures in rows:
            row = _table_row(figures)
            writer.writerow([csv_cell(v) for v in (heading, *row.values())])
    return response


@municipality_view(need="report_unwanted")
@require_http_methods(["GET", "POST"])
def report_unwanted(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """DI-11: any employee reports an unwanted statement on an official channel."""
    channels = reportable_channels(municipality=municipality)
    # DI-11 is cited only where the municipality's policy applies it (Birkenes' does).
    policy = policy_for(municipality=municipality)
    # A fresh intent key for the empty form: the same report posted twice is one.
    form = UnwantedReportForm(
        request.POST or None, channels=channels, initial={"intent_key": new_intent_key()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel = next((c for c in channels if str(c.pk) == data["channel"]), None)
        if channel is None:
            raise Http404(_("Fant ikke siden."))
        try:
            item = unwanted_report(
                actor=request.actor,
                channel=channel,
                link=data["link"],
                text=data["text"],
                note=data["note"],
                intent_key=data["intent_key"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            sent = (
                _("Takk! Meldingen er sendt til administratorene for %(channel)s (DI-11).")
                if policy.applies("DI-11")
                else _("Takk! Meldingen er sendt til administratorene for %(channel)s.")
            )
            messages.success(request, sent % {"channel": channel.name})
            notice = missing_leader_notice(actor=request.actor, channel=channel)
            if notice:
                messages.warning(request, notice)
            if may_view_channel(request.actor, channel):
                return redirect(reverse("inbox:detail", args=[municipality.slug, item.pk]))
            return redirect(reverse("inbox:report_unwanted", args=[municipality.slug]))
    return render(
        request,
        "inbox/report_unwanted.html",
        {"form": form, "channels": channels, "policy": policy},
    )
