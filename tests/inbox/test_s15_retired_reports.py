"""A retired channel's open items are closed by the system, not answered (CH-1, CH-3):
the response-time report (DI-1) does not count them as answered in time. Before, they
were closed «Trenger ikke svar», and an unanswered comment still within its deadline
counted as answered and resolved in time, with working hours in the medians."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from ordstyrer.channels import services as channel_services
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.reports import Figures, response_report
from ordstyrer.inbox.services import item_set_status
from tests.inbox.conftest import TUESDAY, comment, ingest, item_page

# Tuesday 09:00 Oslo; first response due 11:00 (2 working hours), resolution due
# Wednesday 09:00 (7.5 working hours) under Indre Fosen's guideline.
WITHIN = TUESDAY + timedelta(minutes=20)  # before both deadlines
BETWEEN = TUESDAY + timedelta(hours=3)  # past the first response's, not the resolution's
PAST = TUESDAY + timedelta(days=3)  # past both
REPORT_AT = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)  # long after every deadline


def retire_at(world, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        channel_services.channel_retire(
            actor=world.p.employee, channel=world.channel, reason="Skolen bruker nettsiden."
        )


def total(world) -> Figures:
    return response_report(
        user=world.p.communications,
        municipality=world.municipality,
        since=date(2026, 5, 1),
        until=date(2026, 5, 31),
        now=REPORT_AT,
    ).total


def test_an_item_within_its_deadline_when_the_channel_is_retired_is_not_judged(world):
    item = ingest(world.channel, comment("c1"))
    retire_at(world, WITHIN)
    figures = total(world)
    # Counted as an item, but neither answered nor resolved, in time or late (DI-1).
    assert (figures.first_in_time, figures.first_judged) == (0, 0)
    assert (figures.resolution_in_time, figures.resolution_judged) == (0, 0)
    assert figures.items == 1 and figures.resolved == 0 and figures.overdue_now == 0
    assert figures.first_median is None and figures.resolution_median is None
    item.refresh_from_db()
    assert item.close_reason == "channel_retired"
    assert (item.first_response_in_time, item.resolution_in_time) == (None, None)


def test_an_item_past_its_deadline_when_the_channel_is_retired_stays_late(world):
    item = ingest(world.channel, comment("c1"))
    retire_at(world, PAST)
    figures = total(world)
    # It waited past both deadlines: late, as if it were still open; but no response
    # and no resolution happened, so no working hours and nothing resolved.
    assert (figures.first_in_time, figures.first_judged) == (0, 1)
    assert (figures.resolution_in_time, figures.resolution_judged) == (0, 1)
    assert figures.resolved == 0
    assert figures.first_median is None and figures.resolution_median is None
    item.refresh_from_db()
    assert item.close_reason == "channel_retired"


def test_each_clock_is_judged_by_its_own_deadline_at_the_retirement(world):
    unanswered = ingest(world.channel, comment("c1", author="u1"))
    acknowledged = ingest(world.channel, comment("c2", author="u2"))
    with time_machine.travel(TUESDAY + timedelta(minutes=30), tick=False):
        item_set_status(actor=world.editor, item=acknowledged, action="acknowledge")
    retire_at(world, BETWEEN)
    figures = total(world)
    # First responses: the acknowledgement in time, the unanswered one late (11:00 had
    # passed at 12:00). Resolutions: both still within Wednesday 09:00, not judged.
    assert (figures.first_in_time, figures.first_judged) == (1, 2)
    assert (figures.resolution_in_time, figures.resolution_judged) == (0, 0)
    assert figures.resolved == 0 and figures.first_median == 0.5
    for item in (unanswered, acknowledged):
        item.refresh_from_db()
        assert item.close_reason == "channel_retired" and item.resolution_in_time is None


def test_a_reopened_item_keeps_its_first_resolution_when_the_channel_is_retired(world):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        item_set_status(actor=world.editor, item=item, action="answer")
    with time_machine.travel(TUESDAY + timedelta(hours=2), tick=False):
        item_set_status(actor=world.editor, item=item, action="reopen")
    retire_at(world, PAST)
    figures = total(world)
    # Judged by its first resolution (docs/inbox.md, Statuses), which was in time.
    assert (figures.resolution_in_time, figures.resolution_judged) == (1, 1)
    assert (figures.first_in_time, figures.first_judged) == (1, 1)
    assert figures.resolved == 1 and figures.resolution_median == 1.0


def test_what_does_not_wait_for_an_answer_is_not_judged_late_at_the_retirement(world):
    """Spam, hate speech and hidden items are moderated, not answered (#15): never late
    while they wait, so not late when their channel is retired either."""
    ingest(world.channel, comment("q1", author="u1"))
    for cid, change in (("s1", {"category": "spam"}), ("x1", {"hidden": True})):
        item = ingest(world.channel, comment(cid, author=f"u-{cid}"))
        InboxItem.objects.filter(pk=item.pk).update(**change)  # as triage/moderation set it
    retire_at(world, PAST)
    figures = total(world)
    assert figures.items == 3
    assert (figures.first_in_time, figures.first_judged) == (0, 1)
    assert (figures.resolution_in_time, figures.resolution_judged) == (0, 1)


def _status(page: str) -> str:
    found = re.search(r"<dt>Status</dt><dd>(.*?)</dd>", page, re.S)
    assert found
    return html.unescape(found.group(1))


@pytest.mark.parametrize(("at", "late"), [(WITHIN, False), (PAST, True)])
def test_the_item_page_shows_the_channel_was_retired(world, at, late):
    item = ingest(world.channel, comment("c1"))
    retire_at(world, at)
    with time_machine.travel(REPORT_AT, tick=False):
        page = item_page(world, item)
    assert _status(page) == "Lukket – Kanalen er lagt ned"
    assert "Kanalen «Skolen» er avviklet: Skolen bruker nettsiden." in html.unescape(page)
    # The deadlines: "for sent" only where it had waited past them, never "i tide".
    deadlines = html.unescape(page.split("<dt>Første svar innen", 1)[1].split("</dl>", 1)[0])
    assert "i tide" not in deadlines
    assert ("for sent" in deadlines) is late


def test_a_person_cannot_close_an_item_as_retired(world):
    """The system's reason: a person choosing it would take an item out of the report."""
    item = ingest(world.channel, comment("c1"))
    with pytest.raises(ServiceError):
        item_set_status(
            actor=world.editor, item=item, action="close", close_reason="channel_retired"
        )
    item.refresh_from_db()
    assert item.open and item.close_reason == ""
