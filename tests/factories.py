"""factory_boy factories for the Django side; every test builds its own data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model

from ordstyrer.archive.entry import ArchiveEntry, Kind
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.archive.services import archive_append
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
    at `now` by `actor`, as the services hand entries to `archive_append`."""
    return archive_append(
        actor=actor, entry=ArchiveEntry(municipality=municipality, **entry), now=now
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
