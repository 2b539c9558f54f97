"""A police step someone did first is said, not dropped (MO-3).

Two communications advisors with the same record open (or one double click: the package
takes seconds to render) both post «Klargjør bevispakke». The second is refused («already
prepared»), but the page then offers no preparation form, so the refusal had nowhere to
show: a bare 400 with no message, the provision, grounds and note silently gone. The same
for «Registrer at saken er anmeldt». Now the record is shown again saying who did the
step, when and on which provision (or with which reference); the same person's replay is
told calmly that it is done already. Nothing is written twice (AR-3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ordstyrer.archive.models import PoliceReportStatus
from ordstyrer.archive.police import police_package_prepare, police_report_filed
from ordstyrer.archive.services import archive_append
from ordstyrer.core.relative import exact
from ordstyrer.tenants.models import Role
from tests.archive.conftest import deleted_comment
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db

NOTE = "Samme person skrev det samme under 17. mai-innlegget."


@pytest.fixture
def record(personas):
    return archive_append(actor=None, entry=deleted_comment(personas))


@pytest.fixture
def colleague(personas):
    """A second communications advisor of the same municipality."""
    return person_with_roles(
        personas.municipality,
        Role.COMMUNICATIONS,
        username="testby-kom2",
        first_name="Per",
        last_name="Olsen",
    )


def _messages(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="message message-(\w+)">(.*?)</p>', html, re.S)


def _prepare_post(provision: str = "263") -> dict:
    return {"action": "prepare", "prepare-provision": provision, "prepare-note": NOTE}


def test_a_second_preparation_by_another_says_who_prepared_it(client, personas, record, colleague):
    p = personas
    prepared = police_package_prepare(
        actor=p.communications, record=record, provision="185", protected_grounds=["a", "c"]
    )
    url = reverse("archive:police", args=[p.municipality.slug, record.sequence])
    detail = reverse("archive:detail", args=[p.municipality.slug, record.sequence])
    client.force_login(colleague)
    response = client.post(url, _prepare_post())
    assert response.status_code == 302 and response["Location"] == detail
    said = _messages(client.get(detail).content.decode())
    assert len(said) == 1, said
    level, text = said[0]
    assert level == "error"
    assert "allerede klargjort" in text
    assert prepared.actor_name in text  # by whom …
    assert exact(prepared.at) in text  # … when …
    assert "straffeloven § 185" in text and "(a, c)" in text  # … on which provision
    assert "ikke lagret" in text  # their own choices were not kept: said, not silent
    # Nothing written: still the one preparation, on § 185, without the colleague's note.
    assert list(PoliceReportStatus.objects.values_list("penal_provision", "note")) == [("185", "")]


def test_the_same_persons_replay_is_already_done(client, personas, record):
    """A double click: the second post waits for the first, then finds it done."""
    p = personas
    prepared = police_package_prepare(actor=p.communications, record=record, provision="263")
    url = reverse("archive:police", args=[p.municipality.slug, record.sequence])
    client.force_login(p.communications)
    response = client.post(url, _prepare_post(), follow=True)
    assert response.status_code == 200
    said = _messages(response.content.decode())
    assert [level for level, _text in said] == ["info"], said
    assert "allerede klargjort" in said[0][1] and exact(prepared.at) in said[0][1]
    assert "straffeloven § 263" in said[0][1]
    assert "Ingenting er endret." in said[0][1]
    assert PoliceReportStatus.objects.count() == 1


def test_a_second_registration_of_the_report_says_who_filed_it(client, personas, record, colleague):
    p = personas
    police_package_prepare(actor=p.communications, record=record, provision="263")
    filed = police_report_filed(actor=p.communications, record=record, reference="24-123456")
    url = reverse("archive:police", args=[p.municipality.slug, record.sequence])
    post = {"action": "filed", "filed-reference": "24-999", "filed-note": NOTE}
    client.force_login(colleague)
    response = client.post(url, post, follow=True)
    assert response.status_code == 200
    said = _messages(response.content.decode())
    assert len(said) == 1 and said[0][0] == "error", said
    assert "allerede registrert" in said[0][1]
    assert filed.actor_name in said[0][1] and exact(filed.at) in said[0][1]
    assert "24-123456" in said[0][1]
    # The same person's replay: already done, calmly.
    client.force_login(p.communications)
    replay = client.post(url, post, follow=True)
    said = _messages(replay.content.decode())
    assert [level for level, _text in said] == ["info"], said
    assert "allerede registrert" in said[0][1] and "24-123456" in said[0][1]
    assert list(
        PoliceReportStatus.objects.filter(status="reported").values_list("police_reference")
    ) == [("24-123456",)]


def test_a_report_registered_before_the_package_is_said_not_dropped(client, personas, record):
    """Not this step's turn (no package yet): the refusal is the page's message too."""
    p = personas
    url = reverse("archive:police", args=[p.municipality.slug, record.sequence])
    client.force_login(p.communications)
    response = client.post(url, {"action": "filed", "filed-reference": "24-1"}, follow=True)
    assert response.status_code == 200
    said = _messages(response.content.decode())
    assert [level for level, _text in said] == ["error"], said
    assert "Klargjør bevispakken før anmeldelsen registreres." in said[0][1]
    assert not PoliceReportStatus.objects.exists()


def test_an_open_step_still_comes_back_as_typed(client, personas, record):
    """While the step is offered, a refused form is shown again with the note (400)."""
    p = personas
    url = reverse("archive:police", args=[p.municipality.slug, record.sequence])
    client.force_login(p.communications)
    refused = client.post(url, {**_prepare_post("185")})  # § 185 without a ground a–e
    assert refused.status_code == 400
    assert NOTE in refused.content.decode()
    assert not PoliceReportStatus.objects.exists()


def test_an_outsider_learns_nothing(client, personas, record):
    p = personas
    police_package_prepare(actor=p.communications, record=record, provision="263")
    url = reverse("archive:police", args=[p.municipality.slug, record.sequence])
    client.force_login(p.outsider)
    assert client.post(url, _prepare_post()).status_code == 404
    client.force_login(p.archivist)  # reads the archive, does not report to the police
    assert client.post(url, _prepare_post()).status_code == 403
    assert PoliceReportStatus.objects.count() == 1
