"""The archive time is the append's own (AR-3).

What broke: `archive_append` stamped `archived_at` with the caller's `now`. The
moderation outbox reads its `now` when it claims the capture, before the platform call:
a deletion claimed at 23:59:45 on 30 June whose platform read took 20 s was archived
at 00:00:05 on 1 July as 23:59:45 on 30 June — after the scheduled deposit of June
had run at 00:00:05, inside the period it had closed. It was in neither June's
deposit nor July's period: never deposited. Record numbers and archive times also ran
in opposite orders. Now the append reads the clock when it links the record (under
the chain head's lock); the caller's time stays in the body as the capture time."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.exporters.common import Period, records_for
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.services import archive_append
from ordstyrer.moderation import outbox, services
from tests.archive.conftest import PNG, deleted_comment, make_channel
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = pytest.mark.django_db

T1 = datetime(2026, 6, 30, 21, 59, 45, tzinfo=UTC)  # 23:59:45 in Oslo
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


def captured(record: ArchiveRecord) -> datetime:
    return datetime.fromisoformat(json.loads(record.canonical)["when"]["captured"])


@pytest.mark.parametrize("media", [(), "png"], ids=["no files", "a file"])
def test_the_record_is_archived_when_it_is_appended(personas, media):
    """Both paths (on PostgreSQL an append without files takes the fast one)."""
    channel = make_channel(personas)
    files = () if not media else deleted_comment(personas).media
    assert not media or files[0].data == PNG
    with time_machine.travel(T1 + timedelta(seconds=20), tick=False):
        record = archive_append(
            actor=personas.communications,
            entry=deleted_comment(personas, channel, captured_at=None, media=files),
            now=T1,  # when the caller read the comment, 20 s before
        )
    record.refresh_from_db()
    assert record.archived_at == T1 + timedelta(seconds=20)
    assert captured(record) == T1  # the caller's time, where the entry names none
    assert verify_chain(personas.municipality.pk).ok


def test_an_entry_s_own_capture_time_is_kept(personas):
    channel = make_channel(personas)
    read = T1 - timedelta(minutes=3)
    with time_machine.travel(T1, tick=False):
        record = archive_append(
            actor=None,
            entry=deleted_comment(personas, channel, captured_at=read, media=()),
            now=T1 - timedelta(seconds=5),
        )
    assert (record.archived_at, captured(record)) == (T1, read)


def test_archive_times_follow_record_numbers_whatever_the_callers_times(personas):
    channel = make_channel(personas)
    stale = [T1 - timedelta(seconds=s) for s in (1, 30, 5, 60)]
    with time_machine.travel(T1, tick=True):
        for n, now in enumerate(stale):
            archive_append(
                actor=None,
                entry=deleted_comment(personas, channel, item_id=f"x_{n}", media=()),
                now=now,
            )
    times = list(
        ArchiveRecord.objects.filter(municipality=personas.municipality)
        .order_by("sequence")
        .values_list("archived_at", flat=True)
    )
    assert len(times) == 4 and times == sorted(times) and times[0] >= T1


def test_a_deletion_archived_after_midnight_is_in_the_next_deposit(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """The reviewer's case: the capture is claimed at 23:59:45 on 30 June, the platform
    read takes 20 s, and June's deposit runs at 00:00:05 on 1 July meanwhile."""
    with time_machine.travel(datetime(2026, 6, 30, 10, 0, tzinfo=UTC), tick=False):
        world = make_world()
        with django_capture_on_commit_callbacks(execute=True):  # June has a record
            services.comment_delete(
                actor=world.admin,
                item=citizen_comment(world.channel, f"{SPAM} (1)"),
                ground="spam",
                justification=WHY,
            )
        late = citizen_comment(world.channel, f"{SPAM} (2)")
    real, june = outbox.perform, []

    def slow_platform(op, connector, **kw):
        result = real(op, connector, **kw)
        if op.kind == "capture" and not june:
            traveller.shift(timedelta(seconds=20))
            june.append(
                run_export(
                    municipality=world.municipality,
                    fmt="noark5-uttrekk",
                    since=date(2026, 6, 1),
                    until=date(2026, 6, 30),
                    out_dir=tmp_path / "juni",
                )
            )
        return result

    monkeypatch.setattr(outbox, "perform", slow_platform)
    with time_machine.travel(T1, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_delete(actor=world.admin, item=late, ground="spam", justification=WHY)
    record = ArchiveRecord.objects.filter(
        municipality=world.municipality, kind="deleted_comment"
    ).latest("sequence")
    assert record.archived_at == T1 + timedelta(seconds=20)  # 00:00:05 on 1 July
    assert captured(record) == T1  # claimed on 30 June
    structure = (tmp_path / "juni" / "arkivstruktur.xml").read_text()
    in_june = re.findall(r"<journalsekvensnummer>(\d+)<", structure)
    july = records_for(world.municipality, Period(date(2026, 7, 1), date(2026, 7, 31)))
    assert str(record.sequence) not in in_june
    assert record.pk in set(july.values_list("pk", flat=True))
