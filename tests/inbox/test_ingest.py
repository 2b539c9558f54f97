"""inbox_ingest: idempotent, safe out of order, triaged on arrival, never our own words."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine

from ordstyrer.inbox.ingest import pretriage
from ordstyrer.inbox.models import InboxItem, ItemKind, ItemStatus, Reply
from ordstyrer.inbox.replies import reply_send
from ordstyrer.tenants.selectors import policy_for
from ordstyrer.tenants.services import policy_update
from tests.inbox.conftest import TUESDAY, comment, ingest, make_world

LATER = TUESDAY + timedelta(minutes=5)


def test_same_comment_twice_is_one_item(world):
    first = ingest(world.channel, comment("c1"))
    again = ingest(world.channel, comment("c1"), LATER)
    assert first.pk == again.pk
    assert InboxItem.objects.filter(channel=world.channel).count() == 1
    assert again.versions.count() == 1
    assert again.events.filter(action="arrived").count() == 1


def test_triaged_on_arrival(world):
    item = ingest(world.channel, comment("c1", "Kor tid opnar symjehallen att etter ferien?"))
    assert item.category == "question"
    assert item.written_standard == "nn"
    assert item.action == "answer"
    assert item.triaged_at == TUESDAY
    assert item.status == ItemStatus.NEW and item.open
    assert item.kind == ItemKind.COMMENT


SPAM = "Kjøp billige klokker her www.klokker-billig.com 🔥🔥"


def test_triage_follows_the_municipalitys_own_deletion_grounds(world):
    """MO-1: an override of the deletion grounds reaches the suggested action on arrival."""
    shipped = ingest(world.channel, comment("c1", SPAM, author="spam-1"))
    assert (shipped.action, shipped.triage["grounds"]) == ("delete_allowed", ["spam"])
    policy_update(
        actor=world.p.communications,
        municipality=world.municipality,
        overrides={"MO-1": {"grounds": ["hate_speech", "privacy_breach"]}},
        reason="Spam skjules, det slettes ikke",
    )
    removed = ingest(world.channel, comment("c2", SPAM, author="spam-2"))
    assert (removed.action, removed.triage["grounds"]) == ("escalate", [])

    other = make_world("renby", "rennebu")
    assert ingest(other.channel, comment("r1", SPAM, author="spam-3")).action == "escalate"
    grounds = list(policy_for(municipality=other.municipality).grounds())
    policy_update(
        actor=other.p.communications,
        municipality=other.municipality,
        overrides={"MO-1": {"grounds": [*grounds, "spam"]}},
        reason="Spam er også grunnlag for sletting hos oss",
    )
    added = ingest(other.channel, comment("r2", SPAM, author="spam-4"))
    assert (added.action, added.triage["grounds"]) == ("delete_allowed", ["spam"])


def test_a_batch_triaged_beforehand_stores_what_one_at_a_time_stores(world):
    texts = [
        "Kor tid opnar symjehallen att etter ferien?",
        SPAM,
        "Ring meg på 412 34 567 om byggesaken min.",
        "Tusen takk til Kari Nordmann på servicetorget!",
    ]
    alone = [
        ingest(world.channel, comment(f"a{n}", t, author=f"a-{n}")) for n, t in enumerate(texts)
    ]
    batch = [comment(f"b{n}", t, author=f"b-{n}") for n, t in enumerate(texts)]
    triaged = pretriage(world.channel, batch)
    assert set(triaged) == set(texts)
    together = [ingest(world.channel, c, triaged=triaged) for c in batch]
    fields = ("category", "categories", "personal_data", "written_standard", "action", "triage")
    for one, other in zip(alone, together, strict=True):
        assert [getattr(one, f) for f in fields] == [getattr(other, f) for f in fields]
    # Stored texts, the Page's own comments and empty texts are not triaged again.
    unchanged = pretriage(
        world.channel, [*batch, comment("p1", "Vi svarer i morgen.", page=True), comment("e", "")]
    )
    assert unchanged == {}
    edited = replace(batch[0], text="Kor tid opnar symjehallen att?", edited=True)
    assert list(pretriage(world.channel, [edited])) == ["Kor tid opnar symjehallen att?"]


def test_personal_data_marked(world):
    item = ingest(world.channel, comment("c1", "Ring meg på 412 34 567 om byggesaken min."))
    assert [m["type"] for m in item.personal_data] == ["phone"]
    assert item.personal_data[0]["label"] == "telefonnummer"


def test_same_id_on_two_channels_is_two_items(world):
    a = ingest(world.channel, comment("c1"))
    b = ingest(world.other_channel, comment("c1"))
    assert a.pk != b.pk


def test_edit_then_later_edit_keeps_every_text(world):
    ingest(world.channel, comment("c1", "Når åpner bassenget?"))
    ingest(world.channel, comment("c1", "Når åpner svømmehallen?", edited=True), LATER)
    item = InboxItem.objects.get(platform_id="c1")
    assert item.text == "Når åpner svømmehallen?" and item.edited
    assert [v.text for v in item.versions.all()] == [
        "Når åpner bassenget?",
        "Når åpner svømmehallen?",
    ]
    assert item.events.filter(action="edited").count() == 1


def test_edit_before_add_keeps_the_edit_current(world):
    ingest(world.channel, comment("c1", "Når åpner svømmehallen?", edited=True))
    item = ingest(world.channel, comment("c1", "Når åpner bassenget?"), LATER)
    assert item.text == "Når åpner svømmehallen?"
    versions = list(item.versions.all())
    assert [(v.text, v.original) for v in versions] == [
        ("Når åpner bassenget?", True),
        ("Når åpner svømmehallen?", False),
    ]
    assert InboxItem.objects.count() == 1


def test_two_edits_out_of_order_later_arrival_wins_then_older_is_history(world):
    ingest(world.channel, comment("c1", "versjon to", edited=True), LATER)
    item = ingest(world.channel, comment("c1", "versjon en", edited=True), TUESDAY)
    assert item.text == "versjon to"
    assert {v.text for v in item.versions.all()} == {"versjon en", "versjon to"}


def test_remove_of_unknown_comment_leaves_a_tombstone_a_late_add_cannot_revive(world):
    gone = ingest(world.channel, comment("c9", "", removed=True))
    assert gone.status == ItemStatus.CLOSED and not gone.open
    assert gone.close_reason == "author_removed" and gone.is_tombstone
    late = ingest(world.channel, comment("c9", "Dette var et spørsmål."), LATER)
    assert late.pk == gone.pk
    assert late.text == "Dette var et spørsmål." and late.removed_at is not None
    assert late.status == ItemStatus.CLOSED and not late.open
    assert late.due_at is None


def test_removal_by_the_author_closes_an_open_item_without_counting_it(world):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(LATER, tick=False):
        ingest(world.channel, comment("c1", "", removed=True), LATER)
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.close_reason == "author_removed"
    assert item.removed_at == LATER
    assert item.first_response_seconds is None and item.resolution_in_time is None
    assert item.versions.count() == 1  # the text is kept


def test_page_comment_is_never_a_citizen_item(world):
    item = ingest(world.channel, comment("p1", "Velkommen til kommunens side!", page=True))
    assert item.from_page and not item.listed and not item.open
    assert item.category == "" and item.triaged_at is None
    assert item.first_response_due is None


def test_our_reply_coming_back_is_recognised(
    world, fake_platform, django_capture_on_commit_callbacks
):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
    reply.refresh_from_db()
    assert reply.status == "sent" and reply.platform_id
    back = ingest(
        world.channel,
        comment(reply.platform_id, reply.text, parent="c1", page=True),
        LATER,
    )
    assert back is None
    assert not InboxItem.objects.filter(platform_id=reply.platform_id).exists()


def test_page_answering_directly_on_the_platform_answers_the_item(world):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(LATER, tick=False):
        ingest(world.channel, comment("p7", "Den åpner mandag!", parent="c1", page=True), LATER)
    item.refresh_from_db()
    assert item.status == ItemStatus.ANSWERED
    assert item.resolved_at is not None and item.resolution_in_time
    assert item.events.filter(action="answer").exists()


def test_follow_up_from_the_same_citizen_reopens_the_answered_conversation(
    world, fake_platform, django_capture_on_commit_callbacks
):
    item = ingest(world.channel, comment("c1"))
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(actor=world.editor, item=item, text="Svømmehallen åpner mandag.")
    reply.refresh_from_db()
    follow_at = TUESDAY + timedelta(hours=3)
    with time_machine.travel(follow_at, tick=False):
        follow = ingest(
            world.channel,
            comment("c2", "Gjelder det også badstua?", parent=reply.platform_id, created=follow_at),
            follow_at,
        )
    item.refresh_from_db()
    assert follow.conversation_id == item.pk and not follow.listed and not follow.open
    assert item.status == ItemStatus.REOPENED and item.open
    assert item.reopened_count == 1
    assert item.resolution_started_at == follow_at
    assert item.due_at > follow_at


def test_another_citizen_in_the_thread_is_an_item_of_their_own(world):
    ingest(world.channel, comment("c1"))
    other = ingest(
        world.channel,
        comment("c2", "Lurer på det samme", author="user-2", name="Per", parent="c1"),
        LATER,
    )
    assert other.listed and other.kind == ItemKind.REPLY and other.conversation is None


def test_naive_times_are_refused(world):
    with pytest.raises(ValueError):
        ingest(world.channel, comment("c1"), TUESDAY.replace(tzinfo=None))


def test_reply_rows_are_not_created_by_ingest(world):
    ingest(world.channel, comment("c1"))
    assert Reply.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "hidden"),
    [
        ({}, True),  # a comment that says nothing about hiding (an import, a re-read add)
        ({"verb": "edited"}, True),  # a Graph webhook edit
        ({"verb": "edited", "is_hidden": True}, True),
        ({"is_hidden": False}, False),  # a Graph read: the platform shows it again
        ({"hidden": False}, False),  # an Instagram read
        ({"verb": "unhide"}, False),
    ],
)
def test_hidden_changes_only_when_the_platform_says_so(world, raw, hidden):
    ingest(world.channel, replace(comment("c1"), hidden=True, raw={"verb": "hide"}))
    later = replace(comment("c1", "Når åpner den igjen?", edited=True), raw=raw)
    item = ingest(world.channel, later, at=TUESDAY + timedelta(minutes=5))
    item.refresh_from_db()
    assert item.hidden is hidden and item.text == "Når åpner den igjen?"


def test_a_nul_character_is_dropped_not_a_dead_letter(world):
    # PostgreSQL's text and jsonb cannot hold NUL: one stray NUL must not make the
    # comment unstorable (issue #18).
    raw = comment("c-nul", "Hei\x00 kommune, når kommer brøytebilen?")
    raw = replace(raw, author=replace(raw.author, name="Ola\x00 Nordmann"))

    item = ingest(world.channel, raw)

    item.refresh_from_db()
    assert item.text == "Hei kommune, når kommer brøytebilen?"
    assert item.author_name == "Ola Nordmann"
    assert "\x00" not in str(item.versions.first().text)
