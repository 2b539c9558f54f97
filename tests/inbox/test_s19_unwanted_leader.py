"""DI-11: a report of an unwanted statement reaches the reporter's own nearest leader.

Birkenes' guideline: «Hvis du som ansatt opplever eller oppdager uønskede ytringer på
kommunens kontoer, ta kontakt med nærmeste leder og administrator av kontoen.» Before
this, only the channel's administrators and the leader of the channel's unit were
mailed; on a channel without a unit (the main page) no leader at all, and the reporting
employee's own leader never. Indre Fosen's guideline has no DI-11: unchanged there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.inbox.reports_unwanted import missing_leader_notice, unwanted_report
from ordstyrer.tenants.models import Role
from tests.factories import RoleAssignmentFactory, UnitFactory, UserFactory
from tests.inbox.conftest import InboxWorld, signed_in

pytestmark = pytest.mark.django_db

NO_LEADER = (
    "Vi fant ingen nærmeste leder for deg i Ordstyrer, så lederen din har ikke fått "
    "beskjed. Ta kontakt med nærmeste leder selv (DI-11)."
)


def in_unit(world: InboxWorld, unit: Any, role: str = Role.EMPLOYEE, **kw: Any) -> Any:
    """A person holding `role` for `unit` in the world's municipality."""
    user = UserFactory(**kw)
    RoleAssignmentFactory(user=user, municipality=world.municipality, role=role, unit=unit)
    return user


def kindergarten(world: InboxWorld) -> tuple[Any, Any, Any]:
    """A kindergarten with an employee and its leader, and a school with its own leader."""
    unit = UnitFactory(municipality=world.municipality, name="Solsiden barnehage")
    school = UnitFactory(municipality=world.municipality, name="Birkeland skole")
    employee = in_unit(world, unit, first_name="Liv", last_name="Berg")
    leader = in_unit(world, unit, Role.UNIT_LEADER)
    in_unit(world, school, Role.UNIT_LEADER)  # not the reporter's leader
    return employee, leader, unit


def report(world: InboxWorld, actor: Any, capture: Any) -> dict[str, list[str]]:
    """`actor` reports a text on the world's channel (no unit, as the main page); the
    bodies of the e-mails sent, by address."""
    assert world.channel.unit_id is None
    mail.outbox.clear()
    with capture(execute=True):
        unwanted_report(actor=actor, channel=world.channel, text="Noen henger ut en ansatt.")
    sent: dict[str, list[str]] = {}
    for message in mail.outbox:
        (to,) = message.to
        sent.setdefault(to, []).append(message.body)
    return sent


def test_birkenes_report_on_the_main_page_reaches_the_reporters_unit_leader(
    birkenes, django_capture_on_commit_callbacks
):
    """DI-11: through the report page, a kindergarten employee's report on a channel
    without a unit is mailed to the channel's main administrator and to the
    kindergarten's leader; not to another unit's leader, nor to a leader without a unit;
    and the reporter's confirmation carries no missing-leader notice."""
    employee, leader, _unit = kindergarten(birkenes)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = signed_in(employee).post(
            f"/m/{birkenes.municipality.slug}/innboks/meld/",
            {"channel": str(birkenes.channel.pk), "text": "Noen henger ut en ansatt."},
        )
    assert sent.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([birkenes.p.employee.email, leader.email])
    (to_leader,) = [m for m in mail.outbox if m.to == [leader.email]]
    assert to_leader.subject == "Uønsket ytring meldt på Skolen"
    assert "Liv Berg har meldt fra om en uønsket ytring på Skolen (DI-11)." in to_leader.body
    assert "nærmeste leder" in to_leader.body
    assert "Noen henger ut" not in to_leader.body  # no comment text leaves the installation
    assert missing_leader_notice(actor=employee, channel=birkenes.channel) is None


def test_birkenes_leader_who_is_also_administrator_is_mailed_once(
    birkenes, django_capture_on_commit_callbacks
):
    """DI-11: the reporter's leader, also an administrator of the channel, gets one
    message (the administrators'), not two."""
    employee, leader, _unit = kindergarten(birkenes)
    channel_services.channel_role_set(
        actor=birkenes.p.employee, channel=birkenes.channel, user=leader, role=ChannelRole.ADMIN
    )
    sent = report(birkenes, employee, django_capture_on_commit_callbacks)
    assert set(sent) == {birkenes.p.employee.email, leader.email}
    (body,) = sent[leader.email]
    assert "Vurder den etter retningslinjen i Ordstyrer" in body


def test_birkenes_reporter_who_leads_their_unit_is_not_mailed_and_is_told(
    birkenes, django_capture_on_commit_callbacks
):
    """DI-11: never the reporter themself as their own nearest leader; with no other
    leader for them, their confirmation says none could be told."""
    unit = UnitFactory(municipality=birkenes.municipality, name="Solsiden barnehage")
    reporter = in_unit(birkenes, unit, Role.UNIT_LEADER)
    sent = report(birkenes, reporter, django_capture_on_commit_callbacks)
    assert set(sent) == {birkenes.p.employee.email}
    assert missing_leader_notice(actor=reporter, channel=birkenes.channel) == NO_LEADER


def test_birkenes_reporter_without_a_unit_or_leader_is_told_to_contact_the_leader(
    birkenes, django_capture_on_commit_callbacks
):
    """DI-11: a reporter with no unit, or whose unit has no leader, is told (in
    Norwegian) that no nearest leader could be told; only the administrators are mailed."""
    no_unit = birkenes.p.archivist
    leaderless = in_unit(birkenes, UnitFactory(municipality=birkenes.municipality))
    for reporter in (no_unit, leaderless):
        sent = report(birkenes, reporter, django_capture_on_commit_callbacks)
        assert set(sent) == {birkenes.p.employee.email}
        assert missing_leader_notice(actor=reporter, channel=birkenes.channel) == NO_LEADER


def test_indre_fosen_without_di_11_mails_only_the_administrators(
    fosen, django_capture_on_commit_callbacks
):
    """DI-11 is not in Indre Fosen's guideline: the report reaches the channel's
    administrators as before, not the reporter's unit leader, and no notice is given."""
    employee, leader, _unit = kindergarten(fosen)
    sent = report(fosen, employee, django_capture_on_commit_callbacks)
    assert set(sent) == {fosen.p.employee.email}
    assert "DI-11" not in sent[fosen.p.employee.email][0]
    assert missing_leader_notice(actor=employee, channel=fosen.channel) is None
