"""The response report and the daily digest count what DI-1 asks about (DI-1, CH-5).

- Two channels may share a name on different platforms (a Facebook page and an Instagram
  account both «Gausdal kommune»): the report keeps them apart.
- An item near its deadline whose assignee has left (roles revoked, or deactivated) is
  in the channel's people's digest, not in the departed person's.
- No digest on weekends and public holidays (DI-1, Gausdal: «ikke overvåkning i helger
  og helligdager»).
- Spam, hate speech and deleted («Moderert») comments are moderated, not answered: a
  deletion past the deadline is no late answer.
- Reopening an item closed on arrival (a reply under a removed comment) starts its
  first-response clock at the reopening, not at its arrival.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ordstyrer.channels.models import Channel
from ordstyrer.inbox.corrections import item_correct_categories
from ordstyrer.inbox.digest import digest_lines, digest_sweep
from ordstyrer.inbox.models import CloseReason, InboxItem, ItemStatus
from ordstyrer.inbox.reports import response_report
from ordstyrer.inbox.services import item_assign, item_set_status
from ordstyrer.moderation.services import comment_delete
from ordstyrer.tenants.models import Role
from ordstyrer.tenants.services import role_revoke, user_deactivate
from tests.inbox.conftest import TUESDAY, comment, ingest, signed_in
from tests.moderation.conftest import T0, citizen_comment
from tests.moderation.conftest import make_world as make_mod_world

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
MAY = {"since": date(2026, 5, 1), "until": date(2026, 5, 31)}


def _report(world, now):
    return response_report(
        user=world.p.communications, municipality=world.municipality, now=now, **MAY
    )


# --- 1. channels sharing a name ----------------------------------------------------------


def test_two_channels_with_one_name_are_two_rows(world):
    """DI-1, CH-5: «Skolen» on Facebook and «Skolen» on the simulated platform are two
    channels; the report's rows and its CSV keep them apart, named with the platform."""
    Channel.objects.filter(pk=world.channel.pk).update(kind="facebook")
    Channel.objects.filter(pk=world.other_channel.pk).update(name="Skolen")
    answered = ingest(world.channel, comment("fb-1", author="u1"))
    ingest(world.other_channel, comment("sim-1", author="u2"))
    with time_machine.travel(TUESDAY + timedelta(minutes=30), tick=False):
        item_set_status(actor=world.p.communications, item=answered, action="answer")
    now = TUESDAY + timedelta(days=3)
    report = _report(world, now)
    rows = {f.label: f for code, _h, fs in report.dimensions if code == "channel" for f in fs}
    assert set(rows) == {"Skolen (Facebook-side)", "Skolen (Simulert plattform)"}
    facebook, simulated = rows["Skolen (Facebook-side)"], rows["Skolen (Simulert plattform)"]
    assert (facebook.items, facebook.first_in_time, facebook.overdue_now) == (1, 1, 0)
    assert (simulated.items, simulated.first_in_time, simulated.overdue_now) == (1, 0, 1)

    with time_machine.travel(now, tick=False):
        response = signed_in(world.p.communications).get(
            f"/m/{world.municipality.slug}/innboks/rapport.csv?fra=2026-05-01&til=2026-05-31"
        )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[1:3] for row in lines if row[0] == "Kanal") == [
        ["Skolen (Facebook-side)", "1"],
        ["Skolen (Simulert plattform)", "1"],
    ]


# --- 2. the digest and a departed assignee -----------------------------------------------


def _assigned_to_editor(world) -> InboxItem:
    item = ingest(world.channel, comment("c1"))
    item_assign(actor=world.p.communications, item=item, assignee=world.editor)
    item.refresh_from_db()
    assert item.assignee_id == world.editor.pk
    return item


@pytest.mark.parametrize("leaves", ["roles_revoked", "deactivated"])
def test_a_departed_assignees_items_go_to_the_channels_people(world, leaves):
    """DI-1: the editor assigned the item has left; its reminder goes to the channel's
    main administrator (the channel's people, as for an unassigned item), not to them."""
    item = _assigned_to_editor(world)
    if leaves == "roles_revoked":
        role_revoke(
            actor=world.p.communications,
            municipality=world.municipality,
            user=world.editor,
            role=Role.EMPLOYEE,
        )
    else:
        user_deactivate(actor=None, user=world.editor)
    lines = digest_lines(now=item.warn_at + timedelta(minutes=1))
    assert world.editor.pk not in lines
    assert set(lines) == {world.p.employee.pk}
    assert [i.pk for i in lines[world.p.employee.pk]["soon"]] == [item.pk]


def test_an_assignee_still_here_gets_their_items_alone(world):
    """DI-1: while the assignee may work on the channel, the reminder is theirs."""
    item = _assigned_to_editor(world)
    lines = digest_lines(now=item.warn_at + timedelta(minutes=1))
    assert set(lines) == {world.editor.pk}


# --- 3. no digest on days off ------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "sent"),
    [
        (datetime(2026, 5, 9, 8, 0, tzinfo=OSLO), 0),  # Saturday
        (datetime(2026, 5, 10, 8, 0, tzinfo=OSLO), 0),  # Sunday
        (datetime(2026, 5, 14, 8, 0, tzinfo=OSLO), 0),  # Kristi himmelfartsdag, a Thursday
        (datetime(2026, 5, 11, 6, 55, tzinfo=OSLO), 0),  # Monday, before 07:00
        (datetime(2026, 5, 11, 7, 5, tzinfo=OSLO), 2),  # Monday: main administrator, communications
    ],
)
def test_no_digest_on_weekends_and_public_holidays(world, local, sent):
    """DI-1: no monitoring on weekends and public holidays, so no digest either."""
    ingest(world.channel, comment("c1"))  # Tuesday 5 May, past its deadline since then
    with time_machine.travel(local, tick=False):
        assert digest_sweep(now=local) == sent


# --- 4. moderated items are not judged ---------------------------------------------------

HATEFUL = "Sånne folk som dere burde ikke få bo her i bygda."
WHY = "Hatefull ytring mot en gruppe, slettet etter retningslinjene."


def _mod_report(world, now):
    return response_report(
        user=world.p.communications, municipality=world.municipality, now=now, **MAY
    )


def test_hate_speech_deleted_after_the_deadline_is_no_late_answer(db):
    """DI-1 (#15): hate speech is moderated, not answered; deleting it days later
    stamps its times but judges nothing and adds no working hours."""
    with time_machine.travel(T0, tick=False):
        world = make_mod_world("s19-hat")
        item = citizen_comment(world.channel, HATEFUL)
        item_correct_categories(
            actor=world.admin, item=item, labels=["hate_speech"], hate_ground="religion"
        )
    later = T0 + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        comment_delete(actor=world.admin, item=item, ground="hate_speech", justification=WHY)
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.close_reason == CloseReason.MODERATED
    assert item.first_responded_at == later
    assert (item.first_response_seconds, item.first_response_in_time) == (None, None)
    assert (item.resolution_seconds, item.resolution_in_time) == (None, None)
    total = _mod_report(world, later).total
    assert (total.items, total.first_judged, total.resolution_judged) == (1, 0, 0)
    assert total.first_p90 is None and total.resolution_p90 is None


def test_a_question_closed_moderated_after_the_deadline_is_not_judged(db):
    """DI-1: a person's «Moderert» close (the comment hidden or deleted) is no answer."""
    with time_machine.travel(T0, tick=False):
        world = make_mod_world("s19-mod")
        item = citizen_comment(world.channel, "Når åpner svømmehallen igjen etter ferien?")
    later = T0 + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        item_set_status(
            actor=world.admin, item=item, action="close", close_reason=CloseReason.MODERATED
        )
    total = _mod_report(world, later).total
    assert (total.items, total.first_judged, total.resolution_judged) == (1, 0, 0)


# --- 5. reopening an item closed on arrival ----------------------------------------------


def test_reopening_a_reply_under_a_removed_comment_starts_its_clock_then(world):
    """DI-1: a reply under a removed comment is closed on arrival, with no deadline;
    reopened three days later, its first response is due after the reopening."""
    ingest(world.channel, comment("parent", author="u1"))
    ingest(world.channel, comment("parent", author="u1", removed=True))
    reply = ingest(
        world.channel,
        comment("reply", "Vet noen når bussen går?", author="u2", parent="parent"),
        at=TUESDAY + timedelta(minutes=10),
    )
    assert reply.close_reason == CloseReason.PARENT_REMOVED and not reply.open
    reopened = TUESDAY + timedelta(days=3)  # Friday 09:00 in Oslo
    with time_machine.travel(reopened, tick=False):
        item_set_status(actor=world.editor, item=reply, action="reopen")
    reply.refresh_from_db()
    assert reply.open and reply.due_at > reopened
    assert reply.first_response_due > reopened
    total = _report(world, reopened + timedelta(minutes=1)).total
    assert total.overdue_now == 0 and total.first_judged == 0


def test_an_answer_soon_after_the_reopening_is_in_time(world):
    """DI-1: the answer to the reopened reply is measured from the reopening."""
    ingest(world.channel, comment("parent", author="u1"))
    ingest(world.channel, comment("parent", author="u1", removed=True))
    reply = ingest(
        world.channel,
        comment("reply", "Vet noen når bussen går?", author="u2", parent="parent"),
        at=TUESDAY + timedelta(minutes=10),
    )
    reopened = TUESDAY + timedelta(days=3)
    with time_machine.travel(reopened, tick=False):
        item_set_status(actor=world.editor, item=reply, action="reopen")
    with time_machine.travel(reopened + timedelta(minutes=30), tick=False):
        item_set_status(actor=world.editor, item=reply, action="answer")
    reply.refresh_from_db()
    assert reply.first_response_in_time is True
    assert reply.first_response_seconds == 30 * 60
