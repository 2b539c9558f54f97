"""Review s20, the policy settings (`tenants.services.policy_update` and the settings page).

- A lost update: two people with one rule's page open; the later save sent the old values
  of what it did not change and put the other's change back (DI-1 answer_hours 4 → 7.5).
  A save now carries the version its page was shown at and is refused once the policy
  has moved on, with the values in force on the page again.
- A save that changes nothing (a double click, an unchanged form) writes no version, and
  the audit entry names each changed value with the one before it.
- PU-12 (who declares and ends a crisis, what waits for the crisis leader) is the chief
  administrator's, and is not changed while a crisis is declared: communications could
  give itself the power to declare in Birkenes, or switch approval off mid-crisis.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.core.audit import AuditEntry
from ordstyrer.core.errors import Conflict, NotPermitted, ServiceError
from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.tenants.models import PolicyVersion
from ordstyrer.tenants.selectors import policy_for, policy_versions
from ordstyrer.tenants.services import policy_update
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

STALE = "Retningslinjen er endret siden du åpnet siden"


def _update(p, actor, overrides, *, expected_version=None, reason="Endring"):
    shown = {} if expected_version is None else {"expected_version": expected_version}
    return policy_update(
        actor=actor, municipality=p.municipality, overrides=overrides, reason=reason, **shown
    )


def _answer_hours(p) -> float:
    return policy_for(municipality=p.municipality).response_targets().answer_hours


# ----------------------------------------------------------------------- lost update (DI-1)


def test_di1_a_save_from_a_page_shown_before_another_save_is_refused_and_reverts_nothing():
    p = make_personas("s20tapt", "indre-fosen")
    # Both opened the DI-1 form at version 0 (first 2.0, answer 7.5).
    _update(
        p,
        p.chief_administrator,
        {"DI-1": {"first_response_hours": 2.0, "answer_hours": 4.0}},
        expected_version=0,
    )
    with pytest.raises(Conflict) as refused:
        _update(
            p,
            p.communications,
            {"DI-1": {"first_response_hours": 1.0, "answer_hours": 7.5}},
            expected_version=0,
        )
    assert refused.value.code == "policy_changed"
    assert STALE in str(refused.value.message) and "versjon 1" in str(refused.value.message)
    assert _answer_hours(p) == 4.0
    assert [v.number for v in policy_versions(municipality=p.municipality)] == [1]

    # Shown again at version 1, the same change goes through and keeps the 4 hours.
    _update(
        p,
        p.communications,
        {"DI-1": {"first_response_hours": 1.0, "answer_hours": 4.0}},
        expected_version=1,
    )
    targets = policy_for(municipality=p.municipality).response_targets()
    assert (targets.first_response_hours, targets.answer_hours) == (1.0, 4.0)


def test_a_caller_without_a_shown_version_still_saves_what_it_names():
    """The CLI, tasks and tests name only what they change: no version to compare."""
    p = make_personas("s20utenversjon", "indre-fosen")
    _update(p, p.communications, {"DI-1": {"answer_hours": 4.0}})
    _update(p, p.chief_administrator, {"DI-1": {"first_response_hours": 1.0}})
    targets = policy_for(municipality=p.municipality).response_targets()
    assert (targets.first_response_hours, targets.answer_hours) == (1.0, 4.0)


def test_a_save_that_changes_nothing_writes_no_version_and_no_audit_entry():
    p = make_personas("s20uendret", "indre-fosen")
    same = {"DI-1": {"first_response_hours": 2.0, "answer_hours": 7.5}}  # the preset's
    assert _update(p, p.communications, same, expected_version=0) is None
    first = _update(p, p.communications, {"DI-1": {"answer_hours": 4.0}}, expected_version=0)
    assert first is not None and first.number == 1
    # The same post again (a double click, from the page at version 0): nothing to do,
    # not a refusal.
    again = _update(p, p.communications, {"DI-1": {"answer_hours": 4.0}}, expected_version=0)
    assert again is None
    assert PolicyVersion.objects.filter(municipality=p.municipality).count() == 1
    assert (
        AuditEntry.objects.filter(action="policy_update", municipality=p.municipality).count() == 1
    )


def test_the_audit_entry_names_each_changed_value_with_the_one_before():
    p = make_personas("s20revisjon", "indre-fosen")
    _update(
        p,
        p.communications,
        {"DI-1": {"first_response_hours": 2.0, "answer_hours": 4.0}},
        expected_version=0,
    )
    entry = AuditEntry.objects.get(action="policy_update", municipality=p.municipality)
    assert entry.data["changes"] == {"DI-1": {"answer_hours": {"from": 7.5, "to": 4.0}}}
    assert (entry.data["version"], entry.data["previous_version"]) == (1, 0)


def test_a_value_stored_over_a_later_maximum_in_another_rule_does_not_stop_a_save():
    """CH-6's 1000 days, saved before the 730-day bound (s18), runs capped; saving PU-10
    does not resave it, so it no longer refuses PU-10 with CH-6's bound."""
    p = make_personas("s20gammelch6", "midt-telemark")
    PolicyVersion.objects.create(
        municipality=p.municipality,
        number=1,
        preset=p.municipality.preset,
        overrides={"CH-6": {"review_interval_days": 1000}},
        changed_by=p.communications,
        reason="Lagret før grensen fantes",
    )
    version = _update(p, p.communications, {"PU-10": {"weekly_cap": 8}}, expected_version=1)
    assert version is not None and version.number == 2
    assert policy_for(municipality=p.municipality).params("PU-10")["weekly_cap"] == 8


# ------------------------------------------------------------------------ the console page


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shown_version(html: str, rule_id: str) -> str:
    found = re.search(rf'name="{rule_id}-version" value="(\d+)"', html)
    assert found, f"the {rule_id} form carries the version it was shown at"
    return found.group(1)


def _di1_post(version: str, first: str, answer: str, reason: str) -> dict[str, str]:
    return {
        "rule": "DI-1",
        "DI-1-version": version,
        "DI-1-param__first_response_hours": first,
        "DI-1-param__answer_hours": answer,
        "DI-1-reason": reason,
    }


def test_di1_console_the_later_of_two_saves_is_refused_with_the_values_in_force():
    p = make_personas("s20konsoll", "indre-fosen")
    url = reverse("policy_settings", args=[p.municipality.slug])
    kari, rådmann = _client(p.communications), _client(p.chief_administrator)
    kari_page = kari.get(url).content.decode()
    shown = _shown_version(kari_page, "DI-1")
    assert shown == _shown_version(rådmann.get(url).content.decode(), "DI-1") == "0"

    saved = rådmann.post(url, _di1_post(shown, "2.0", "4", "Raskere svar"), follow=True)
    assert "Retningslinjen er lagret som versjon 1." in saved.content.decode()

    late = kari.post(url, _di1_post(shown, "1", "7.5", "Bekreft innen en time"))
    assert late.status_code == 200
    body = late.content.decode()
    assert STALE in body and 'role="alert"' in body
    di1 = body.split('id="rule-DI-1"')[1].split("</section>")[0]
    # The values in force, read at version 1: a second try is not refused again.
    assert 'value="4.0"' in di1 and _shown_version(di1, "DI-1") == "1"
    assert 'value="1"' not in di1.split('name="DI-1-param__first_response_hours"')[1][:80]
    assert "Bekreft innen en time" in di1  # the reason is kept
    assert _answer_hours(p) == 4.0
    assert [v.number for v in policy_versions(municipality=p.municipality)] == [1]


def test_console_a_double_submit_makes_one_version_and_says_so_calmly():
    p = make_personas("s20dobbel", "indre-fosen")
    url = reverse("policy_settings", args=[p.municipality.slug])
    kari = _client(p.communications)
    shown = _shown_version(kari.get(url).content.decode(), "DI-1")
    post = _di1_post(shown, "2.0", "4", "Raskere svar")
    first = kari.post(url, post, follow=True).content.decode()
    second = kari.post(url, post, follow=True).content.decode()
    assert "Retningslinjen er lagret som versjon 1." in first
    assert "Ingen endringer å lagre" in second and STALE not in second
    assert [v.number for v in policy_versions(municipality=p.municipality)] == [1]


def test_console_an_outsider_gets_404_and_saves_nothing():
    p = make_personas("s20utenfra", "indre-fosen")
    url = reverse("policy_settings", args=[p.municipality.slug])
    response = _client(p.outsider).post(url, _di1_post("0", "1", "4", "Fra nabokommunen"))
    assert response.status_code == 404
    assert policy_versions(municipality=p.municipality) == []


# ------------------------------------------------------------------------------ PU-12


def test_pu12_birkenes_communications_cannot_make_itself_a_declarer():
    """docs/policy.md: in Birkenes communications neither declares nor ends a crisis."""
    p = make_personas("s20birkenes", "birkenes")
    declarers = {"PU-12": {"declared_by": ["crisis_leader", "communications"]}}
    with pytest.raises(NotPermitted) as refused:
        _update(p, p.communications, declarers, expected_version=0)
    assert refused.value.rule == "PU-12"
    assert "kommunedirektøren" in str(refused.value.message)
    assert policy_versions(municipality=p.municipality) == []
    # The rådmann, who sets up the crisis management there, may.
    assert _update(p, p.chief_administrator, declarers, expected_version=0) is not None
    assert (
        "communications" in policy_for(municipality=p.municipality).params("PU-12")["declared_by"]
    )


@pytest.mark.parametrize("preset", ["birkenes", "indre-fosen"])
def test_pu12_no_change_while_a_crisis_is_declared(preset):
    p = make_personas(f"s20krise-{preset}", preset)
    crisis_declare(municipality=p.municipality, name="Flom", actor=p.crisis_leader)
    off = {"PU-12": {"approve_posts": False, "approve_replies": False}}
    with pytest.raises(NotPermitted):
        _update(p, p.communications, off)
    with pytest.raises(Conflict) as refused:
        _update(p, p.chief_administrator, off)
    assert refused.value.rule == "PU-12" and "krise er erklært" in str(refused.value.message)
    params = policy_for(municipality=p.municipality).params("PU-12")
    assert params["approve_posts"] and params["approve_replies"]
    # Other rules are still saved during the crisis; PU-12 once it has ended.
    grounds = list(policy_for(municipality=p.municipality).params("MO-1")["grounds"])[:2]
    assert _update(p, p.communications, {"MO-1": {"grounds": grounds}}) is not None
    crisis_end(municipality=p.municipality, actor=p.crisis_leader)
    assert _update(p, p.chief_administrator, off) is not None
    assert not policy_for(municipality=p.municipality).params("PU-12")["approve_replies"]


def test_pu12_console_communications_sees_the_crisis_settings_read_only_and_why():
    p = make_personas("s20pu12side", "gausdal")
    url = reverse("policy_settings", args=[p.municipality.slug])
    html = _client(p.communications).get(url).content.decode()
    pu12 = html.split('id="rule-PU-12"')[1].split("</section>")[0]
    assert "Bare kommunedirektøren kan endre kriseinnstillingene" in pu12
    assert 'name="PU-12-reason"' not in pu12 and ">Lagre</button>" not in pu12
    forged = _client(p.communications).post(
        url,
        {"rule": "PU-12", "PU-12-version": "0", "PU-12-reason": "Vi erklærer selv"},
        follow=True,
    )
    assert "Bare kommunedirektøren kan endre kriseinnstillingene" in forged.content.decode()
    assert policy_versions(municipality=p.municipality) == []

    crisis_declare(municipality=p.municipality, name="Ras", actor=p.crisis_leader)
    html = _client(p.chief_administrator).get(url).content.decode()
    pu12 = html.split('id="rule-PU-12"')[1].split("</section>")[0]
    assert "kan ikke endres mens en krise er erklært" in pu12 and ">Lagre</button>" not in pu12


def test_a_refused_update_of_an_unknown_rule_is_still_a_service_error():
    p = make_personas("s20ukjent", "indre-fosen")
    with pytest.raises(ServiceError):
        _update(p, p.communications, {"XX-1": {"a": 1}}, expected_version=0)
