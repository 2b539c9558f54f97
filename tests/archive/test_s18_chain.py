"""A police package prepared while «Kontroller kjeden» runs does not break the chain
(AR-3, MO-3).

Which records have police steps used to be read before the scan; a package prepared
during a long verify had no record hash to chain from, and the verify reported a
broken chain («en politistatus er endret eller fjernet»). Each step is now checked
against its record's hash, read with the step.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordstyrer.archive import chain
from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.models import PoliceReportStatus
from ordstyrer.archive.police import police_package_prepare
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, make_channel, tamper

pytestmark = pytest.mark.django_db

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)


def test_a_package_prepared_during_the_scan_keeps_the_chain_sound(personas, monkeypatch):
    """AR-3, MO-3: the verify that was running when the package was prepared says ok."""
    p = personas
    record = archive_append(
        actor=p.communications, entry=deleted_comment(p, make_channel(p)), backdated_to=DAY
    )
    scan = chain._scan

    def prepared_while_scanning(*args, **kwargs):
        police_package_prepare(actor=p.communications, record=record, protected_grounds=["a"])
        return scan(*args, **kwargs)

    monkeypatch.setattr(chain, "_scan", prepared_while_scanning)
    report = verify_chain(p.municipality.pk)
    assert PoliceReportStatus.objects.filter(record=record).exists()
    assert report.ok, report.problems
    assert report.statuses == 1


def test_a_changed_police_step_is_still_found(personas):
    """AR-3: a step that does not chain from its record's hash breaks the chain."""
    p = personas
    record = archive_append(
        actor=p.communications, entry=deleted_comment(p, make_channel(p)), backdated_to=DAY
    )
    police_package_prepare(actor=p.communications, record=record, protected_grounds=["a"])
    assert verify_chain(p.municipality.pk).ok
    tamper("UPDATE archive_policereportstatus SET prev_hash = %s", ("f" * 64,))
    report = verify_chain(p.municipality.pk)
    assert not report.ok
    assert report.problem == "nr. 1: en politistatus er endret eller fjernet"
