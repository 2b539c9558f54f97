"""Reads about crisis mode (PU-12).

Imports no other feature app: publishing and inbox call `active_crisis`,
`crisis_requiring_approval` and `may_approve_in_crisis` from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import get_language

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.permissions import roles_in
from ordstyrer.crisis.models import Crisis, CrisisDeputy, CrisisLogEntry
from ordstyrer.policy.render import crisis_approver_roles, crisis_approvers_named
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment
from ordstyrer.tenants.selectors import policy_for

# PU-12 parameters when a preset (or an older stored policy) does not set them: the
# guidelines all say "all communication" goes through the crisis staff.
PU12_DEFAULTS: dict[str, Any] = {
    "approve_posts": True,
    "approve_replies": True,
    "approvers": [Role.CRISIS_LEADER.value],
    # Who declares and ends a crisis where the guideline does not say: the crisis leader
    # and communications. Birkenes' and Gausdal's presets name the crisis leader and the
    # chief administrator (the rådmann sets up the crisis management there).
    "declared_by": [Role.CRISIS_LEADER.value, Role.COMMUNICATIONS.value],
}


def active_crisis(*, municipality: Municipality) -> Crisis | None:
    """The municipality's declared crisis that has not ended, if any (PU-12)."""
    return (
        Crisis.objects.filter(municipality=municipality, ended_at__isnull=True)
        .select_related("declared_by")
        .first()
    )


def crisis_settings(*, municipality: Municipality) -> dict[str, Any]:
    """PU-12 as the municipality's effective policy sets it: whether it applies, whether
    posts and replies wait for approval during a crisis, which roles approve, and which
    declare and end a crisis (`declared_by`, in order, the crisis leader first)."""
    policy = policy_for(municipality=municipality)
    applies = policy.applies("PU-12")
    params = {**PU12_DEFAULTS, **dict(policy.params("PU-12"))} if applies else {}
    declarers = [Role.CRISIS_LEADER.value]
    for role in params.get("declared_by") or PU12_DEFAULTS["declared_by"]:
        if role not in declarers:
            declarers.append(str(role))
    return {
        "applies": applies,
        "approve_posts": bool(applies and params.get("approve_posts")),
        "approve_replies": bool(applies and params.get("approve_replies")),
        # The crisis leader always approves (`crisis_approver_roles`): a stored list
        # without the role leaves it in, as the guide and the crisis page say.
        "approvers": frozenset(crisis_approver_roles(params.get("approvers"))),
        "declared_by": tuple(declarers),
        "citation": policy.citation("PU-12") if applies else None,
    }


def crisis_approvers_said(*, municipality: Municipality) -> str:
    """Who approves during a crisis here, in the active language's words («kriselederen,
    rådmannen (kommunedirektøren)»), as the guide says it (`crisis_approvers_named`):
    for the crisis page and the crisis e-mails (PU-12). The named deputies come on top."""
    lang = (get_language() or "nb")[:2]
    roles = crisis_settings(municipality=municipality)["approvers"]
    return crisis_approvers_named(roles, lang if lang in ("nn", "en") else "nb")


def crisis_requiring_approval(
    *, municipality: Municipality, kind: Literal["post", "reply"]
) -> Crisis | None:
    """The active crisis if, under the preset, a `kind` must wait for the crisis leader."""
    crisis = active_crisis(municipality=municipality)
    if crisis is None:
        return None
    settings = crisis_settings(municipality=municipality)
    wanted = settings["approve_posts"] if kind == "post" else settings["approve_replies"]
    return crisis if wanted else None


def is_crisis_deputy(*, user: ActorLike, municipality: Municipality) -> bool:
    person = user_of(user)
    if not getattr(person, "is_authenticated", False):
        return False
    return CrisisDeputy.objects.filter(municipality=municipality, user=person).exists()


def may_approve_in_crisis(*, user: ActorLike, municipality: Municipality) -> bool:
    """PU-12: the crisis leader and the named deputies approve; other roles (e.g.
    communications) only where the preset's `approvers` parameter names them."""
    roles = roles_in(user, municipality)
    if not roles:
        return False
    if Role.CRISIS_LEADER in roles:
        return True
    if roles & crisis_settings(municipality=municipality)["approvers"]:
        return True
    return is_crisis_deputy(user=user, municipality=municipality)


def crisis_approvers(*, municipality: Municipality, hands: Iterable[int | None] = ()) -> list[Any]:
    """Everyone who may approve in a crisis here (`may_approve_in_crisis`: the crisis
    leader, the named deputies, the preset's approvers), active, by e-mail; never one of
    `hands` — who wrote, changed, sent in, requested or approved what waits — whom
    `own_text_refused` refuses (all but the crisis leader). Whom the e-mail about a
    waiting post, reply or moderation notice goes to (PU-12): those who may approve it."""
    roles = crisis_settings(municipality=municipality)["approvers"]
    own = {pk for pk in hands if pk is not None}
    candidates = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(
                pk__in=RoleAssignment.objects.filter(
                    municipality=municipality, role__in=list(roles)
                ).values("user")
            )
            | Q(pk__in=CrisisDeputy.objects.filter(municipality=municipality).values("user"))
        )
        .order_by("email", "pk")
    )
    return [
        user
        for user in candidates
        if may_approve_in_crisis(user=user, municipality=municipality)
        and not own_text_refused(user=user, municipality=municipality, hands=own)
    ]


def crisis_declarers(*, municipality: Municipality) -> tuple[str, ...]:
    """PU-12: the roles that declare and end a crisis — the crisis leader, and those the
    preset's `declared_by` names (the chief administrator where the guideline has the
    rådmann set up the crisis management: Birkenes, Gausdal). Who names the deputies is
    `may_name_deputies`."""
    return tuple(crisis_settings(municipality=municipality)["declared_by"])


def may_declare_crisis(*, user: ActorLike, municipality: Municipality) -> bool:
    """PU-12: whether `user` holds a role that declares and ends a crisis here."""
    roles = roles_in(user, municipality)
    if not roles:
        return False
    return bool(roles & set(crisis_declarers(municipality=municipality)))


def may_name_deputies(*, user: ActorLike, municipality: Municipality) -> bool:
    """PU-12: who names and removes the crisis leader's deputies — the people who then
    approve everything that goes out. The crisis leader, and the chief administrator
    where the preset lets them declare (Birkenes, Gausdal: the rådmann sets up the crisis
    management); never communications, whose own posts and replies the deputies approve
    (Birkenes «godkjennes all informasjon av kriseleder»)."""
    roles = roles_in(user, municipality)
    if Role.CRISIS_LEADER in roles:
        return True
    return Role.CHIEF_ADMINISTRATOR in roles and Role.CHIEF_ADMINISTRATOR.value in set(
        crisis_declarers(municipality=municipality)
    )


def deputy_namers(*, municipality: Municipality) -> tuple[str, ...]:
    """The roles `may_name_deputies` lets name deputies here, the crisis leader first."""
    namers = [Role.CRISIS_LEADER.value]
    if Role.CHIEF_ADMINISTRATOR.value in crisis_declarers(municipality=municipality):
        namers.append(Role.CHIEF_ADMINISTRATOR.value)
    return tuple(namers)


def may_approve_own_in_crisis(*, user: ActorLike, municipality: Municipality) -> bool:
    """PU-12: whether `user` may approve in a crisis a text they wrote, changed or sent
    in themselves — the crisis leader only, who approves all information; a deputy or
    another approver has the crisis leader (or another deputy) approve theirs."""
    return Role.CRISIS_LEADER in roles_in(user, municipality)


def own_text_refused(
    *, user: ActorLike, municipality: Municipality, hands: Iterable[int | None]
) -> bool:
    """PU-12: whether `user` is one of `hands` (who wrote, changed or sent in the text
    that waits; for a moderation notice, who requested or approved the action) and so
    may not approve it — anyone but the crisis leader (`may_approve_own_in_crisis`).
    The one rule `services.crisis_own_text_check` refuses by and `crisis_approvers`
    leaves out by."""
    me = getattr(user_of(user), "pk", None)
    if me is None or me not in set(hands):
        return False
    return not may_approve_own_in_crisis(user=user, municipality=municipality)


def crisis_deputies(*, municipality: Municipality) -> QuerySet[CrisisDeputy]:
    return CrisisDeputy.objects.filter(municipality=municipality).select_related("user", "added_by")


def crisis_log(*, crisis: Crisis) -> QuerySet[CrisisLogEntry]:
    return crisis.log_entries.select_related("actor", "channel").order_by("created_at", "pk")


def crises_recent(*, municipality: Municipality, limit: int = 10) -> list[Crisis]:
    return list(
        Crisis.objects.filter(municipality=municipality)
        .select_related("declared_by", "ended_by")
        .order_by("-declared_at")[:limit]
    )


def crisis_latest_id(*, municipality: Municipality) -> int:
    """The id of the municipality's latest crisis, 0 if it has had none: what the
    declaration's confirmation is shown after (`services.crisis_declare(after=…)`)."""
    latest = Crisis.objects.filter(municipality=municipality).order_by("-pk").first()
    return latest.pk if latest is not None else 0


def may_view_crisis(*, user: ActorLike, municipality: Municipality) -> bool:
    """Who opens the crisis page: the crisis leader, communications, the chief
    administrator (the roles that can be PU-12 approvers) and the named deputies."""
    roles = roles_in(user, municipality)
    if not roles:
        return False
    if roles & VIEW_ROLES:
        return True
    return is_crisis_deputy(user=user, municipality=municipality)


VIEW_ROLES = frozenset({Role.CRISIS_LEADER, Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR})


def crisis_banner(*, user: ActorLike, municipality: Municipality) -> tuple[Crisis | None, bool]:
    """For every console page in one query: the active crisis (name and id only) and
    whether `user` sees the crisis page in the menu."""
    roles = roles_in(user, municipality)
    if not roles:
        return None, False
    if roles & VIEW_ROLES:
        # The role alone shows the menu: the crisis is all there is to read, with the
        # plainest query (its compilation is a good part of a page's CPU, #14).
        found = (
            Crisis.objects.filter(municipality=municipality, ended_at__isnull=True)
            .order_by("-declared_at")
            .values_list("pk", "name")[:1]
        )
        for crisis_id, name in found:
            return Crisis(pk=crisis_id, municipality=municipality, name=name), True
        return None, True
    row = (
        Municipality.objects.filter(pk=municipality.pk)
        .annotate(
            crisis_id=Subquery(
                Crisis.objects.filter(municipality=OuterRef("pk"), ended_at__isnull=True).values(
                    "pk"
                )[:1]
            ),
            crisis_name=Subquery(
                Crisis.objects.filter(municipality=OuterRef("pk"), ended_at__isnull=True).values(
                    "name"
                )[:1]
            ),
            deputy=Exists(
                CrisisDeputy.objects.filter(municipality=OuterRef("pk"), user=user_of(user))
            ),
        )
        .values_list("crisis_id", "crisis_name", "deputy")
        .first()
    )
    if row is None:
        return None, False
    crisis_id, name, deputy = row
    crisis = Crisis(pk=crisis_id, municipality=municipality, name=name) if crisis_id else None
    return crisis, bool(roles & VIEW_ROLES or deputy)
