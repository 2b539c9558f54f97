"""Reads about municipalities, roles and the effective policy."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q

from ordstyrer import channelcodes
from ordstyrer.policy import Contact, FormalInquiry, Policy, load_policy
from ordstyrer.tenants.models import Municipality, PolicyVersion, Role, RoleAssignment, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def policy_version_current(*, municipality: Municipality) -> PolicyVersion | None:
    return municipality.policy_versions.order_by("-number").first()


def policy_for(*, municipality: Municipality) -> Policy:
    """The municipality's effective policy: its preset with the latest overrides, under
    its own identity (`as_municipality`): never another municipality's addresses."""
    version = policy_version_current(municipality=municipality)
    overrides = version.overrides if version and version.preset == municipality.preset else {}
    policy = load_policy(municipality.preset, overrides, stored=True)
    return as_municipality(policy, municipality=municipality)


def as_municipality(policy: Policy, *, municipality: Municipality) -> Policy:
    """`policy` with the name, website, contact person (EM-9, DI-10) and address for
    formal inquiries (DI-7) that `municipality` sets itself (`Policy.as_municipality`)."""
    m = municipality
    contact = None
    if m.contact_name:
        contact = Contact(
            title=m.contact_title,
            name=m.contact_name,
            phone=m.contact_phone or None,
            email=m.contact_email or None,
        )
    inquiry = None
    if m.inquiry_email or m.inquiry_phone:
        inquiry = FormalInquiry(email=m.inquiry_email or None, phone=m.inquiry_phone or None)
    return policy.as_municipality(
        slug=m.slug, name=m.name, website=m.website, contact=contact, formal_inquiry=inquiry
    )


def identity_defaults(*, municipality: Municipality) -> dict[str, str]:
    """What applies where `municipality` sets none of its own identity (field of
    `IDENTITY_FIELDS` → value): its preset's website, contact person and address for
    formal inquiries when the preset is its own, nothing on another's preset."""
    policy = load_policy(municipality.preset).as_municipality(
        slug=municipality.slug, name=municipality.name
    )
    contact, inquiry = policy.contact, policy.formal_inquiry
    found = {
        "website": policy.domains[0] if policy.domains else "",
        "contact_title": contact.title if contact else "",
        "contact_name": contact.name if contact else "",
        "contact_phone": (contact.phone if contact else None) or "",
        "contact_email": (contact.email if contact else None) or "",
        "inquiry_email": (inquiry.email if inquiry else None) or "",
        "inquiry_phone": (inquiry.phone if inquiry else None) or "",
    }
    return {name: value for name, value in found.items() if value}


def policy_versions(*, municipality: Municipality) -> list[PolicyVersion]:
    return list(municipality.policy_versions.select_related("changed_by").order_by("-number"))


@dataclass(frozen=True)
class MunicipalityOverview:
    """One line of `ordstyrer municipality list`: who is there, counted."""

    slug: str
    name: str
    preset: str
    organisation_number: str
    people: int  # active people holding any role
    communications: int  # of them, communications advisors
    units: int


def municipalities_overview() -> list[MunicipalityOverview]:
    """Every municipality of the installation, by slug, with its counts (one query)."""
    active = Q(role_assignments__user__is_active=True)
    rows = (
        Municipality.objects.annotate(
            people=Count("role_assignments__user", filter=active, distinct=True),
            communications=Count(
                "role_assignments__user",
                filter=active & Q(role_assignments__role=Role.COMMUNICATIONS),
                distinct=True,
            ),
            unit_count=Count("units", distinct=True),
        )
        .order_by("slug")
        .values(
            "slug",
            "name",
            "preset",
            "organisation_number",
            "people",
            "communications",
            "unit_count",
        )
    )
    return [
        MunicipalityOverview(
            slug=row["slug"],
            name=row["name"],
            preset=row["preset"],
            organisation_number=row["organisation_number"],
            people=row["people"],
            communications=row["communications"],
            units=row["unit_count"],
        )
        for row in rows
    ]


def role_assignments(*, municipality: Municipality) -> list[RoleAssignment]:
    """Who holds which role in `municipality` (and for which unit), by username."""
    return list(
        RoleAssignment.objects.filter(municipality=municipality)
        .select_related("user", "unit")
        .order_by("user__username", "role", "unit__name")
    )


def units_of(*, municipality: Municipality) -> list[Unit]:
    return list(Unit.objects.filter(municipality=municipality).order_by("name"))


def municipalities_left_without_communications(*, user: User) -> list[Municipality]:
    """The municipalities where `user` holds the communications role and no active person
    does (CH-3): after `user` is deactivated, the ones that need a new advisor."""
    active_advisor = RoleAssignment.objects.filter(
        municipality=OuterRef("pk"), role=Role.COMMUNICATIONS, user__is_active=True
    )
    return list(
        Municipality.objects.filter(
            role_assignments__user=user, role_assignments__role=Role.COMMUNICATIONS
        )
        .exclude(Exists(active_advisor))
        .distinct()
        .order_by("slug")
    )


def active_member_q(*, municipality: Any, through: str = "") -> Q:
    """The one definition of a person still here (CH-3): one who can still log in and
    still holds a role in `municipality` (a municipality, its id, or an `F()`), as a
    filter on the user at `through` ("" on the user model, "user__" on a row that refers
    to one). Such a person may be given a channel role, and keeps a channel run
    (`active_channel_role_q`). Join on the role assignments: `.distinct()` the rows of a
    person holding several roles."""
    return Q(
        **{
            f"{through}is_active": True,
            f"{through}role_assignments__municipality": municipality,
        }
    )


def active_channel_role_q(*, roles: Collection[str], municipality: Any, through: str = "") -> Q:
    """The one definition of an active holder of a channel role (CH-3, CH-5), as a filter
    on the channel memberships at `through` ("" on `ChannelMembership`, "memberships__" on
    `Channel`): one of `roles` (`channelcodes`), held by a person who can still log in and
    still holds a role in `municipality` (a municipality, its id, or `F("municipality")`
    for the channel's own). A deactivated or departed person does not keep a channel run.

    Here, below `channels` (.importlinter), so that `channels.selectors` (which counts
    and flags with it) and `tenants.services` (which tells the channels a person's going
    leaves without an active main administrator) read one definition. Conditions on the
    memberships in one `filter()` call hold for one and the same membership; the holder
    is still here as `active_member_q` says."""
    return Q(**{f"{through}role__in": list(roles)}) & active_member_q(
        municipality=municipality, through=f"{through}user__"
    )


def active_main_admin_q(*, municipality: Any, through: str = "") -> Q:
    """An active main administrator of a channel (`active_channel_role_q`)."""
    return active_channel_role_q(
        roles=[channelcodes.MAIN_ADMIN], municipality=municipality, through=through
    )
