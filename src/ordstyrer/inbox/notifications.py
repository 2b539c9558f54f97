"""E-mail about inbox items (Django e-mail; the console in the demo).

Called from tasks only, after the change committed. Messages are in each recipient's
language (`core.mail`), name the rule they follow and link to the item. They quote no
comment text: the e-mail leaves the installation, the comment stays in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from ordstyrer.channels.models import ChannelMembership, ChannelRole
from ordstyrer.channels.permissions import has_channel_need
from ordstyrer.core.mail import addresses, console_url, send
from ordstyrer.formats import norwegian_datetime
from ordstyrer.inbox.models import InboxItem, Referral, ReferralKind, Reply, UnwantedReport
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment
from ordstyrer.tenants.selectors import active_channel_role_q, policy_for

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import User

ADMIN_ROLES = (ChannelRole.MAIN_ADMIN, ChannelRole.ADMIN, ChannelRole.EDITOR)


def _path(item: InboxItem) -> str:
    return console_url(reverse("inbox:detail", args=[item.channel.municipality.slug, item.pk]))


def _local(at: datetime) -> str:
    return norwegian_datetime(at)


def channel_people(item: InboxItem, roles: Iterable[str]) -> list[AbstractBaseUser]:
    """The people holding one of `roles` on the item's channel while still here
    (`active_channel_role_q`, CH-3): one who has left the municipality keeps an active
    account elsewhere, and their membership until removed, but is told nothing of it."""
    channel = item.channel
    return [
        m.user
        for m in ChannelMembership.objects.filter(channel=channel.pk)
        .filter(active_channel_role_q(roles=list(roles), municipality=channel.municipality_id))
        .select_related("user")
        .distinct()
        .order_by("pk")
    ]


def municipal_people(
    item: InboxItem, roles: Iterable[str], unit: Any = None
) -> list[AbstractBaseUser]:
    assignments = RoleAssignment.objects.filter(
        municipality=item.channel.municipality_id, role__in=list(roles)
    )
    if unit is not None:
        assignments = assignments.filter(unit=unit)
    return list(get_user_model().objects.filter(is_active=True, pk__in=assignments.values("user")))


def notify_referral(*, referral_id: int) -> int:
    """DI-10: communications (and the rådmann team where the preset says so)."""
    referral = Referral.objects.select_related("item__channel__municipality", "actor").get(
        pk=referral_id
    )
    if referral.kind != ReferralKind.ESCALATION:
        return 0
    from ordstyrer.inbox.referrals import escalation_includes_chief

    item = referral.item
    policy = policy_for(municipality=item.channel.municipality)
    roles = [Role.COMMUNICATIONS]
    if escalation_includes_chief(policy):
        roles.append(Role.CHIEF_ADMINISTRATOR)
    applies = policy.applies("DI-10")
    recipients = addresses(municipal_people(item, roles))

    def compose() -> tuple[str, str]:
        who = referral.actor.get_full_name() if referral.actor else _("Ordstyrer")
        context = {"channel": item.channel.name, "who": who, "path": _path(item)}
        subject = _("Mulig omdømmekritisk sak på %(channel)s") % context
        # The body cites DI-10 only where the municipality's guideline has it (Birkenes'
        # has not); two whole messages, so each translates as one sentence.
        if applies:
            body = (
                _(
                    "%(who)s har meldt en henvendelse på %(channel)s som mulig omdømmekritisk "
                    "(DI-10). Saken skal koordineres før noen svarer. Se saken og begrunnelsen "
                    "i Ordstyrer: %(path)s"
                )
                % context
            )
        else:
            body = (
                _(
                    "%(who)s har meldt en henvendelse på %(channel)s som mulig omdømmekritisk. "
                    "Saken skal koordineres før noen svarer. Se saken og begrunnelsen i "
                    "Ordstyrer: %(path)s"
                )
                % context
            )
        return subject, body

    return send(compose, recipients)


def nearest_leaders(*, reporter: User | None, municipality: Municipality) -> list[AbstractBaseUser]:
    """DI-11: the reporter's nearest leaders — the unit leaders of the units the reporter
    holds a role in (`RoleAssignment.unit`) — active and with an address, never the
    reporter themself."""
    if reporter is None:
        return []
    units = RoleAssignment.objects.filter(
        user=reporter, municipality=municipality, unit__isnull=False
    ).values("unit")
    leaders = (
        RoleAssignment.objects.filter(municipality=municipality, role=Role.UNIT_LEADER)
        .filter(unit__in=units)
        .exclude(user=reporter)
        .values("user")
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True, pk__in=leaders)
        .exclude(email="")
        .order_by("pk")
    )


def notify_unwanted_report(*, report_id: int) -> int:
    """DI-11: the channel's administrators and the leader of the channel's unit; where the
    guideline has DI-11, also the reporter's own nearest leaders. Once each: whoever is
    mailed as an administrator gets no second message, nor the channel unit's leader as
    a nearest leader.

    Only those who may open the item (the channel's "reply" need, `inbox.access`) are
    asked to assess it, with a link: the administrators, and a unit leader appointed on
    the channel (or communications). A unit leader who is not is told, without a link
    (docs/inbox.md: the leader "is told, not asked to assess"), as a nearest leader is."""
    report = UnwantedReport.objects.select_related("item__channel__municipality", "reporter").get(
        pk=report_id
    )
    item = report.item
    channel = item.channel
    people = channel_people(item, [ChannelRole.MAIN_ADMIN, ChannelRole.ADMIN])
    unit_leaders: list[AbstractBaseUser] = []
    if channel.unit_id:
        for leader in municipal_people(item, [Role.UNIT_LEADER], unit=channel.unit_id):
            if has_channel_need(cast("User", leader), channel, "reply"):
                people.append(leader)
            else:
                unit_leaders.append(leader)
    policy = policy_for(municipality=channel.municipality)
    # DI-11 only where the municipality's guideline has it (Indre Fosen's has not).
    di11 = policy.applies("DI-11")
    to_admins = addresses(people)
    to_unit_leaders = [a for a in addresses(unit_leaders) if a not in to_admins]
    to_leaders: list[str] = []
    if di11:
        leaders = nearest_leaders(reporter=report.reporter, municipality=channel.municipality)
        told = {*to_admins, *to_unit_leaders}
        to_leaders = [a for a in addresses(leaders) if a not in told]
    path = _path(item)

    def compose(audience: str) -> tuple[str, str]:
        who = report.reporter.get_full_name() if report.reporter else _("En ansatt")
        context = {"channel": channel.name, "who": who, "path": path}
        subject = _("Uønsket ytring meldt på %(channel)s") % context
        # A leader is told, not asked to assess: the account's administrators do, and the
        # link would lead a leader not appointed on the channel to a refusal (CH-3).
        if audience == "admins" and di11:
            body = _(
                "%(who)s har meldt fra om en uønsket ytring på %(channel)s (DI-11). Vurder "
                "den etter retningslinjen i Ordstyrer: %(path)s"
            )
        elif audience == "admins":
            body = _(
                "%(who)s har meldt fra om en uønsket ytring på %(channel)s. Vurder den "
                "etter retningslinjen i Ordstyrer: %(path)s"
            )
        elif audience == "unit_leaders" and di11:
            body = _(
                "%(who)s har meldt fra om en uønsket ytring på %(channel)s (DI-11). Du "
                "får beskjed som leder for enheten kontoen hører til. "
                "Administratorene for kontoen vurderer ytringen etter retningslinjen."
            )
        elif audience == "unit_leaders":
            body = _(
                "%(who)s har meldt fra om en uønsket ytring på %(channel)s. Du får "
                "beskjed som leder for enheten kontoen hører til. Administratorene "
                "for kontoen vurderer ytringen etter retningslinjen."
            )
        else:
            body = _(
                "%(who)s har meldt fra om en uønsket ytring på %(channel)s (DI-11). Du får "
                "beskjed som nærmeste leder. Administratorene for kontoen vurderer "
                "ytringen etter retningslinjen."
            )
        return subject, body % context

    sent = send(partial(compose, "admins"), to_admins)
    if to_unit_leaders:
        sent += send(partial(compose, "unit_leaders"), to_unit_leaders)
    if to_leaders:
        sent += send(partial(compose, "nearest_leaders"), to_leaders)
    return sent


def notify_reply_failed(*, reply_id: int) -> int:
    reply = Reply.objects.select_related("item__channel__municipality", "author").get(pk=reply_id)
    context = {
        "channel": reply.item.channel.name,
        "path": _path(reply.item),
        "error": reply.error,
    }

    def compose() -> tuple[str, str]:
        subject = _("Svaret ble ikke publisert på %(channel)s") % context
        body = (
            _(
                "Plattformen tok ikke imot svaret ditt på %(channel)s: %(error)s\n\nHenvendelsen "
                "er satt tilbake slik den var. Se den i Ordstyrer: %(path)s"
            )
            % context
        )
        return subject, body

    return send(compose, addresses([reply.author]))
