"""The e-mail that a channel proposal's step waits goes only to those who may decide it
(CH-1, four eyes).

docs/channels.md: one person approves at most one step per round, and the barred are
refused, left out of the approval queue and not e-mailed. The service and the queue left
out who approved an earlier step of the round; the e-mail (`notify_channel_event`) did
not, and asked them to decide a step the service then refused them. The mail now reads
the same definition (`selectors.deciders`, `selectors.round_approvals`).
"""

from __future__ import annotations

import pytest

from ordstyrer.channels import services
from ordstyrer.channels.permissions import may_decide
from ordstyrer.channels.selectors import channels_awaiting_decision, deciders
from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants.models import Role
from tests.channels.conftest import propose
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db


def _recipients(mailoutbox) -> set[str]:
    return {address for message in mailoutbox for address in message.to}


def test_ch1_who_approved_the_first_step_is_not_mailed_for_the_second(
    personas, django_capture_on_commit_callbacks, mailoutbox
):
    """CH-1 (Indre Fosen: unit leader → communications; a channel without a unit, where
    communications stands in for the unit leader): advisor B proposes, advisor A approves
    the first step. A, refused the second step by the service and left out of the queue,
    is not e-mailed that it waits for them; neither is B (the proposer); a third advisor,
    who may decide it, is."""
    p = personas
    a = p.communications
    b = person_with_roles(p.municipality, Role.COMMUNICATIONS, username="kom-b", first_name="Bjørn")
    c = person_with_roles(
        p.municipality, Role.COMMUNICATIONS, username="kom-c", first_name="Cecilie"
    )
    channel = propose(p, actor=b, name="Kommunens side")
    services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    assert channel.unit_id is None and channel.current_approver_role == "unit_leader"
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.channel_approve(actor=a, channel=channel)
    channel.refresh_from_db()
    assert channel.current_approver_role == "communications"

    told = _recipients(mailoutbox)
    assert a.email not in told
    assert b.email not in told
    assert c.email in told
    (message,) = [m for m in mailoutbox if m.to == [c.email]]
    assert message.subject == "Kanalforslag venter på din godkjenning: Kommunens side"
    # The mail, the queue and the service agree.
    assert set(deciders(channel=channel, chain_role="communications")) == {c}
    assert channel not in channels_awaiting_decision(user=a, municipality=p.municipality)
    assert not may_decide(a, channel)
    with pytest.raises(ServiceError, match="allerede godkjent et steg"):
        services.channel_approve(actor=a, channel=channel)
    assert may_decide(c, channel)


def test_ch1_a_new_round_mails_the_first_steps_approver_again(
    personas, django_capture_on_commit_callbacks, mailoutbox
):
    """CH-1: one step per person per *round*: A approved the first step, C rejected the
    second; sent in again, the new round's first step waits for A too, and A is told."""
    p = personas
    a = p.communications
    b = person_with_roles(p.municipality, Role.COMMUNICATIONS, username="kom-b2")
    c = person_with_roles(p.municipality, Role.COMMUNICATIONS, username="kom-c2")
    channel = propose(p, actor=b, name="Kommunens side")
    services.channel_submit(actor=p.employee, channel=channel)
    services.channel_approve(actor=a, channel=channel)
    channel.refresh_from_db()
    services.channel_reject(actor=c, channel=channel, reason="Planen mangler mål.")
    channel.refresh_from_db()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    assert channel.current_approver_role == "unit_leader"

    assert a.email in _recipients(mailoutbox)
    assert b.email not in _recipients(mailoutbox)  # the proposer, as ever
    assert may_decide(a, channel)
