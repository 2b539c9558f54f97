"""POST …/archive/exports refuses a period the exporters cannot make with a 422 that lists
the date at fault, with the reason in English (`detail`) and Norwegian (`detail_nb`,
the field's `msg`) (api.md "Errors"; AR-2). A refusal never speaks of a date the client
did not send: without `until` the period ends today (the Noark 5 deposit's yesterday,
AR-3)."""

from __future__ import annotations

from datetime import date

import pytest

from ordstyrer.archive.models import ArchiveExport
from tests.api.conftest import ApiClient, token_for

EXPORTS = "/api/v1/m/apiby/archive/exports"
TODAY = date(2026, 5, 5)  # the `clock` fixture's day (T0)
YESTERDAY = date(2026, 5, 4)


@pytest.fixture
def api(world) -> ApiClient:
    return ApiClient(token_for(world.p.communications, world.municipality))


@pytest.mark.parametrize(
    ("period", "field", "english", "norwegian"),
    [
        (
            {"since": "1800-01-01"},
            "since",
            "since must lie in the years 1900 to 2100.",
            "Perioden må ligge mellom årene 1900 og 2100.",
        ),
        (
            {"since": "2020-01-01", "until": "2101-01-01"},
            "until",
            "until must lie in the years 1900 to 2100.",
            "Perioden må ligge mellom årene 1900 og 2100.",
        ),
        (
            {"since": "2010-01-01", "until": "2025-12-31"},
            "until",
            "The period from since to until (today if not given) may span at most ten years.",
            "Velg en periode på høyst ti år.",
        ),
        (
            {"since": "2010-01-01"},
            "since",
            "The period from since to until (today if not given) may span at most ten years.",
            "Velg en periode på høyst ti år.",
        ),
        (
            {"since": "2026-05-10", "until": "2026-05-01"},
            "until",
            "until is before since.",
            "Til-datoen kan ikke være før fra-datoen.",
        ),
        (
            {"since": "2026-06-01"},
            "since",
            "since is after today, the end of the period when until is not given.",
            "Fra-datoen kan ikke være etter i dag når ingen til-dato er oppgitt.",
        ),
    ],
    ids=["since-1800", "until-2101", "span", "span-to-today", "until-first", "since-future"],
)
def test_a_refused_period_lists_the_date_at_fault(api, period, field, english, norwegian):
    response = api.post(EXPORTS, {"format": "noark5-uttrekk", **period})

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["errors"] == [{"loc": ["body", field], "msg": norwegian, "type": "value"}]
    assert body["detail"] == english
    assert body["detail_nb"] == norwegian
    assert body["rule"] == "AR-2"
    assert not ArchiveExport.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "end"),
    [("fiks-arkiv", TODAY), ("noark5-uttrekk", YESTERDAY)],
    ids=["fiks-arkiv-today", "deposit-yesterday"],
)
def test_without_until_the_period_ends_today(api, fmt, end):
    """Without `until` the period ends today; the Noark 5 deposit, which closes its
    period, yesterday (AR-3)."""
    response = api.post(EXPORTS, {"format": fmt, "since": "2026-05-01"})

    assert response.status_code == 202, response.content
    export = ArchiveExport.objects.get(pk=response.json()["id"])
    assert (export.since, export.until) == (date(2026, 5, 1), end)


def test_today_alone_is_a_period(api):
    response = api.post(EXPORTS, {"format": "fiks-arkiv", "since": TODAY.isoformat()})

    assert response.status_code == 202, response.content
