"""DI-11 e-mail about a reported unwanted statement goes to administrators still here
(CH-3).

`inbox.notifications.channel_people` read the channel's administrators with only
`user__is_active`: one who had moved to another municipality of the installation kept an
active account and their channel membership, and was mailed «<reporter> har meldt fra om
en uønsket ytring på <channel> (DI-11)…» — the reporter's name — with a link that 404s
for them. They are now read by the one definition of a person still here
(`tenants.selectors.active_channel_role_q`).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from ordstyrer.channels import services as channel_services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.inbox.reports_unwanted import unwanted_report
from ordstyrer.tenants.models import Role, RoleAssignment
from tests.factories import MunicipalityFactory, RoleAssignmentFactory, person_with_roles
from tests.inbox.conftest import InboxWorld

pytestmark = pytest.mark.django_db

TEXT = "Noen henger ut en ansatt her."


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


def test_di11_an_administrator_who_left_the_municipality_is_not_mailed(
    world, django_capture_on_commit_callbacks
):
    """CH-3, DI-11: an administrator of the channel whose only role here is revoked (the
    account active, for another municipality of the installation; the membership left)
    gets no message with the reporter's name; the main administrator still here does."""
    gone = person_with_roles(world.municipality, username="flyttet-admin", first_name="Per")
    channel_services.channel_role_set(
        actor=world.p.employee, channel=world.channel, user=gone, role=ChannelRole.ADMIN
    )
    RoleAssignmentFactory(user=gone, municipality=MunicipalityFactory(), role=Role.EMPLOYEE)
    RoleAssignment.objects.filter(user=gone, municipality=world.municipality).delete()
    gone.refresh_from_db()
    assert gone.is_active
    assert world.channel.memberships.filter(user=gone, role=ChannelRole.ADMIN).exists()

    sent = _report(world, world.editor, django_capture_on_commit_callbacks)

    assert gone.email not in sent
    assert world.p.employee.email in sent  # the main administrator, still here


def test_di11_an_administrator_with_several_roles_here_gets_one_message(
    world, django_capture_on_commit_callbacks
):
    """The shared rule joins the role assignments: an administrator holding several
    roles in the municipality is still mailed once (`.distinct()`)."""
    admin = person_with_roles(
        world.municipality, Role.ARCHIVIST, Role.CRISIS_LEADER, username="mange-roller"
    )
    channel_services.channel_role_set(
        actor=world.p.employee, channel=world.channel, user=admin, role=ChannelRole.ADMIN
    )
    sent = _report(world, world.editor, django_capture_on_commit_callbacks)
    assert len(sent[admin.email]) == 1
