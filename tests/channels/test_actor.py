"""The channel services, access helpers and selectors with the request's `Actor` (issue
#17): the console passes `request.actor`, and the CH-1 four-eyes rules read the person
behind it, not the object itself."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelEvent, ChannelRole, ChannelStatus
from ordstyrer.channels.permissions import (
    channel_role_of,
    has_channel_need,
    may_decide,
    may_edit_proposal,
)
from ordstyrer.channels.selectors import channels_awaiting_decision, reviews_for
from ordstyrer.core.errors import NotFound, ServiceError
from ordstyrer.core.permissions import actor_in
from ordstyrer.tenants.models import Role
from tests.channels.conftest import active_channel, propose
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db


def actor(p, user):
    return actor_in(user=user, slug=p.municipality.slug)


def test_ch1_four_eyes_hold_when_the_actor_is_the_requests_actor(personas):
    p = personas  # indre-fosen: unit leader, then communications
    both = person_with_roles(
        p.municipality, Role.UNIT_LEADER, Role.COMMUNICATIONS, username="begge"
    )
    as_both = actor(p, both)
    channel = propose(p, actor=actor(p, p.employee))
    channel = services.channel_submit(actor=actor(p, p.employee), channel=channel)
    assert may_decide(as_both, channel)
    assert channels_awaiting_decision(user=as_both, municipality=p.municipality) == [channel]
    channel = services.channel_approve(actor=as_both, channel=channel)
    # CH-1: one step per person, whether they come as a user or as an Actor.
    assert not may_decide(as_both, channel)
    assert channels_awaiting_decision(user=as_both, municipality=p.municipality) == []
    with pytest.raises(ServiceError, match="annen"):
        services.channel_approve(actor=as_both, channel=channel)
    assert ChannelEvent.objects.filter(channel=channel, action="approve").get().actor == both

    # CH-1: nobody decides their own proposal.
    as_communications = actor(p, p.communications)
    mine = propose(p, name="Kommunens side", actor=as_communications)
    assert may_edit_proposal(as_communications, mine)
    assert not may_edit_proposal(actor(p, p.archivist), mine)
    mine = services.channel_submit(actor=as_communications, channel=mine)
    mine = services.channel_approve(actor=actor(p, p.unit_leader), channel=mine)
    assert not may_decide(as_communications, mine)
    with pytest.raises(ServiceError, match="eget forslag"):
        services.channel_approve(actor=as_communications, channel=mine)
    assert mine.proposed_by == mine.submitted_by == p.communications


def test_an_actor_of_another_municipality_is_an_outsider_to_the_channel(personas):
    p = personas
    channel = active_channel(p)
    home = p.outsider.role_assignments.first().municipality
    outsider = actor_in(user=p.outsider, slug=home.slug)
    with pytest.raises(NotFound):
        services.channel_pause(actor=outsider, channel=channel)
    assert not may_decide(outsider, channel)
    assert reviews_for(user=outsider, municipality=p.municipality) == []


def test_the_console_refuses_the_proposer_deciding_their_own_proposal(client, personas):
    p = personas
    mine = propose(p, name="Kommunens side", actor=p.communications)
    services.channel_submit(actor=p.communications, channel=mine)
    services.channel_approve(actor=p.unit_leader, channel=mine)
    client.force_login(p.communications)
    detail = reverse("channels:detail", args=[p.municipality.slug, mine.pk])
    assert client.get(detail).context["may_decide"] is False
    response = client.post(
        reverse("channels:act", args=[p.municipality.slug, mine.pk]),
        {"action": "approve", "confirmed": "1"},
    )
    assert response.status_code == 302
    assert any("eget forslag" in str(m) for m in get_messages(response.wsgi_request))
    mine.refresh_from_db()
    assert mine.status == ChannelStatus.IN_REVIEW


def test_channel_roles_live_on_the_requests_actor_not_on_the_user(
    personas, django_assert_num_queries
):
    """Issue #17: the role per channel is asked once per `Actor` and kept there only; a
    change of roles by that Actor is seen at once (CH-3)."""
    p = personas
    channel = active_channel(p)  # proposed by the employee, its main administrator
    as_main = actor(p, p.employee)
    assert has_channel_need(as_main, channel, "manage")
    with django_assert_num_queries(0):
        assert channel_role_of(as_main, channel) == ChannelRole.MAIN_ADMIN
    assert not hasattr(p.employee, "_ordstyrer_channel_roles")

    successor = person_with_roles(p.municipality, username="etterfolger")
    services.channel_role_set(
        actor=as_main, channel=channel, user=successor, role=ChannelRole.MAIN_ADMIN
    )
    services.channel_role_set(
        actor=as_main, channel=channel, user=p.employee, role=ChannelRole.EDITOR
    )
    assert channel_role_of(as_main, channel) == ChannelRole.EDITOR
    assert not has_channel_need(as_main, channel, "manage")
    assert has_channel_need(as_main, channel, "publish")
