"""Instagram Graph JSON → normalised records (typed models, spec §4.2–§4.3).

Lone UTF-16 surrogates (a broken emoji sent as valid JSON) become U+FFFD here
(`without_lone_surrogates`), also in comments the connector read as a list."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ordstyrer.connectors.base import Author, Comment, Media, Post
from ordstyrer.connectors.graph.answers import graph_time, malformed
from ordstyrer.jsonsafe import without_lone_surrogates

_C = "id,text,timestamp,username,from,hidden,like_count,parent_id,media"
COMMENT_FIELDS = _C
COMMENT_WITH_REPLIES = f"{_C},replies{{{_C}}}"
MEDIA_FIELDS = (
    "id,caption,alt_text,timestamp,permalink,media_type,media_product_type,media_url,"
    "comments_count,is_comment_enabled,username,children{id,media_type,media_url,alt_text}"
)


class _M(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class IgFrom(_M):
    id: str
    username: str = ""


class IgRef(_M):
    id: str


class IgComment(_M):
    id: str
    text: str | None = None
    timestamp: str | None = None
    username: str | None = None
    from_: IgFrom | None = Field(default=None, alias="from")
    hidden: bool = False
    parent_id: str | None = None
    media: IgRef | None = None
    replies: IgCommentList | None = None


class IgCommentList(_M):
    data: list[IgComment] = Field(default_factory=list)
    paging: dict[str, Any] | None = None


class IgChild(_M):
    id: str
    media_type: str | None = None
    media_url: str | None = None
    alt_text: str | None = None


class IgChildren(_M):
    data: list[IgChild] = Field(default_factory=list)


class IgMedia(_M):
    id: str
    caption: str | None = None
    alt_text: str | None = None
    timestamp: str | None = None
    permalink: str | None = None
    media_type: str | None = None
    media_url: str | None = None
    comments_count: int | None = None
    is_comment_enabled: bool | None = None
    username: str | None = None
    children: IgChildren | None = None


IgComment.model_rebuild()


def _kind(media_type: str | None) -> str:
    return "video" if (media_type or "").upper() in {"VIDEO", "REELS"} else "image"


def to_post(data: Any, account_id: str, username: str | None) -> Post:
    data = without_lone_surrogates(data)
    try:
        g = IgMedia.model_validate(data)
    except ValidationError:
        raise malformed("innlegg", platform="Instagram") from None
    if g.children and g.children.data:
        media = tuple(
            Media(kind=_kind(c.media_type), url=c.media_url, alt_text=c.alt_text, id=c.id)  # type: ignore[arg-type]
            for c in g.children.data
        )
    else:
        media = (Media(kind=_kind(g.media_type), url=g.media_url, alt_text=g.alt_text, id=g.id),)  # type: ignore[arg-type]
    return Post(
        id=g.id,
        text=g.caption or "",
        created_at=graph_time(g.timestamp),
        permalink=g.permalink,
        author=Author(id=account_id, name=g.username or username or ""),
        media=media,
        comment_count=g.comments_count,
        comments_enabled=g.is_comment_enabled,
        raw=data,
    )


def parse_comment(data: Any) -> IgComment:
    try:
        return IgComment.model_validate(without_lone_surrogates(data))
    except ValidationError:
        raise malformed("kommentar", platform="Instagram") from None


def to_comment(
    g: IgComment, account_id: str, username: str | None, media_id: str | None = None
) -> Comment:
    dumped = g.model_dump(by_alias=True, exclude={"replies"}, exclude_none=True)
    raw = without_lone_surrogates(dumped)
    if raw != dumped:  # read as part of a list: cleaned here, then read again
        g = IgComment.model_validate(raw)
    author = None
    if g.from_ is not None:
        author = Author(
            id=g.from_.id,
            name=g.from_.username,
            profile_url=f"https://www.instagram.com/{g.from_.username}/"
            if g.from_.username
            else None,
        )
    elif g.username:
        author = Author(
            id=f"username:{g.username}",
            name=g.username,
            profile_url=f"https://www.instagram.com/{g.username}/",
        )
    own = author is not None and (
        author.id == account_id or (username is not None and author.name == username)
    )
    return Comment(
        id=g.id,
        post_id=g.media.id if g.media else media_id,
        author=author,
        text=g.text or "",
        created_at=graph_time(g.timestamp),
        parent_id=g.parent_id,
        hidden=g.hidden,
        is_page_author=own,
        raw=raw,
    )
