"""The demo's archive records are archived when what they record happened, two days ago,
not when the demo is set up: the Noark 5 deposit takes only days that are over (AR-3),
so the README's demo deposit (`ordstyrer archive export --municipality demo --format
noark5-uttrekk --since 2020-01-01 --out DIR`, up to yesterday) has records to show on
the day the demo is made. Their times never go back behind a record already in the
chain: the chain's order follows record numbers (AR-3)."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.core.management import call_command
from django.utils import timezone

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.demo import setup_demo_archive
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, make_channel
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db


def _demo(p) -> None:
    person_with_roles(p.municipality, "communications", username="kommunikasjon")
    make_channel(p, p.municipality.name)
    setup_demo_archive(p.municipality)


def _archived_in_order(municipality) -> list[datetime]:
    times = list(
        ArchiveRecord.objects.filter(municipality=municipality)
        .order_by("sequence")
        .values_list("archived_at", flat=True)
    )
    assert times == sorted(times)  # a later number is never archived earlier
    return times


def test_the_demo_deposit_up_to_yesterday_holds_the_demo_records(personas, tmp_path, capsys):
    """AR-3: the README's demo deposit, run the day the demo is set up, exports its five
    records (it ends yesterday, so records archived today would leave it empty)."""
    p = personas
    _demo(p)
    out = tmp_path / "uttrekk"

    call_command(
        "archive",
        "export",
        "--municipality",
        p.municipality.slug,
        "--format",
        "noark5-uttrekk",
        "--since",
        "2020-01-01",
        "--out",
        str(out),
    )

    assert "Eksporterte 5 arkivposter" in capsys.readouterr().out
    assert (out / "arkivstruktur.xml").exists()
    today_starts = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    assert all(at < today_starts for at in _archived_in_order(p.municipality))
    assert verify_chain(p.municipality.pk).ok


def test_the_demo_records_never_go_back_behind_the_chains_last_record(personas):
    """AR-3: with a record archived now already in the chain, the demo's records are not
    archived before it, so the chain's order still follows record numbers."""
    p = personas
    first = archive_append(actor=None, entry=deleted_comment(p, media=()))

    _demo(p)

    times = _archived_in_order(p.municipality)
    assert len(times) == 6 and times[0] == first.archived_at
    assert verify_chain(p.municipality.pk).ok
