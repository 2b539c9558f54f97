"""Crisis mode (PU-12) on `ordstyrer.crisis`'s services: declare, end, and the crisis
leader's queue of posts and replies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from ordstyrer.api.auth import municipality_for
from ordstyrer.api.problems import cursor_refusal, refusals_naming
from ordstyrer.api.routes_posts import round_check
from ordstyrer.api.schemas import (
    ERRORS,
    IDEMPOTENCY,
    WRITE_ERRORS,
    InputSchema,
    ProblemOut,
    QueryInput,
)
from ordstyrer.api.writes import api_write
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.errors import NotPermitted
from ordstyrer.crisis import services
from ordstyrer.crisis.queue import crisis_approvals
from ordstyrer.crisis.selectors import active_crisis, may_view_crisis

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

router = Router(tags=["crisis"])


class CrisisOut(Schema):
    active: bool
    id: int | None
    name: str | None
    declared_at: datetime | None
    declared_by: str | None
    ended_at: datetime | None = None


class CrisisIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)


ROUND_DESCRIPTION = (
    "For a post: the `approval_round` of the queue's item. Sent, the decision is for that "
    "text only: a post withdrawn, changed and sent again since is a 409, nothing decided "
    "(PU-12)."
)


class WaitingOut(Schema):
    kind: Literal["post", "reply"]
    id: int
    text: str
    channel: str
    created_by: str
    approval_round: int | None = Field(
        None, description="For a post: the round of this text; null for a reply."
    )


class WaitingQuery(QueryInput):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=40, description="From `next`; opaque.")


class EndQuery(QueryInput):
    id: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="The crisis to end (its `id` from GET …/crisis). Given, only that "
        "crisis ends: a crisis declared since is a 409, never ended by a stale request.",
    )


class DecisionIn(InputSchema):
    approval_round: int | None = Field(None, ge=0, le=2**31 - 1, description=ROUND_DESCRIPTION)


class WaitingList(Schema):
    items: list[WaitingOut]
    next: str | None


class DecisionOut(Schema):
    kind: Literal["post", "reply"]
    id: int
    status: str


class ReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)
    approval_round: int | None = Field(None, ge=0, le=2**31 - 1, description=ROUND_DESCRIPTION)


def _name(user: AbstractUser | None) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


def crisis_body(crisis: Any, *, active: bool) -> dict[str, Any]:
    if crisis is None:
        return {
            "active": False,
            "id": None,
            "name": None,
            "declared_at": None,
            "declared_by": None,
            "ended_at": None,
        }
    return {
        "active": active,
        "id": crisis.pk,
        "name": crisis.name,
        "declared_at": crisis.declared_at,
        "declared_by": _name(crisis.declared_by),
        "ended_at": crisis.ended_at,
    }


def _require_crisis_page(user: ActorLike, municipality: Any) -> None:
    if not may_view_crisis(user=user, municipality=municipality):
        raise NotPermitted(
            gettext_lazy("Krisesiden er for kriseledelsen og kommunikasjon (PU-12).")
        )


@router.get(
    "/m/{slug}/crisis", response={200: CrisisOut, **ERRORS}, summary="Is a crisis declared?"
)
def crisis_state(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Any member may ask (the console shows the crisis on every page); no scope needed."""
    municipality = municipality_for(request, slug)
    crisis = active_crisis(municipality=municipality)
    return crisis_body(crisis, active=crisis is not None)


@router.post(
    "/m/{slug}/crisis",
    response={201: CrisisOut, **WRITE_ERRORS},
    summary="Declare a crisis",
    openapi_extra=IDEMPOTENCY,
)
def crisis_declare(request: HttpRequest, slug: str, payload: CrisisIn) -> HttpResponse:
    """The crisis leader or communications (PU-12): at once every scheduled post pauses,
    and every new post and reply waits for the crisis leader. A crisis already declared
    → 409. Scope `crisis:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="crisis:write")
    actor = request.actor  # type: ignore[attr-defined]

    def run() -> tuple[int, dict[str, Any]]:
        # The service's refusal of the name (zero-width characters alone, too long) names
        # the field (api.md "Errors"); a crisis already declared is still a 409.
        with refusals_naming({"invalid": ["body", "name"]}):
            crisis = services.crisis_declare(
                municipality=municipality, name=payload.name, actor=actor
            )
        return 201, crisis_body(crisis, active=True)

    return api_write(request, municipality=municipality, action="crisis_declare", run=run)


@router.delete(
    "/m/{slug}/crisis",
    response={200: CrisisOut, **WRITE_ERRORS},
    summary="End the crisis",
    openapi_extra=IDEMPOTENCY,
)
def crisis_end(request: HttpRequest, slug: str, query: Query[EndQuery]) -> HttpResponse:
    """Paused posts stay paused until someone decides on each. No crisis → 409. With
    `?id=N` (the crisis as read, recommended) only that crisis ends: when it has ended
    and another is declared since → 409, the newer crisis goes on (PU-12, as the
    console's confirmation). Scope `crisis:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="crisis:write")
    actor = request.actor  # type: ignore[attr-defined]

    def run() -> tuple[int, dict[str, Any]]:
        crisis = services.crisis_end(municipality=municipality, actor=actor, crisis_id=query.id)
        return 200, crisis_body(crisis, active=False)

    return api_write(request, municipality=municipality, action="crisis_end", run=run)


@router.get(
    "/m/{slug}/crisis/approvals",
    response={200: WaitingList, 422: ProblemOut, **ERRORS},
    summary="What waits for the crisis leader",
)
def approvals(request: HttpRequest, slug: str, filters: Query[WaitingQuery]) -> dict[str, Any]:
    """Posts, then replies, each oldest first (by id), keyset-paged: follow `next` until
    it is null; what starts waiting meanwhile never shifts a page. For the crisis leader,
    deputies, communications and the chief administrator. Scope `crisis:write`."""
    municipality = municipality_for(request, slug, scope="crisis:write")
    _require_crisis_page(request.actor, municipality)  # type: ignore[attr-defined]
    after = _queue_cursor(filters.cursor) if filters.cursor else None
    waiting = sorted(crisis_approvals(municipality=municipality), key=_queue_key)
    if after is not None:
        waiting = [w for w in waiting if _queue_key(w) > after]
    page = waiting[: filters.limit]
    next_url = None
    if len(waiting) > filters.limit:
        kind, last = _queue_key(page[-1])
        query: dict[str, int | str] = {
            "limit": filters.limit,
            "cursor": f"{QUEUE_KINDS[kind]}{last}",
        }
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    return {
        "items": [
            {
                "kind": w.kind,
                "id": w.id,
                "text": w.text,
                "channel": w.channel,
                "created_by": w.created_by,
                "approval_round": w.approval_round if w.kind == "post" else None,
            }
            for w in page
        ],
        "next": next_url,
    }


# The queue's order and its cursor: posts (0) before replies (1), each by id; a cursor
# is the last item's letter and id ("p12", "r7"). Ids never change, and a new row gets
# a larger one, so nothing is repeated or skipped.
QUEUE_KINDS = ("p", "r")


def _queue_key(waiting: Any) -> tuple[int, int]:
    return (0 if waiting.kind == "post" else 1, waiting.id)


def _queue_cursor(cursor: str) -> tuple[int, int]:
    letter, digits = cursor[:1], cursor[1:]
    if letter in QUEUE_KINDS and digits.isascii() and digits.isdigit() and len(digits) < 20:
        return QUEUE_KINDS.index(letter), int(digits)
    raise cursor_refusal()


@router.post(
    "/m/{slug}/crisis/approvals/{kind}/{int:id}/approve",
    response={200: DecisionOut, **WRITE_ERRORS},
    summary="Let a waiting post or reply go out",
    openapi_extra=IDEMPOTENCY,
)
def approve(
    request: HttpRequest,
    slug: str,
    kind: str,
    id: int,  # noqa: A002
    payload: DecisionIn | None = None,
) -> HttpResponse:
    """The crisis leader or a named deputy only (PU-12); written in the crisis log. A
    replayed approval changes nothing. For a post, send the queue item's
    `approval_round` (body `{"approval_round"}`, may be left out): a post sent again
    since with a newer text → 409. Scope `crisis:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="crisis:write")
    actor = request.actor  # type: ignore[attr-defined]
    services.crisis_object_check(municipality=municipality, kind=kind, object_id=id)
    approval_round = payload.approval_round if payload else None

    def run() -> tuple[int, dict[str, Any]]:
        if kind == "post":
            round_check(id, approval_round, required=False)
        done = services.crisis_approve(
            municipality=municipality,
            kind=kind,
            object_id=id,
            actor=actor,
            approval_round=approval_round if kind == "post" else None,
        )
        return 200, {"kind": kind, "id": done.pk, "status": done.status}

    return api_write(request, municipality=municipality, action=f"crisis_approve_{kind}", run=run)


@router.post(
    "/m/{slug}/crisis/approvals/{kind}/{int:id}/reject",
    response={200: DecisionOut, **WRITE_ERRORS},
    summary="Stop a waiting post or reply",
    openapi_extra=IDEMPOTENCY,
)
def reject(
    request: HttpRequest,
    slug: str,
    kind: str,
    id: int,
    payload: ReasonIn,  # noqa: A002
) -> HttpResponse:
    """The crisis leader or a named deputy only; the reason goes to the author. For a
    post, `approval_round` as for approve. Scope `crisis:write`; honours
    `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="crisis:write")
    actor = request.actor  # type: ignore[attr-defined]
    services.crisis_object_check(municipality=municipality, kind=kind, object_id=id)
    approval_round = payload.approval_round if kind == "post" else None

    def run() -> tuple[int, dict[str, Any]]:
        if kind == "post":
            round_check(id, approval_round, required=False)
        with refusals_naming({"invalid": ["body", "reason"]}):
            done = services.crisis_reject(
                municipality=municipality,
                kind=kind,
                object_id=id,
                actor=actor,
                reason=payload.reason,
                approval_round=approval_round,
            )
        return 200, {"kind": kind, "id": done.pk, "status": done.status}

    return api_write(request, municipality=municipality, action=f"crisis_reject_{kind}", run=run)
