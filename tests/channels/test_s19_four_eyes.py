"""Session 19: the proposer of a channel never approves it alone (CH-1, four eyes).

Communications, the chief administrator or a unit leader may submit someone else's
draft; the checks compared the approver with the submitter only, so in Gausdal (one
step, «en i rådmannsteamet») the chief administrator could draft a channel, have
communications submit it and approve it alone. The proposer is now refused, left out of
the approval queue and not e-mailed; only a proposer who is the channel's unit leader
still decides a unit leader step (their own assessment, as a unit leader's submission
is)."""

from __future__ import annotations

import pytest

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelStatus
from ordstyrer.channels.permissions import may_decide
from ordstyrer.channels.selectors import channels_awaiting_decision
from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants.models import Role
from tests.channels.conftest import propose
from tests.conftest import make_personas
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db


def _awaiting(user, p):
    return channels_awaiting_decision(user=user, municipality=p.municipality)


def test_gausdal_the_chief_administrator_cannot_approve_their_own_draft_submitted_by_another(
    django_capture_on_commit_callbacks, mailoutbox
):
    """CH-1 (Gausdal: «en i rådmannsteamet»): R drafts, communications submits, R is
    refused, does not see it to decide and gets no e-mail; another in the rådmann team
    decides."""
    p = make_personas("fireoyne", "gausdal")
    colleague = person_with_roles(
        p.municipality, Role.CHIEF_ADMINISTRATOR, username="fireoyne-radmannsteam"
    )
    channel = propose(p, actor=p.chief_administrator, name="Kommunesiden")
    with django_capture_on_commit_callbacks(execute=True):
        services.channel_submit(actor=p.communications, channel=channel)
    channel.refresh_from_db()
    assert channel.current_approver_role == "chief_administrator"

    with pytest.raises(ServiceError, match="eget forslag") as refused:
        services.channel_approve(actor=p.chief_administrator, channel=channel)
    assert refused.value.rule == "CH-1"
    with pytest.raises(ServiceError, match="eget forslag"):
        services.channel_reject(actor=p.chief_administrator, channel=channel, reason="Nei")
    assert not may_decide(p.chief_administrator, channel)
    assert channel not in _awaiting(p.chief_administrator, p)
    recipients = {address for message in mailoutbox for address in message.to}
    assert p.chief_administrator.email not in recipients
    assert colleague.email in recipients

    assert may_decide(colleague, channel) and channel in _awaiting(colleague, p)
    services.channel_approve(actor=colleague, channel=channel)
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.APPROVED


def test_communications_proposing_decides_no_step_of_it(personas):
    """CH-1 (Indre Fosen: leader → communications): a communications advisor who
    proposed a channel without a unit neither stands in for its unit leader nor
    decides the communications step; a second advisor does."""
    p = personas
    second = person_with_roles(p.municipality, Role.COMMUNICATIONS, username="kom-to")
    channel = propose(p, actor=p.communications, name="Kommunens side")
    services.channel_submit(actor=p.employee, channel=channel)  # the main administrator
    channel.refresh_from_db()
    assert channel.current_approver_role == "unit_leader"
    assert not may_decide(p.communications, channel)
    assert channel not in _awaiting(p.communications, p)
    with pytest.raises(ServiceError, match="eget forslag"):
        services.channel_approve(actor=p.communications, channel=channel)
    services.channel_approve(actor=p.unit_leader, channel=channel)
    channel.refresh_from_db()
    assert channel.current_approver_role == "communications"
    assert not may_decide(p.communications, channel)
    with pytest.raises(ServiceError, match="eget forslag"):
        services.channel_approve(actor=p.communications, channel=channel)
    assert may_decide(second, channel)
    services.channel_approve(actor=second, channel=channel)
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.APPROVED


def test_a_unit_leader_proposing_still_makes_the_leaders_assessment(
    personas, django_capture_on_commit_callbacks, mailoutbox
):
    """CH-1: the unit leader's own proposal, submitted by its main administrator: the
    leader decides the unit leader step (their assessment, as at their own submission),
    never the next one."""
    p = personas
    channel = propose(p, actor=p.unit_leader, name="Enhetens side")
    with django_capture_on_commit_callbacks(execute=True):
        services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    assert channel.current_approver_role == "unit_leader"
    assert p.unit_leader.email in {a for message in mailoutbox for a in message.to}
    assert may_decide(p.unit_leader, channel)
    assert channel in _awaiting(p.unit_leader, p)
    services.channel_approve(actor=p.unit_leader, channel=channel)
    channel.refresh_from_db()
    assert channel.current_approver_role == "communications"
    assert not may_decide(p.unit_leader, channel)
    services.channel_approve(actor=p.communications, channel=channel)
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.APPROVED
