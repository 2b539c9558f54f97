"""The daily digest is mailed only to people still here, by the one definition (CH-3,
CH-5, DI-1; #15).

`inbox.digest` said for itself who is still on a channel (an account that can log in and
a role in the channel's municipality) and who answers as communications (an active
account with the role). Channels, the account list and the notices read
`tenants.selectors.active_member_q`; the digest now reads it too, so a person the shared
rule counts as gone — deactivated, or with no role left in the municipality — is never
mailed about its items, whatever the rule comes to say.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

from ordstyrer.inbox import digest
from ordstyrer.inbox.digest import digest_lines
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.services import item_assign
from ordstyrer.tenants.models import Role, RoleAssignment
from ordstyrer.tenants.selectors import active_member_q
from tests.factories import MunicipalityFactory, RoleAssignmentFactory
from tests.inbox.conftest import InboxWorld, comment, ingest, make_world

pytestmark = pytest.mark.django_db


def _deactivated(user, municipality) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


def _departed(user, municipality) -> None:
    """Every role here revoked; the account stays active, for another municipality."""
    RoleAssignmentFactory(user=user, municipality=MunicipalityFactory(), role=Role.EMPLOYEE)
    RoleAssignment.objects.filter(user=user, municipality=municipality).delete()


@pytest.fixture
def world(db) -> InboxWorld:
    """«Skolen» with p.employee as main administrator, an editor, and communications."""
    return make_world("fortsatt")


def _waiting(world):
    """An item past its deadline and one near it on «Skolen»; the time they are so."""
    overdue = ingest(world.channel, comment("c1", "Når kommer svaret om skoleskyss?"))
    soon = ingest(world.channel, comment("c2", "Hvem kan jeg spørre om leksehjelp?"))
    soon.refresh_from_db()
    now = soon.warn_at + timedelta(minutes=1)
    InboxItem.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=1))
    return overdue, soon, now


def _still_here(user, municipality) -> bool:
    return (
        get_user_model().objects.filter(active_member_q(municipality=municipality), pk=user.pk)
    ).exists()


WHO = {
    "main-admin": lambda w: w.p.employee,  # overdue items of its channel (CH-5)
    "editor": lambda w: w.editor,  # items near their deadline, nobody assigned (DI-1)
    "communications": lambda w: w.p.communications,  # every channel's overdue items (CH-5)
}


@pytest.mark.parametrize("gone", [_deactivated, _departed], ids=["deactivated", "departed"])
@pytest.mark.parametrize("who", list(WHO))
def test_ch3_a_person_gone_by_the_shared_rule_gets_no_digest(world, who, gone):
    """CH-3, CH-5: before, the person's digest lists the channel's items; once gone by
    `active_member_q`, nothing — and the items still reach someone who is here."""
    overdue, soon, now = _waiting(world)
    person = WHO[who](world)
    assert person.pk in digest_lines(now=now)

    gone(person, world.municipality)

    assert not _still_here(person, world.municipality)
    lines = digest_lines(now=now)
    assert person.pk not in lines
    overdue_to = {p for p, line in lines.items() if overdue in line["overdue"]}
    soon_to = {p for p, line in lines.items() if soon in line["soon"]}
    assert overdue_to and soon_to


@pytest.mark.parametrize("gone", [_deactivated, _departed], ids=["deactivated", "departed"])
def test_ch3_an_assignee_gone_by_the_shared_rule_is_passed_over(world, gone):
    """DI-1, CH-3: an item near its deadline goes to its assignee only while they are
    still here; then to the channel's people instead."""
    _overdue, soon, now = _waiting(world)
    item_assign(actor=world.editor, item=soon, assignee=world.editor)
    assert [p for p, line in digest_lines(now=now).items() if soon in line["soon"]] == [
        world.editor.pk
    ]

    gone(world.editor, world.municipality)

    lines = digest_lines(now=now)
    assert world.editor.pk not in lines
    assert soon in lines[world.p.employee.pk]["soon"]


def test_ch3_the_digest_follows_the_one_definition_of_who_is_still_here(world, monkeypatch):
    """CH-3: were the shared rule to count the main administrator and communications as
    gone (a rule it may learn: a suspended account, say), the digest leaves them out too;
    it has no rule of its own that could keep mailing them."""
    overdue, _soon, now = _waiting(world)
    kept = {world.p.employee.pk, world.p.communications.pk}
    assert kept <= set(digest_lines(now=now))
    shared = active_member_q

    def stricter(*, municipality, through=""):
        return shared(municipality=municipality, through=through) & ~Q(**{f"{through}pk__in": kept})

    # raising=False: a digest with its own rule would ignore this and fail below.
    monkeypatch.setattr(digest, "active_member_q", stricter, raising=False)

    lines = digest_lines(now=now)
    assert not kept & set(lines)
    assert all(overdue not in line["overdue"] for line in lines.values())
