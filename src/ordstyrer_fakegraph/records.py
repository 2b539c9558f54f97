"""Records of the stand-in's world (pages, posts, comments, media, IG, tokens, settings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# The permissions a token carries unless told otherwise: all the product asks for
# (`platforms.oauth`), as `/debug_token` reports them.
DEFAULT_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_engagement",
    "pages_manage_posts",
    "pages_manage_metadata",
    "pages_messaging",
    "read_insights",
    "instagram_basic",
    "instagram_manage_comments",
    "instagram_content_publish",
)


@dataclass
class Token:
    value: str
    kind: str  # "page" | "user"
    pages: set[str]
    tasks: set[str] = field(
        default_factory=lambda: {"MANAGE", "MODERATE", "CREATE_CONTENT", "ANALYZE"}
    )
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    expired_subcode: int | None = None  # 190/<subcode> when set
    expired_at: datetime | None = None  # for the 190/463 message's times
    user_id: str | None = None


@dataclass
class PageRec:
    id: str
    name: str
    token: str
    ig_user_id: str | None = None
    category: str = "Government organization"
    roles: set[str] = field(default_factory=set)  # people with a Page role (cannot be blocked)
    blocked: dict[str, str] = field(default_factory=dict)
    subscribed_fields: list[str] = field(default_factory=list)
    last_message: str | None = None  # for 506 duplicate detection
    likes: int = 1250


@dataclass
class PostRec:
    id: str
    page_id: str
    message: str | None
    created_time: datetime
    updated_time: datetime
    link: str | None = None
    is_published: bool = True
    scheduled_publish_time: datetime | None = None
    is_hidden: bool = False
    status_type: str = "mobile_status_update"
    attached_media: list[str] = field(default_factory=list)  # photo ids
    video_id: str | None = None
    deleted: bool = False
    # A visitor's post on the Page (in /feed, not in /published_posts); None = the Page's.
    from_id: str | None = None
    from_name: str = ""

    @property
    def fbid(self) -> str:
        return self.id.split("_", 1)[1]


@dataclass
class CommentRec:
    id: str
    page_id: str
    post_id: str
    parent_id: str | None
    from_id: str
    from_name: str
    message: str
    created_time: datetime
    is_hidden: bool = False
    deleted: bool = False
    like_count: int = 0
    attachment_url: str | None = None
    edited: bool = False


@dataclass
class PhotoRec:
    id: str
    page_id: str
    url: str | None
    size: int
    caption: str | None
    alt_text_custom: str | None
    published: bool
    created_time: datetime
    temporary: bool = False
    post_id: str | None = None


@dataclass
class CaptionRec:
    locale: str
    content: str
    is_default: bool
    created_time: datetime


@dataclass
class VideoRec:
    id: str
    page_id: str
    title: str | None
    description: str | None
    published: bool
    created_time: datetime
    post_id: str | None = None
    captions: dict[str, CaptionRec] = field(default_factory=dict)
    deleted: bool = False


@dataclass
class IgUserRec:
    id: str
    page_id: str
    username: str
    name: str
    quota_total: int = 100
    published_at: list[datetime] = field(default_factory=list)


@dataclass
class IgMediaRec:
    id: str
    ig_user_id: str
    caption: str | None
    timestamp: datetime
    media_type: str = "IMAGE"
    media_product_type: str = "FEED"
    media_url: str | None = None
    alt_text: str | None = None
    comment_enabled: bool = True
    children: list[str] = field(default_factory=list)
    like_count: int = 0
    deleted: bool = False

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/p/{self.id[-11:]}/"


@dataclass
class IgCommentRec:
    id: str
    ig_user_id: str
    media_id: str
    parent_id: str | None
    from_id: str
    username: str
    text: str
    timestamp: datetime
    hidden: bool = False
    deleted: bool = False
    like_count: int = 0


@dataclass
class IgContainerRec:
    id: str
    ig_user_id: str
    media_type: str
    created: datetime
    caption: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    alt_text: str | None = None
    is_carousel_item: bool = False
    children: list[str] = field(default_factory=list)
    polls_left: int = 1
    outcome: str = "FINISHED"  # FINISHED | ERROR (EXPIRED comes from the clock)
    published_media_id: str | None = None


@dataclass
class Settings:
    """Knobs the control endpoint can turn."""

    version: str = "v25.0"
    app_id: str = "900000000000001"
    app_secret: str = "fake-app-secret"  # noqa: S105 — the stand-in's own
    require_proof: bool = False
    schedule_min: timedelta = timedelta(minutes=10)
    schedule_max: timedelta = timedelta(days=30)
    feed_limit_max: int = 100
    container_polls: int = 1  # IN_PROGRESS answers before FINISHED
    next_container_outcome: str | None = None  # "ERROR" for the next container
    empty_pages: int = 0  # empty pages-with-next to send (§1.10)
    photo_max_bytes: int = 10 * 1024 * 1024
    unreachable_hosts: tuple[str, ...] = ("unreachable.invalid",)
    # Facebook Login's dialog: who logs in there (a user token's value; empty = a person
    # with every task on every Page, made on first use) and what they answer.
    login_user_token: str = ""
    login_outcome: str = "granted"  # or "denied": back with error=access_denied


Record = (
    PageRec
    | PostRec
    | CommentRec
    | PhotoRec
    | VideoRec
    | IgUserRec
    | IgMediaRec
    | IgCommentRec
    | IgContainerRec
)
