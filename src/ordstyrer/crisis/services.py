"""Crisis mode's write services (PU-12).

Each write: transaction.atomic → permission check → rows → audit record and crisis log
in the same transaction → platform work only after commit (the publishing app cancels
Facebook-native scheduled posts after commit in `posts_pause_for_crisis`).

Keyword-only and with an explicit actor (the request's `Actor`, or a bare user from the
CLI, tasks and tests), for the console, the API and the CLI alike. The publishing and
inbox services this app calls are given the same actor and check its rights in the
post's or reply's municipality themselves (an `Actor` of that municipality is used as it
is, without looking its roles up again).
Refusals a person can act on raise `ServiceError`; outsiders get `NotFound`, members
without the role `NotPermitted`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import Conflict, NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.forms import visible_text
from ordstyrer.core.permissions import not_found, roles_in
from ordstyrer.core.services import person
from ordstyrer.crisis.models import Crisis, CrisisDeputy, CrisisLogEntry, CrisisLogKind
from ordstyrer.crisis.selectors import (
    active_crisis,
    crisis_declarers,
    crisis_settings,
    deputy_namers,
    may_approve_in_crisis,
    may_declare_crisis,
    may_name_deputies,
    own_text_refused,
)
from ordstyrer.tenants.models import Municipality, Role

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AbstractUser, User

MAX_NAME = 200
PUBLISHING = "ordstyrer.publishing"


def crisis_log_write(
    *,
    crisis: Crisis,
    kind: str,
    text: str,
    channel: Any = None,
    object_kind: str,
    object_id: Any,
    actor: ActorLike,
    now: datetime,
) -> CrisisLogEntry:
    """Append one line to the crisis log (PU-12: every outgoing word is logged).

    Called inside the caller's transaction (publishing, inbox, this app); it checks no
    permission of its own: the calling service already did.
    """
    return CrisisLogEntry.objects.create(
        crisis=crisis,
        kind=kind,
        text=text or "",
        channel=channel,
        object_kind=object_kind or "",
        object_id="" if object_id is None else str(object_id),
        actor=person(actor),
        created_at=now,
    )


def _require_member(actor: ActorLike, municipality: Municipality) -> None:
    if not roles_in(actor, municipality):
        raise not_found()


def declarers_text(municipality: Municipality) -> str:
    """The roles that declare and end a crisis here, for a refusal ("Kriseleder,
    Kommunikasjon, Kommunedirektør/rådmann"): per preset (PU-12 `declared_by`)."""
    return ", ".join(str(Role(code).label) for code in crisis_declarers(municipality=municipality))


def _require_declarer(actor: ActorLike, municipality: Municipality) -> None:
    """PU-12: the roles the preset names (`declared_by`; the crisis leader always)
    declare and end a crisis."""
    _require_member(actor, municipality)
    if not may_declare_crisis(user=actor, municipality=municipality):
        raise NotPermitted(
            lazy_interpolate(
                gettext_lazy("Bare disse rollene kan gjøre dette her: %(roles)s (PU-12)."),
                {"roles": declarers_text(municipality)},
            )
        )


def _require_deputy_namer(actor: ActorLike, municipality: Municipality) -> None:
    """PU-12: the crisis leader (and the chief administrator where the preset lets them
    declare) names and removes deputies, who then approve all information: never
    communications, whose own texts the deputies would approve (`may_name_deputies`)."""
    _require_member(actor, municipality)
    if not may_name_deputies(user=actor, municipality=municipality):
        roles = ", ".join(
            str(Role(code).label) for code in deputy_namers(municipality=municipality)
        )
        raise NotPermitted(
            lazy_interpolate(
                gettext_lazy(
                    "Bare disse rollene kan oppnevne og fjerne stedfortredere her: %(roles)s (PU-12)."
                ),
                {"roles": roles},
            )
        )


def crisis_own_text_check(
    *, municipality: Municipality, hands: Iterable[int | None], actor: ActorLike
) -> None:
    """Refuse (`NotPermitted`) a crisis approval by one of `hands` — who wrote, changed or
    sent in the post or reply — unless they are the crisis leader (PU-12: the crisis
    leader approves all information; a deputy or another approver does not approve their
    own). Called by `publishing.services.post_crisis_approve` and
    `inbox.replies.reply_crisis_approve` inside their transaction, and by the console
    before its confirmation (`crisis_approve_check`)."""
    if not own_text_refused(user=actor, municipality=municipality, hands=hands):
        return
    raise NotPermitted(
        gettext_lazy(
            "Du kan ikke godkjenne en tekst du selv har skrevet, endret eller sendt inn. "
            "Be kriselederen om å godkjenne den (PU-12)."
        )
    )


def _lock(municipality: Municipality) -> Municipality:
    """Serialise crisis writes per municipality (one active crisis at a time)."""
    return Municipality.objects.select_for_update().get(pk=municipality.pk)


def crisis_declare_check(*, municipality: Municipality) -> None:
    """Refuse a second crisis (`Conflict`) while one is active: one at a time (PU-12).
    The console asks before its confirmation, so that it never promises a declaration
    the service would refuse."""
    current = active_crisis(municipality=municipality)
    if current is not None:
        raise Conflict(
            lazy_interpolate(
                gettext_lazy(
                    "Det er allerede erklært en krise: «%(name)s». Avslutt den før du erklærer en ny."
                ),
                {"name": current.name},
            ),
            rule="PU-12",
            code="conflict",
        )


def crisis_declare(
    *,
    municipality: Municipality,
    name: str,
    actor: ActorLike,
    now: datetime | None = None,
    after: int | None = None,
) -> Crisis:
    """Declare a crisis (PU-12): at once every scheduled post is paused, and from now on
    every new post and reply waits for the crisis leader (as the preset says).

    With `after` (the latest crisis a confirmation was shown after, 0 for none: the
    console's) a crisis declared since — ended by now or not — refuses it (`Conflict`):
    a replayed or stale confirmation never declares again, as `crisis_end(crisis_id=…)`
    never ends another crisis."""
    name = " ".join(str(name or "").split())
    if not visible_text(name):  # zero-width characters alone make no name (a banner «Krise: .»)
        raise ServiceError(gettext_lazy("Gi krisen et navn."), rule="PU-12")
    if len(name) > MAX_NAME:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Navnet er for langt (høyst %(max)s tegn)."), {"max": MAX_NAME}
            ),
            rule="PU-12",
        )
    now = now or timezone.now()
    with transaction.atomic():
        _require_declarer(actor, municipality)
        _lock(municipality)
        crisis_declare_check(municipality=municipality)
        if (
            after is not None
            and Crisis.objects.filter(municipality=municipality, pk__gt=after).exists()
        ):
            raise Conflict(
                gettext_lazy(
                    "Det er erklært en krise siden denne bekreftelsen ble vist, så ingen ny "
                    "krise er erklært nå. Se krisesiden, og erklær krise på nytt om det trengs."
                ),
                rule="PU-12",
                code="conflict",
            )
        try:
            with transaction.atomic():
                crisis = Crisis.objects.create(
                    municipality=municipality, name=name, declared_at=now, declared_by=person(actor)
                )
        except IntegrityError:
            raise Conflict(
                gettext_lazy(
                    "Det er allerede erklært en krise. Avslutt den før du erklærer en ny."
                ),
                rule="PU-12",
                code="conflict",
            ) from None
        audit_record(
            actor=actor,
            action="crisis_declared",
            municipality=municipality,
            obj=crisis,
            data={"name": name},
        )
        crisis_log_write(
            crisis=crisis,
            kind=CrisisLogKind.DECLARED,
            text=name,
            object_kind="crisis",
            object_id=crisis.pk,
            actor=actor,
            now=now,
        )
        scheduled, waiting = _pause_posts(
            municipality=municipality, crisis=crisis, actor=actor, now=now
        )
        held = _hold_replies(municipality=municipality, crisis=crisis, actor=actor, now=now)
        if scheduled or waiting:
            # Stored in the product's language whoever declares; the console renders the
            # counts in the reader's language (`crisis.views`, `paused_posts_counts`).
            with translation.override(settings.LANGUAGE_CODE):
                paused_text = paused_posts_text(scheduled=scheduled, waiting=waiting)
            crisis_log_write(
                crisis=crisis,
                kind=CrisisLogKind.POSTS_PAUSED,
                text=paused_text,
                object_kind="crisis",
                object_id=crisis.pk,
                actor=actor,
                now=now,
            )
    crisis.paused_count = scheduled + waiting
    crisis.paused_scheduled_count = scheduled
    crisis.paused_waiting_count = waiting
    crisis.held_replies_count = held
    return crisis


def paused_posts_text(*, scheduled: int, waiting: int) -> str:
    """What a declaration paused, in words: scheduled posts and posts that were waiting
    for approval are counted apart (a waiting post is not a scheduled one)."""
    parts = []
    if scheduled:
        parts.append(
            ngettext(
                "%(count)s planlagt innlegg satt på pause.",
                "%(count)s planlagte innlegg satt på pause.",
                scheduled,
            )
            % {"count": scheduled}
        )
    if waiting:
        parts.append(
            ngettext(
                "%(count)s innlegg som ventet på godkjenning, er satt på pause.",
                "%(count)s innlegg som ventet på godkjenning, er satt på pause.",
                waiting,
            )
            % {"count": waiting}
        )
    return " ".join(parts)


# The sentences `paused_posts_text` makes, as their catalogue holds them: Bokmål msgids,
# each language's singular and plural. A log line stored by it (in any of the languages,
# as lines written before it was stored in Bokmål only were) is read back into counts.
_SCHEDULED = (
    "%(count)s planlagt innlegg satt på pause.",
    "%(count)s planlagte innlegg satt på pause.",
)
_WAITING = (
    "%(count)s innlegg som ventet på godkjenning, er satt på pause.",
    "%(count)s innlegg som ventet på godkjenning, er satt på pause.",
)
_PLACEHOLDER = re.escape("%(count)s")


def _sentence_patterns(msgids: tuple[str, str]) -> str:
    """A regular expression for the sentence `msgids` says, in every language."""
    variants: set[str] = set(msgids)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            variants.update(translation.ngettext(*msgids, n) for n in (1, 2, 5))
    patterns = sorted(re.escape(v).replace(_PLACEHOLDER, r"(\d+)") for v in variants)
    return "|".join(f"(?:{p})" for p in patterns)


def paused_posts_counts(text: str) -> tuple[int, int] | None:
    """The counts (scheduled, waiting) a "posts paused" log line was written with, read
    from its stored text (`paused_posts_text`); None when the text is not one."""
    text = " ".join(str(text or "").split())
    scheduled = re.compile(_sentence_patterns(_SCHEDULED))
    waiting = re.compile(_sentence_patterns(_WAITING))
    counts = [0, 0]
    for index, pattern in enumerate((scheduled, waiting)):
        found = pattern.match(text)
        if found is not None:
            counts[index] = int(next(g for g in found.groups() if g is not None))
            text = text[found.end() :].lstrip()
    if text or not any(counts):
        return None
    return counts[0], counts[1]


def _hold_replies(
    *, municipality: Municipality, crisis: Crisis, actor: ActorLike, now: datetime
) -> int:
    """Replies queued but not yet delivered (or waiting to retry) now wait for the crisis
    leader too, where the preset says replies do (PU-12). The delivery task checks the
    status before it calls the platform, so a held reply does not go out. Their items
    wait with them, as for a reply written during the crisis: back to unanswered, the
    DI-1 clocks stamped when the crisis leader approves (`inbox.replies.put_back_held`)."""
    if not crisis_settings(municipality=municipality)["approve_replies"]:
        return 0
    from ordstyrer.inbox.replies import replies_hold_for_crisis

    return replies_hold_for_crisis(municipality=municipality, crisis=crisis, actor=actor, now=now)


def _pause_posts(
    *, municipality: Municipality, crisis: Crisis, actor: ActorLike, now: datetime
) -> tuple[int, int]:
    """The publishing app pauses every scheduled or waiting post (PU-12): how many were
    scheduled, and how many were waiting for approval."""
    if not apps.is_installed(PUBLISHING):
        return 0, 0
    from ordstyrer.publishing.services import posts_pause_for_crisis

    paused = posts_pause_for_crisis(municipality=municipality, crisis=crisis, actor=actor, now=now)
    return paused.scheduled, paused.waiting


def crisis_end(
    *,
    municipality: Municipality,
    actor: ActorLike,
    now: datetime | None = None,
    crisis_id: int | None = None,
) -> Crisis:
    """End the active crisis (PU-12). Paused posts stay paused until someone decides on
    each (resume now, at a time, or discard); waiting replies still need a decision.
    With `crisis_id` (the crisis a confirmation was shown for) only that crisis is ended:
    another one, declared since that one ended, is refused (`Conflict`)."""
    now = now or timezone.now()
    with transaction.atomic():
        _require_declarer(actor, municipality)
        _lock(municipality)
        crisis = active_crisis(municipality=municipality)
        if crisis is None:
            raise Conflict(
                gettext_lazy("Ingen krise er erklært nå."), rule="PU-12", code="conflict"
            )
        if crisis_id is not None and crisis.pk != crisis_id:
            raise Conflict(
                gettext_lazy("Krisen er allerede avsluttet."), rule="PU-12", code="conflict"
            )
        crisis.ended_at = now
        crisis.ended_by = person(actor)
        crisis.save(update_fields=["ended_at", "ended_by"])
        audit_record(
            actor=actor,
            action="crisis_ended",
            municipality=municipality,
            obj=crisis,
            data={"name": crisis.name},
        )
        crisis_log_write(
            crisis=crisis,
            kind=CrisisLogKind.ENDED,
            text=crisis.name,
            object_kind="crisis",
            object_id=crisis.pk,
            actor=actor,
            now=now,
        )
    return crisis


def crisis_deputy_add(
    *,
    municipality: Municipality,
    user: User | None,
    actor: ActorLike,
    now: datetime | None = None,
) -> CrisisDeputy:
    """Name `user` (a member of the municipality) the crisis leader's deputy (PU-12).
    Naming someone who already is a deputy changes nothing. Only the crisis leader (and
    the chief administrator where the preset lets them declare) names deputies
    (`_require_deputy_namer`); one names themselves only if they may approve in a crisis
    already: declaring is not approving (docs/crisis.md), so the chief administrator
    cannot make themselves an approver."""
    now = now or timezone.now()
    with transaction.atomic():
        _require_deputy_namer(actor, municipality)
        if user is None or not roles_in(user, municipality):
            raise ServiceError(
                gettext_lazy("Stedfortrederen må ha en rolle i kommunen."),
                rule="PU-12",
                code="invalid",
            )
        myself = user.pk == getattr(user_of(actor), "pk", None)
        if myself and not may_approve_in_crisis(user=actor, municipality=municipality):
            raise ServiceError(
                gettext_lazy(
                    "Du kan ikke oppnevne deg selv til stedfortreder: å erklære krise er ikke "
                    "å godkjenne. Be kriselederen om å oppnevne deg."
                ),
                rule="PU-12",
                code="invalid",
            )
        deputy, created = CrisisDeputy.objects.get_or_create(
            municipality=municipality,
            user=user,
            defaults={"added_by": person(actor), "added_at": now},
        )
        if created:
            audit_record(
                actor=actor,
                action="crisis_deputy_added",
                municipality=municipality,
                obj=deputy,
                data={"user_id": user.pk},
            )
            _log_if_active(municipality, CrisisLogKind.DEPUTY_ADDED, _who(user), user, actor, now)
    return deputy


def crisis_deputy_remove(
    *, municipality: Municipality, user: User, actor: ActorLike, now: datetime | None = None
) -> bool:
    """Remove `user` as deputy; False when they were not one (a replayed form). As
    naming: the crisis leader, and the chief administrator where they declare."""
    now = now or timezone.now()
    with transaction.atomic():
        _require_deputy_namer(actor, municipality)
        deputy = CrisisDeputy.objects.filter(municipality=municipality, user=user).first()
        if deputy is None:
            return False
        audit_record(
            actor=actor,
            action="crisis_deputy_removed",
            municipality=municipality,
            obj=deputy,
            data={"user_id": user.pk},
        )
        deputy.delete()
        _log_if_active(municipality, CrisisLogKind.DEPUTY_REMOVED, _who(user), user, actor, now)
    return True


def _who(user: AbstractUser) -> str:
    return user.get_full_name() or user.get_username()


def _log_if_active(
    municipality: Municipality,
    kind: str,
    text: str,
    user: AbstractBaseUser,
    actor: ActorLike,
    now: datetime,
) -> None:
    crisis = active_crisis(municipality=municipality)
    if crisis is not None:
        crisis_log_write(
            crisis=crisis,
            kind=kind,
            text=text,
            object_kind="user",
            object_id=user.pk,
            actor=actor,
            now=now,
        )


# --- the approval queue: one entry point for posts and replies (console, API) ------------


KINDS = ("post", "reply")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise not_found()


def _reply_of(municipality: Municipality, object_id: Any) -> int:
    from ordstyrer.inbox.models import Reply

    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise not_found() from None
    if not Reply.objects.filter(pk=pk, item__channel__municipality=municipality).exists():
        raise not_found()
    return pk


def _post_of(municipality: Municipality, object_id: Any) -> int:
    if not apps.is_installed(PUBLISHING):
        raise not_found()
    from ordstyrer.publishing.models import Post

    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise not_found() from None
    if not Post.objects.filter(pk=pk, municipality=municipality).exists():
        raise not_found()
    return pk


def crisis_approve(
    *,
    municipality: Municipality,
    kind: str,
    object_id: Any,
    actor: ActorLike,
    now: datetime | None = None,
    approval_round: int | None = None,
) -> Any:
    """Approve a waiting post or reply of `municipality` (PU-12; crisis leader or deputy).
    Idempotent: a replayed approval changes nothing, and neither does one made on a form
    of an earlier `approval_round` of a post (`_earlier_round`): the post is returned
    unchanged."""
    _check_kind(kind)
    _require_member(actor, municipality)
    now = now or timezone.now()
    if kind == "reply":
        from ordstyrer.inbox.replies import reply_crisis_approve

        return reply_crisis_approve(
            reply_id=_reply_of(municipality, object_id), actor=actor, now=now
        )
    from ordstyrer.publishing.services import post_crisis_approve

    post_id = _post_of(municipality, object_id)
    with transaction.atomic():
        earlier = _earlier_round(municipality, post_id, approval_round, actor=actor)
        if earlier is not None:
            return earlier
        return post_crisis_approve(post_id=post_id, actor=actor, now=now)


def crisis_reject(
    *,
    municipality: Municipality,
    kind: str,
    object_id: Any,
    actor: ActorLike,
    reason: str,
    now: datetime | None = None,
    approval_round: int | None = None,
) -> Any:
    """Reject a waiting post or reply with a reason for its author (PU-12). A rejection
    made on a form of an earlier `approval_round` of a post returns it unchanged, as
    `crisis_approve` does."""
    _check_kind(kind)
    _require_member(actor, municipality)
    now = now or timezone.now()
    if kind == "reply":
        from ordstyrer.inbox.replies import reply_crisis_reject

        return reply_crisis_reject(
            reply_id=_reply_of(municipality, object_id),
            actor=actor,
            reason=reason,
            now=now,
        )
    from ordstyrer.publishing.services import post_crisis_reject

    post_id = _post_of(municipality, object_id)
    with transaction.atomic():
        earlier = _earlier_round(municipality, post_id, approval_round, actor=actor)
        if earlier is not None:
            return earlier
        return post_crisis_reject(post_id=post_id, actor=actor, reason=reason, now=now)


def _earlier_round(
    municipality: Municipality, post_id: int, approval_round: int | None, *, actor: ActorLike
) -> Any:
    """The post, locked, when a decision was made on a form of an earlier approval round
    than the post's (it was withdrawn, changed and sent again since): decided already,
    and never deciding the newer text the crisis leader did not see (PU-12, as the
    approval chain's `publishing.services._earlier_round`). None when the decision may
    go on: no round was given, or it is the post's. Called inside the transaction that
    decides, so the round cannot change between the comparison and the decision."""
    if approval_round is None:
        return None
    from ordstyrer.publishing.services import lock_post

    post = lock_post(post_id)
    if post.approval_round == approval_round:
        return None
    if not may_approve_in_crisis(user=actor, municipality=municipality):
        raise NotPermitted(
            gettext_lazy("Bare kriselederen eller en stedfortreder kan godkjenne (PU-12).")
        )
    return post


def crisis_approve_check(
    *, municipality: Municipality, kind: str, object_id: Any, actor: ActorLike
) -> None:
    """Refuse, before the console's confirmation, an approval `crisis_approve` would
    refuse for being the approver's own text (`crisis_own_text_check`, PU-12), or, for a
    reply, for coming after a later answer to its item (`reply_answered_later_check`)."""
    _check_kind(kind)
    if kind == "reply":
        from ordstyrer.inbox.models import Reply
        from ordstyrer.inbox.replies import reply_answered_later_check

        reply = Reply.objects.get(pk=_reply_of(municipality, object_id))
        crisis_own_text_check(municipality=municipality, hands={reply.author_id}, actor=actor)
        reply_answered_later_check(reply)
        return
    from ordstyrer.publishing.access import hands_on
    from ordstyrer.publishing.models import Post

    hands = set(hands_on(Post.objects.get(pk=_post_of(municipality, object_id))))
    crisis_own_text_check(municipality=municipality, hands=hands, actor=actor)


def crisis_object_check(*, municipality: Municipality, kind: str, object_id: Any) -> int:
    """The id of post/reply `object_id` if it belongs to `municipality`; `NotFound` if not."""
    _check_kind(kind)
    if kind == "reply":
        return _reply_of(municipality, object_id)
    return _post_of(municipality, object_id)
