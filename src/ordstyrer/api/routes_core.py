"""`/me`, the policy check, triage and the channel registry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import urlencode
from ninja import Field, Query, Router

from ordstyrer.api.auth import municipality_for
from ordstyrer.api.problems import cursor_refusal
from ordstyrer.api.schemas import (
    ERRORS,
    ChannelList,
    CheckIn,
    FindingsOut,
    MeOut,
    ProblemOut,
    QueryInput,
    TriageIn,
    TriageOut,
)
from ordstyrer.channels.selectors import channel_registry
from ordstyrer.core.permissions import roles_in
from ordstyrer.policy import draft_from_dict
from ordstyrer.publishing.selectors import text_check
from ordstyrer.tenants.selectors import policy_for

router = Router(tags=["core"])

# api.md's channel statuses ← the registry's workflow states (CH-1).
CHANNEL_STATUS = {
    "draft": "proposed",
    "submitted": "awaiting_approval",
    "in_review": "awaiting_approval",
    "approved": "approved",
    "active": "active",
    "paused": "active",
    "closed": "closed",
    "rejected": "rejected",
    "retired": "retired",
}


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who the token speaks for")
def me(request: HttpRequest) -> dict[str, Any]:
    """The token's person and its one municipality, with the person's roles there."""
    token = request.auth  # type: ignore[attr-defined]
    user, municipality = token.user, token.municipality
    roles = sorted(roles_in(user, municipality))
    return {
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "municipalities": [
            {
                "slug": municipality.slug,
                "name": municipality.name,
                "roles": roles,
            }
        ]
        if roles
        else [],
        "token": {"id": token.prefix, "scopes": token.scopes, "expires_at": token.expires_at},
    }


@router.post(
    "/m/{slug}/check",
    response={200: FindingsOut, 422: ProblemOut, **ERRORS},
    summary="Check a draft against the municipality's effective policy",
)
def check_draft(request: HttpRequest, slug: str, payload: CheckIn) -> dict[str, Any]:
    """As the console's «Sjekk tekst»: the same findings posting and replying give —
    PU-9 with the municipality's own website, and PU-12 while a crisis holds texts of
    this kind for the crisis leader. Scope `policy:read`."""
    municipality = municipality_for(request, slug, scope="policy:read", need="check")
    draft = draft_from_dict(payload.dict(include={"text", "links", "media"}))
    user = request.auth.user  # type: ignore[attr-defined]
    findings = text_check(
        municipality=municipality,
        kind=payload.kind,
        draft=draft,
        signer_first_name=user.first_name,
        now=timezone.now(),
    )
    return {"findings": [f.to_dict() for f in findings]}


@router.post(
    "/m/{slug}/triage",
    response={200: TriageOut, 422: ProblemOut, **ERRORS},
    summary="Triage up to 500 comments",
)
def triage(request: HttpRequest, slug: str, payload: TriageIn) -> dict[str, Any]:
    """Each item comes back as one line of `ordstyrer triage`, under the municipality's
    effective policy (its MO-1 grounds). Nothing is stored. Scope `policy:read`."""
    from ordstyrer.inbox.triage import cascade
    from ordstyrer.language.triage import triage_many

    municipality = municipality_for(request, slug, scope="policy:read")
    policy = policy_for(municipality=municipality)
    items = payload.items

    def run(chunk: list[Any]) -> list[dict[str, Any]]:
        found = triage_many(
            [(i.text, i.post_text) for i in chunk], policy=policy, cascade=cascade()
        )
        return [{"id": i.id, **t.to_dict()} for i, t in zip(chunk, found, strict=True)]

    try:
        out = run(items) if items else []
    except Exception:  # noqa: BLE001 — as the CLI: one bad comment must not stop the rest
        out = []
        for item in items:
            try:
                out += run([item])
            except Exception:  # noqa: BLE001
                out.append({"id": item.id, "error": "kunne ikke analysere"})
    return {"items": out}


class ChannelQuery(QueryInput):
    limit: int = Field(50, ge=1, le=200)
    cursor: int | None = Field(
        None, ge=1, le=2**63 - 1, description="From `next`: the channels after it."
    )


@router.get(
    "/m/{slug}/channels",
    response={200: ChannelList, 422: ProblemOut, **ERRORS},
    summary="The municipality's channel registry",
)
def channels(request: HttpRequest, slug: str, filters: Query[ChannelQuery]) -> dict[str, Any]:
    """Every channel of the registry (CH-8), as any member sees it in the console, by
    id and keyset-paged: follow `next` until it is null; channels added meanwhile never
    shift a page. Scope `policy:read`."""
    municipality = municipality_for(request, slug, scope="policy:read")
    rows = channel_registry(
        municipality=municipality,
        policy=policy_for(municipality=municipality),
        today=timezone.localdate(),
    )
    # The registry is read whole (three queries, a municipality has tens of channels);
    # the page is cut from it by id, which never changes. `next` carries one of its ids.
    if filters.cursor and all(c.pk != filters.cursor for c in rows):
        raise cursor_refusal()
    rows = sorted((c for c in rows if not filters.cursor or c.pk > filters.cursor), key=_pk)
    page = rows[: filters.limit]
    next_url = None
    if len(rows) > filters.limit:
        query = {"limit": filters.limit, "cursor": page[-1].pk}
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    return {
        "items": [
            {
                "id": c.pk,
                "name": c.name,
                "platform": c.kind,
                "status": CHANNEL_STATUS.get(c.status, c.status),
                "url": c.url,
                "workflow_status": c.status,
            }
            for c in page
        ],
        "next": next_url,
    }


def _pk(channel: Any) -> int:
    return int(channel.pk)
