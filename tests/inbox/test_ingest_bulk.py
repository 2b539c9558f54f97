"""inbox_ingest_new stores exactly what inbox_ingest stores, one comment at a time (DI-1,
DI-3, DI-12): the same arrivals go one by one into one channel and through the bulk path
(then `inbox_ingest` for what it leaves, in order) into another of the same municipality,
and the two inboxes are compared row by row — items, versions and timeline events."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.forms.models import model_to_dict

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ClosureHiddenComment, CommentMode
from ordstyrer.connectors.base import Author
from ordstyrer.inbox.ingest import Arrival, inbox_ingest, inbox_ingest_new, pretriage
from ordstyrer.inbox.models import InboxItem, ItemKind
from tests.channels.test_closures import HidingPlatform
from tests.inbox.conftest import TUESDAY, comment, make_world

T1 = TUESDAY + timedelta(minutes=1)
T2 = TUESDAY + timedelta(minutes=2)
QUESTION = "Kor tid opnar symjehallen att etter ferien?"
SPAM = "Kjøp billige klokker her www.klokker-billig.com 🔥🔥"
PHONE = "Ring meg på 412 34 567 om byggesaken min."

# (name, stored before, the batch, the platform ids the bulk path must take)
CASES: list[tuple[str, list[Arrival], list[Arrival], set[str]]] = [
    (
        "plain new comments, a reply to an unknown parent, a visitor post, a message",
        [],
        [
            Arrival(comment("c1", QUESTION), TUESDAY),
            Arrival(comment("c2", SPAM, author="u2"), TUESDAY),
            Arrival(comment("c3", PHONE, author="u3", created=None), T1),
            Arrival(comment("r1", "Enig!", author="u4", parent="elsewhere"), T1),
            Arrival(comment("v1", "Et innlegg", author="u5", post="v1"), T1, ItemKind.VISITOR_POST),
            Arrival(comment("m1", "Hei, kommunen", author="u6", post=None), T2, ItemKind.MESSAGE),
        ],
        {"c1", "c2", "c3", "r1", "v1", "m1"},
    ),
    (
        "created after it was received; hidden; a NUL in text and name; spaces round the id",
        [],
        [
            Arrival(comment("c1", QUESTION, created=T2), TUESDAY),
            Arrival(replace(comment("c2", SPAM, author="u2"), hidden=True), TUESDAY),
            Arrival(
                replace(
                    comment("c3", "Hei\x00 der", author="u3"), author=Author("u3", "Ola\x00 N")
                ),
                T1,
            ),
            Arrival(comment(" c4 ", PHONE, author="u4"), T1),
        ],
        {"c1", "c2", "c3", "c4"},
    ),
    (
        "the same comment twice in the batch, and an edit before its add",
        [],
        [
            Arrival(comment("c1", QUESTION), TUESDAY),
            Arrival(comment("c1", QUESTION), T1),
            Arrival(comment("c2", "Endret tekst", author="u2", edited=True), TUESDAY),
            Arrival(comment("c2", "Første tekst", author="u2"), T1),
            Arrival(comment("c3", PHONE, author="u3"), T1),
        ],
        {"c1", "c3"},  # c1 once, its retry changes nothing
    ),
    (
        "a follow-up by the same citizen to a stored comment and to one in the batch",
        [Arrival(comment("c1", QUESTION), TUESDAY)],
        [
            Arrival(comment("r1", "Hallo? Noen der?", parent="c1"), T1),
            Arrival(comment("c2", SPAM, author="u2"), T1),
            Arrival(comment("r2", "Og enda en gang", author="u2", parent="c2"), T2),
            Arrival(comment("c3", PHONE, author="u3"), T2),
        ],
        {"c3"},
    ),
    (
        "a parent that arrives after its child was stored",
        [Arrival(comment("r1", "Svar før kommentaren", parent="c1"), TUESDAY)],
        [
            Arrival(comment("c1", QUESTION), T1),
            Arrival(comment("c2", SPAM, author="u2"), T1),
        ],
        {"c2"},
    ),
    (
        "already stored, removed, the Page's own comment, an empty text",
        [Arrival(comment("c1", QUESTION), TUESDAY)],
        [
            Arrival(comment("c1", QUESTION), T1),
            Arrival(comment("c2", SPAM, author="u2", removed=True), T1),
            Arrival(comment("p1", "Vi svarer i morgen.", author="page", page=True), T1),
            Arrival(comment("c3", "", author="u3"), T1),
            Arrival(comment("c4", PHONE, author="u4"), T2),
        ],
        {"c1", "c4"},  # c1: a plain repeat of the stored one
    ),
]


def _snapshot(channel) -> dict[str, Any]:
    """Everything stored for the channel's items, keyed by platform id (no row ids)."""
    items = {i.pk: i for i in InboxItem.objects.filter(channel=channel)}
    ids = {pk: item.platform_id for pk, item in items.items()}
    rows: dict[str, Any] = {}
    for item in items.values():
        fields = model_to_dict(item, exclude=["id", "channel"])
        fields["conversation"] = ids.get(fields["conversation"])
        versions = sorted((v.text, v.original, v.seen_at) for v in item.versions.all())
        events = sorted(
            (
                e.action,
                e.at,
                e.from_status,
                e.to_status,
                e.text,
                e.actor_id,
                {
                    k: ids.get(v, v) if k.endswith("_id") or k == "follow_up_of" else v
                    for k, v in e.data.items()
                }.__repr__(),
            )
            for e in item.events.all()
        )
        rows[item.platform_id] = (fields, versions, events)
    return rows


@pytest.mark.parametrize(("name", "before", "batch", "bulk"), CASES, ids=[c[0] for c in CASES])
def test_the_bulk_path_stores_what_one_at_a_time_stores(db, name, before, batch, bulk):
    world = make_world()
    alone, together = world.channel, world.other_channel
    for arrival in before:
        for channel in (alone, together):
            inbox_ingest(
                channel=channel,
                comment=arrival.comment,
                received_at=arrival.received_at,
                kind=arrival.kind,
            )

    for arrival in batch:
        inbox_ingest(
            channel=alone,
            comment=arrival.comment,
            received_at=arrival.received_at,
            kind=arrival.kind,
        )

    triaged = pretriage(together, [a.comment for a in batch])
    stored = inbox_ingest_new(channel=together, arrivals=batch, triaged=triaged)
    assert stored == bulk
    for arrival in batch:
        if str(arrival.comment.id).strip() not in stored:
            inbox_ingest(
                channel=together,
                comment=arrival.comment,
                received_at=arrival.received_at,
                kind=arrival.kind,
            )

    expected, got = _snapshot(alone), _snapshot(together)
    assert set(got) == set(expected)
    for platform_id in expected:
        assert got[platform_id] == expected[platform_id], platform_id


def test_without_a_batch_triage_the_bulk_path_triages_itself(db):
    world = make_world()
    arrivals = [Arrival(comment("c1", QUESTION), TUESDAY), Arrival(comment("c2", SPAM), TUESDAY)]
    assert inbox_ingest_new(channel=world.channel, arrivals=arrivals) == {"c1", "c2"}
    item = InboxItem.objects.get(channel=world.channel, platform_id="c1")
    assert (item.category, item.written_standard, item.triaged_at) == ("question", "nn", TUESDAY)
    assert item.due_at is not None and item.open


def test_nothing_is_stored_in_bulk_for_another_channel_of_the_same_ids(db):
    """The bulk path looks only at its own channel: the same ids elsewhere are no reason
    to leave them to the slow path, and it never writes into the other channel."""
    world = make_world()
    arrivals = [Arrival(comment("c1", QUESTION), TUESDAY)]
    inbox_ingest(channel=world.other_channel, comment=arrivals[0].comment, received_at=T1)
    assert inbox_ingest_new(channel=world.channel, arrivals=arrivals) == {"c1"}
    assert InboxItem.objects.filter(platform_id="c1").count() == 2
    assert InboxItem.objects.get(channel=world.other_channel).received_at == T1


def _closed(world, connector, settings, capture):
    """The world's channel closed for a day from TUESDAY on `connector` (CH-9)."""
    settings.ORDSTYRER_CONNECTORS = {
        **settings.ORDSTYRER_CONNECTORS,
        "OPENER": lambda channel: nullcontext(connector),
    }
    with capture(execute=True):
        closure = channel_services.closure_schedule(
            actor=world.p.employee,
            channel=world.channel,
            reason="Ferie",
            starts_at=TUESDAY,
            ends_at=TUESDAY + timedelta(days=1),
        )
    closure.refresh_from_db()
    return closure


def test_while_a_closure_hides_new_comments_each_goes_one_at_a_time(
    db, settings, django_capture_on_commit_callbacks
):
    """CH-9: on a platform that cannot switch comments off, each new comment of a closed
    channel is listed to be hidden — the bulk path leaves them all to `inbox_ingest`."""
    world = make_world()
    connector = HidingPlatform()
    with time_machine.travel(TUESDAY, tick=False):
        closure = _closed(world, connector, settings, django_capture_on_commit_callbacks)
        assert closure.comment_mode == CommentMode.HIDE_NEW
        arrivals = [Arrival(comment("c1", QUESTION), T1), Arrival(comment("c2", SPAM), T1)]
        assert inbox_ingest_new(channel=world.channel, arrivals=arrivals) == set()
        with django_capture_on_commit_callbacks(execute=True):
            for a in arrivals:
                inbox_ingest(channel=world.channel, comment=a.comment, received_at=T1)
    hidden = ClosureHiddenComment.objects.filter(closure=closure)
    assert sorted(hidden.values_list("comment_id", flat=True)) == ["c1", "c2"]
    assert sorted(connector.hidden) == ["c1", "c2"]
    # Another channel of the municipality is not closed: its comments go in bulk.
    assert inbox_ingest_new(channel=world.other_channel, arrivals=arrivals) == {"c1", "c2"}


def test_while_comments_are_switched_off_a_comment_that_still_comes_is_hidden(
    db, settings, django_capture_on_commit_callbacks
):
    """CH-9: comments switched off on the platform, yet one arrives on a post published
    after the closure began: the bulk path leaves it to `inbox_ingest`, which hides it
    and switches that post off too."""
    from tests.channels.test_qa_closures_and_approvers import Platform

    world = make_world()
    connector = Platform(posts=2)
    with time_machine.travel(TUESDAY, tick=False):
        closure = _closed(world, connector, settings, django_capture_on_commit_callbacks)
        assert closure.comment_mode == CommentMode.SWITCHED_OFF
        connector.enabled["late"] = True  # published after the closure began
        connector.comments["c1"] = "late"
        arrival = Arrival(comment("c1", QUESTION, post="late"), T1)
        assert inbox_ingest_new(channel=world.channel, arrivals=[arrival]) == set()
        with django_capture_on_commit_callbacks(execute=True):
            inbox_ingest(channel=world.channel, comment=arrival.comment, received_at=T1)
    assert connector.hidden == ["c1"]
    assert connector.enabled["late"] is False
    hidden = ClosureHiddenComment.objects.filter(closure=closure)
    assert list(hidden.values_list("comment_id", flat=True)) == ["c1"]
