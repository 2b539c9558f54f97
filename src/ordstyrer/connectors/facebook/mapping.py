"""Graph Page JSON → normalised records, read through typed models (never bare indexing).

Lone UTF-16 surrogates (a broken emoji sent as valid JSON) become U+FFFD here, before
anything else sees the text (`without_lone_surrogates`): polling, history and the
moderation capture all read comments and posts through these two functions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ordstyrer.connectors.base import (
    AttachmentKind,
    Author,
    Comment,
    CommentAttachment,
    ConnectorError,
    ErrorCode,
    Media,
    Post,
)
from ordstyrer.connectors.graph.answers import graph_time, malformed
from ordstyrer.jsonsafe import without_lone_surrogates

POST_FIELDS = (
    "id,message,story,created_time,updated_time,permalink_url,is_published,"
    "scheduled_publish_time,status_type,"
    "attachments{media_type,type,url,description,media,target,subattachments},"
    "comments.limit(0).summary(true)"
)
COMMENT_FIELDS = (
    "id,message,created_time,from,parent{id},is_hidden,can_hide,permalink_url,"
    "comment_count,attachment"
)


class _M(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class GFrom(_M):
    id: str
    name: str = ""


class GRef(_M):
    id: str


class GImage(_M):
    src: str | None = None


class GAttMedia(_M):
    image: GImage | None = None


class GTarget(_M):
    id: str | None = None
    url: str | None = None


class GAttachment(_M):
    media_type: str | None = None
    type: str | None = None
    url: str | None = None
    description: str | None = None
    media: GAttMedia | None = None
    target: GTarget | None = None
    subattachments: GList | None = None


class GList(_M):
    data: list[GAttachment] = Field(default_factory=list)


class GSummary(_M):
    total_count: int | None = None


class GEdgeSummary(_M):
    summary: GSummary | None = None


class GPost(_M):
    id: str
    message: str | None = None
    story: str | None = None
    created_time: str | None = None
    permalink_url: str | None = None
    is_published: bool = True
    scheduled_publish_time: float | None = None
    attachments: GList | None = None
    comments: GEdgeSummary | None = None


class GComment(_M):
    id: str | None = None
    message: str | None = None
    created_time: str | None = None
    from_: GFrom | None = Field(default=None, alias="from")
    parent: GRef | None = None
    is_hidden: bool = False
    permalink_url: str | None = None
    comment_count: int | None = None
    # A photo, sticker or GIF comment: `{type, url, media:{image:{src}}, target}` (spec
    # §1.3, Comment fields [U]); such a comment may have no `message` at all.
    attachment: GAttachment | None = None


GAttachment.model_rebuild()
GComment.model_rebuild()


def _attachment_kind(platform_type: str) -> AttachmentKind:
    """Graph's attachment `type` of a comment as a platform-neutral kind. Graph does not
    list the values [U]; seen: `photo`, `sticker`, `animated_image_share` (a GIF),
    `animated_image_video`, `video_inline`, `share`."""
    word = platform_type.lower()
    if "sticker" in word:
        return "sticker"
    if word.startswith("animated_image") or "gif" in word:
        return "gif"
    if "photo" in word:
        return "photo"
    if "video" in word:
        return "video"
    if word in {"share", "link"}:
        return "link"
    return "other"


def _comment_attachment(att: GAttachment | None) -> CommentAttachment | None:
    if att is None:
        return None
    platform_type = att.type or att.media_type or ""
    image = att.media.image.src if att.media and att.media.image else None
    return CommentAttachment(
        kind=_attachment_kind(platform_type),
        platform_type=platform_type,
        url=att.url or (att.target.url if att.target else None),
        image_url=image,
    )


def _media(att: GAttachment) -> list[Media]:
    if att.subattachments is not None:
        return [m for sub in att.subattachments.data for m in _media(sub)]
    kind = (att.media_type or att.type or "").lower()
    if kind.startswith("photo"):
        src = att.media.image.src if att.media and att.media.image else None
        return [
            Media(
                kind="image",
                url=src,
                alt_text=att.description,
                id=att.target.id if att.target else None,
            )
        ]
    if kind.startswith("video"):
        return [Media(kind="video", id=att.target.id if att.target else None)]
    return []


def to_post(data: Any, page_id: str, page_name: str | None = None) -> Post:
    data = without_lone_surrogates(data)
    try:
        g = GPost.model_validate(data)
    except ValidationError:
        raise malformed("innlegg") from None
    media: list[Media] = []
    link = None
    for att in g.attachments.data if g.attachments else []:
        media.extend(_media(att))
        if (att.type or "") == "share" or (att.media_type or "") == "link":
            link = att.url
    scheduled = (
        datetime.fromtimestamp(g.scheduled_publish_time, tz=UTC)
        if g.scheduled_publish_time
        else None
    )
    return Post(
        id=g.id,
        text=g.message or g.story or "",
        created_at=graph_time(g.created_time),
        permalink=g.permalink_url,
        author=Author(id=page_id, name=page_name or ""),
        is_published=g.is_published,
        scheduled_at=scheduled,
        media=tuple(media),
        link=link,
        comment_count=g.comments.summary.total_count if g.comments and g.comments.summary else None,
        raw=data,
    )


def to_comment(data: Any, page_id: str) -> Comment:
    data = without_lone_surrogates(data)
    try:
        g = GComment.model_validate(data)
    except ValidationError:
        raise malformed("kommentar") from None
    if not g.id:
        # Since v11, comment ids need the MODERATE task (spec §1.1).
        raise ConnectorError(
            "Plattformen skjuler kommentar-ID-ene: personen som koblet til siden mangler "
            "oppgaven MODERATE.",
            permanent=True,
            code=ErrorCode.PERMISSION,
        )
    author = Author(id=g.from_.id, name=g.from_.name) if g.from_ else None
    # Comment ids are "{post_fbid}_{comment_fbid}"; the post id is "{page_id}_{post_fbid}".
    post_id = f"{page_id}_{g.id.split('_', 1)[0]}" if "_" in g.id else None
    return Comment(
        id=g.id,
        post_id=post_id,
        author=author,
        text=g.message or "",
        created_at=graph_time(g.created_time),
        parent_id=g.parent.id if g.parent else None,
        hidden=g.is_hidden,
        permalink=g.permalink_url,
        is_page_author=author is not None and author.id == page_id,
        reply_count=g.comment_count,
        attachment=_comment_attachment(g.attachment),
        raw=data,
    )
