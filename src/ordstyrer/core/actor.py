"""Who acts: a person, the municipality they act in, and their roles there.

Built once per request by the access helper (`core.permissions.actor_in`, called by the
console's `core.console.municipality_view` and the API's `api.auth.municipality_for`), so
the role lookup is one query per request and lives on this object — not cached on the
user (issue #17). Services take it as their `actor`; the CLI, tasks and tests that hold
a bare user get one through `core.permissions.actor_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ordstyrer.tenants.models import Municipality


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting in one municipality, with the roles they hold there (empty for an
    outsider). Frozen: the roles are read once and do not change under the request."""

    # The auth user model (settings.AUTH_USER_MODEL, Django's own `User`, which the
    # models' foreign keys point to); None for the system (`actor_for(None, …)`).
    user: User | None
    municipality: Municipality
    roles: frozenset[str]
    # The person's role per channel id, filled as asked (`channels.permissions`): the
    # request's cache, gone with the request — never kept on the user object.
    channel_roles: dict[int, str | None] = field(default_factory=dict, compare=False, repr=False)
    # Whether the person also holds a role in another municipality (the console menu's
    # switcher), read with the roles by `permissions.actor_in`; None where not asked.
    member_elsewhere: bool | None = field(default=None, compare=False, repr=False)

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    def has_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & frozenset(roles))

    def __repr__(self) -> str:  # the user's repr may be long; the pk says who
        return (
            f"Actor(user={getattr(self.user, 'pk', None)!r}, "
            f"municipality={getattr(self.municipality, 'slug', None)!r}, roles={sorted(self.roles)!r})"
        )


# What a service's `actor` takes: the request's `Actor` (console and API pass
# `request.actor`), or — for the CLI, background tasks, demos and tests, which hold a
# person but no request — a bare user, or None for the system. `permissions.actor_for`
# turns either into an `Actor` where roles are asked.
ActorLike: TypeAlias = "Actor | User | None"


def user_of(actor: ActorLike) -> User | None:
    """The person behind `actor`: the user of an `Actor`; a bare user or None as given."""
    return actor.user if isinstance(actor, Actor) else actor
