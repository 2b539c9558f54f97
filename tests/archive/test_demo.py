"""The demo archive: five records through `archive_append`, a prepared police package,
idempotent, verifiable and exportable in all three formats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.demo import setup_demo_archive
from ordstyrer.archive.exporters import FORMATS, run_export
from ordstyrer.archive.models import ArchiveRecord, PoliceReportStatus
from tests.archive.conftest import make_channel
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db


def test_demo_archive_is_idempotent_and_exports(personas, tmp_path, capsys):
    p = personas
    person_with_roles(p.municipality, "communications", username="kommunikasjon")
    make_channel(p, p.municipality.name)
    first = setup_demo_archive(p.municipality)
    again = setup_demo_archive(p.municipality)
    assert [r.pk for r in first] == [r.pk for r in again]
    kinds = list(
        ArchiveRecord.objects.filter(municipality=p.municipality)
        .order_by("sequence")
        .values_list("kind", "ground", "direction", "journal")
    )
    assert kinds == [
        ("deleted_comment", "spam", "I", False),
        ("deleted_comment", "hate_speech", "I", False),
        ("journal_inbound", "", "I", True),
        ("journal_outbound", "", "U", True),
        ("moderation_note", "spam", "X", True),
    ]
    assert PoliceReportStatus.objects.get().record == first[1]
    assert first[3].refers_to_sequence == first[2].sequence
    assert verify_chain(p.municipality.pk).ok
    call_command("archive", "verify", "--municipality", p.municipality.slug)
    assert "OK – 5 poster" in capsys.readouterr().out
    today = timezone.localdate()
    for fmt in FORMATS:
        result = run_export(
            municipality=p.municipality,
            fmt=fmt,
            since=today - timedelta(days=7),
            # The deposit takes only days that are over (AR-3): the demo is two days old.
            until=today - timedelta(days=1) if fmt == "noark5-uttrekk" else today,
            out_dir=tmp_path / fmt,
        )
        assert result.records == 5, fmt
