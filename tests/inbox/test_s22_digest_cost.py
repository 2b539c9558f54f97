"""The digest sweep costs what the channels cost, not what the backlog costs (DI-1, CH-5;
#15).

Items stay open until someone closes them, so one municipality can carry tens of
thousands past their deadline. The sweep runs every 5 minutes from 07:00 to midnight,
and it used to build a model object for every open item past or near its deadline in
every municipality before it subtracted the people who already had today's digest —
982 ms at 2,000 items, 5,381 ms at 8,000, each run, while claiming nothing. Each digest
then read the whole backlog again for its one person.

Now the sweep stops after one query when everyone who could get a digest has today's
mark, works out who gets one from aggregates (which channels have an item past its
deadline, which channels and assignees an item near it) and builds no items; a digest
counts its items with COUNT and reads only the lines it lists. Who gets a digest, which
lines and which counts are as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.inbox.digest import MAX_LINES, digest_lines, digest_sweep, send_digest
from ordstyrer.inbox.models import DigestMark, InboxItem
from ordstyrer.inbox.services import item_assign
from ordstyrer.tenants.models import Role
from ordstyrer.tenants.services import role_revoke
from tests.inbox.conftest import InboxWorld, comment, ingest, make_world

pytestmark = pytest.mark.django_db

# Wednesday 11:00 in Oslo, a working day; the Tuesday items below are past their deadline.
NOW = datetime(2026, 5, 6, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)  # the next run of the sweep


@contextmanager
def items_built() -> Iterator[list[int]]:
    """The inbox items the code under it turns into model objects (one per row read)."""
    built: list[int] = []

    def count(sender, instance, **kwargs) -> None:
        built.append(1)

    post_init.connect(count, sender=InboxItem, weak=False)
    try:
        yield built
    finally:
        post_init.disconnect(count, sender=InboxItem)


def _overdue(world: InboxWorld, n: int, *, channel=None, prefix: str = "o", **fields) -> list[int]:
    """`n` open questions on `channel` past their deadline since Tuesday, as a backlog
    left standing: one ingested, the rest copies of it (as the reviewer's measurement)."""
    channel = channel or world.channel
    first = ingest(channel, comment(f"{prefix}0", "Når åpner svømmehallen?", author="u-0"))
    due = NOW - timedelta(days=1)
    InboxItem.objects.filter(pk=first.pk).update(
        **{"category": "question", "due_at": due, **fields}
    )
    first.refresh_from_db()
    copies = []
    for i in range(1, n):
        first.pk = None
        first.platform_id = f"{prefix}{i}"
        first.due_at = due + timedelta(minutes=i)
        copies.append(
            InboxItem(
                **{f.attname: getattr(first, f.attname) for f in InboxItem._meta.concrete_fields}
            )
        )
    InboxItem.objects.bulk_create(copies, batch_size=500)
    return list(
        InboxItem.objects.filter(channel=channel, platform_id__startswith=prefix)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def _sweep(at: datetime, capture) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return digest_sweep(now=at)


# --- 1. a run with nothing left to send ----------------------------------------------


@pytest.mark.parametrize("backlog", [3, 120])
def test_a_sweep_after_the_digests_are_sent_reads_no_items(
    world, backlog, django_capture_on_commit_callbacks
):
    """DI-1, CH-5: once today's digests are claimed, the runs until midnight build no
    item and run the same few queries, however large the backlog."""
    _overdue(world, backlog)
    assert _sweep(NOW, django_capture_on_commit_callbacks) == 2  # main admin, communications
    with items_built() as built, CaptureQueriesContext(connection) as queries:
        with time_machine.travel(LATER, tick=False):
            assert digest_sweep(now=LATER) == 0
    assert built == []
    # The skip check, today's marks, the channels with an item past or near its deadline,
    # their municipalities, the channels' people and communications: never one per item.
    assert len(queries) <= 7, [q["sql"] for q in queries]


@pytest.mark.parametrize("backlog", [3, 120])
def test_a_sweep_when_everyone_who_could_get_a_digest_has_it_stops_at_once(
    world, backlog, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """DI-1: when every channel administrator, editor and communications advisor still
    here has today's mark, the run is one query."""
    _overdue(world, backlog)
    assert _sweep(NOW, django_capture_on_commit_callbacks) == 2
    day = NOW.date()
    # Nothing waits today for the editors, nor for the communications advisor next door.
    for person in (world.editor, world.other_editor, world.p.outsider):
        DigestMark.objects.create(user=person, day=day, created_at=NOW)
    with items_built() as built, django_assert_max_num_queries(1):
        with time_machine.travel(LATER, tick=False):
            assert digest_sweep(now=LATER) == 0
    assert built == []


def test_the_sweep_finds_who_gets_a_digest_without_building_items(
    world, django_capture_on_commit_callbacks
):
    """#15: the 07:00 run claims the same people with a small backlog and a large one, in
    the same number of queries, building no item."""
    counts = []
    for backlog, prefix, day in ((3, "a", NOW), (150, "b", NOW + timedelta(days=1))):
        InboxItem.objects.filter(open=True).update(open=False, status="closed")
        _overdue(world, backlog, prefix=prefix)
        with items_built() as built, CaptureQueriesContext(connection) as queries:
            with time_machine.travel(day, tick=False):
                assert digest_sweep(now=day) == 2  # claimed; the mails go on commit
        assert built == []
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- 2. one person's digest ----------------------------------------------------------


def test_a_digest_reads_only_the_lines_it_lists_whatever_the_backlog(world):
    """#15: a digest counts its items in the database and reads only the MAX_LINES it
    lists: its queries and the items it builds do not grow with the backlog."""
    person = world.p.communications
    seen = []
    for backlog, prefix in ((3, "a"), (MAX_LINES + 45, "b")):
        InboxItem.objects.filter(open=True).update(open=False, status="closed")
        pks = _overdue(world, backlog, prefix=prefix)
        mail.outbox.clear()
        with items_built() as built, CaptureQueriesContext(connection) as queries:
            with time_machine.travel(NOW, tick=False):
                assert send_digest(user_id=person.pk, at=NOW.isoformat()) == 1
        (message,) = mail.outbox
        assert message.subject == f"Ordstyrer: {backlog} over fristen, 0 nærmer seg"
        assert f"{backlog} henvendelser har passert fristen:" in message.body
        assert _listed(message.body) == pks[:MAX_LINES]
        assert len(built) <= MAX_LINES
        seen.append(len(queries))
    assert seen[0] == seen[1]


# --- 3. the same people, lines and counts as before --------------------------------------


def _listed(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r"/innboks/(\d+)/", body)]


def _expected_body_parts(lines: dict) -> tuple[str, list[int], set[str]]:
    """Subject, listed item ids and list links of a digest of `lines` (digest_lines)."""
    overdue, soon = lines["overdue"], lines["soon"]
    subject = f"Ordstyrer: {len(overdue)} over fristen, {len(soon)} nærmer seg"
    listed = [i.pk for i in overdue[:MAX_LINES]] + [i.pk for i in soon[:MAX_LINES]]
    late = {i.channel.municipality.slug for i in overdue}
    links = {
        f"/m/{slug}/innboks/{'?frist=passert' if slug in late else ''}"
        for slug in late | {i.channel.municipality.slug for i in soon}
    }
    return subject, listed, links


def test_who_gets_a_digest_its_lines_and_counts_are_as_before(
    world, django_capture_on_commit_callbacks
):
    """DI-1, CH-5, CH-3 on a mixed backlog in two municipalities: items past their
    deadline on both channels (more than a digest lists), moderated ones left out,
    items near it unassigned, assigned to someone still here, to communications and to
    someone who left; the same people get a digest, with the same lines and counts, as
    the full listing (`digest_lines`) says."""
    other = make_world("annenby")
    _overdue(world, MAX_LINES + 5, prefix="skole")
    _overdue(world, 2, channel=world.other_channel, prefix="bib")
    _overdue(world, 2, prefix="spam", category="spam")
    _overdue(world, 2, prefix="hat", category="hate_speech")
    _overdue(world, 2, prefix="skjult", hidden=True)
    _overdue(other, 3, prefix="annen")
    # Items near their deadline: received Wednesday 09:45 Oslo, reminded from 10:45.
    soon_at = datetime(2026, 5, 6, 7, 45, tzinfo=UTC)
    near = {
        name: ingest(channel, comment(name, author=f"u-{name}", created=soon_at), at=soon_at)
        for name, channel in (
            ("fri", world.channel),
            ("red", world.channel),
            ("kom", world.other_channel),
            ("borte", world.channel),
            ("bib2", world.other_channel),
        )
    }
    near["fri2"] = ingest(
        other.channel, comment("fri2", author="u-fri2", created=soon_at), at=soon_at
    )
    with time_machine.travel(soon_at, tick=False):
        item_assign(actor=world.p.communications, item=near["red"], assignee=world.editor)
        item_assign(actor=world.p.communications, item=near["kom"], assignee=world.p.communications)
        item_assign(actor=world.p.communications, item=near["bib2"], assignee=world.other_editor)
        # «Biblioteket»'s editor leaves the municipality; «Skolen»'s editor is also made
        # an administrator there (two roles, one person).
        role_revoke(
            actor=world.p.communications,
            municipality=world.municipality,
            user=world.other_editor,
            role=Role.EMPLOYEE,
        )
        channel_services.channel_role_set(
            actor=world.p.employee,
            channel=world.other_channel,
            user=world.editor,
            role=ChannelRole.ADMIN,
        )
    # Assigned to someone who is not (or no longer) on «Skolen» at all.
    InboxItem.objects.filter(pk=near["borte"].pk).update(assignee=world.other_editor)
    for item in near.values():
        item.refresh_from_db()
        assert item.warn_at <= NOW < item.due_at
    mail.outbox.clear()

    lines = digest_lines(now=NOW)
    people = {
        world.p.employee.pk,  # main administrator of both channels
        world.p.communications.pk,  # every channel of «innby»
        world.editor.pk,  # assigned «red»; the channels' people for «fri», «borte», «bib2»
        other.p.employee.pk,
        other.p.communications.pk,
        other.editor.pk,  # «fri2», nobody assigned
    }
    assert set(lines) == people
    assert len(lines[world.p.communications.pk]["overdue"]) == MAX_LINES + 7

    # Someone already has today's digest; the others are claimed, each mailed once.
    DigestMark.objects.create(user=world.p.employee, day=NOW.date(), created_at=NOW)
    assert _sweep(NOW, django_capture_on_commit_callbacks) == len(people) - 1
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(by_address) == len(mail.outbox) == len(people) - 1
    users = {
        u.pk: u
        for u in (world.p.employee, world.p.communications, world.editor, other.p.employee)
        + (other.p.communications, other.editor)
    }
    for pk in people - {world.p.employee.pk}:
        subject, listed, links = _expected_body_parts(lines[pk])
        message = by_address[users[pk].email]
        assert message.subject == subject
        assert _listed(message.body) == listed
        assert (
            set(re.findall(r"/m/[^/]+/innboks/(?:\?frist=passert)?(?=\s|$)", message.body)) == links
        )
    assert "27 henvendelser har passert fristen:" in by_address[world.p.communications.email].body

    # The one already marked: the same digest when its task runs.
    mail.outbox.clear()
    with time_machine.travel(NOW, tick=False):
        assert send_digest(user_id=world.p.employee.pk, at=NOW.isoformat()) == 1
    (message,) = mail.outbox
    subject, listed, links = _expected_body_parts(lines[world.p.employee.pk])
    assert (message.subject, _listed(message.body)) == (subject, listed)
    # Those with nothing waiting get nothing.
    with time_machine.travel(NOW, tick=False):
        assert send_digest(user_id=world.other_editor.pk, at=NOW.isoformat()) == 0
        assert send_digest(user_id=other.other_editor.pk, at=NOW.isoformat()) == 0
