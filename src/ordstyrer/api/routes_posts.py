"""Posts (issue #13, PU-1 … PU-12) on `ordstyrer.publishing`'s services: the console's
own checks, approval chain, crisis approval and delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from ordstyrer.api.auth import municipality_for, require_scope
from ordstyrer.api.problems import Problem, cursor_refusal, field_refusal, refusals_naming
from ordstyrer.api.schemas import (
    ERRORS,
    IDEMPOTENCY,
    WRITE_ERRORS,
    FindingOut,
    Id,
    InputSchema,
    ProblemOut,
    QueryInput,
)
from ordstyrer.api.writes import api_write
from ordstyrer.channels.models import Channel
from ordstyrer.core.errors import lazy_interpolate
from ordstyrer.core.forms import visible_text
from ordstyrer.errors import Conflict, ServiceError
from ordstyrer.publishing import services
from ordstyrer.publishing.access import access_post, posts_visible
from ordstyrer.publishing.media import media_update
from ordstyrer.publishing.models import MediaAsset, Post, PostStatus
from ordstyrer.publishing.selectors import posts_page

router = Router(tags=["posts"])
# The longest link the publishing service takes (`services._clean_links`).
MAX_LINK = 2000
# A channel paused or retired takes no new post (CH-1): the refusal names the channels.
CHANNEL_REFUSALS = {"channel_inactive": ["body", "channels"]}
# A post in one of these waits for a decision; approve and reject must name its round.
WAITING_DECISION = frozenset({PostStatus.AWAITING_APPROVAL, PostStatus.AWAITING_CRISIS_APPROVAL})
PostStatusName = Literal[
    "draft",
    "awaiting_approval",
    "awaiting_crisis_approval",
    "scheduled",
    "publishing",
    "published",
    "failed",
    "rejected",
    "paused",
]


class MediaIn(InputSchema):
    type: Literal["image", "video"]
    upload_id: Id | None = Field(
        None, description="A file of the municipality's media register (uploaded in the console)."
    )
    url: str | None = Field(
        None,
        max_length=2000,
        description="Not supported: Ordstyrer fetches nothing from the "
        "internet. Upload the file in the console and send its upload_id.",
    )
    alt: str | None = Field(
        None,
        max_length=2000,
        description="Alt text (PU-4); kept on the file, shared by every post using it. "
        "Left out, the file's own is used; blank is refused.",
    )
    captions: Literal["file", "burned_in", "no_speech"] | None = Field(
        None,
        description="For a video (PU-3): a caption file uploaded with it, burned-in "
        "captions, or no speech.",
    )
    # What a PU-6 or PU-7 finding asks for by these names ("«people» is not given"),
    # kept on the file as the console's register form keeps it; left out: as it is.
    people: Literal["none", "recognisable", "crowd"] | None = Field(
        None,
        description="PU-6: recognisable people, a crowd at a public event, or none. "
        "Consents are registered in the console.",
    )
    children: bool | None = Field(
        None, description="PU-6: children in it (then a signed consent form is needed)."
    )
    photographer_consent: bool | None = Field(
        None, description="PU-7: the photographer has consented to publication."
    )
    music_cleared: bool | None = Field(
        None, description="PU-7, a video: no music, or its use is cleared."
    )


class PostIn(InputSchema):
    channels: list[Id] = Field(..., min_length=1, max_length=20)
    text: str = Field(..., max_length=63206)
    links: list[str] = Field(default_factory=list, max_length=10)
    media: list[MediaIn] = Field(default_factory=list, max_length=10)
    publish_at: datetime | None = None
    documentation_value: bool = Field(False, description="AR-1: journaled when published.")


class PostPatch(InputSchema):
    """Only the fields sent change. None of them may be null except `publish_at` (null:
    publish as soon as released): a null would erase what is stored (QA 2026-12), so it
    is a 422 naming the field."""

    channels: list[Id] | None = Field(None, min_length=1, max_length=20)
    text: str | None = Field(None, max_length=63206)
    links: list[str] | None = Field(None, max_length=10)
    media: list[MediaIn] | None = Field(None, max_length=10)
    publish_at: datetime | None = None
    documentation_value: bool | None = None

    # Runs only on fields sent (pydantic never validates a default).
    @field_validator("channels", "text", "links", "media", "documentation_value")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep it")
        return value


class PublishIn(InputSchema):
    override_reason: str | None = Field(
        None, max_length=2000, description="Why to publish despite warn findings (audit log)."
    )


ROUND_DESCRIPTION = (
    "The post's `approval_round` as read (GET …/posts/{id}): the decision is for that "
    "text only. Required while the post awaits approval (CH-4, four eyes): if the post "
    "was withdrawn, changed and sent again since, the answer is 409 and nothing is "
    "decided."
)


class DecisionIn(InputSchema):
    approval_round: int | None = Field(None, ge=0, le=2**31 - 1, description=ROUND_DESCRIPTION)


class RejectIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)
    approval_round: int | None = Field(None, ge=0, le=2**31 - 1, description=ROUND_DESCRIPTION)


class PostChannelOut(Schema):
    channel: int
    status: Literal["queued", "scheduled", "publishing", "published", "failed"]
    platform_id: str | None


class PostOut(Schema):
    id: int
    status: PostStatusName
    findings: list[FindingOut]
    channels: list[PostChannelOut]
    text: str
    links: list[str]
    media: list[int]
    publish_at: datetime | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    author: str | None
    rejection_reason: str
    approval_round: int = Field(
        description="Counts the times the post was sent on its way; approve and reject "
        "name it, so that a decision never reaches a text the approver did not see."
    )


class PostList(Schema):
    items: list[PostOut]
    next: str | None


class PostQuery(QueryInput):
    status: PostStatus | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: int | None = Field(
        None, ge=1, le=2**63 - 1, description="From `next`: the posts created before it."
    )


def post_body(post: Post) -> dict[str, Any]:
    """The post as the API shows it. The deliveries and the files are read with `.all()`
    and sorted here: a list's prefetch (`posts_page`) serves them without a query per
    post (QA s14: `order_by` in SQL discarded it)."""
    author = post.author
    deliveries = sorted(post.deliveries.all(), key=lambda d: d.channel_id)
    files = sorted(post.attachments.all(), key=lambda a: (a.position, a.pk))
    return {
        "id": post.pk,
        "status": post.status,
        "findings": post.findings or [],
        "channels": [
            {"channel": d.channel_id, "status": d.status, "platform_id": d.platform_id or None}
            for d in deliveries
        ],
        "text": post.text,
        "links": list(post.links or []),
        "media": [a.asset_id for a in files],
        "publish_at": post.publish_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "published_at": post.published_at,
        "author": (author.get_full_name() or author.get_username()) if author else None,
        "rejection_reason": post.rejection_reason,
        "approval_round": post.approval_round,
    }


# MediaIn's fields → `media_update`'s arguments, and the fields each rule locks while a
# post with the file is on its way (`media_update`: PU-3, PU-4 what goes out; PU-6, PU-7
# no new block), for naming the field of a 409.
REGISTER_FIELDS = {
    "alt": "alt_text",
    "captions": "caption_mode",
    "people": "people",
    "children": "children",
    "photographer_consent": "photographer_permission",
    "music_cleared": "music_cleared",
}
LOCKED_BY_RULE = {
    "PU-3": ("captions",),
    "PU-4": ("alt",),
    "PU-6": ("people", "children"),
    "PU-7": ("photographer_consent", "music_cleared"),
}


def _media_ids(request: HttpRequest, municipality: Any, media: list[MediaIn]) -> list[int]:
    """The register's files the media list names; the alt text, captions and PU-6/PU-7
    facts given here are written to the file through the register's own service (PU-3,
    PU-4, PU-6, PU-7)."""
    actor = request.actor  # type: ignore[attr-defined]
    ids = []
    for index, item in enumerate(media):
        if item.upload_id is None:
            raise Problem(
                422,
                code="media-url-unsupported",
                detail="Send media as upload_id of a file in the media register; URLs are "
                "not fetched.",
                detail_nb=_(
                    "Last opp filen i mediearkivet i konsollen og send upload_id; Ordstyrer "
                    "henter ingenting fra nettadresser."
                ),
                errors=[
                    {
                        "loc": ["body", "media", index],
                        "msg": "upload_id required",
                        "type": "missing",
                    }
                ],
            )
        asset = MediaAsset.objects.filter(pk=item.upload_id, municipality=municipality).first()
        if asset is None or asset.kind != item.type:
            raise Problem(
                422,
                code="media-unknown",
                detail="No such file of that type in the municipality's media register.",
                detail_nb=_("Ukjent bilde eller video."),
                errors=[
                    {
                        "loc": ["body", "media", index, "upload_id"],
                        "msg": "unknown",
                        "type": "value",
                    }
                ],
            )
        changes = _register_changes(item, asset)
        if changes:
            _register_update(actor, asset, index, changes)
        ids.append(asset.pk)
    return ids


def _register_changes(item: MediaIn, asset: MediaAsset) -> dict[str, Any]:
    """The MediaIn's fields that change what the register holds about the file, by their
    API names (`REGISTER_FIELDS`)."""
    sent = {
        "alt": item.alt.strip() if item.alt is not None else None,
        "captions": item.captions if item.type == "video" else None,
        "people": item.people,
        "children": item.children,
        "photographer_consent": item.photographer_consent,
        "music_cleared": item.music_cleared,
    }
    return {
        name: value
        for name, value in sent.items()
        if value is not None and value != getattr(asset, REGISTER_FIELDS[name])
    }


def _register_update(actor: Any, asset: MediaAsset, index: int, changes: dict[str, Any]) -> None:
    """`media_update` of the file with `changes`; its refusals name the field of
    `media[index]`: captions from a file the video was uploaded without (PU-3, 422), a
    change the lock on a post on its way refuses (409)."""
    at: list[str | int] = ["body", "media", index]
    refusal = {"invalid": [*at, "captions"]} if "captions" in changes else {}
    try:
        with refusals_naming(refusal):
            media_update(
                actor=actor,
                asset_id=asset.pk,
                **{REGISTER_FIELDS[name]: value for name, value in changes.items()},
            )
    except Conflict as exc:
        if exc.code != "media_in_use":
            raise
        rule = exc.rule or "PU-4"
        named = [name for name in LOCKED_BY_RULE.get(rule, ()) if name in changes]
        if rule in ("PU-6", "PU-7"):
            detail = (
                "The file is in a post on its way (waiting for approval, scheduled, "
                "publishing or paused, or failed on one channel with a copy still to go "
                "out), and this change would give that post a block finding. Withdraw "
                "that post (save a failed one again) first; see detail_nb."
            )
        else:
            # PU-4, PU-3: the file's alt text and captions are fixed while a post with
            # it is on its way.
            detail = (
                "The file is in a post on its way (waiting for approval, scheduled, "
                "publishing or paused); its alt text and captions go out as approved. "
                "Withdraw that post first, or wait until it is published."
            )
        raise Problem(
            409,
            code="media-in-use",
            detail=detail,
            detail_nb=str(exc.message),
            rule=rule,
            errors=[{"loc": at + named[:1], "msg": "in use", "type": "conflict"}],
        ) from None


@router.post(
    "/m/{slug}/posts",
    response={201: PostOut, **WRITE_ERRORS},
    summary="Create a draft post",
    openapi_extra=IDEMPOTENCY,
)
def post_create(request: HttpRequest, slug: str, payload: PostIn) -> HttpResponse:
    """A draft on the channels (the person must publish on each, CH-3); the policy's
    findings are computed at once. Scope `posts:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="posts:write")
    actor = request.actor  # type: ignore[attr-defined]

    def run() -> tuple[int, dict[str, Any]]:
        # In the write, after the replay lookup: a retry of a post created for 09:00,
        # sent again at 09:01, gets its first 201, not «the time has passed».
        _check_fields(municipality, payload.dict(exclude_unset=True))
        media_ids = _media_ids(request, municipality, payload.media)
        with refusals_naming(CHANNEL_REFUSALS):
            post = services.post_create(
                actor=actor,
                municipality=municipality,
                channel_ids=payload.channels,
                text=payload.text,
                links=payload.links,
                media_ids=media_ids,
                publish_at=payload.publish_at,
                documentation_value=payload.documentation_value,
            )
        return 201, post_body(post)

    return api_write(request, municipality=municipality, action="post_create", run=run)


@router.patch(
    "/m/{slug}/posts/{int:id}",
    response={200: PostOut, **WRITE_ERRORS},
    summary="Change a draft; findings recomputed",
    openapi_extra=IDEMPOTENCY,
)
def post_change(request: HttpRequest, slug: str, id: int, payload: PostPatch) -> HttpResponse:  # noqa: A002
    """Only the fields sent change (null only for `publish_at`). A rejected or failed post
    returns to draft. Scope `posts:write`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="posts:write")
    actor = request.actor  # type: ignore[attr-defined]
    post = access_post(user=actor, id=id, slug=slug, need="view")
    sent = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    for name, target in (
        ("text", "text"),
        ("links", "links"),
        ("channels", "channel_ids"),
        ("publish_at", "publish_at"),
        ("documentation_value", "documentation_value"),
    ):
        if name in sent:
            changes[target] = sent[name]

    def run() -> tuple[int, dict[str, Any]]:
        _check_fields(municipality, sent)  # after the replay lookup, as in `post_create`
        if payload.media is not None:  # sent (a null is refused by the schema)
            changes["media_ids"] = _media_ids(request, municipality, payload.media)
        with refusals_naming(CHANNEL_REFUSALS):
            changed = services.post_update(actor=actor, post_id=post.pk, **changes)
        return 200, post_body(changed)

    return api_write(request, municipality=municipality, action="post_update", run=run)


@router.get(
    "/m/{slug}/posts",
    response={200: PostList, 422: ProblemOut, **ERRORS},
    summary="Posts, newest first",
)
def posts(request: HttpRequest, slug: str, filters: Query[PostQuery]) -> dict[str, Any]:
    """The posts the person may see (own, their channels', those they approve, or all
    for communications, the chief administrator and the crisis leader), newest first,
    keyset-paged by id: follow `next` until it is null; posts created or changed
    meanwhile never shift a page. Scope `posts:write` or `posts:approve`."""
    municipality = municipality_for(request, slug)
    _any_scope(request, "posts:write", "posts:approve")
    actor = request.actor  # type: ignore[attr-defined]
    if filters.cursor and not _cursor_is_valid(municipality, actor, filters.cursor):
        raise cursor_refusal()
    page, more = posts_page(
        municipality=municipality,
        user=actor,
        status=filters.status or None,
        before=filters.cursor,
        limit=filters.limit,
    )
    next_url = None
    if more:
        query: dict[str, Any] = {"limit": filters.limit, "cursor": page[-1].pk}
        if filters.status:
            query["status"] = filters.status
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    return {"items": [post_body(p) for p in page], "next": next_url}


def _cursor_is_valid(municipality: Any, actor: Any, cursor: int) -> bool:
    """`next` carries the last post of a page: a post of the municipality the person may
    see (whatever its status now: it may have changed since)."""
    post = Post.objects.filter(pk=cursor, municipality=municipality).first()
    return post is not None and bool(posts_visible(actor, municipality, [post]))


@router.get("/m/{slug}/posts/{int:id}", response={200: PostOut, **ERRORS}, summary="One post")
def post_detail(request: HttpRequest, slug: str, id: int) -> dict[str, Any]:  # noqa: A002
    """Scope `posts:write` or `posts:approve`."""
    municipality_for(request, slug)
    _any_scope(request, "posts:write", "posts:approve")
    actor = request.actor  # type: ignore[attr-defined]
    return post_body(access_post(user=actor, id=id, slug=slug, need="view"))


@router.post(
    "/m/{slug}/posts/{int:id}/publish",
    response={200: PostOut, **WRITE_ERRORS},
    summary="Send a post on its way",
    openapi_extra=IDEMPOTENCY,
)
def post_publish(
    request: HttpRequest,
    slug: str,
    id: int,  # noqa: A002
    payload: PublishIn | None = None,
) -> HttpResponse:
    """Checks under the effective policy: a block finding → 422 with `findings`; warn
    findings without `override_reason` → 422 with `findings` (the reason is kept in the
    audit log). Then `status` is awaiting_crisis_approval (PU-12), awaiting_approval
    (the channel's chain), scheduled, publishing or published. A post already on its way
    or published → 409 (a retry is safe with an `Idempotency-Key`: the same key returns
    the first response). The body may be left out. Scope `posts:write`; honours
    `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="posts:write")
    actor = request.actor  # type: ignore[attr-defined]
    post = access_post(user=actor, id=id, slug=slug, need="view")
    reason = (payload.override_reason if payload else None) or ""

    def run() -> tuple[int, dict[str, Any]]:
        # api.md "Errors": 409 on a state conflict. The service returns a post already on
        # its way unchanged (the console's double click); here that is a conflict, checked
        # under the post's lock in the write's transaction.
        current = services.lock_post(post.pk)
        if current.status not in services.EDITABLE:
            raise Conflict(_already_sent(current), code="conflict")
        # The post's stored time has passed, or a channel is no longer in use: the field
        # to change (PATCH) is the post's.
        with refusals_naming(
            {"invalid": ["post", "publish_at"], "channel_inactive": ["post", "channels"]}
        ):
            done = services.post_publish(actor=actor, post_id=post.pk, override_reason=reason)
        return 200, post_body(done)

    return api_write(request, municipality=municipality, action="post_publish", run=run)


@router.post(
    "/m/{slug}/posts/{int:id}/approve",
    response={200: PostOut, **WRITE_ERRORS},
    summary="Approve a waiting post",
    openapi_extra=IDEMPOTENCY,
)
def post_approve(
    request: HttpRequest,
    slug: str,
    id: int,  # noqa: A002
    payload: DecisionIn | None = None,
) -> HttpResponse:
    """For the approver the channel's chain names (never the author, four eyes), or —
    for a post awaiting_crisis_approval — the crisis leader or a named deputy (PU-12).
    Body `{"approval_round"}`: the round read with the post, required while it waits
    (409 when missing, or when the post has been sent again since: a newer text). The
    body may be left out for a post that waits no longer (a retried approval). Scope
    `posts:approve`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="posts:approve")
    actor = request.actor  # type: ignore[attr-defined]
    post = access_post(user=actor, id=id, slug=slug, need="view")
    approval_round = payload.approval_round if payload else None

    def run() -> tuple[int, dict[str, Any]]:
        current = round_check(post.pk, approval_round)
        if current.status == PostStatus.AWAITING_CRISIS_APPROVAL:
            done = services.post_crisis_approve(actor=actor, post_id=post.pk)
        else:
            done = services.post_approve(
                actor=actor, post_id=post.pk, approval_round=approval_round
            )
        return 200, post_body(done)

    return api_write(request, municipality=municipality, action="post_approve", run=run)


@router.post(
    "/m/{slug}/posts/{int:id}/reject",
    response={200: PostOut, **WRITE_ERRORS},
    summary="Send a waiting post back to its author",
    openapi_extra=IDEMPOTENCY,
)
def post_reject(
    request: HttpRequest,
    slug: str,
    id: int,
    payload: RejectIn,  # noqa: A002
) -> HttpResponse:
    """As approve (`approval_round` required while the post waits); the reason goes to
    the author. Scope `posts:approve`; honours `Idempotency-Key`."""
    municipality = municipality_for(request, slug, scope="posts:approve")
    actor = request.actor  # type: ignore[attr-defined]
    post = access_post(user=actor, id=id, slug=slug, need="view")

    def run() -> tuple[int, dict[str, Any]]:
        current = round_check(post.pk, payload.approval_round)
        # A reason of spaces or zero-width characters alone says nothing.
        with refusals_naming({"invalid": ["body", "reason"]}):
            if current.status == PostStatus.AWAITING_CRISIS_APPROVAL:
                done = services.post_crisis_reject(
                    actor=actor, post_id=post.pk, reason=payload.reason
                )
            else:
                done = services.post_reject(
                    actor=actor,
                    post_id=post.pk,
                    reason=payload.reason,
                    approval_round=payload.approval_round,
                )
        return 200, post_body(done)

    return api_write(request, municipality=municipality, action="post_reject", run=run)


def round_check(post_id: int, approval_round: int | None, *, required: bool = True) -> Post:
    """The post, locked for the decision (in the write's transaction), if the decision
    names the round now waiting. CH-4 (four eyes) and PU-12: an approval is for the text
    the approver read. A round of an earlier text (withdrawn, changed and sent again
    since) is a 409, as is none while the post waits (unless not `required`): the
    console's form always carries the round it showed (`publishing.views.decide`); an
    integration must too."""
    post = services.lock_post(post_id)
    rule = "PU-12" if post.status == PostStatus.AWAITING_CRISIS_APPROVAL else "CH-4"
    if approval_round is not None and approval_round != post.approval_round:
        raise Problem(
            409,
            code="approval-round-stale",
            detail="The post has been sent again since that approval round; read it again "
            "(GET the post) and decide on its current text and approval_round.",
            detail_nb=_(
                "Innlegget er endret og sendt på nytt siden du leste det. Les det på nytt og "
                "avgjør ut fra teksten som venter nå."
            ),
            rule=rule,
            approval_round=post.approval_round,
            errors=[{"loc": ["body", "approval_round"], "msg": "stale", "type": "conflict"}],
        )
    if required and approval_round is None and post.status in WAITING_DECISION:
        raise Problem(
            409,
            code="approval-round-required",
            detail="Send the approval_round you read with the post, so that the decision "
            "is for that text and never for a newer one.",
            detail_nb=_(
                "Send med approval_round fra innlegget du leste, slik at avgjørelsen gjelder "
                "den teksten og aldri en nyere."
            ),
            rule=rule,
            approval_round=post.approval_round,
            errors=[{"loc": ["body", "approval_round"], "msg": "required", "type": "missing"}],
        )
    return post


def _already_sent(post: Post) -> Any:
    if post.status == PostStatus.PUBLISHED:
        return gettext_lazy("Innlegget er allerede publisert.")
    return lazy_interpolate(
        gettext_lazy("Innlegget er allerede sendt til publisering (status: %(status)s)."),
        {"status": PostStatus(post.status).label},
    )


def _check_fields(municipality: Any, sent: dict[str, Any]) -> None:
    """The refusals of the publishing services that concern one field, found before the
    service runs so that the 422 names the field (api.md "Errors": field errors listed);
    the sentences are the services' own (their code, "invalid", does not tell the field).
    The services check again. And a blank alt text, which the register's service would
    store (PU-4)."""
    if "publish_at" in sent:
        try:
            services.publish_at_check(sent["publish_at"], now=timezone.now())
        except ServiceError as exc:
            raise field_refusal(["body", "publish_at"], exc.message) from None
    if sent.get("channels"):
        ids = set(sent["channels"])
        known = Channel.objects.filter(pk__in=ids, municipality=municipality).count()
        if known != len(ids):
            raise field_refusal(["body", "channels"], _("Ukjent kanal."))
    for index, link in enumerate(sent.get("links") or ()):
        link = str(link).strip()
        if link and not link.startswith(("http://", "https://")):
            raise field_refusal(
                ["body", "links", index],
                lazy_interpolate(
                    gettext_lazy("Lenken «%(link)s» må begynne med https://."),
                    {"link": link[:100]},
                ),
            )
        if len(link) > MAX_LINK:
            raise field_refusal(["body", "links", index], _("Lenken er for lang."))
    for index, item in enumerate(sent.get("media") or ()):
        # PU-4: the alt text sent is written to the file, which every post using it
        # shares; a blank one would erase it and block them all. Left out, it is kept.
        if item.get("alt") is not None and not visible_text(item["alt"]):
            raise field_refusal(
                ["body", "media", index, "alt"],
                _(
                    "Skriv den alternative teksten som beskriver bildet, eller utelat "
                    "«alt» for å bruke den som står i mediearkivet (PU-4)."
                ),
                rule="PU-4",
                detail="Alt text (PU-4) may not be blank: it is kept on the file, which "
                "every post using it shares. Send the text that describes the image, or "
                "leave alt out to use the media register's.",
            )


def _any_scope(request: HttpRequest, *scopes: str) -> None:
    token = request.auth  # type: ignore[attr-defined]
    if not set(scopes) & set(token.scopes or []):
        require_scope(request, scopes[0])
