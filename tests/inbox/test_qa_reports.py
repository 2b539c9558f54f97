"""QA: the DI-1 figures keep what happened, agree with the inbox, and speak the request's
language; a journaled inquiry with a fødselsnummer is confidential (AR-1, PU-1); the
digest links to the list it lists."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.inbox.digest import send_digest
from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.inbox.referrals import item_refer
from ordstyrer.inbox.reports import response_report
from ordstyrer.inbox.selectors import InboxFilter, inbox_page
from ordstyrer.inbox.services import item_assign, item_set_status
from tests.factories import PASSWORD
from tests.inbox.conftest import TUESDAY, comment, ingest

pytestmark = pytest.mark.django_db

# Tuesday 09:00 Oslo; Indre Fosen: the answer within 7.5 working hours (Wednesday 09:00).
LATE = TUESDAY + timedelta(days=1, hours=1)  # Wednesday 10:00 Oslo: an hour late
NOW = datetime(2026, 5, 8, 12, 0, tzinfo=UTC)


def _report(world, user=None):
    return response_report(
        user=user or world.p.communications,
        municipality=world.municipality,
        since=date(2026, 5, 1),
        until=date(2026, 5, 31),
        now=NOW,
    )


def _answered_late(world) -> InboxItem:
    item = ingest(world.channel, comment("c8"))
    with time_machine.travel(LATE, tick=False):
        item_set_status(actor=world.editor, item=item, action="answer")
    item.refresh_from_db()
    assert item.resolution_in_time is False
    return item


# --- DI-1: a reopened item keeps its first resolution's figures --------------------------


def test_reopening_and_closing_keeps_a_late_answer_late(world):
    item = _answered_late(world)
    seconds = item.resolution_seconds
    assert seconds == 8.5 * 3600  # 6.5 h on Tuesday (09:00–15:30), 2 h on Wednesday
    with time_machine.travel(LATE + timedelta(minutes=5), tick=False):
        item_set_status(actor=world.editor, item=item, action="reopen")
        item.refresh_from_db()
        # The new clock runs for the work list; the first result stays for the report.
        assert item.open and item.resolved_at is None and item.due_at > LATE
        assert (item.resolution_in_time, item.resolution_seconds) == (False, seconds)
        item_set_status(
            actor=world.editor, item=item, action="close", close_reason="no_reply_needed"
        )
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.resolved_at is not None
    assert (item.resolution_in_time, item.resolution_seconds) == (False, seconds)
    total = _report(world).total
    assert (total.resolution_in_time, total.resolution_judged) == (0, 1)
    assert total.resolution_median == seconds / 3600
    # The item page says how the first resolution went, not the new clock's deadline.
    client = _client(world.editor, "nb")
    url = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    with time_machine.travel(NOW, tick=False):
        html = client.get(url).content.decode()
    assert 'Første gang ferdig</dt><dd><strong class="overdue-text">for sent' in html


def test_the_citizen_writing_again_does_not_erase_a_late_answer(world):
    item = _answered_late(world)
    seconds = item.resolution_seconds
    again = LATE + timedelta(minutes=10)
    with time_machine.travel(again, tick=False):
        ingest(
            world.channel,
            comment("c9", "Gjelder det badstua også?", parent="c8", created=again),
            again,
        )
        item.refresh_from_db()
        assert item.status == ItemStatus.REOPENED
        item_set_status(actor=world.editor, item=item, action="answer")
    item.refresh_from_db()
    assert (item.resolution_in_time, item.resolution_seconds) == (False, seconds)


def test_an_item_reopened_after_an_answer_in_time_stays_in_time(world):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        item_set_status(actor=world.editor, item=item, action="answer")
        item_set_status(actor=world.editor, item=item, action="reopen")
    with time_machine.travel(TUESDAY + timedelta(days=3), tick=False):
        item_set_status(actor=world.editor, item=item, action="answer")
    item.refresh_from_db()
    assert (item.resolution_in_time, item.resolution_seconds) == (True, 3600)


# --- overdue now: the inbox's own definition ----------------------------------------------


def test_overdue_now_and_the_judgements_leave_out_what_does_not_wait_for_an_answer(world):
    ingest(world.channel, comment("q1", author="u1"))
    for cid, change in (
        ("s1", {"category": "spam"}),
        ("h1", {"category": "hate_speech"}),
        ("x1", {"hidden": True}),
    ):
        item = ingest(world.channel, comment(cid, author=f"u-{cid}"))
        InboxItem.objects.filter(pk=item.pk).update(**change)
    header = inbox_page(
        user=world.p.communications,
        municipality=world.municipality,
        filters=InboxFilter(),
        now=NOW,
    )
    total = _report(world).total
    assert total.items == 4
    assert total.overdue_now == header.overdue_count == 1
    # Only the question waits for an answer, and it is late on both clocks.
    assert (total.first_in_time, total.first_judged) == (0, 1)
    assert (total.resolution_in_time, total.resolution_judged) == (0, 1)
    by_category = {f.label: f for code, _h, rows in _report(world).dimensions for f in rows}
    assert by_category["Spam"].first_judged == 0 and by_category["Spam"].first_share is None


# --- the request's language ---------------------------------------------------------------


def _client(user, language: str) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_headings_and_the_total_follow_the_language(world):
    ingest(world.channel, comment("c1"))
    with translation.override("en"):
        report = _report(world)
        assert [str(h) for _c, h, _r in report.dimensions][::2] == ["Channel", "Category"]
        assert report.total.label == "Total"
    with translation.override("nn"):
        report = _report(world)
        assert str(report.dimensions[3][1]) == "Månad"
    with translation.override("nb"):
        assert _report(world).total.label == "Totalt"


def test_the_english_page_and_csv_say_it_in_english(world):
    ingest(world.channel, comment("c1"))
    slug = world.municipality.slug
    client = _client(world.p.communications, "en")
    period = {"fra": "2026-05-01", "til": "2026-05-31"}
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("inbox:report", args=[slug]), period).content.decode()
        body = client.get(reverse("inbox:report_csv", args=[slug]), period).content.decode()
    assert "By channel" in page and "By kanal" not in page
    assert '<th scope="col">Channel</th>' in page
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][:2] == ["Total", "Total"]
    assert any(row[0] == "Channel" and row[1] == "Skolen" for row in rows)


# --- AR-1 / PU-1: the journaled inquiry -----------------------------------------------------


def test_a_journaled_inquiry_with_a_national_id_is_confidential(world):
    held = ingest(
        world.channel,
        comment("c1", "Eg har søkt om byggeløyve, fødselsnummeret mitt er 01017012343."),
    )
    plain = ingest(
        world.channel, comment("c2", "Jeg har søkt om byggetillatelse, hva skjer?", author="u2")
    )
    confidential = item_refer(actor=world.editor, item=held, kind="formal", note="Byggesak")
    public = item_refer(actor=world.editor, item=plain, kind="formal", note="Byggesak")
    record = ArchiveRecord.objects.get(pk=confidential.journal_reference)
    assert record.confidential
    assert json.loads(record.canonical)["confidentiality"] == {
        "code": "13",
        "authority": "Offl. § 13 jf. fvl. § 13",
    }
    assert not ArchiveRecord.objects.get(pk=public.journal_reference).confidential


def test_a_national_id_in_an_earlier_version_makes_the_inquiry_confidential(world):
    ingest(world.channel, comment("c1", "Byggesaken min, fødselsnummer 01017012343."))
    later = TUESDAY + timedelta(minutes=5)
    item = ingest(
        world.channel,
        comment("c1", "Byggesaken min – når kommer svaret?", edited=True),
        later,
    )
    referral = item_refer(actor=world.editor, item=item, kind="formal")
    assert ArchiveRecord.objects.get(pk=referral.journal_reference).confidential


# --- the digest's link --------------------------------------------------------------------


def _list_links(body: str, slug: str) -> list[str]:
    prefix = f"/m/{slug}/innboks/"
    return [
        line.split(prefix, 1)[1]
        for line in body.splitlines()
        if prefix in line and not line.startswith("–")
    ]


def test_the_digest_links_to_the_open_list_when_nothing_is_overdue(world):
    item = ingest(world.channel, comment("c1"))
    item_assign(actor=world.editor, item=item, assignee=world.editor)
    item.refresh_from_db()
    near = item.warn_at + timedelta(minutes=1)
    mail.outbox.clear()
    with time_machine.travel(near, tick=False):
        assert send_digest(user_id=world.editor.pk, at=near.isoformat()) == 1
    (message,) = mail.outbox
    assert "0 over fristen, 1 nærmer seg" in message.subject
    assert _list_links(message.body, world.municipality.slug) == [""]
    assert "frist=passert" not in message.body


def test_the_digest_links_to_the_overdue_list_when_something_is_overdue(world):
    item = ingest(world.channel, comment("c1"))
    due = datetime(2026, 5, 6, 7, 0, tzinfo=UTC)
    InboxItem.objects.filter(pk=item.pk).update(due_at=due - timedelta(days=1))
    mail.outbox.clear()
    with time_machine.travel(due, tick=False):
        assert send_digest(user_id=world.p.communications.pk, at=due.isoformat()) == 1
    (message,) = mail.outbox
    assert _list_links(message.body, world.municipality.slug) == ["?frist=passert"]
