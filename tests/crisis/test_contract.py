"""The contract publishing and inbox build on: active_crisis, may_approve_in_crisis and
crisis_log_write (PU-12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from ordstyrer.crisis.models import Crisis, CrisisDeputy, CrisisLogEntry
from ordstyrer.crisis.selectors import active_crisis, crisis_log, may_approve_in_crisis
from ordstyrer.crisis.services import crisis_log_write

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_active_crisis_is_the_one_not_ended(personas):
    municipality = personas.municipality
    assert active_crisis(municipality=municipality) is None
    old = Crisis.objects.create(
        municipality=municipality, name="Flom", declared_at=NOW, ended_at=NOW
    )
    assert active_crisis(municipality=municipality) is None
    current = Crisis.objects.create(municipality=municipality, name="Ras", declared_at=NOW)
    assert active_crisis(municipality=municipality) == current != old


def test_the_database_refuses_a_second_active_crisis(personas):
    Crisis.objects.create(municipality=personas.municipality, name="Flom", declared_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Crisis.objects.create(municipality=personas.municipality, name="Ras", declared_at=NOW)


def test_crisis_leader_and_deputies_approve_others_do_not(personas):
    municipality = personas.municipality
    assert may_approve_in_crisis(user=personas.crisis_leader, municipality=municipality)
    # PU-12 under indre-fosen: the crisis staff approves, not communications by default.
    assert not may_approve_in_crisis(user=personas.communications, municipality=municipality)
    assert not may_approve_in_crisis(user=personas.employee, municipality=municipality)
    assert not may_approve_in_crisis(user=personas.outsider, municipality=municipality)
    CrisisDeputy.objects.create(municipality=municipality, user=personas.employee, added_at=NOW)
    assert may_approve_in_crisis(user=personas.employee, municipality=municipality)


def test_crisis_log_write_appends_a_line(personas):
    crisis = Crisis.objects.create(municipality=personas.municipality, name="Flom", declared_at=NOW)
    entry = crisis_log_write(
        crisis=crisis,
        kind="reply_sent",
        text="Vannet er trygt å drikke.",
        object_kind="reply",
        object_id=7,
        actor=personas.crisis_leader,
        now=NOW,
    )
    assert list(crisis_log(crisis=crisis)) == [entry]
    assert CrisisLogEntry.objects.get().object_id == "7"
