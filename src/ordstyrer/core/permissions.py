"""Central access control: one `access_<thing>` helper per object type.

Views, API endpoints and services never write their own tenant filter. An
object of another municipality is reported as not found (404), so that its
existence does not leak; a member without the role needed gets 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ordstyrer.core.errors import AccessDenied
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment

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


def municipalities_for(user: Any) -> QuerySet[Municipality]:
    """The municipalities this person is a member of."""
    if not getattr(user, "is_authenticated", False):
        return Municipality.objects.none()
    return Municipality.objects.filter(role_assignments__user=user).distinct().order_by("name")


def roles_in(user: Any, municipality: Municipality) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = getattr(user, "_ordstyrer_roles", None)
    if cache is None:
        cache = {}
        user._ordstyrer_roles = cache
    if municipality.pk not in cache:
        cache[municipality.pk] = frozenset(
            RoleAssignment.objects.filter(user=user, municipality=municipality).values_list(
                "role", flat=True
            )
        )
    return cache[municipality.pk]


def has_role(user: Any, municipality: Municipality, roles: Iterable[str]) -> bool:
    return bool(roles_in(user, municipality) & set(roles))


def require(user: Any, municipality: Municipality, need: str) -> None:
    """Raise unless `user` may do `need` in `municipality` (404 outsider, 403 member)."""
    if need not in NEED_ROLES:
        raise ValueError(f"unknown need {need!r}")
    roles = roles_in(user, municipality)
    if not roles:
        raise Http404(_("Fant ikke siden."))
    wanted = NEED_ROLES[need]
    if wanted is not None and not roles & wanted:
        # The 403 page shows this: name the role needed (#15).
        names = ", ".join(str(Role(r).label).lower() for r in sorted(wanted))
        raise AccessDenied(_("Dette krever en av disse rollene: %(roles)s.") % {"roles": names})


def access_municipality(*, user: Any, slug: str, need: str = "read") -> Municipality:
    """The municipality `slug` if `user` may do `need` there."""
    try:
        municipality = Municipality.objects.get(slug=slug)
    except Municipality.DoesNotExist:
        raise Http404(_("Fant ikke siden.")) from None
    require(user, municipality, need)
    return municipality
