"""The inbox: items (cursor-paged), one item with its thread, replies, moderation.

Reads go through `inbox.access`/`inbox.selectors`, writes through `inbox.replies` and
`moderation.services` — the console's own functions, with the same checks (CH-3,
DI-*, MO-*)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from ordstyrer.api.auth import municipality_for
from ordstyrer.api.problems import cursor_refusal, field_refusal, refusals_naming
from ordstyrer.api.reads import api_read
from ordstyrer.api.schemas import (
    ERRORS,
    IDEMPOTENCY,
    AcceptedOut,
    CategoriesIn,
    CategoriesOut,
    InboxItemDetailOut,
    InboxList,
    ModerationIn,
    ProblemOut,
    QueryInput,
    ReplyIn,
    ReplyOut,
)
from ordstyrer.api.writes import api_write
from ordstyrer.core.forms import visible_text
from ordstyrer.inbox.access import access_item
from ordstyrer.inbox.corrections import item_correct_categories
from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.inbox.replies import reply_send
from ordstyrer.inbox.selectors import InboxFilter, cursor_is_valid, inbox_page, item_detail
from ordstyrer.inbox.triage import CATEGORY_LABELS, action_under, current_action
from ordstyrer.language.classify import HATE_GROUNDS
from ordstyrer.language.masking import mask_national_ids
from ordstyrer.moderation import services as moderation
from ordstyrer.moderation.selectors import item_panel
from ordstyrer.tenants.selectors import policy_for

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.models import AbstractUser

    from ordstyrer.inbox.selectors import ListItem

router = Router(tags=["inbox"])
# The moderation services' refusals of one field, by their code, named in the 422 as
# the console's panel shows them beside the field (`moderation.views.REFUSAL_FIELDS`):
# too short a justification (MO-2), a ground the guideline does not allow (MO-1).
MODERATION_FIELDS = {
    "justification": ["body", "reason"],
    "ground_not_allowed": ["body", "ground"],
}


class InboxQuery(QueryInput):
    status: ItemStatus | None = Field(None, description="One item status.")
    channel: int | None = Field(None, ge=1, le=2**63 - 1, description="A channel id.")
    category: str | None = Field(None, max_length=30)
    overdue: bool = Field(False, description="Only open items past their deadline.")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=80, description="From `next`; opaque.")


def _person_name(user: AbstractUser | None) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


def _row(item: InboxItem | ListItem, extra: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": item.pk,
        "channel": item.channel_id,
        "kind": extra["kind"],
        "author_name": item.author_name,
        # As in the console: national ID numbers masked (PU-1; the console's audited
        # «Vis» is the one way to see them).
        "text": mask_national_ids(item.text or ""),
        "received_at": item.received_at,
        "category": item.category,
        "standard": item.written_standard,
        "action": extra["action"],
        "status": item.status,
        "first_response_due": extra["first_response_due"],
        "answer_due": extra["resolution_due"],
        "assigned_to": item.assignee.get_username() if item.assignee is not None else None,
    }


@router.get(
    "/m/{slug}/inbox/items",
    response={200: InboxList, 422: ProblemOut, **ERRORS},
    summary="Inbox items, newest first",
)
def inbox_items(request: HttpRequest, slug: str, filters: Query[InboxQuery]) -> dict[str, Any]:
    """The items of the channels the person reads (CH-3), newest first, keyset-paged:
    follow `next` until it is null; items arriving meanwhile never shift a page.
    Scope `inbox:read`. Each read is in the audit log (`api_read`)."""
    municipality = municipality_for(request, slug, scope="inbox:read", need="inbox")
    actor = request.actor  # type: ignore[attr-defined]  # the token's person and roles
    wanted = InboxFilter(
        view="all",
        channel=filters.channel,
        category=filters.category or "",
        overdue=filters.overdue,
        status=filters.status or "",
        after=filters.cursor or "",
    )
    if not cursor_is_valid(wanted):
        # api.md "Lists": a cursor is what `next` gave; anything else would silently
        # start again at the first page.
        raise cursor_refusal()
    page = inbox_page(
        user=actor,
        municipality=municipality,
        filters=wanted,
        now=timezone.now(),
        limit=filters.limit,
    )
    # The list selector reads the work list's columns; the contract's other four come
    # in one more query for the page (never one per item).
    extra = {
        row["pk"]: row
        for row in InboxItem.objects.filter(pk__in=[i.pk for i in page.items]).values(
            "pk",
            "kind",
            "action",
            "first_response_due",
            "resolution_due",
            "triage",
            "personal_data",
        )
    }
    # MO-1: the action under the grounds in force, as the item page gives it.
    policy = policy_for(municipality=municipality)
    for row in extra.values():
        row["action"] = action_under(
            row["action"], triage=row["triage"], personal_data=row["personal_data"], policy=policy
        )
    next_url = None
    if page.next_cursor:
        query = {
            k: v
            for k, v in {
                "status": filters.status or "",
                "channel": filters.channel or "",
                "category": filters.category or "",
                "overdue": "true" if filters.overdue else "",
                "limit": filters.limit,
                "cursor": page.next_cursor,
            }.items()
            if v
        }
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    api_read(request, municipality=municipality, count=len(page.items))
    return {"items": [_row(i, extra[i.pk]) for i in page.items], "next": next_url}


@router.get(
    "/m/{slug}/inbox/items/{int:id}",
    response={200: InboxItemDetailOut, **ERRORS},
    summary="One item with its thread, replies and moderation",
)
def inbox_item(request: HttpRequest, slug: str, id: int) -> dict[str, Any]:  # noqa: A002
    """Scope `inbox:read`. Moderation actions are listed for those who may moderate
    on the channel (as in the console). Each read is in the audit log (`api_read`)."""
    municipality = municipality_for(request, slug, scope="inbox:read", need="inbox")
    actor = request.actor  # type: ignore[attr-defined]  # the token's person and roles
    item = access_item(user=actor, id=id, slug=slug, need="view")
    detail = item_detail(item=item)
    api_read(request, municipality=municipality, count=1)
    panel = item_panel(user=actor, item=item)
    row = _row(
        item,
        {
            "kind": item.kind,
            "action": current_action(item, policy_for(municipality=municipality)),
            "first_response_due": item.first_response_due,
            "resolution_due": item.resolution_due,
        },
    )
    return {
        **row,
        "thread": [
            {
                "at": e.at,
                "author": e.author,
                "text": mask_national_ids(e.text or ""),
                "from_page": e.from_page,
                "item_id": e.item.pk if e.item is not None else None,
                "reply_id": e.reply.pk if e.reply is not None else None,
            }
            for e in detail.thread
        ],
        "replies": [
            {
                "id": r.pk,
                "status": r.status,
                "text": r.text,
                "author": _person_name(r.author),
                "created_at": r.created_at,
                "sent_at": r.sent_at,
                "findings": r.findings or [],
            }
            for r in detail.replies
        ],
        "moderation": [
            {
                "id": a.pk,
                "kind": a.kind,
                "status": a.status,
                "ground": a.ground,
                # Masked as the log below: a reason may name a national ID number (PU-1).
                "justification": mask_national_ids(a.justification or ""),
                "requested_by": _person_name(a.requested_by),
                "requested_at": a.requested_at,
                "finished_at": a.finished_at,
            }
            for a in (panel.actions if panel.may_moderate else [])
        ],
        # The log masked as the console's log is: a note or a reason may name a
        # national ID number (PU-1).
        "events": [
            {
                "action": e.action,
                "at": e.at,
                "actor": _person_name(e.actor),
                "text": mask_national_ids(e.text or ""),
            }
            for e in detail.events
        ],
    }


@router.post(
    "/m/{slug}/inbox/items/{int:id}/replies",
    response={201: ReplyOut, 409: ProblemOut, 422: ProblemOut, **ERRORS},
    summary="Reply in the municipality's name",
    openapi_extra=IDEMPOTENCY,
)
def reply_create(
    request: HttpRequest,
    slug: str,
    id: int,  # noqa: A002
    payload: ReplyIn,
) -> HttpResponse:
    """Checked as the console checks it (PU-1, DI-5, DI-6, DI-9, …): a block finding →
    422 with `findings`; warn findings need `override_reason` (kept in the audit log),
    otherwise 422 with `findings`. Sent to the platform after commit. Scope
    `inbox:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="inbox:write", need="inbox")
    actor = request.actor  # type: ignore[attr-defined]  # the token's person and roles
    item = access_item(user=actor, id=id, slug=slug, need="work")
    # The service's refusal, naming the field (api.md "Errors"); zero-width characters
    # alone are empty too (DI-1, `reply_send`).
    if not visible_text(payload.text):
        raise field_refusal(["body", "text"], _("Svaret er tomt."))

    def run() -> tuple[int, dict[str, Any]]:
        reply = reply_send(
            actor=actor,
            item=item,
            text=payload.text,
            override_reason=payload.override_reason or "",
        )
        return 201, {"id": reply.pk, "status": reply.status, "findings": reply.findings}

    return api_write(request, municipality=municipality, action="reply", run=run)


@router.post(
    "/m/{slug}/inbox/items/{int:id}/categories",
    response={200: CategoriesOut, 422: ProblemOut, **ERRORS},
    summary="Correct an item's categories",
    openapi_extra=IDEMPOTENCY,
)
def categories_set(
    request: HttpRequest,
    slug: str,
    id: int,  # noqa: A002
    payload: CategoriesIn,
) -> HttpResponse:
    """An editor's reading of the comment, as "Rett kategorien" on the item page (issue
    #16): the category, the action the municipality's policy prescribes for it and the
    deletion grounds follow at once; the same correction again changes nothing. Each
    correction becomes a training example (`ordstyrer corrections-export`). An unknown
    category or ground → 422. Scope `inbox:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="inbox:write", need="inbox")
    actor = request.actor  # type: ignore[attr-defined]  # the token's person and roles
    item = access_item(user=actor, id=id, slug=slug, need="work")

    _check_categories(payload)

    def run() -> tuple[int, dict[str, Any]]:
        done = item_correct_categories(
            actor=actor, item=item, labels=payload.labels, hate_ground=payload.hate_ground
        )
        return 200, {
            "id": done.pk,
            "category": done.category,
            "categories": list(done.categories),
            "action": done.action,
        }

    return api_write(request, municipality=municipality, action="categories", run=run)


@router.post(
    "/m/{slug}/inbox/items/{int:id}/moderation",
    response={202: AcceptedOut, 409: ProblemOut, 422: ProblemOut, **ERRORS},
    summary="Hide, unhide or delete a comment",
    openapi_extra=IDEMPOTENCY,
)
def moderation_create(
    request: HttpRequest,
    slug: str,
    id: int,  # noqa: A002
    payload: ModerationIn,
) -> HttpResponse:
    """`hide` (a `ground` optional: then archived as documented, MO-6), `unhide`, or
    `delete` on one of the municipality's grounds with a `reason` (MO-1; a ground it
    does not allow → 422). A deletion is archived before it leaves the platform (MO-2);
    with a second approver it waits (`status` pending_approval). Scope
    `moderation:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="moderation:write", need="inbox")
    actor = request.actor  # type: ignore[attr-defined]  # the token's person and roles
    item = access_item(user=actor, id=id, slug=slug, need="view")
    kind: Literal["hide", "unhide", "delete"] = payload.action

    def run() -> tuple[int, dict[str, Any]]:
        with refusals_naming(MODERATION_FIELDS):
            if kind == "hide":
                action = moderation.comment_hide(
                    actor=actor, item=item, ground=payload.ground, justification=payload.reason
                )
            elif kind == "unhide":
                action = moderation.comment_unhide(
                    actor=actor, item=item, justification=payload.reason
                )
            else:
                action = moderation.comment_delete(
                    actor=actor, item=item, ground=payload.ground, justification=payload.reason
                )
        return 202, {"id": action.pk, "status": action.status}

    return api_write(request, municipality=municipality, action=f"moderation_{kind}", run=run)


def _check_categories(payload: CategoriesIn) -> None:
    """The refusals of `item_correct_categories` that concern one field, found before it
    runs so that the 422 names the field (api.md "Errors"); the sentences are the
    service's own, and it checks again."""
    for index, label in enumerate(payload.labels):
        if label not in CATEGORY_LABELS:
            raise field_refusal(["body", "labels", index], _("Ukjent kategori."))
    if payload.hate_ground and payload.hate_ground not in HATE_GROUNDS:
        raise field_refusal(["body", "hate_ground"], _("Ukjent grunnlag for hatefulle ytringer."))
    if payload.hate_ground and "hate_speech" not in payload.labels:
        raise field_refusal(
            ["body", "hate_ground"],
            _("Grunnlaget etter straffeloven § 185 gjelder bare hatefulle ytringer."),
        )
