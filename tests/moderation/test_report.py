"""Moderation by ground and month (MO-1; issue #15 item 9): a chart, tables and CSV of
what was hidden, deleted and banned on which of the municipality's grounds."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from ordstyrer.moderation.services import comment_delete, comment_hide
from tests.moderation.conftest import T0, citizen_comment

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


@pytest.fixture
def moderated(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            item = citizen_comment(world.channel, f"{SPAM} ({n})")
            comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
        item = citizen_comment(world.channel, "Dette er bare tull og vas fra kommunen.")
        comment_hide(actor=world.admin, item=item)
    return world


def url(world, suffix: str = "") -> str:
    return f"/m/{world.municipality.slug}/moderering/rapport{suffix}"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_report_counts_by_ground_and_month(moderated):
    day = T0.date().isoformat()
    page = as_user(moderated.p.communications).get(url(moderated, "/"), {"fra": day, "til": day})
    assert page.status_code == 200
    totals = {r.ground: (r.hidden, r.deleted, r.banned) for r in page.context["totals"]}
    assert totals == {"spam": (0, 2, 0), "": (1, 0, 0)}
    assert page.context["totals"][0].ground == "spam"  # most used first
    html = page.content.decode()
    assert "<svg" in html and "Spam" in html
    assert [(r.month.month, r.total) for r in page.context["rows"]] == [
        (T0.month, 1),
        (T0.month, 2),
    ]


def test_the_csv_has_one_row_per_month_and_ground(moderated):
    day = T0.date().isoformat()
    response = as_user(moderated.p.communications).get(
        url(moderated, ".csv"), {"fra": day, "til": day}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Måned", "Grunnlag", "Skjult", "Slettet", "Utestengt"]
    month = T0.strftime("%Y-%m")
    assert [month, "uten grunnlag", "1", "0", "0"] in rows
    assert any(r[0] == month and r[3] == "2" for r in rows[1:])


def test_a_period_without_actions_says_so(moderated):
    page = as_user(moderated.p.communications).get(
        url(moderated, "/"), {"fra": "2020-01-01", "til": "2020-01-31"}
    )
    assert page.context["totals"] == []
    assert "Ingen kommentarer er skjult" in page.content.decode()


def test_editors_and_outsiders_are_refused(moderated):
    assert as_user(moderated.editor).get(url(moderated, "/")).status_code == 403
    assert as_user(moderated.p.outsider).get(url(moderated, "/")).status_code == 404
    assert as_user(moderated.p.outsider).get(url(moderated, ".csv")).status_code == 404
