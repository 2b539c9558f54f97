"""DI-11 e-mail to the leader of the channel's unit tells them; it asks to assess only
those who can open the item (CH-3).

The leader of the channel's unit got the administrators' message, «Vurder den … i
Ordstyrer: <link>», though the inbox refuses a leader not appointed on the channel
(`inbox.access`: the channel's "reply" need). docs/inbox.md: the leader "is told, not
asked to assess". Such a leader is now told, without a link, as a nearest leader is; one
appointed on the channel still gets the administrators' message; each person once.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import Channel, ChannelRole
from ordstyrer.inbox.reports_unwanted import unwanted_report
from ordstyrer.tenants.models import Role
from tests.factories import RoleAssignmentFactory, UnitFactory, UserFactory
from tests.inbox.conftest import InboxWorld

pytestmark = pytest.mark.django_db

TEXT = "Noen henger ut en ansatt her."
TOLD_AS_UNIT_LEADER = "Du får beskjed som leder for enheten kontoen hører til."


def _report(world: InboxWorld, actor: Any, capture: Any) -> dict[str, list[str]]:
    """`actor` reports a text on the world's channel; the bodies of the e-mails sent, by
    address."""
    mail.outbox.clear()
    with capture(execute=True):
        unwanted_report(actor=actor, channel=world.channel, text=TEXT)
    sent: dict[str, list[str]] = {}
    for message in mail.outbox:
        (to,) = message.to
        sent.setdefault(to, []).append(message.body)
    return sent


def _with_unit(world: InboxWorld, name: str = "Skolen i sentrum") -> Any:
    """The world's channel belongs to a unit (set up as a unit's page)."""
    unit = UnitFactory(municipality=world.municipality, name=name)
    Channel.objects.filter(pk=world.channel.pk).update(unit=unit)
    world.channel.refresh_from_db()
    return unit


def _leader_of(world: InboxWorld, unit: Any, **kw: Any) -> Any:
    user = UserFactory(**kw)
    RoleAssignmentFactory(
        user=user, municipality=world.municipality, role=Role.UNIT_LEADER, unit=unit
    )
    return user


def test_di11_the_channel_units_leader_not_appointed_is_told_without_a_link(
    world, django_capture_on_commit_callbacks
):
    """docs/inbox.md (DI-11): the leader of the channel's unit, who holds no role on the
    channel and so cannot open the item (CH-3), is told, not asked to assess: no link to
    the inbox. A leader of the unit appointed on the channel gets the administrators'
    message with the link, which they can open."""
    unit = _with_unit(world)
    told = _leader_of(world, unit, username="leder-uten-rolle")
    appointed = _leader_of(world, unit, username="leder-redaktor")
    channel_services.channel_role_set(
        actor=world.p.employee, channel=world.channel, user=appointed, role=ChannelRole.EDITOR
    )

    sent = _report(world, world.editor, django_capture_on_commit_callbacks)

    (body,) = sent[told.email]
    assert "/innboks/" not in body and "http" not in body
    assert "Vurder" not in body
    assert TOLD_AS_UNIT_LEADER in body
    assert "Administratorene for kontoen vurderer ytringen" in body
    (body,) = sent[appointed.email]
    assert "Vurder den etter retningslinjen i Ordstyrer:" in body
    assert f"/innboks/{world.channel.inbox_items.get().pk}/" in body
    (admin_body,) = sent[world.p.employee.email]
    assert admin_body == body
    assert TEXT not in body  # no comment text leaves the installation


def test_di11_birkenes_unit_leader_who_is_also_the_nearest_leader_gets_one_message(
    birkenes, django_capture_on_commit_callbacks
):
    """DI-11 (Birkenes): the channel unit's leader who is also the reporter's nearest
    leader gets one message, the one telling them, with no link."""
    world = birkenes
    unit = _with_unit(world, "Solsiden barnehage")
    leader = _leader_of(world, unit, username="birkenes-barnehageleder")
    reporter = UserFactory(username="birkenes-assistent", first_name="Liv", last_name="Berg")
    RoleAssignmentFactory(user=reporter, municipality=world.municipality, unit=unit)

    sent = _report(world, reporter, django_capture_on_commit_callbacks)

    (body,) = sent[leader.email]
    assert "/innboks/" not in body
    assert body.startswith("Liv Berg har meldt fra om en uønsket ytring på Skolen (DI-11).")
    assert TOLD_AS_UNIT_LEADER in body
