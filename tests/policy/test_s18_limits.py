"""Review s18: a rule parameter has an upper bound where a larger value would make the code
that uses it fail. DI-1's response targets past the working-time clock's limit made every
deadline raise (ingestion, replies, the recompute sweep); CH-6's review interval past the
calendar's end made activating a channel fail. Refused when saved, in the service and in
the settings form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants.selectors import policy_for, policy_versions
from ordstyrer.tenants.services import policy_update
from ordstyrer.worktime import deadline
from tests.conftest import make_personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _update(p, overrides):
    return policy_update(
        actor=p.communications,
        municipality=p.municipality,
        overrides=overrides,
        reason="Ny servicegaranti",
    )


def test_di1_hours_above_the_cap_are_refused_and_500_works():
    """DI-1: 60 000 working hours (a typo for 6) is refused; 500 is stored and its
    deadlines compute."""
    p = make_personas("s18tak", "gausdal")
    with pytest.raises(ServiceError) as refused:
        _update(p, {"DI-1": {"answer_hours": 60000}})
    assert "DI-1.answer_hours må være høyst 500" in str(refused.value)
    with pytest.raises(ServiceError):
        _update(p, {"DI-1": {"first_response_hours": 500.5}})
    assert policy_versions(municipality=p.municipality) == []

    _update(p, {"DI-1": {"answer_hours": 500, "first_response_hours": 500}})
    targets = policy_for(municipality=p.municipality).response_targets()
    assert targets.answer_hours == 500.0
    received = datetime(2027, 3, 1, 9, tzinfo=UTC)
    assert deadline(received, targets.answer_hours) > received


def test_ch6_review_interval_past_the_calendar_is_refused():
    """CH-6: an interval of ten million days overflowed the next review's date."""
    p = make_personas("s18gjennomgang", "midt-telemark")
    with pytest.raises(ServiceError):
        _update(p, {"CH-6": {"review_interval_days": 10_000_000}})
    _update(p, {"CH-6": {"review_interval_days": 365}})
    assert policy_for(municipality=p.municipality).params("CH-6")["review_interval_days"] == 365


def test_settings_form_refuses_di1_hours_above_the_cap():
    """DI-1: the settings form shows the error next to the field and stores nothing."""
    p = make_personas("s18skjema", "gausdal")
    client = Client()
    assert client.login(username=p.communications.username, password=PASSWORD)
    url = reverse("policy_settings", args=[p.municipality.slug])
    html = client.get(url).content.decode()
    assert 'max="500"' in html.split('id="id_DI-1_answer_hours"')[0].rsplit("<input", 1)[1]
    response = client.post(
        url,
        {
            "rule": "DI-1",
            "DI-1-param__first_response_hours": "7.5",
            "DI-1-param__answer_hours": "75000",
            "DI-1-reason": "Ny servicegaranti",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="field-error"' in body and 'value="75000"' in body
    error = body.split('id="id_DI-1-param__answer_hours_error"')[1].split("</p>")[0]
    assert "500" in error and "500.0" not in error
    assert policy_versions(municipality=p.municipality) == []


def test_a_value_saved_before_the_cap_existed_runs_capped_and_the_page_still_opens():
    """DI-1/CH-6: a stored override over a maximum added later (saved by an earlier
    version) does not stop every page: the policy reads it as the maximum; a new save
    of it is refused, with the reason, and nothing is stored."""
    from ordstyrer.tenants.models import PolicyVersion

    p = make_personas("s18gammel", "gausdal")
    PolicyVersion.objects.create(
        municipality=p.municipality,
        number=2,
        preset=p.municipality.preset,
        overrides={"DI-1": {"answer_hours": 900.0}},
        changed_by=p.communications,
        reason="Lagret før grensen fantes",
    )

    assert policy_for(municipality=p.municipality).params("DI-1")["answer_hours"] == 500.0
    client = Client()
    client.force_login(p.communications)
    assert client.get(f"/m/{p.municipality.slug}/").status_code == 200
    with pytest.raises(ServiceError, match="høyst 500"):
        _update(p, {"DI-1": {"first_response_hours": 4}})
    assert PolicyVersion.objects.filter(municipality=p.municipality).count() == 1
