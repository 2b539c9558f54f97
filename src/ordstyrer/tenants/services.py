"""Writes about municipalities, roles and policy versions (one audited service each)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.permissions import require
from ordstyrer.core.services import person
from ordstyrer.policy import PolicyError, load_policy, preset_ids
from ordstyrer.tenants.models import Municipality, PolicyVersion, Role, RoleAssignment, Unit
from ordstyrer.tenants.selectors import policy_version_current

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _validate_preset(preset: str) -> None:
    if preset not in preset_ids():
        raise ServiceError(
            _("Ukjent retningslinje «%(preset)s». Kjente: %(known)s.")
            % {"preset": preset, "known": ", ".join(preset_ids())}
        )


def municipality_create(*, actor: ActorLike, slug: str, name: str, preset: str) -> Municipality:
    """Create a municipality (IT operations). The actor must be a superuser."""
    if actor is not None and not getattr(user_of(actor), "is_superuser", False):
        raise ServiceError(_("Bare driftsansvarlige kan opprette kommuner."))
    _validate_preset(preset)
    with transaction.atomic():
        if Municipality.objects.filter(slug=slug).exists():
            raise ServiceError(_("Kortnavnet «%(slug)s» er i bruk.") % {"slug": slug})
        municipality = Municipality.objects.create(slug=slug, name=name, preset=preset)
        audit_record(
            actor=actor,
            action="municipality_create",
            municipality=municipality,
            obj=municipality,
            data={"slug": slug, "preset": preset},
        )
    return municipality


def role_assign(
    *,
    actor: ActorLike,
    municipality: Municipality,
    user: User,
    role: str,
    unit: Unit | None = None,
) -> RoleAssignment:
    """Give `user` a role in `municipality`. Communications, the chief administrator or
    IT operations (superuser, `actor` None for system set-up) may do it."""
    if role not in Role.values:
        raise ServiceError(_("Ukjent rolle «%(role)s».") % {"role": role})
    if unit is not None and unit.municipality_id != municipality.pk:
        raise ServiceError(_("Enheten hører til en annen kommune."))
    if actor is not None and not getattr(user_of(actor), "is_superuser", False):
        require(actor, municipality, "manage_policy")
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, municipality=municipality, role=role, unit=unit
        )
        if created:
            audit_record(
                actor=actor,
                action="role_assign",
                municipality=municipality,
                obj=assignment,
                data={"user_id": user.pk, "role": role, "unit_id": getattr(unit, "pk", None)},
            )
    return assignment


def policy_update(
    *,
    actor: ActorLike,
    municipality: Municipality,
    overrides: dict[str, dict[str, Any]],
    reason: str,
) -> PolicyVersion:
    """Write a new policy version with `overrides` merged over the current ones.

    The whole effective policy is validated before anything is stored.
    """
    require(actor, municipality, "manage_policy")
    if not reason.strip():
        raise ServiceError(_("Skriv hvorfor retningslinjen endres."))
    with transaction.atomic():
        current = policy_version_current(municipality=municipality)
        merged: dict[str, dict[str, Any]] = {
            rule: dict(params)
            for rule, params in (current.overrides if current else {}).items()
            if current and current.preset == municipality.preset
        }
        for rule, params in overrides.items():
            merged.setdefault(rule, {}).update(params)
        try:
            load_policy(municipality.preset, merged)
        except PolicyError as exc:
            raise ServiceError(str(exc)) from exc
        version = PolicyVersion.objects.create(
            municipality=municipality,
            number=(current.number + 1) if current else 1,
            preset=municipality.preset,
            overrides=merged,
            changed_by=person(actor),
            reason=reason.strip(),
        )
        audit_record(
            actor=actor,
            action="policy_update",
            municipality=municipality,
            obj=version,
            data={"changes": overrides, "version": version.number},
        )
    return version
