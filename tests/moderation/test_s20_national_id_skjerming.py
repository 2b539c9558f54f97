"""PU-1; norwegian-standards §4.2: a moderated comment that holds a national ID number is
archived with skjerming (offl. § 13 jf. fvl. § 13), whatever the ground it was hidden or
deleted on — not only on the "confidential" grounds (breach of confidentiality or
privacy, sensitive information, naming third persons).

Before, Rennebu's hide of «… fnr 05099242649, han er en tyv» on public shaming, a
deletion on hate speech of a comment whose earlier version held the number, a reply
deleted under a comment holding one (the record keeps the thread), and a comment gone
with the municipality's own post (PU-6: no ground at all) were all archived open to
public access."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.inbox.polling import poll_channel
from ordstyrer.moderation.capture import deleted_with_post_entry
from ordstyrer.moderation.services import comment_delete, comment_hide
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = pytest.mark.django_db

FNR = "05099242649"  # valid check digits (the masking tests' number)
SHAMING = f"Se her, Per Olsen fnr {FNR}, han er en tyv"
WHY = "Henger ut en navngitt person med fødselsnummer."
SKJERMING = {"code": "13", "authority": "Offl. § 13 jf. fvl. § 13"}


def _record(kind: str) -> ArchiveRecord:
    return ArchiveRecord.objects.get(kind=kind)


def _skjerming(record: ArchiveRecord) -> dict[str, str] | None:
    return json.loads(record.canonical)["confidentiality"]


def test_pu_1_rennebu_hides_a_fodselsnummer_on_public_shaming_with_skjerming(clock, run):
    world = make_world("rennebu", "rennebu")
    item = citizen_comment(world.channel, SHAMING)
    run(comment_hide, actor=world.admin, item=item, ground="public_shaming", justification=WHY)
    record = _record("hidden_comment")
    assert record.ground == "public_shaming"
    assert record.confidential is True
    assert _skjerming(record) == SKJERMING


def test_pu_1_a_number_in_an_earlier_version_only_still_gives_skjerming(world, run):
    """The author edited the number away before the deletion: the record keeps the
    earlier version, so it is screened (MO-2 keeps every version)."""
    item = citizen_comment(world.channel, f"Han der er en svindler, fnr {FNR}")
    with channel_connector(world.channel) as connector:
        platform = connector.platform
        platform.state["comments"][item.platform_id]["edit_text"] = "Han der er en svindler"
        platform._author_edit(item.platform_id, platform.now_ts() + 60)
    poll_channel(channel_id=world.channel.pk)
    item.refresh_from_db()
    assert FNR not in item.text
    run(comment_delete, actor=world.admin, item=item, ground="hate_speech", justification=WHY)
    record = _record("deleted_comment")
    body = json.loads(record.canonical)
    assert any(FNR in edit["text"] for edit in body["said"]["edits"])
    assert record.confidential is True
    assert body["confidentiality"] == SKJERMING


def test_pu_1_a_reply_under_a_comment_with_a_fodselsnummer_keeps_it_in_its_context(world, run):
    parent = citizen_comment(world.channel, f"Dette er min nabo, fnr {FNR}")
    reply = citizen_comment(
        world.channel, "Tjen 5000 kr i uka hjemmefra! bit.ly/rask-gevinst", parent=parent
    )
    run(
        comment_delete,
        actor=world.admin,
        item=reply,
        ground="spam",
        justification="Reklame, lagt inn på flere innlegg.",
    )
    record = _record("deleted_comment")
    body = json.loads(record.canonical)
    assert any(FNR in c["text"] for c in body["where"]["context"])
    assert record.confidential is True


def test_pu_1_pu_6_a_comment_gone_with_the_post_holding_a_number_gets_skjerming(world):
    """A take-down's comment has no ground (nobody judged it, PU-6)."""
    item = citizen_comment(world.channel, f"Jeg er på bildet, fnr {FNR}")
    entry = deleted_with_post_entry(
        item=item, reason="Samtykket er trukket tilbake.", now=datetime(2026, 5, 5, tzinfo=UTC)
    )
    assert entry.ground == ""
    assert entry.confidentiality is not None
    assert entry.confidentiality.code == "13"
    plain = citizen_comment(world.channel, "Fint tog i år!")
    entry = deleted_with_post_entry(
        item=plain, reason="Samtykket er trukket tilbake.", now=datetime(2026, 5, 5, tzinfo=UTC)
    )
    assert entry.confidentiality is None


def test_mo_2_a_deletion_without_a_number_on_an_open_ground_stays_open(world, run):
    item = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra! bit.ly/rask-gevinst")
    run(comment_delete, actor=world.admin, item=item, ground="spam", justification=WHY)
    record = _record("deleted_comment")
    assert record.confidential is False
    assert _skjerming(record) is None


def test_mo_2_a_confidential_ground_still_gives_skjerming_without_a_number(world, run):
    item = citizen_comment(world.channel, "Naboen min har kreft og får ikke hjelp av NAV.")
    run(
        comment_delete,
        actor=world.admin,
        item=item,
        ground="privacy_breach",
        justification="Helseopplysninger om en tredjeperson.",
    )
    assert _record("deleted_comment").confidential is True
