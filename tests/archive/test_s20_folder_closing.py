"""A year folder's closing date in the Noark 5 deposit is stable (AR-2, AR-3; Noark 5 M602
avsluttetDato: "Skal ikke kunne endres", obligatory when the arkivdel is closed).

The folder (one saksmappe per group and year, the same systemID in every deposit) used
to close when the package was made, so two deposits of the same period gave the same
folder two closing dates. It now closes at the end of its year, or of the deposited
period when the year goes on after it — by rule, so by the system, not by whoever
ordered the deposit.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
SINCE, UNTIL = date(2025, 5, 1), date(2026, 2, 28)


@pytest.fixture
def archived(personas):
    """Two deleted comments (one group) in May 2025 and one in February 2026."""
    p = personas
    for when in (
        datetime(2025, 5, 16, 10, 0, tzinfo=OSLO),
        datetime(2025, 5, 20, 18, 30, tzinfo=OSLO),
        datetime(2026, 2, 10, 9, 15, tzinfo=OSLO),
    ):
        archive_append(actor=None, entry=deleted_comment(p, media=()), backdated_to=when)
    return p


def _folders(p, out: Path, *, until: date, now: datetime, by: str) -> dict[str, dict]:
    """The deposit's folders by mappeID: closing date and who, and their records'
    creation dates."""
    run_export(
        municipality=p.municipality,
        fmt="noark5-uttrekk",
        since=SINCE,
        until=until,
        out_dir=out,
        requested_by=by,
        now=now,
    )
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    return {
        folder.findtext("{*}mappeID"): {
            "closed": folder.findtext("{*}avsluttetDato"),
            "by": folder.findtext("{*}avsluttetAv"),
            "records": [r.findtext("{*}opprettetDato") for r in folder.iter("{*}registrering")],
        }
        for folder in structure.iter("{*}mappe")
    }


def test_ar3_the_same_folder_closes_at_the_same_time_in_every_deposit(archived, tmp_path):
    """AR-3 (M602): the same period deposited twice, months apart and by different people,
    gives each folder the same avsluttetDato and avsluttetAv; 2025 is over, so its folder
    closes at the end of 2025, and 2026 goes on, so its folder closes with the period."""
    first = _folders(
        archived,
        tmp_path / "first",
        until=UNTIL,
        now=datetime(2026, 3, 2, 8, 0, tzinfo=OSLO),
        by="Kari Arkivar",
    )
    second = _folders(
        archived,
        tmp_path / "second",
        until=UNTIL,
        now=datetime(2026, 11, 30, 15, 45, tzinfo=OSLO),
        by="Per Servicetorg",
    )

    assert {k: (v["closed"], v["by"]) for k, v in first.items()} == {
        k: (v["closed"], v["by"]) for k, v in second.items()
    }
    assert first["2025/1"]["closed"] == "2025-12-31T23:59:59+01:00"
    assert first["2026/1"]["closed"] == "2026-02-28T23:59:59+01:00"
    assert {v["by"] for v in first.values()} == {"Ordstyrer"}
    for folder in first.values():  # never closed before one of its records
        closed = datetime.fromisoformat(folder["closed"])
        assert all(datetime.fromisoformat(at) <= closed for at in folder["records"])


def test_ar3_a_deposit_ending_inside_the_year_closes_the_folder_with_its_period(archived, tmp_path):
    """AR-3: a deposit of May 2025 only, made in 2026, closes the 2025 folder on 31 May
    2025 (the folder goes on in the next period's deposit), not when it was made."""
    folders = _folders(
        archived,
        tmp_path / "may",
        until=date(2025, 5, 31),
        now=datetime(2026, 1, 5, 12, 0, tzinfo=OSLO),
        by="Kari Arkivar",
    )
    assert list(folders) == ["2025/1"]
    assert folders["2025/1"]["closed"] == "2025-05-31T23:59:59+02:00"
    assert len(folders["2025/1"]["records"]) == 2
