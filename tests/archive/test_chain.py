"""The hash chain (AR-3): appends link up, idempotency, refusals, and `verify` finds
the first record an intruder changed, removed or re-linked."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ordstyrer.archive.canonical import chain_hash
from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.entry import ArchiveEntry, Kind, MediaFile, Person
from ordstyrer.archive.models import GENESIS_HASH, ArchiveFile, ArchiveRecord, ChainHead
from ordstyrer.archive.services import archive_append
from ordstyrer.core.errors import ServiceError
from tests.archive.conftest import PNG, deleted_comment, inquiry, make_channel, tamper

pytestmark = pytest.mark.django_db


def append_three(p):
    channel = make_channel(p)
    return [
        archive_append(actor=p.communications, entry=deleted_comment(p, channel)),
        archive_append(actor=p.communications, entry=inquiry(p, channel)),
        archive_append(actor=None, entry=deleted_comment(p, channel, text="Spam!", ground="spam")),
    ]


def test_records_link_into_one_chain_per_municipality(personas):
    p = personas
    records = append_three(p)
    assert [r.sequence for r in records] == [1, 2, 3]
    assert records[0].prev_hash == GENESIS_HASH
    for before, after in zip(records, records[1:], strict=False):
        assert after.prev_hash == before.hash
    for record in records:
        assert record.hash == chain_hash(record.prev_hash, record.canonical)
    head = ChainHead.objects.get(pk=p.municipality.pk)
    assert (head.sequence, head.head_hash) == (3, records[-1].hash)
    # Another municipality starts its own chain.
    other = p.outsider.role_assignments.first().municipality
    first = archive_append(
        actor=None, entry=ArchiveEntry(municipality=other, kind=Kind.OWN_POST, text="Hei")
    )
    assert (first.sequence, first.prev_hash) == (1, GENESIS_HASH)
    assert verify_chain(p.municipality.pk).ok and verify_chain(other.pk).ok


def test_the_canonical_body_holds_everything_mo_2_asks_for(personas):
    record = archive_append(
        actor=personas.communications, entry=deleted_comment(personas, make_channel(personas))
    )
    body = json.loads(record.canonical)
    assert record.canonical == json.dumps(
        body, sort_keys=True, ensure_ascii=True, separators=(",", ":")
    )
    assert body["said"]["text"].startswith("Innvandrerne er en pest")
    assert body["said"]["edits"][0]["text"] == "Innvandrerne er en pest."
    assert body["author"] == {
        "name": "Ola Nordmann",
        "platform_user_id": "100200300",
        "profile_url": "https://www.facebook.com/100200300",
    }
    assert body["where"]["permalink"].endswith("comment_id=222")
    assert body["where"]["context"][1]["text"] == "Så hyggelig 🎉"
    assert body["when"]["deleted"] == "2025-05-16T08:10:00+00:00"
    assert (body["ground"], body["action"]) == ("hate_speech", "delete")
    assert body["files"][0]["sha256"] == ArchiveFile.objects.get(record=record).sha256
    assert json.loads(body["raw"])["from"]["id"] == "100200300"
    assert body["actor"]["id"] == personas.communications.pk


def test_idempotency_key_returns_the_first_record(personas):
    entry = deleted_comment(personas, idempotency_key="outbox:42")
    first = archive_append(actor=None, entry=entry)
    again = archive_append(actor=None, entry=entry)
    assert again.pk == first.pk
    assert ArchiveRecord.objects.filter(municipality=personas.municipality).count() == 1


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"kind": "poem"}, None),
        ({"ground": "rude"}, "MO-1"),
        ({"ground": ""}, "MO-2"),
        ({"author": None}, "MO-2"),
        ({"author": Person("  ")}, "MO-2"),
        ({"text": "", "media": ()}, "AR-1"),
        ({"direction": "Q"}, "AR-1"),
        ({"action": "shred"}, None),
        ({"media": (MediaFile("", "image/png", PNG),)}, None),
    ],
)
def test_incomplete_entries_are_refused(personas, change, rule):
    with pytest.raises(ServiceError) as caught:
        archive_append(actor=None, entry=deleted_comment(personas, **change))
    assert caught.value.rule == rule
    assert not ArchiveRecord.objects.exists()


def test_outsiders_and_foreign_channels_cannot_append(personas):
    p = personas
    with pytest.raises(Exception) as caught:
        archive_append(actor=p.outsider, entry=deleted_comment(p))
    assert caught.value.__class__.__name__ == "NotFound"
    other = p.outsider.role_assignments.first().municipality
    foreign = make_channel(p)
    foreign.municipality = other
    foreign.save()
    with pytest.raises(ServiceError):
        archive_append(actor=None, entry=deleted_comment(p, foreign))


def test_append_rolls_back_with_the_callers_transaction(personas):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        archive_append(actor=None, entry=deleted_comment(personas))
        raise RuntimeError("the platform call was never queued")
    assert not ArchiveRecord.objects.exists()
    record = archive_append(actor=None, entry=deleted_comment(personas))
    assert (record.sequence, record.prev_hash) == (1, GENESIS_HASH)


TAMPERING = [
    (
        "one changed byte in the canonical body",
        "UPDATE archive_archiverecord SET canonical = REPLACE(canonical, 'mars', 'Mars') "
        "WHERE sequence = 2",
        2,
        "er endret",
    ),
    (
        "a search column edited",
        "UPDATE archive_archiverecord SET ground = 'spam' WHERE sequence = 2",
        2,
        "«ground»",
    ),
    ("a record removed", "DELETE FROM archive_archiverecord WHERE sequence = 2", 2, "mangler"),
    (
        "the newest record removed",
        "DELETE FROM archive_archiverecord WHERE sequence = 3",
        2,
        "kjedehodet",
    ),
    (
        "a record re-linked",
        "UPDATE archive_archiverecord SET prev_hash = hash WHERE sequence = 3",
        3,
        "forrige",
    ),
    ("a file's bytes replaced", "UPDATE archive_archivefile SET data = %s", 1, "fil 1 er endret"),
]


@pytest.mark.parametrize(
    ("what", "sql", "broken", "problem"), TAMPERING, ids=[t[0] for t in TAMPERING]
)
def test_verify_finds_the_first_broken_record(personas, what, sql, broken, problem):
    p = personas
    records = append_three(p)
    assert records[1].canonical.count("mars") == 1
    assert verify_chain(p.municipality.pk).ok
    if sql.startswith("DELETE FROM archive_archiverecord"):
        tamper(
            "DELETE FROM archive_archivefile WHERE record_id IN "
            "(SELECT id FROM archive_archiverecord WHERE sequence = %s)",
            (int(sql[-1]),),
        )
    tamper(sql, (b"\x89PNG not the picture",) if "%s" in sql else ())
    report = verify_chain(p.municipality.pk)
    assert not report.ok
    assert report.broken_sequence == broken, report.problems
    assert problem in report.problem


def test_verify_command_exit_codes(personas, capsys):
    p = personas
    append_three(p)
    call_command("archive", "verify", "--municipality", p.municipality.slug)
    assert "OK – 3 poster, 2 filer" in capsys.readouterr().out
    tamper("UPDATE archive_archiverecord SET title = 'Endret' WHERE sequence = 1")
    with pytest.raises(CommandError) as caught:
        call_command("archive", "verify")
    assert caught.value.returncode == 1
    assert f"{p.municipality.slug}: BRUTT ved post nr. 1" in capsys.readouterr().out
    with pytest.raises(CommandError) as caught:
        call_command("archive", "verify", "--municipality", "finnes-ikke")
    assert caught.value.returncode == 2
    assert "ukjent kommune" in str(caught.value)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "--bogus"], "ukjente argumenter: --bogus"),
        ([], "mangler verify|export"),
        (["export", "--municipality", "x"], "mangler --format, --since, --out"),
        (
            [
                "export",
                "--municipality",
                "x",
                "--format",
                "pdf",
                "--since",
                "2025-01-01",
                "--out",
                "u",
            ],
            "ugyldig verdi «pdf» for --format",
        ),
        (
            [
                "export",
                "--municipality",
                "x",
                "--format",
                "eformidling",
                "--since",
                "1.1.2025",
                "--out",
                "u",
            ],
            "ugyldig dato «1.1.2025» (bruk ÅÅÅÅ-MM-DD)",
        ),
    ],
)
def test_bad_arguments_give_one_norwegian_line_and_exit_2(argv, message, capsys):
    from ordstyrer.archive.management.commands.archive import Command

    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["ordstyrer", "archive", *argv])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert err.startswith("ordstyrer archive: ") and message in err
