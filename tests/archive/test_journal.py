"""Journaling (DI-7, AR-1) and titles: I/U/X, the reply's link to the inquiry, and a
public title that never carries personal data (HS-06)."""

from __future__ import annotations

import json

import pytest

from ordstyrer.archive.entry import ArchiveEntry, Kind, Person
from ordstyrer.archive.services import archive_append, journal_item
from ordstyrer.core.errors import ServiceError
from tests.archive.conftest import CONFIDENTIAL, deleted_comment, inquiry, make_channel

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("direction", "kind"),
    [("I", Kind.JOURNAL_INBOUND), ("U", Kind.JOURNAL_OUTBOUND), ("X", Kind.MODERATION_NOTE)],
)
def test_journal_item_marks_the_record_for_the_journal(personas, direction, kind):
    record = journal_item(actor=personas.employee, entry=inquiry(personas), direction=direction)
    assert (record.kind, record.journal, record.direction, record.action) == (
        kind,
        True,
        direction,
        "journal",
    )
    body = json.loads(record.canonical)
    assert body["journal"] == {"journal": True, "direction": direction}


def test_inquiry_and_reply(personas):
    p = personas
    channel = make_channel(p)
    question = journal_item(actor=p.employee, entry=inquiry(p, channel))
    reply = journal_item(
        actor=p.communications,
        entry=ArchiveEntry(
            municipality=p.municipality,
            kind=Kind.JOURNAL_OUTBOUND,
            text="Send søknaden til postmottak, så svarer byggesak deg. Hilsen Kari",
            author=Person(p.municipality.name),
            recipient=Person("Marit Haugen", "555"),
            channel=channel,
            action="reply",
            refers_to=question,
        ),
    )
    assert (question.direction, reply.direction) == ("I", "U")
    assert reply.refers_to_sequence == question.sequence
    assert json.loads(reply.canonical)["refers_to"] == {
        "sequence": question.sequence,
        "hash": question.hash,
    }


def test_journal_item_refuses_an_unknown_direction(personas):
    with pytest.raises(ServiceError) as caught:
        journal_item(actor=None, entry=inquiry(personas), direction="S")
    assert caught.value.rule == "AR-1"


def test_deleted_comments_are_archived_not_journaled_by_default(personas):
    record = archive_append(actor=None, entry=deleted_comment(personas))
    assert (record.journal, record.direction) == (False, "I")


def test_titles(personas):
    p = personas
    record = archive_append(actor=None, entry=deleted_comment(p, make_channel(p, "Rissa skole")))
    assert record.title == (
        "Slettet kommentar fra Ola Nordmann på Rissa skole – Hatefulle ytringer (straffeloven § 185)"
    )
    assert record.public_title == "Slettet kommentar på Rissa skole"
    assert "Ola" not in record.public_title and "pest" not in record.public_title


@pytest.mark.parametrize(
    "public_title",
    [
        "Henvendelse fra 412 34 567",
        "Henvendelse fra kari.nordmann@example.no",
        "Henvendelse om 01017012343",
    ],
)
def test_public_title_is_masked_for_personal_data(personas, public_title):
    record = archive_append(actor=None, entry=inquiry(personas, public_title=public_title))
    assert "[skjermet]" in record.public_title
    for secret in ("412 34 567", "kari.nordmann", "01017012343"):
        assert secret not in record.public_title


def test_confidentiality_is_recorded(personas):
    record = archive_append(actor=None, entry=inquiry(personas, confidentiality=CONFIDENTIAL))
    assert record.confidential
    assert json.loads(record.canonical)["confidentiality"] == {
        "code": "13",
        "authority": "Offl. § 13 jf. fvl. § 13",
    }
