"""Meta's retries after an outage send the same change again (issue #14): the bulk path
takes a comment that comes several times in one batch once, and recognises the plain
repeat of a stored item without writing — and in both cases the inbox ends exactly as
when `inbox_ingest` takes every arrival one at a time (DI-1: one item per comment,
nothing lost, DI-12). What a repeat would change (a field the item lacks, a hide, a
text that differs) is left to `inbox_ingest`. Same comparison as test_ingest_bulk.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from ordstyrer.inbox.ingest import Arrival, inbox_ingest, inbox_ingest_new, pretriage
from tests.inbox.conftest import TUESDAY, comment, make_world
from tests.inbox.test_ingest_bulk import _snapshot

T1 = TUESDAY + timedelta(minutes=1)
T2 = TUESDAY + timedelta(minutes=2)
QUESTION = "Kor tid opnar symjehallen att etter ferien?"
THANKS = "Tusen takk for god hjelp på servicetorget i dag!"
LINK = "https://www.facebook.com/4040/posts/1?comment_id=c1"


def _hidden(c):
    return replace(c, raw={"is_hidden": True})


CASES = [
    (
        "a new comment three times in the batch, a stored one twice, one new",
        [Arrival(comment("c1", QUESTION), TUESDAY)],
        [
            Arrival(comment("c2", THANKS, author="u2"), T1),
            Arrival(comment("c1", QUESTION), T1),
            Arrival(comment("c2", THANKS, author="u2"), T1),
            Arrival(comment("c3", "Hvem har ansvar for brøytingen?", author="u3"), T2),
            Arrival(comment("c1", QUESTION), T2),
            Arrival(comment("c2", THANKS, author="u2"), T2),
        ],
        {"c1", "c2", "c3"},
    ),
    (
        "a repeat that brings what the stored item lacks, or hides it",
        [
            Arrival(comment("c1", QUESTION), TUESDAY),
            Arrival(comment("c2", THANKS, author="u2"), TUESDAY),
        ],
        [
            Arrival(replace(comment("c1", QUESTION), permalink=LINK), T1),
            Arrival(_hidden(comment("c2", THANKS, author="u2")), T1),
        ],
        set(),
    ),
    (
        "a repeat of the original after an edit, of a tombstone, copies that differ",
        [
            Arrival(comment("c1", QUESTION), TUESDAY),
            Arrival(comment("c1", "Endret: når opnar hallen?", edited=True), TUESDAY),
            Arrival(comment("c2", "", author="u2", removed=True), TUESDAY),
        ],
        [
            Arrival(comment("c1", QUESTION), T1),
            Arrival(comment("c2", THANKS, author="u2"), T1),
            Arrival(comment("c3", QUESTION, author="u3"), T1),
            Arrival(_hidden(comment("c3", QUESTION, author="u3")), T2),
            Arrival(comment("c4", THANKS, author="u4"), T2),
        ],
        {"c4"},
    ),
    (
        "a stored follow-up and a stored reply to an unknown parent, again",
        [
            Arrival(comment("c1", QUESTION), TUESDAY),
            Arrival(comment("r1", "Hallo? Noen der?", parent="c1"), TUESDAY),
            Arrival(comment("r2", "Enig!", author="u2", parent="elsewhere"), TUESDAY),
        ],
        [
            Arrival(comment("r1", "Hallo? Noen der?", parent="c1"), T1),
            Arrival(comment("r2", "Enig!", author="u2", parent="elsewhere"), T1),
        ],
        {"r1", "r2"},
    ),
]


@pytest.mark.parametrize(("name", "before", "batch", "bulk"), CASES, ids=[c[0] for c in CASES])
def test_repeats_end_as_one_at_a_time(db, name, before, batch, bulk) -> None:
    world = make_world()
    alone, together = world.channel, world.other_channel
    for arrival in before:
        for channel in (alone, together):
            inbox_ingest(channel=channel, comment=arrival.comment, received_at=arrival.received_at)
    for arrival in batch:
        inbox_ingest(channel=alone, comment=arrival.comment, received_at=arrival.received_at)

    triaged = pretriage(together, [a.comment for a in batch])
    taken = inbox_ingest_new(channel=together, arrivals=batch, triaged=triaged)
    assert taken == bulk
    for arrival in batch:
        if str(arrival.comment.id).strip() not in taken:
            inbox_ingest(channel=together, comment=arrival.comment, received_at=arrival.received_at)

    expected, got = _snapshot(alone), _snapshot(together)
    assert set(got) == set(expected)
    for platform_id in expected:
        assert got[platform_id] == expected[platform_id], platform_id


def test_a_repeated_text_is_triaged_once(db) -> None:
    """Before any work: the batch triage gets each new text once, and none already
    stored with that text (retries cost no second triage)."""
    world = make_world()
    inbox_ingest(channel=world.channel, comment=comment("c1", QUESTION), received_at=TUESDAY)
    batch = [comment("c1", QUESTION), comment("c2", THANKS), comment("c2", THANKS)]
    assert list(pretriage(world.channel, batch)) == [THANKS]
