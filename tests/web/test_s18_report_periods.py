"""The reports' period on odd dates (never a 500): a day far outside the calendar the
reports can count in — a period ending on 0001-01-01 or 9999-12-31 — falls back to the
default period instead of overflowing (DI-1 report, MO-1 report)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ODD = [
    {"til": "0001-01-01"},
    {"fra": "0001-01-01", "til": "0001-01-02"},
    {"til": "9999-12-31"},
    {"fra": "9999-12-30", "til": "9999-12-31"},
    {"fra": "0001-01-01"},
    {"fra": "1899-12-31", "til": "2026-05-05"},
]
REPORTS = [
    "innboks/rapport/",
    "innboks/rapport.csv",
    "moderering/rapport/",
    "moderering/rapport.csv",
]


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("query", ODD)
def test_an_odd_period_is_the_default_period_not_a_500(personas, path, query):
    client = Client(raise_request_exception=False)
    client.force_login(personas.communications)
    response = client.get(f"/m/{personas.municipality.slug}/{path}", query)
    assert response.status_code == 200
    if not path.endswith(".csv"):
        default = client.get(f"/m/{personas.municipality.slug}/{path}")
        assert response.context["since"] == default.context["since"]
        assert response.context["until"] == default.context["until"]
