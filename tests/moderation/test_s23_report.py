"""The moderation report by ground and month (MO-1).

What broke:
- its chart's numbers were floats printed with `{{ }}`, which Django localises for nb
  and nn with a decimal comma (`y="15,4"`); no SVG number has a comma, so Chromium
  drew the bars without width and scattered the labels;
- it counted an action in the month it was asked for, not carried out: a deletion
  asked for on 29 May and approved by the second approver (and so carried out) on
  2 June was May's, while its docstring said «carried out»."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings

from ordstyrer.moderation import services
from ordstyrer.moderation.models import ModerationSettings
from ordstyrer.moderation.reports import moderation_by_ground
from tests.moderation.conftest import T0, citizen_comment, client_for, make_world

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_chart_numbers_have_a_decimal_point_in_norwegian(
    world, language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            item = citizen_comment(world.channel, f"{SPAM} ({n})")
            services.comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
        services.comment_hide(actor=world.admin, item=citizen_comment(world.channel, "Tull."))
    client = client_for(world.p.communications)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    day = T0.date().isoformat()
    response = client.get(
        f"/m/{world.municipality.slug}/moderering/rapport/", {"fra": day, "til": day}
    )
    assert response.headers["Content-Language"] == language
    html = response.content.decode()
    chart = html[html.index('<svg class="bar-chart"') : html.index("</svg>")]
    numbers = re.findall(r'\b(x|y|width|height|viewBox)="([^"]*)"', chart)
    assert len(numbers) > 6
    assert not [pair for pair in numbers if "," in pair[1]], numbers
    for _name, value in numbers:
        for number in value.split():
            float(number.removesuffix("%"))


def test_a_deletion_counts_in_the_month_it_was_carried_out(django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 5, 29, 12, 0, tzinfo=UTC), tick=False):
        world = make_world()
        ModerationSettings.objects.create(municipality=world.municipality, second_approver=True)
        item = citizen_comment(world.channel, SPAM)
        pending = services.comment_delete(
            actor=world.admin, item=item, ground="spam", justification=WHY
        )
    with time_machine.travel(datetime(2026, 6, 2, 8, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.deletion_approve(actor=world.main_admin, action=pending)
    pending.refresh_from_db()
    assert pending.status == "done"

    def deleted(since: date, until: date) -> int:
        rows = moderation_by_ground(
            user=world.p.communications, municipality=world.municipality, since=since, until=until
        )
        return sum(r.deleted for r in rows)

    assert deleted(date(2026, 5, 1), date(2026, 5, 31)) == 0
    assert deleted(date(2026, 6, 1), date(2026, 6, 30)) == 1
    rows = moderation_by_ground(
        user=world.p.communications,
        municipality=world.municipality,
        since=date(2026, 5, 1),
        until=date(2026, 6, 30),
    )
    assert [(r.month, r.deleted) for r in rows] == [(date(2026, 6, 1), 1)]
    # The CSV says the same.
    with time_machine.travel(datetime(2026, 6, 3, 8, 0, tzinfo=UTC), tick=False):
        body = (
            client_for(world.p.communications)
            .get(
                f"/m/{world.municipality.slug}/moderering/rapport.csv",
                {"fra": "2026-05-01", "til": "2026-06-30"},
            )
            .content.decode("utf-8-sig")
        )
    lines = list(csv.reader(io.StringIO(body), delimiter=";"))[1:]
    assert [(m, d) for m, _g, _h, d, _b in lines if d != "0"] == [("2026-06", "1")]
