"""factory_boy factories for the Django side; every test builds its own data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import factory
import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase

from ordstyrer.archive.entry import ArchiveEntry, Kind
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.services import archive_append
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.services import crisis_approve, crisis_declare, crisis_reject
from ordstyrer.inbox.models import InboxItem, Reply
from ordstyrer.inbox.replies import reply_send
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment, Unit

PASSWORD = "riktig-hest-batteri-stift"  # noqa: S105  (test logins only)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kommune-{n}")
    name = factory.Sequence(lambda n: f"Testkommune {n}")
    preset = "indre-fosen"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.EMPLOYEE


def person_with_roles(municipality: Municipality, *roles: str, username: str | None = None, **kw):
    """A user holding `roles` (and always `employee`) in `municipality`."""
    user = UserFactory(**({"username": username} if username else {}), **kw)
    for role in {Role.EMPLOYEE, *roles}:
        RoleAssignmentFactory(user=user, municipality=municipality, role=role)
    return user


def archived(
    municipality: Municipality, *, actor: Any, now: datetime, **entry: Any
) -> ArchiveRecord:
    """An archive entry of `municipality` (the ArchiveEntry fields in `entry`) appended
    by `actor`, as the services hand entries to `archive_append`, and archived at `now`
    (`backdated_to`, as seed data: a service's append reads the clock itself, AR-3)."""
    return archive_append(
        actor=actor, entry=ArchiveEntry(municipality=municipality, **entry), backdated_to=now
    )


def ban_note(
    municipality: Municipality, *, actor: Any, now: datetime, **entry: Any
) -> ArchiveRecord:
    """The journaled internal note (X) of a ban, archived as `archived` does; `entry` gives
    its text, ground, channel and the rest."""
    return archived(
        municipality,
        actor=actor,
        now=now,
        kind=Kind.MODERATION_NOTE,
        action="ban",
        journal=True,
        **entry,
    )


@dataclass(frozen=True)
class CrisisReplies:
    """The set-up of the crisis-reply tests (PU-12): a crisis declared in `world`'s
    municipality at `declared_at`, replies its editor writes at `sent_at`, and the
    crisis leader's decisions on them. `world` is a test world with `municipality`,
    `p` (the personas) and `editor` (the inbox's and the crisis tests')."""

    world: Any
    text: str  # what a reply says unless told
    declared_at: datetime
    sent_at: datetime
    name: str = "Flom"  # the crisis's, unless told

    def declare(self, *, actor: Any = None, name: str | None = None) -> Crisis:
        """The crisis declared at `declared_at` (the clock there too) by the crisis
        leader, or `actor`."""
        with time_machine.travel(self.declared_at, tick=False):
            return crisis_declare(
                municipality=self.world.municipality,
                name=self.name if name is None else name,
                actor=actor or self.world.p.crisis_leader,
                now=self.declared_at,
            )

    def send(
        self,
        item: InboxItem,
        *,
        text: str | None = None,
        effect: str | None = None,
        delivered: bool = True,
    ) -> Reply:
        """The editor's reply to `item` written at `sent_at` (with `effect`, or
        `reply_send`'s own): its delivery, queued after commit, run at once, or
        (`delivered=False`) never run, the reply left queued."""
        with (
            time_machine.travel(self.sent_at, tick=False),
            TestCase.captureOnCommitCallbacks(execute=delivered),
        ):
            return reply_send(
                actor=self.world.editor,
                item=item,
                text=self.text if text is None else text,
                effect=effect,
            )

    def approve(self, reply: Reply, *, actor: Any = None, **kw: Any) -> Any:
        """The crisis leader's (or `actor`'s) approval of `reply` (`kw`: `now`)."""
        return crisis_approve(
            municipality=self.world.municipality,
            kind="reply",
            object_id=reply.pk,
            actor=actor or self.world.p.crisis_leader,
            **kw,
        )

    def reject(self, reply: Reply, *, reason: str, actor: Any = None, **kw: Any) -> Any:
        """The crisis leader's (or `actor`'s) rejection of `reply` with `reason`."""
        return crisis_reject(
            municipality=self.world.municipality,
            kind="reply",
            object_id=reply.pk,
            actor=actor or self.world.p.crisis_leader,
            reason=reason,
            **kw,
        )
