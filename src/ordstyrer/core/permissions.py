"""Central access control: one `access_<thing>` helper per object type.

Views, API endpoints and services never write their own tenant filter. An
object of another municipality is reported as not found (`NotFound`, 404), so that
its existence does not leak; a member without the role needed gets `NotPermitted`
(403), which names the roles that would allow it. The interfaces map both to HTTP once
(`core.middleware`, `api.main`).

`actor_in` resolves the municipality of a request and the person's roles there into one
`Actor`; the checks below read the roles from it, so a request looks them up once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from ordstyrer.core.actor import Actor, ActorLike, user_of
from ordstyrer.core.errors import lazy_interpolate
from ordstyrer.errors import NotFound, NotPermitted
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# What each need requires; None means any member of the municipality.
NEED_ROLES: dict[str, frozenset[str] | None] = {
    "read": None,
    "check": None,
    "manage_policy": frozenset({Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR}),
    "view_audit": frozenset({Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR, Role.ARCHIVIST}),
    # AR-1/AR-2: the archive is read and exported by the archive/service office and
    # communications; MO-3: communications files police reports. Appending is open to
    # any member: the calling service (moderation, inbox) checks its own need.
    "view_archive": frozenset({Role.COMMUNICATIONS, Role.ARCHIVIST}),
    "export_archive": frozenset({Role.COMMUNICATIONS, Role.ARCHIVIST}),
    "report_police": frozenset({Role.COMMUNICATIONS}),
    # AR-2: the archive office sets the legal basis the exports declare for screening.
    "manage_screening": frozenset({Role.ARCHIVIST}),
    # CH-1: any employee may draft a channel proposal for their unit; the approval chain
    # decides. Per-channel needs (publish, reply, moderate, …) are in channels.permissions.
    "propose_channel": None,
    # The inbox: any member opens it; what they see and may change is per channel
    # (inbox.access, CH-3). DI-11: any employee reports unwanted statements.
    "inbox": None,
    "report_unwanted": None,
    # Issue #18: webhook deliveries given up on (dead letters) are retried or discarded
    # by communications, who run the channels' connections.
    "webhook_dead_letters": frozenset({Role.COMMUNICATIONS}),
    # PU-1 (issue #18): national ID numbers in comments are masked in the console; seeing
    # one (audited) is for communications (privacy breaches, police reports, MO-3) and the
    # archive (journaling an inquiry needs to know who it is from, DI-7, AR-1).
    "reveal_national_id": frozenset({Role.COMMUNICATIONS, Role.ARCHIVIST}),
}


def municipalities_for(user: ActorLike | AnonymousUser) -> QuerySet[Municipality]:
    """The municipalities this person is a member of (none for the system or an anonymous
    person)."""
    if isinstance(user, Actor):
        user = user.user
    if user is None or not user.is_authenticated:
        return Municipality.objects.none()
    return Municipality.objects.filter(role_assignments__user=user).distinct().order_by("name")


def _roles(user: User | None, municipality: Municipality) -> frozenset[str]:
    """One query; nothing is remembered on the user: a request keeps its roles in its
    `Actor` (`actor_in`), and a caller with a bare user asks `actor_for` once."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(
        RoleAssignment.objects.filter(user=user, municipality=municipality).values_list(
            "role", flat=True
        )
    )


def actor_for(who: ActorLike, municipality: Municipality) -> Actor:
    """`who` (an `Actor`, a user, or None for the system) acting in `municipality`: an
    `Actor` of that municipality is returned as it is (no query); anything else has its
    roles looked up."""
    if isinstance(who, Actor) and who.municipality.pk == municipality.pk:
        return who
    user = user_of(who)
    return Actor(user=user, municipality=municipality, roles=_roles(user, municipality))


def roles_in(who: ActorLike, municipality: Municipality) -> frozenset[str]:
    """The roles `who` holds in `municipality` (read from the `Actor` where it is one)."""
    return actor_for(who, municipality).roles


def has_role(who: ActorLike, municipality: Municipality, roles: Iterable[str]) -> bool:
    return bool(roles_in(who, municipality) & set(roles))


def not_found() -> NotFound:
    """The one answer to an outsider, and to an object that does not exist."""
    return NotFound(_("Fant ikke siden."))


def require(who: ActorLike, municipality: Municipality, need: str) -> Actor:
    """The `Actor` if `who` may do `need` in `municipality`; `NotFound` for an outsider,
    `NotPermitted` (naming the roles that would do) for a member without the role."""
    if need not in NEED_ROLES:
        raise ValueError(f"unknown need {need!r}")
    actor = actor_for(who, municipality)
    if not actor.roles:
        raise not_found()
    wanted = NEED_ROLES[need]
    if wanted is not None and not actor.roles & wanted:
        # The 403 page shows this: name the role needed (#15).
        names = ", ".join(str(Role(r).label).lower() for r in sorted(wanted))
        raise NotPermitted(
            lazy_interpolate(_("Dette krever en av disse rollene: %(roles)s."), {"roles": names}),
            roles=sorted(wanted),
        )
    return actor


def actor_in(*, user: User | AnonymousUser, slug: str, need: str = "read") -> Actor:
    """`user` acting in the municipality `slug`, if they may do `need` there: the one
    role lookup of a request (the console's `municipality_view`, the API's
    `municipality_for`). One query: the person's roles there, each with the municipality
    and whether they hold a role in another municipality too (the menu's switcher, #14);
    none for an outsider, an anonymous person or an unknown slug — 404 alike."""
    if user is None or not user.is_authenticated:
        raise not_found()
    elsewhere = RoleAssignment.objects.filter(user=user).exclude(
        municipality=OuterRef("municipality")
    )
    held = list(
        RoleAssignment.objects.filter(user=user, municipality__slug=slug)
        .select_related("municipality")
        .annotate(elsewhere=Exists(elsewhere))
    )
    if not held:
        raise not_found()
    municipality = held[0].municipality
    actor = Actor(
        user=user,
        municipality=municipality,
        roles=frozenset(r.role for r in held),
        member_elsewhere=held[0].elsewhere,
    )
    return require(actor, municipality, need)


def access_municipality(
    *, user: User | AnonymousUser, slug: str, need: str = "read"
) -> Municipality:
    """The municipality `slug` if `user` may do `need` there."""
    return actor_in(user=user, slug=slug, need=need).municipality
