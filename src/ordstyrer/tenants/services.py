"""Writes about municipalities, units, roles, local accounts and policy versions (one
audited service each). IT operations call them from the command line as the system
(`actor` None): `ordstyrer municipality|unit|role|user` (docs/deploy.md §7)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from stdnum import exceptions as stdnum_errors
from stdnum.no import orgnr

from ordstyrer import channelcodes
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import Conflict, NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.mail import addresses, console_url, mail_task, send
from ordstyrer.core.permissions import has_role, require
from ordstyrer.core.services import after_commit, person
from ordstyrer.policy import Policy, PolicyError, load_policy, preset_ids, validate_overrides
from ordstyrer.tenants.models import (
    IDENTITY_FIELDS,
    Municipality,
    PolicyVersion,
    Role,
    RoleAssignment,
    Unit,
)
from ordstyrer.tenants.selectors import (
    active_channel_role_q,
    active_main_admin_q,
    policy_for,
    policy_version_current,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def _validate_preset(preset: str) -> None:
    if preset not in preset_ids():
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Ukjent retningslinje «%(preset)s». Kjente: %(known)s."),
                {"preset": preset, "known": ", ".join(preset_ids())},
            )
        )


# The slug is the municipality's part of every console and API address (`m/<slug>/`).
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = Municipality._meta.get_field("slug").max_length or 60
MAX_NAME = Municipality._meta.get_field("name").max_length or 120
MAX_UNIT_NAME = Unit._meta.get_field("name").max_length or 120


def _is_operator(actor: ActorLike) -> bool:
    """IT operations: the system (`actor` None, the command line) or a superuser."""
    return actor is None or bool(getattr(user_of(actor), "is_superuser", False))


def _organisation_number(raw: str) -> str:
    """The nine digits of a Norwegian organisation number (Brønnøysundregistrene's
    modulus-11 check, python-stdnum `no.orgnr`), or "" when none is given."""
    if not raw.strip():
        return ""
    try:
        return str(orgnr.validate(raw))
    except stdnum_errors.ValidationError:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "«%(number)s» er ikke et gyldig organisasjonsnummer (ni sifre med riktig "
                    "kontrollsiffer)."
                ),
                {"number": raw.strip()},
            )
        ) from None


def municipality_create(
    *, actor: ActorLike, slug: str, name: str, preset: str, organisation_number: str = ""
) -> Municipality:
    """Create a municipality (IT operations). The actor must be a superuser."""
    if not _is_operator(actor):
        raise ServiceError(gettext_lazy("Bare driftsansvarlige kan opprette kommuner."))
    if len(slug) > MAX_SLUG or not SLUG.fullmatch(slug):
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "Kortnavnet «%(slug)s» må være 1–60 tegn: små bokstaver a–z, sifre og "
                    "bindestrek (som «rennebu» eller «indre-fosen»)."
                ),
                {"slug": slug},
            )
        )
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ServiceError(gettext_lazy("Oppgi kommunens navn (høyst 120 tegn)."))
    _validate_preset(preset)
    number = _organisation_number(organisation_number)
    with transaction.atomic():
        if Municipality.objects.filter(slug=slug).exists():
            raise ServiceError(
                lazy_interpolate(gettext_lazy("Kortnavnet «%(slug)s» er i bruk."), {"slug": slug})
            )
        holder = Municipality.objects.filter(organisation_number=number).first() if number else None
        if holder is not None:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy(
                        "Organisasjonsnummeret %(number)s er allerede registrert på %(name)s."
                    ),
                    {"number": number, "name": holder.name},
                )
            )
        municipality = Municipality.objects.create(
            slug=slug, name=name, preset=preset, organisation_number=number
        )
        audit_record(
            actor=actor,
            action="municipality_create",
            municipality=municipality,
            obj=municipality,
            data={"slug": slug, "preset": preset, "organisation_number": number},
        )
    return municipality


def _may_manage_roles(actor: ActorLike, municipality: Municipality) -> None:
    if not _is_operator(actor):
        require(actor, municipality, "manage_policy")


def unit_create(*, actor: ActorLike, municipality: Municipality, name: str) -> Unit:
    """Add an organisational unit (school, kindergarten, nursing home …) to which roles
    and channels can belong. Communications, the chief administrator or IT operations."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_UNIT_NAME:
        raise ServiceError(gettext_lazy("Oppgi enhetens navn (høyst 120 tegn)."))
    _may_manage_roles(actor, municipality)
    with transaction.atomic():
        if Unit.objects.filter(municipality=municipality, name__iexact=name).exists():
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("%(municipality)s har allerede en enhet som heter «%(name)s»."),
                    {"municipality": municipality.name, "name": name},
                )
            )
        unit = Unit.objects.create(municipality=municipality, name=name)
        audit_record(
            actor=actor,
            action="unit_create",
            municipality=municipality,
            obj=unit,
            data={"name": name},
        )
    return unit


def _role_change_allowed(
    actor: ActorLike, municipality: Municipality, role: str, unit: Unit | None
) -> None:
    """A known role, a unit of this municipality, and someone who may manage its roles."""
    if role not in Role.values:
        raise ServiceError(
            lazy_interpolate(gettext_lazy("Ukjent rolle «%(role)s»."), {"role": role})
        )
    if unit is not None and unit.municipality_id != municipality.pk:
        raise ServiceError(gettext_lazy("Enheten hører til en annen kommune."))
    _may_manage_roles(actor, municipality)


# --- channels a person's going leaves without a main administrator (CH-3) -------------
#
# `tenants` sits below `channels` (.importlinter: apps import downwards only), so it reads
# the channels' rows through the reverse relations (`Municipality.channels`,
# `Channel.memberships`), their stored codes from the pure `ordstyrer.channelcodes`, and
# "an active main administrator" from the one definition both apps use
# (`selectors.active_main_admin_q`): the person can log in and holds a role in the
# municipality.


@dataclass(frozen=True)
class ChannelLeft:
    """A channel with no active main administrator once someone has gone (CH-3)."""

    pk: int
    name: str
    kind: str  # the platform, as shown ("Facebook")
    municipality: Municipality

    def __str__(self) -> str:
        return f"«{self.name}» ({self.kind})"


@dataclass(frozen=True)
class Outcome:
    """What `role_revoke` or `user_deactivate` did: whether anything changed (its truth
    value, as the bool these services returned), and the channels it left without an
    active main administrator (CH-3)."""

    done: bool
    channels_left: tuple[ChannelLeft, ...] = ()

    def __bool__(self) -> bool:
        return self.done


def channels_left_without_main_admin(
    *, municipality: Municipality, leaving: Collection[User]
) -> list[ChannelLeft]:
    """The channels of `municipality` (retired ones aside) that have an active main
    administrator now and would have none once the people in `leaving` are gone
    (deactivated, or holding no role in the municipality): every active main
    administrator of theirs is among them. Read before the change."""
    gone = {user.pk for user in leaving}
    if not gone:
        return []
    rows = (
        municipality.channels.exclude(status=channelcodes.RETIRED)
        .filter(active_main_admin_q(through="memberships__", municipality=municipality))
        .values_list("pk", "memberships__user")
        .distinct()
    )
    admins: dict[int, set[int]] = {}
    for channel_pk, user_pk in rows:
        admins.setdefault(channel_pk, set()).add(user_pk)
    left = [pk for pk, users in admins.items() if users <= gone]
    return [
        ChannelLeft(
            pk=channel.pk,
            name=channel.name,
            kind=str(channel.get_kind_display()),
            municipality=municipality,
        )
        for channel in municipality.channels.filter(pk__in=left).order_by("name", "pk")
    ]


def channels_lock(*, municipalities: Collection[Municipality]) -> None:
    """Lock the rows of the municipalities' channels (retired ones aside), in id order,
    before reading who runs them (CH-3). Call it inside the change's transaction, before
    `channels_left_without_main_admin`.

    `channels.roles` locks a channel's row before it removes or demotes a main
    administrator and counts the active ones left; a person's going (their last role
    revoked, their account deactivated) counts them too. Without one lock for both, the
    last two main administrators taken away at the same instant — one going, the other
    removed from the channel — each saw the other still active, and the channel was left
    with none. With it the second waits for the first to commit and counts again.

    The order is the same everywhere, so no two of them wait on each other: the
    municipality's (or the person's) row first, then channels by id; the channel
    services take one channel's row and nothing after it."""
    ids = sorted({municipality.pk for municipality in municipalities})
    if not ids:
        return
    # `tenants` sits below `channels` (.importlinter): the model through the relation.
    channel_model = Municipality._meta.get_field("channels").related_model
    assert isinstance(channel_model, type)  # noqa: S101 - a model class, for mypy
    # `no_key`: the channel services' own lock (`lock_channel`) waits for this one, but
    # rows that merely refer to a channel (an inbox item, a delivery) are not held up.
    list(
        channel_model._default_manager.select_for_update(no_key=True)
        .filter(municipality_id__in=ids)
        .exclude(status=channelcodes.RETIRED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _channels_refusal(user: User, municipality: Municipality, left: list[ChannelLeft]) -> Any:
    return lazy_interpolate(
        ngettext_lazy(
            "%(user)s er den siste aktive hovedadministratoren for kanalen %(channels)s i "
            "%(municipality)s, og har ingen annen rolle i kommunen. Uten rollen står kanalen "
            "uten aktiv hovedadministrator (CH-3). Utnevn en ny hovedadministrator for kanalen "
            "først.",
            "%(user)s er den siste aktive hovedadministratoren for kanalene %(channels)s i "
            "%(municipality)s, og har ingen annen rolle i kommunen. Uten rollen står kanalene "
            "uten aktiv hovedadministrator (CH-3). Utnevn nye hovedadministratorer for kanalene "
            "først.",
            len(left),
        ),
        {
            "user": user.get_full_name() or user.get_username(),
            "channels": ", ".join(str(c) for c in left),
            "municipality": municipality.name,
        },
    )


def channels_left_record(
    *, actor: ActorLike, user: User, channels: Collection[ChannelLeft], cause: str
) -> None:
    """Audit each channel `user`'s going (`cause`: the service or the login that did it)
    left without an active main administrator, and e-mail its administrators and the
    municipality's communications once the change has committed (CH-3). Call it inside
    the change's transaction. The log line carries ids only."""
    by_place: dict[int, list[ChannelLeft]] = {}
    for left in channels:
        by_place.setdefault(left.municipality.pk, []).append(left)
        audit_record(
            actor=actor,
            action="channel_main_admin_gone",
            municipality=left.municipality,
            obj=left.municipality.channels.get(pk=left.pk),
            data={"user_id": user.pk, "cause": cause, "rule": "CH-3"},
        )
    for municipality_id, lefts in by_place.items():
        channel_ids = [left.pk for left in lefts]
        logger.warning(
            "channels left without main admin",
            extra={
                "user_id": user.pk,
                "municipality_id": municipality_id,
                "channel_ids": channel_ids,
                "cause": cause,
                "rule": "CH-3",
            },
        )
        after_commit(
            channels_left_notify,
            user_id=user.pk,
            municipality_id=municipality_id,
            channel_ids=channel_ids,
        )


@mail_task
def channels_left_notify(user_id: int, municipality_id: int, channel_ids: list[int]) -> int:
    """E-mail each channel's remaining administrators and the municipality's
    communications that the channel has no active main administrator since `user_id`
    went (CH-3); returns how many messages were sent. (A task here, beside the services
    that queue it: `tenants` has no other.)"""
    municipality = Municipality.objects.get(pk=municipality_id)
    gone = get_user_model().objects.get(pk=user_id)
    communications = [
        a.user
        for a in RoleAssignment.objects.filter(
            municipality=municipality, role=Role.COMMUNICATIONS, user__is_active=True
        )
        .exclude(user=gone)
        .select_related("user")
        .order_by("user_id")
    ]
    sent = 0
    for channel in municipality.channels.filter(pk__in=channel_ids).order_by("name", "pk"):
        admins = [
            m.user
            for m in channel.memberships.filter(
                active_channel_role_q(
                    roles=[channelcodes.MAIN_ADMIN, channelcodes.ADMIN],
                    municipality=municipality,
                )
            )
            .exclude(user=gone)
            .select_related("user")
            .distinct()
            .order_by("user_id")
        ]
        context = {
            "name": channel.name,
            "person": gone.get_full_name() or gone.get_username(),
            "municipality": municipality.name,
            "path": console_url(reverse("channels:detail", args=[municipality.slug, channel.pk])),
        }
        sent += send(partial(_no_main_admin, context), addresses([*admins, *communications]))
    return sent


def _no_main_admin(context: dict[str, str]) -> tuple[str, str]:
    """The mail of `channels_left_notify`, in the active language."""
    subject = _("Kanalen «%(name)s» har ingen aktiv hovedadministrator") % context
    body = (
        _(
            "%(person)s er ikke lenger aktiv i %(municipality)s, og kanalen "
            "«%(name)s» har derfor ingen aktiv hovedadministrator. Hver kanal skal "
            "ha minst én (CH-3).\n\nUtnevn en ny hovedadministrator under «Roller» "
            "på kanalens side i Ordstyrer: %(path)s"
        )
        % context
    )
    return subject, body


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
    _role_change_allowed(actor, municipality, role, unit)
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


def role_revoke(
    *,
    actor: ActorLike,
    municipality: Municipality,
    user: User,
    role: str,
    unit: Unit | None = None,
    force: bool = False,
) -> Outcome:
    """Take `role` (for `unit`, or municipality-wide) from `user`; false (`Outcome.done`)
    if they did not hold it. The same people may do it as may give it (`role_assign`).

    The last active communications advisor keeps the role (CH-3: the channels need
    someone who answers for them, and only communications appoints the next one); give
    it to someone else first. A person holding no role any more is no longer a member,
    and no longer an active main administrator of the municipality's channels: taking
    the last role of the last active main administrator of a channel is refused, naming
    the channels, unless `force` (a person who has left must be able to go); then the
    channels are in the outcome, audited, and their administrators and communications
    are e-mailed (`channels_left_record`). Nor are they the crisis leader's deputy any
    more (`crisis_deputyship_end`, PU-12).
    """
    _role_change_allowed(actor, municipality, role, unit)
    with transaction.atomic():
        # One revocation at a time per municipality: two at once must not both see the
        # other advisor and leave none. `no_key`: a channel service holding its channel's
        # row still writes rows that refer to the municipality (its audit entry), which
        # a plain FOR UPDATE would block while this waits for that channel (a deadlock).
        Municipality.objects.select_for_update(no_key=True).filter(pk=municipality.pk).first()
        assignment = RoleAssignment.objects.filter(
            user=user, municipality=municipality, role=role, unit=unit
        ).first()
        if assignment is None:
            return Outcome(done=False)
        if role == Role.COMMUNICATIONS and user.is_active:
            others = RoleAssignment.objects.filter(
                municipality=municipality, role=Role.COMMUNICATIONS, user__is_active=True
            ).exclude(pk=assignment.pk)
            if not others.exists():
                raise ServiceError(
                    lazy_interpolate(
                        gettext_lazy(
                            "%(user)s er den siste aktive kommunikasjonsrådgiveren i "
                            "%(municipality)s. Gi rollen til en annen først."
                        ),
                        {"user": user.get_username(), "municipality": municipality.name},
                    ),
                    rule="CH-3",
                )
        last_role = (
            not RoleAssignment.objects.filter(user=user, municipality=municipality)
            .exclude(pk=assignment.pk)
            .exists()
        )
        left: list[ChannelLeft] = []
        if last_role:
            # CH-3: no channel role removed at the same instant (`channels.roles`) may
            # count this person as still active while this counts the other one.
            channels_lock(municipalities=[municipality])
            left = channels_left_without_main_admin(municipality=municipality, leaving=[user])
        if left and not force:
            raise ServiceError(
                _channels_refusal(user, municipality, left),
                rule="CH-3",
                code="last_main_admin",
            )
        audit_record(
            actor=actor,
            action="role_revoke",
            municipality=municipality,
            obj=assignment,
            data={"user_id": user.pk, "role": role, "unit_id": getattr(unit, "pk", None)},
        )
        assignment.delete()
        channels_left_record(actor=actor, user=user, channels=left, cause="role_revoke")
        if last_role:
            crisis_deputyship_end(actor=actor, municipality=municipality, user=user)
    return Outcome(done=True, channels_left=tuple(left))


def crisis_deputyship_end(
    *, actor: ActorLike, municipality: Municipality, user: User, cause: str = "role_revoke"
) -> None:
    """End `user`'s deputyship for the crisis leader when they hold no role in
    `municipality` any more (PU-12): only the crisis leader names deputies, and a person
    given a role again later (by communications, who names none) must not approve in a
    crisis unasked. Audited with `cause` (`role_revoke`; `sso_login` when the groups at
    the identity provider took the last role, `sso.services._sync_roles`), and written in
    the crisis log while a crisis lasts, as `crisis.services.crisis_deputy_remove` does.
    Inside the caller's transaction.
    Through the reverse relations: tenants sits below the crisis app and does not import
    it (.importlinter, "apps-layers"; as `policy_crisis_settings_check`)."""
    deputy = municipality.crisis_deputies.filter(user=user).first()
    if deputy is None:
        return
    audit_record(
        actor=actor,
        action="crisis_deputy_removed",
        municipality=municipality,
        obj=deputy,
        data={"user_id": user.pk, "cause": cause, "rule": CRISIS_RULE},
    )
    deputy.delete()
    crisis = municipality.crises.filter(**_ACTIVE_CRISIS).first()
    if crisis is not None:
        crisis.log_entries.create(
            kind=_DEPUTY_REMOVED,
            text=user.get_full_name() or user.get_username(),
            object_kind="user",
            object_id=str(user.pk),
            actor=person(actor),
            created_at=timezone.now(),
        )


# A Norwegian number: eight digits, or +47 and eight digits (spaces allowed between).
_PHONE = re.compile(r"(?:\+47)?\d{8}")


def _website(raw: str) -> str:
    """The bare domain of a website as typed ("https://Demo.kommune.no/" → "demo.kommune.no")."""
    domain = raw.strip().lower().removeprefix("https://").removeprefix("http://")
    domain = domain.split("/")[0]
    if domain and ("." not in domain or " " in domain or len(domain) > 200):
        raise ServiceError(
            gettext_lazy("Skriv et domene, for eksempel «kommune.no»."), code="invalid"
        )
    return domain


def _phone(raw: str) -> str:
    phone = " ".join(raw.split())
    if phone and not _PHONE.fullmatch(phone.replace(" ", "")):
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "«%(phone)s» er ikke et norsk telefonnummer: åtte sifre, eventuelt med +47 "
                    "foran (som «12 34 56 78»)."
                ),
                {"phone": phone},
            ),
            code="invalid",
        )
    return phone


def _email(raw: str) -> str:
    email = raw.strip()
    if email:
        try:
            if len(email) > 254:  # the column's length (RFC 5321's path limit)
                raise ValidationError("length")
            validate_email(email)
        except ValidationError:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("Ugyldig e-postadresse «%(email)s»."), {"email": email}
                ),
                code="invalid",
            ) from None
    return email


def _text(raw: str, limit: int) -> str:
    text = " ".join(raw.split())
    if len(text) > limit:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Høyst %(limit)d tegn: «%(text)s»."), {"limit": limit, "text": text}
            ),
            code="invalid",
        )
    return text


# How each identity field is checked and normalised (trimmed; a ServiceError if invalid).
_CLEAN: dict[str, Callable[[str], str]] = {
    "website": _website,
    "contact_title": lambda raw: _text(raw, 120),
    "contact_name": lambda raw: _text(raw, 120),
    "contact_phone": _phone,
    "contact_email": _email,
    "inquiry_email": _email,
    "inquiry_phone": _phone,
}


def municipality_identity_update(
    *,
    actor: ActorLike,
    municipality: Municipality,
    website: str | None = None,
    contact_title: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    contact_email: str | None = None,
    inquiry_email: str | None = None,
    inquiry_phone: str | None = None,
) -> bool:
    """Set the municipality's own website (PU-9), communications contact (EM-9, DI-10)
    and address for formal inquiries (DI-7); a field left None stays as it is, "" clears
    it. `policy_for` applies them over the preset's (docs/policy.md). Communications, the
    chief administrator or IT operations. False when nothing changes (no audit entry)."""
    _may_manage_roles(actor, municipality)
    given = {
        "website": website,
        "contact_title": contact_title,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "inquiry_email": inquiry_email,
        "inquiry_phone": inquiry_phone,
    }
    values = {name: _CLEAN[name](str(raw)) for name, raw in given.items() if raw is not None}
    with transaction.atomic():
        locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
        after = {name: values.get(name, getattr(locked, name)) for name in IDENTITY_FIELDS}
        contact = [after[f] for f in ("contact_title", "contact_name")]
        if not all(contact) and any(after[f] for f in IDENTITY_FIELDS if f.startswith("contact_")):
            # The rules the policy applies to the contact person (EM-9, DI-10); under a
            # guideline with neither it only marks the municipality's own number and
            # address (PU-1), and no rule is cited.
            policy = policy_for(municipality=locked)
            rules = [rule for rule in ("EM-9", "DI-10") if policy.applies(rule)]
            message = (
                lazy_interpolate(
                    gettext_lazy(
                        "Oppgi både tittel og navn på kontaktpersonen (%(rules)s), eller la "
                        "alle feltene for kontaktpersonen stå tomme."
                    ),
                    {"rules": ", ".join(rules)},
                )
                if rules
                else gettext_lazy(
                    "Oppgi både tittel og navn på kontaktpersonen, eller la alle feltene "
                    "for kontaktpersonen stå tomme."
                )
            )
            raise ServiceError(message, code="invalid", rule=rules[0] if rules else None)
        changes = {
            name: [getattr(locked, name), value]
            for name, value in after.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return False
        for name, (_old, new) in changes.items():
            setattr(locked, name, new)
            setattr(municipality, name, new)
        locked.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action="municipality_identity_update",
            municipality=locked,
            obj=locked,
            data={"changes": changes},
        )
    return True


def _password_reason(error: ValidationError) -> str:
    # Django 5.2 changed the minimum-length message to `%d`; its Norwegian catalogue
    # still has the old `%(min_length)d` string, so the sentence came out in English.
    if error.code == "password_too_short" and error.params:
        count = error.params["min_length"]
        return ngettext(
            "Det er for kort: minst %(min_length)d tegn.",
            "Det er for kort: minst %(min_length)d tegn.",
            count,
        ) % {"min_length": count}
    return " ".join(error.messages)


def user_create(
    *,
    actor: ActorLike,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
) -> User:
    """A local account (beside single sign-on), checked by the installation's password
    validators. It belongs to no municipality until it is given a role. IT operations
    only; the password is stored hashed and never written to the audit log."""
    if not _is_operator(actor):
        raise ServiceError(gettext_lazy("Bare driftsansvarlige kan forvalte brukerkontoer."))
    User = get_user_model()
    username = username.strip()
    try:
        User.username_validator(username)
        if not username or len(username) > 150:
            raise ValidationError("length")
    except ValidationError:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy(
                    "Ugyldig brukernavn «%(username)s»: høyst 150 tegn, bare bokstaver, sifre "
                    "og @ . + - _."
                ),
                {"username": username},
            )
        ) from None
    first_name, last_name, email = first_name.strip(), last_name.strip(), email.strip()
    if not first_name or not last_name or len(first_name) > 150 or len(last_name) > 150:
        raise ServiceError(gettext_lazy("Oppgi fornavn og etternavn (høyst 150 tegn hver)."))
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(
            lazy_interpolate(gettext_lazy("Ugyldig e-postadresse «%(email)s»."), {"email": email})
        ) from None
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Passordet godtas ikke: %(reasons)s"),
                {"reasons": " ".join(_password_reason(error) for error in exc.error_list)},
            )
        ) from None
    user.set_password(password)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("Brukernavnet «%(username)s» er i bruk."), {"username": username}
                )
            )
        user.save()
        audit_record(
            actor=actor,
            action="user_create",
            obj=user,
            data={"user_id": user.pk, "username": username},
        )
    return user


def _audit_account(actor: ActorLike, user: User, action: str) -> None:
    """One entry in each municipality where the person holds a role (so each one's audit
    log shows it), or one without a municipality for a person with none."""
    places: list[Municipality | None] = list(
        Municipality.objects.filter(role_assignments__user=user).distinct()
    )
    for place in places or [None]:
        audit_record(
            actor=actor,
            action=action,
            municipality=place,
            obj=user,
            data={"user_id": user.pk, "username": user.get_username()},
        )


def user_deactivate(*, actor: ActorLike, user: User) -> Outcome:
    """Lock a person out (they left, or the account is compromised); false
    (`Outcome.done`) if already inactive. IT operations only.

    Inactive people cannot log in, their running sessions end at the next request (both
    login backends refuse an inactive person: Django's `ModelBackend` and
    `sso.backend.OidcBackend`), their API tokens stop working (`api.tokens`), and they
    drop out of the lists of who can be assigned. Their roles and password stay, for the
    record and for `user_activate`.

    Never refused for the channels (a person who has left must be locked out): the
    channels it leaves without an active main administrator (CH-3) are in the outcome,
    audited, and their administrators and communications are e-mailed
    (`channels_left_record`).
    """
    if not _is_operator(actor):
        raise ServiceError(gettext_lazy("Bare driftsansvarlige kan forvalte brukerkontoer."))
    with transaction.atomic():
        # `no_key`, as in `role_revoke`: a channel service holding a channel's row may
        # still write rows that refer to this person while this waits for the channel.
        locked = type(user).objects.select_for_update(no_key=True).get(pk=user.pk)
        if not locked.is_active:
            return Outcome(done=False)
        places = list(
            Municipality.objects.filter(role_assignments__user=locked).distinct().order_by("slug")
        )
        # CH-3: a channel role removed at the same instant is refused, or named here.
        channels_lock(municipalities=places)
        left = [
            channel
            for place in places
            for channel in channels_left_without_main_admin(municipality=place, leaving=[locked])
        ]
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _audit_account(actor, locked, "user_deactivate")
        channels_left_record(actor=actor, user=locked, channels=left, cause="user_deactivate")
    user.refresh_from_db(fields=["is_active"])
    return Outcome(done=True, channels_left=tuple(left))


def user_activate(*, actor: ActorLike, user: User) -> bool:
    """Let a deactivated person in again; False if already active. IT operations only.
    Their API tokens stay revoked (the command revoked them)."""
    if not _is_operator(actor):
        raise ServiceError(gettext_lazy("Bare driftsansvarlige kan forvalte brukerkontoer."))
    with transaction.atomic():
        locked = type(user).objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            return False
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        _audit_account(actor, locked, "user_activate")
    user.refresh_from_db(fields=["is_active"])
    return True


# PU-12's parameters say who declares and ends a crisis and what waits for the crisis
# leader's approval: the crisis set-up, which the guidelines give the rådmann («hvor
# rådmannen har satt kriseledelse», Birkenes; «der rådmannen har satt krisestab»,
# Gausdal; elsewhere the crisis staff runs all communication, not communications).
CRISIS_RULE = "PU-12"
_ACTIVE_CRISIS = {"ended_at__isnull": True}  # crisis.selectors.active_crisis
_DEPUTY_REMOVED = "deputy_removed"  # crisis.models.CrisisLogKind.DEPUTY_REMOVED


def policy_crisis_settings_check(*, actor: ActorLike, municipality: Municipality) -> None:
    """Refuse a change of PU-12's settings unless `actor` is the chief administrator
    (`NotPermitted`) and no crisis is declared (`Conflict`): communications could otherwise
    give itself the power to declare and end a crisis (Birkenes, Gausdal: docs/policy.md),
    or switch the crisis leader's approval off while a crisis lasts. `policy_update` asks
    with the municipality locked (`crisis_declare` locks it too); the settings page asks
    before it offers the fields."""
    if not has_role(actor, municipality, {Role.CHIEF_ADMINISTRATOR}):
        raise NotPermitted(
            gettext_lazy(
                "Bare kommunedirektøren kan endre kriseinnstillingene: hvem som erklærer og "
                "avslutter en krise, og hva kriselederen godkjenner."
            ),
            roles=[Role.CHIEF_ADMINISTRATOR],
            rule=CRISIS_RULE,
        )
    # The reverse relation, as `channels_left_without_main_admin` reads channels: tenants
    # sits below the crisis app and does not import it (.importlinter, "apps-layers").
    if municipality.crises.filter(**_ACTIVE_CRISIS).exists():
        raise Conflict(
            gettext_lazy(
                "Kriseinnstillingene kan ikke endres mens en krise er erklært. Endre dem "
                "når krisen er avsluttet."
            ),
            rule=CRISIS_RULE,
        )


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _policy_changes(
    before: Policy, after: Policy, touched: dict[str, dict[str, Any]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Each parameter of `touched` whose value in force differs between the two
    policies: rule → parameter → {"from", "to"} (JSON-ready)."""
    changes: dict[str, dict[str, dict[str, Any]]] = {}
    for rule_id, params in touched.items():
        old, new = before.params(rule_id), after.params(rule_id)
        for name in params:
            if old.get(name) != new.get(name):
                changes.setdefault(rule_id, {})[name] = {
                    "from": _plain(old.get(name)),
                    "to": _plain(new.get(name)),
                }
    return changes


def _stale_refusal(current: PolicyVersion) -> Conflict:
    who = current.changed_by
    name = (who.get_full_name() or who.get_username()) if who is not None else _("systemet")
    return Conflict(
        lazy_interpolate(
            gettext_lazy(
                "Retningslinjen er endret siden du åpnet siden: %(who)s lagret versjon "
                "%(number)s. Feltene viser nå de gjeldende verdiene. Se over dem og lagre på "
                "nytt hvis endringen din fortsatt trengs."
            ),
            {"who": name, "number": current.number},
        ),
        code="policy_changed",
    )


def policy_update(
    *,
    actor: ActorLike,
    municipality: Municipality,
    overrides: dict[str, dict[str, Any]],
    reason: str,
    expected_version: int | None = None,
) -> PolicyVersion | None:
    """Write a new policy version with `overrides` merged over the current ones; None
    when no value in force would change (no version: a replayed or unchanged form, which
    would also recompute every open deadline for nothing).

    `expected_version` is the version (0: none yet) the caller's values were read at, as
    the settings page shows them: a save after someone else's is refused (`Conflict`,
    code "policy_changed") instead of writing the page's old values over the other's
    change. A caller that names only what it changes may leave it out.

    The rules the save touches are validated whole (their stored values with the new
    ones); values stored in other rules before a maximum existed are read capped
    (`load_policy(stored=True)`). PU-12 changes only by the chief administrator, never
    while a crisis is declared. The audit entry holds each changed value, old and new.
    """
    require(actor, municipality, "manage_policy")
    if not reason.strip():
        raise ServiceError(gettext_lazy("Skriv hvorfor retningslinjen endres."))
    with transaction.atomic():
        # One change at a time per municipality (AR-3): two saves at once must not both
        # read the same current version and both write the next number (or lose one).
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        current = policy_version_current(municipality=municipality)
        stored: dict[str, dict[str, Any]] = (
            current.overrides if current and current.preset == municipality.preset else {}
        )
        merged: dict[str, dict[str, Any]] = {rule: dict(params) for rule, params in stored.items()}
        for rule, params in overrides.items():
            merged.setdefault(rule, {}).update(params)
        try:
            before = load_policy(municipality.preset, stored, stored=True)
            validate_overrides(before.preset, {rule: merged[rule] for rule in overrides})
            after = load_policy(municipality.preset, merged, stored=True)
        except PolicyError as exc:
            raise ServiceError(str(exc)) from exc
        changes = _policy_changes(before, after, overrides)
        if not changes:
            return None
        shown = current.number if current else 0
        if expected_version is not None and expected_version != shown and current is not None:
            raise _stale_refusal(current)
        if CRISIS_RULE in changes:
            policy_crisis_settings_check(actor=actor, municipality=municipality)
        version = PolicyVersion.objects.create(
            municipality=municipality,
            number=shown + 1,
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
            data={"changes": changes, "version": version.number, "previous_version": shown},
        )
    return version
