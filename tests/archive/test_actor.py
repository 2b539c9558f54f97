"""The archive's services with the request's `Actor` (issue #17): the console passes
`request.actor`, and what the archive writes about who acted — the police status chain
(MO-3), the export request (AR-2), the screening table (AR-2), a journal record (AR-1)
— names the person behind it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.exports import archive_export_request
from ordstyrer.archive.models import PoliceReportStatus
from ordstyrer.archive.police import police_package_prepare, police_report_filed
from ordstyrer.archive.screening import screening_rule_set
from ordstyrer.archive.services import actor_name, archive_append, journal_item
from ordstyrer.core.errors import NotFound, NotPermitted
from ordstyrer.core.permissions import actor_in
from tests.archive.conftest import deleted_comment, inquiry, make_channel

pytestmark = pytest.mark.django_db


def actor(p, user):
    return actor_in(user=user, slug=p.municipality.slug)


def test_mo3_the_police_status_chain_names_the_person_behind_the_actor(personas):
    p = personas
    record = archive_append(actor=p.communications, entry=deleted_comment(p, make_channel(p)))
    communications = actor(p, p.communications)
    assert actor_name(communications) == actor_name(p.communications) != actor_name(None)
    prepared = police_package_prepare(
        actor=communications, record=record, provision="185", protected_grounds=["a"]
    )
    filed = police_report_filed(actor=communications, record=record, reference="24-1")
    for status in (prepared, filed):
        assert status.actor_id == p.communications.pk
        assert status.actor_name == actor_name(p.communications)
        assert f'"id":{p.communications.pk}' in status.canonical
    assert verify_chain(p.municipality.pk).ok
    # The need is checked on the Actor as on a user: a member without it, an outsider.
    with pytest.raises(NotPermitted):
        police_report_filed(actor=actor(p, p.archivist), record=record, reference="24-2")
    with pytest.raises(NotFound):
        police_report_filed(actor=p.outsider, record=record, reference="24-3")


def test_ar2_export_and_screening_record_the_person_behind_the_actor(personas):
    p = personas
    export = archive_export_request(
        actor=actor(p, p.archivist),
        municipality=p.municipality,
        fmt="fiks-arkiv",
        since=date(2025, 1, 1),
        until=date(2025, 1, 31),
    )
    assert export.requested_by == p.archivist
    rule = screening_rule_set(
        actor=actor(p, p.archivist),
        municipality=p.municipality,
        reason="personal_data",
        access_code="P",
        authority="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
    )
    rule.refresh_from_db()
    assert rule.updated_by == p.archivist


def test_ar1_a_journal_record_by_an_actor_names_its_person(personas):
    p = personas
    record = journal_item(actor=actor(p, p.employee), entry=inquiry(p, make_channel(p)))
    assert record.actor_id == p.employee.pk and record.journal


def test_the_police_page_files_the_report_as_the_logged_in_person(client, personas):
    p = personas
    archive_append(actor=None, entry=deleted_comment(p))
    client.force_login(p.communications)
    url = reverse("archive:police", args=[p.municipality.slug, 1])
    client.post(url, {"action": "prepare", "prepare-provision": "185", "prepare-grounds": ["a"]})
    status = PoliceReportStatus.objects.get()
    assert (status.status, status.actor_id) == ("prepared", p.communications.pk)
