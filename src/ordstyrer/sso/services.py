"""Writes of single sign-on: group → role mappings, and what a login through the identity
provider does to the person's roles (issue #14, item 3)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.core.permissions import require
from ordstyrer.core.services import person
from ordstyrer.sso.models import GroupRoleMapping, SsoIdentity
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment
from ordstyrer.tenants.services import (
    ChannelLeft,
    channels_left_record,
    channels_left_without_main_admin,
    channels_lock,
    crisis_deputyship_end,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, User

logger = logging.getLogger(__name__)

MAX_GROUP_LENGTH = 255

# Roles a group may not give. A unit leader leads one unit (CH-1, CH-4: the leader's
# assessment of the unit's channel); a group at the identity provider names no unit, and
# a unit leader without a unit counts as leader of every unit (`channels.selectors.
# _decides`), so each member would endorse every unit's channel proposals. Unit leaders
# are appointed for their unit (`ordstyrer role grant --unit`), and keep that role
# through every login. The roles such mappings gave before they were refused went at the
# upgrade (migration 0002), so a mapping of this kind stored still gives nothing at all.
UNMAPPABLE_ROLES = frozenset({Role.UNIT_LEADER})


def _is_operator(actor: ActorLike) -> bool:
    """IT operations: the command line acts as the system (actor None), or a superuser."""
    return actor is None or bool(getattr(user_of(actor), "is_superuser", False))


def _may_map(actor: ActorLike, municipality: Municipality) -> None:
    if not _is_operator(actor):
        require(actor, municipality, "manage_policy")


def group_map(
    *, actor: ActorLike, municipality: Municipality, group: str, role: str
) -> GroupRoleMapping:
    """Members of `group` get `role` in `municipality` at their next login."""
    group = (group or "").strip()
    if not group:
        raise ServiceError(
            gettext_lazy("Oppgi gruppen (navn eller objekt-ID) fra identitetsleverandøren.")
        )
    if len(group) > MAX_GROUP_LENGTH:
        raise ServiceError(gettext_lazy("Gruppenavnet er for langt (høyst 255 tegn)."))
    if role not in Role.values:
        raise ServiceError(
            lazy_interpolate(gettext_lazy("Ukjent rolle «%(role)s»."), {"role": role})
        )
    if role in UNMAPPABLE_ROLES:
        raise ServiceError(
            gettext_lazy(
                "En gruppe kan ikke gi rollen Enhetsleder. En enhetsleder utnevnes for én "
                "enhet i Ordstyrer, og en gruppe hos identitetsleverandøren sier ikke "
                "hvilken: hvert medlem ville blitt leder for alle enheter. Be driftsansvarlig "
                "gi rollen for enheten."
            ),
            rule="CH-1",
            code="sso_unmappable_role",
        )
    _may_map(actor, municipality)
    if (
        not _is_operator(actor)
        and GroupRoleMapping.objects.filter(group=group).exclude(municipality=municipality).exists()
    ):
        # A login applies every municipality's mappings of the person's groups: another
        # municipality's staff group mapped here would bring its people (names, e-mail
        # addresses) into this municipality. A group shared between municipalities (an
        # inter-municipal service) is mapped by IT operations. The other municipality is
        # not named: who maps which group is that municipality's business.
        raise ServiceError(
            gettext_lazy(
                "Gruppen er allerede koblet til en rolle i en annen kommune. En gruppe som "
                "flere kommuner deler, kan bare kobles av driftsansvarlig: kontakt IT hvis "
                "medlemmene skal ha en rolle her også."
            ),
            code="sso_group_mapped_elsewhere",
        )
    try:
        with transaction.atomic():
            mapping, created = GroupRoleMapping.objects.get_or_create(
                municipality=municipality,
                group=group,
                role=role,
                defaults={"created_by": person(actor)},
            )
            if created:
                audit_record(
                    actor=actor,
                    action="sso_group_map",
                    municipality=municipality,
                    obj=mapping,
                    data={"group": group, "role": role},
                )
    except IntegrityError:  # a concurrent identical mapping won
        mapping = GroupRoleMapping.objects.get(municipality=municipality, group=group, role=role)
    return mapping


def _stored_groups(user: User) -> set[str] | None:
    """The groups `user` had at their last login through the identity provider; None
    for a person who never logged in that way (a local account: no login changes it)."""
    try:
        return set(user.sso_identity.groups)
    except SsoIdentity.DoesNotExist:
        return None


@dataclass(frozen=True)
class UnmapEffect:
    """What removing a mapping does at the members' next logins (`group_unmap_effect`)."""

    losing: list[User]  # who loses the role, by the groups they had at their last login
    leaves_no_advisor: bool  # the municipality would be left with no active advisor
    # The channels left without an active main administrator (CH-3): every active one of
    # theirs is among `losing` and holds no other role in the municipality.
    channels_left: list[ChannelLeft] = field(default_factory=list)


def group_unmap_effect(*, mapping: GroupRoleMapping) -> UnmapEffect:
    """Who loses the mapping's role at their next login if it is removed, read from the
    groups each person had at their last login (`SsoIdentity.groups`): the holders of
    the role without a unit who are in the group and in no other group that gives the
    role in the municipality. For the communications role, also whether no active
    advisor would be left (CH-3); a removal that takes the role from nobody leaves
    things as they are, and is never refused. And which channels would be left without
    an active main administrator (CH-3), because every active one of theirs loses their
    only role in the municipality (a warning: the removal goes ahead)."""
    if mapping.role in UNMAPPABLE_ROLES:
        return UnmapEffect(losing=[], leaves_no_advisor=False)  # it gives nothing
    same_role = GroupRoleMapping.objects.filter(
        municipality=mapping.municipality_id, role=mapping.role
    ).exclude(pk=mapping.pk)
    groups_left = set(same_role.values_list("group", flat=True))

    def keeps(assignment: RoleAssignment) -> bool:
        groups = _stored_groups(assignment.user)
        return assignment.unit_id is not None or groups is None or bool(groups & groups_left)

    holders = (
        RoleAssignment.objects.filter(municipality=mapping.municipality_id, role=mapping.role)
        .select_related("user__sso_identity")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    # A deactivated person logs in no more, and keeps their roles for the record.
    active = [a for a in holders if a.user.is_active]
    losing = [
        a for a in active if not keeps(a) and mapping.group in (_stored_groups(a.user) or set())
    ]
    leaves_no_advisor = (
        mapping.role == Role.COMMUNICATIONS and bool(losing) and not any(keeps(a) for a in active)
    )
    # Who holds no other role in the municipality, and so leaves its channels' roles.
    others = RoleAssignment.objects.filter(
        municipality=mapping.municipality_id, user__in=[a.user_id for a in losing]
    ).exclude(role=mapping.role, unit__isnull=True)
    staying = set(others.values_list("user_id", flat=True))
    leaving = [a.user for a in losing if a.user_id not in staying]
    return UnmapEffect(
        losing=[a.user for a in losing],
        leaves_no_advisor=leaves_no_advisor,
        channels_left=channels_left_without_main_admin(
            municipality=mapping.municipality, leaving=leaving
        ),
    )


def group_unmap(*, actor: ActorLike, municipality: Municipality, mapping_id: int) -> bool:
    """Remove a mapping; the roles it gave go at each member's next login. False when it
    is gone already (a second click, a replayed form): nothing changes.

    Refused when it would take the communications role from the municipality's last
    active advisors (CH-3: the channels need someone who answers for them, and only
    communications appoints the next one), as `tenants.services.role_revoke` refuses.
    """
    _may_map(actor, municipality)
    with transaction.atomic():
        # One removal at a time per municipality (as `role_revoke`): two at once must
        # not each see the other's advisors and leave none. `no_key`, as there: a channel
        # service holding its channel's row still writes its audit entry (a row that
        # refers to the municipality) while this waits for that channel below.
        Municipality.objects.select_for_update(no_key=True).filter(pk=municipality.pk).first()
        mapping = GroupRoleMapping.objects.filter(pk=mapping_id, municipality=municipality).first()
        if mapping is None:
            return False
        # CH-3, as `role_revoke`: a main administrator taken off a channel at the same
        # instant (`channels.roles`) is counted after it commits, not as still there.
        channels_lock(municipalities=[municipality])
        effect = group_unmap_effect(mapping=mapping)
        if effect.leaves_no_advisor:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy(
                        "Koblingen kan ikke fjernes: da mister %(people)s rollen Kommunikasjon ved "
                        "neste innlogging, og %(municipality)s har ingen annen aktiv "
                        "kommunikasjonsrådgiver. Koble en annen gruppe til rollen, eller gi "
                        "rollen til en annen først."
                    ),
                    {
                        "people": ", ".join(
                            u.get_full_name() or u.get_username() for u in effect.losing
                        ),
                        "municipality": municipality.name,
                    },
                ),
                rule="CH-3",
                code="last_communications_advisor",
            )
        audit_record(
            actor=actor,
            action="sso_group_unmap",
            municipality=municipality,
            obj=mapping,
            data={
                "group": mapping.group,
                "role": mapping.role,
                "losing_user_ids": [u.pk for u in effect.losing],
                "channels_left_ids": [c.pk for c in effect.channels_left],
            },
        )
        mapping.delete()
    return True


def groups_from_claims(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The group names/ids in `claims[claim]` (a list, or one string), untrusted input."""
    value = claims.get(claim)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    groups = [g.strip() for g in value if isinstance(g, str) and g.strip()]
    return sorted({g for g in groups if len(g) <= MAX_GROUP_LENGTH})


def groups_overage(claims: Mapping[str, Any], claim: str) -> bool:
    """Whether the provider left the groups out because there are too many of them.

    Entra ID puts no `groups` claim in a token for a person in more than 200 groups; it
    names a Microsoft Graph source instead (`_claim_names: {"groups": "src1"}` with
    `_claim_sources`, the OIDC Core §5.6.2 distributed-claims form), or sends
    `hasgroups: true` in the implicit flow. Read as "no groups", every role would go.
    (learn.microsoft.com/entra/identity-platform/id-token-claims-reference, "Groups
    overage claim".)
    """
    if claim in claims:
        return False
    names = claims.get("_claim_names")
    return (isinstance(names, Mapping) and claim in names) or claims.get("hasgroups") is True


def _text(claims: Mapping[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _username(claims: Mapping[str, Any], subject: str) -> str:
    User = get_user_model()
    base = (
        _text(claims, "preferred_username", 150)
        or _text(claims, "email", 150)
        or f"sso-{subject}"[:150]
    )
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = base[: 150 - len(suffix)] + suffix
    return candidate


@transaction.atomic
def sso_login(
    *, issuer: str, claims: Mapping[str, Any], groups_claim: str, now: datetime
) -> AbstractUser:
    """The local person for a verified login at `issuer`, roles synchronised from groups.

    Roles without a unit follow the mapped groups exactly at every login (a person
    removed from a group loses the role), except that a group never makes a unit leader
    (`UNMAPPABLE_ROLES`); roles for one unit, given with `ordstyrer role grant --unit`,
    stay. A person with no mapped group is let in with no municipality and sees whom
    to ask. A token whose groups were left out (`groups_overage`) is refused before
    anything is written: the person's roles stay as they were.
    """
    subject = _text(claims, "sub", 255)
    if not subject:
        raise ServiceError(
            gettext_lazy("Identitetsleverandøren sendte ingen brukeridentitet (sub).")
        )
    if groups_overage(claims, groups_claim):
        raise ServiceError(
            gettext_lazy(
                "Du er medlem av så mange grupper at identitetsleverandøren ikke sendte dem "
                "med, så Ordstyrer kan ikke se hvilke roller du skal ha. Du er ikke logget "
                "inn, og rollene dine er ikke endret. Be IT om å sende bare gruppene som er "
                "tildelt programmet (i Entra ID: «Groups assigned to the application») "
                "eller approller."
            ),
            code="sso_groups_overage",
        )
    groups = groups_from_claims(claims, groups_claim)
    identity = _identity(issuer=issuer, subject=subject, claims=claims, now=now)
    user = identity.user
    if not user.is_active:
        # Refused by the callback (mozilla-django-oidc logs in only an active user);
        # nothing changes first: a deactivated person's roles stay for the record
        # (as `group_unmap_effect` counts them), and their name and groups as they were.
        return user
    user.first_name = _text(claims, "given_name", 150) or user.first_name
    user.last_name = _text(claims, "family_name", 150) or user.last_name
    user.email = _text(claims, "email", 254) or user.email
    user.save()
    identity.groups = groups
    identity.last_login_at = now
    identity.save()
    _sync_roles(user, groups)
    return user


# How often a first login tries again after losing a race to create the person: each
# loss means another transaction committed the same subject (or took the username).
IDENTITY_ATTEMPTS = 3


def _identity(
    *, issuer: str, subject: str, claims: Mapping[str, Any], now: datetime
) -> SsoIdentity:
    """The person's identity, locked; created with a new account at their first login.

    Two first logins of one person at once (two tabs, a double click) both find no
    identity; the second insert waits on the unique constraint (`sso_identity_unique`,
    or the username) until the first commits, then fails, and the login reads the
    identity the first one made instead of ending in a 500."""
    User = get_user_model()
    found = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
    )
    for _attempt in range(IDENTITY_ATTEMPTS):
        identity = found.first()
        if identity is not None:
            return identity
        try:
            with transaction.atomic():  # a savepoint: the login's transaction goes on
                user = User(username=_username(claims, subject))
                user.set_unusable_password()
                user.save()
                return SsoIdentity.objects.create(
                    user=user, issuer=issuer, subject=subject, last_login_at=now
                )
        except IntegrityError:
            continue
    raise ServiceError(
        gettext_lazy("Innloggingen kolliderte med en annen innlogging samtidig. Prøv igjen."),
        code="sso_login_conflict",
    )


def _sync_roles(user: User, groups: Iterable[str]) -> list[ChannelLeft]:
    """Make the person's municipality-wide roles those their groups give; returns the
    channels this left without an active main administrator (CH-3: the person holds no
    role in the municipality any more), audited and mailed by `channels_left_record`.
    The login goes ahead: the groups at the identity provider decide."""
    wanted: set[tuple[int, str]] = set()
    for mapping_id, municipality_id, role in GroupRoleMapping.objects.filter(
        group__in=list(groups)
    ).values_list("pk", "municipality_id", "role"):
        if role in UNMAPPABLE_ROLES:
            # A mapping made before `group_map` refused the role gives nothing: the
            # settings page shows it as unused, for communications to remove.
            logger.warning(
                "sso mapping ignored",
                extra={"mapping_id": mapping_id, "municipality_id": municipality_id, "role": role},
            )
            continue
        wanted.add((municipality_id, role))
    held = {
        (a.municipality_id, a.role): a
        for a in RoleAssignment.objects.filter(user=user, unit__isnull=True)
    }
    municipalities = Municipality.objects.in_bulk({m for m, _ in wanted | set(held)})
    for key in sorted(wanted - set(held)):
        assignment = RoleAssignment.objects.create(
            user=user, municipality_id=key[0], role=key[1], unit=None
        )
        audit_record(
            actor=None,
            action="sso_role_grant",
            municipality=municipalities.get(key[0]),
            obj=assignment,
            data={"user_id": user.pk, "role": key[1]},
        )
    # Read before the roles go: who is a channel's last active main administrator.
    going = {m for m, _ in set(held) - wanted}
    _lock_for_going([municipalities[m] for m in sorted(going) if m in municipalities])
    candidates = {
        m: channels_left_without_main_admin(municipality=municipalities[m], leaving=[user])
        for m in sorted(going)
        if m in municipalities
    }
    for key in sorted(set(held) - wanted):
        assignment = held[key]
        if key[1] == Role.COMMUNICATIONS and user.is_active and _no_other_advisor(assignment):
            # CH-3, as `tenants.services.role_revoke`: the municipality keeps someone who
            # answers for its channels; communications gives the role to another first.
            # The user id only: the log is no place for names.
            logger.warning(
                "sso kept last communications advisor",
                extra={"user_id": user.pk, "municipality_id": key[0], "rule": "CH-3"},
            )
            continue
        audit_record(
            actor=None,
            action="sso_role_revoke",
            municipality=municipalities.get(key[0]),
            obj=assignment,
            data={"user_id": user.pk, "role": key[1]},
        )
        assignment.delete()
    still_member = set(
        RoleAssignment.objects.filter(user=user, municipality__in=list(candidates)).values_list(
            "municipality_id", flat=True
        )
    )
    left = [c for m, channels in candidates.items() if m not in still_member for c in channels]
    channels_left_record(actor=None, user=user, channels=left, cause="sso_login")
    for m in sorted(going - still_member):
        if m in municipalities:
            # PU-12, as `role_revoke`: no role here any more, no deputyship either.
            crisis_deputyship_end(
                actor=None, municipality=municipalities[m], user=user, cause="sso_login"
            )
    return left


def _lock_for_going(places: list[Municipality]) -> None:
    """Lock what a person's going from `places` reads (CH-3), in the order `role_revoke`
    and `user_deactivate` take it: the municipalities' rows (by id), then their channels'
    rows (`channels_lock`, by id). A channel role removed at the same instant
    (`channels.roles`) then counts this person as gone, or is counted as removed: the
    channel is never left without an active main administrator unsaid. `no_key`, as
    there: a channel service holding its channel's row still writes its audit entry."""
    for place in sorted(places, key=lambda m: m.pk):
        Municipality.objects.select_for_update(no_key=True).filter(pk=place.pk).first()
    channels_lock(municipalities=places)


def _no_other_advisor(assignment: RoleAssignment) -> bool:
    """Whether no one but the holder of `assignment` (communications) is an active
    communications advisor of its municipality. Locks the municipality first, as
    `role_revoke` does: two logins at once must not each see the other and leave none
    (held already by `_lock_for_going`; `no_key` for the same reason as there)."""
    Municipality.objects.select_for_update(no_key=True).filter(
        pk=assignment.municipality_id
    ).first()
    others = RoleAssignment.objects.filter(
        municipality=assignment.municipality_id, role=Role.COMMUNICATIONS, user__is_active=True
    ).exclude(pk=assignment.pk)
    return not others.exists()
