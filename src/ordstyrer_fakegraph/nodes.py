"""How each record looks through Graph: fields, defaults, edges, `fields` projection (§7.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ordstyrer_fakegraph.errors import bad_param
from ordstyrer_fakegraph.store import (
    CommentRec,
    IgCommentRec,
    IgContainerRec,
    IgMediaRec,
    IgUserRec,
    PageRec,
    PhotoRec,
    PostRec,
    Record,
    Store,
    Token,
    VideoRec,
)

# Every PagePost field of Meta's generated spec (v25, meta-graph-api §1.2).
PAGE_POST_FIELDS = frozenset(
    "id actions admin_creator allowed_advertising_objectives application backdated_time "
    "call_to_action can_reply_privately child_attachments comments_mirroring_domain "
    "coordinates created_time event expanded_height expanded_width feed_targeting from "
    "full_picture height icon instagram_eligibility is_app_share is_eligible_for_promotion "
    "is_expired is_hidden is_inline_created is_instagram_eligible is_popular is_published "
    "is_spherical message message_tags multi_share_end_card multi_share_optimized parent_id "
    "permalink_url picture place privacy promotable_id promotion_status properties "
    "scheduled_publish_time shares status_type story story_tags subscribed target targeting "
    "timeline_visibility updated_time via width".split()
)
PAGE_POST_EDGES = frozenset(
    "comments attachments reactions likes insights sharedposts sponsor_tags to "
    "dynamic_posts".split()
)
# Page fields that third-party clients ask for by default (pyfacebook's page.get_info,
# facebook-sdk's examples) besides those with stored values; answered with plausible
# demo values, or left out when empty, as Meta does.
PAGE_FIELDS = frozenset(
    "id name category category_list link followers_count instagram_business_account about "
    "access_token cover description description_html display_subtext emails engagement "
    "fan_count global_brand_page_name global_brand_root_id phone picture username "
    "verification_status website tasks is_published can_post".split()
)
COMMENT_FIELDS = frozenset(
    "id admin_creator application attachment can_comment can_hide can_like can_remove "
    "can_reply_privately comment_count created_time from is_hidden is_private like_count "
    "live_broadcast_timestamp message message_tags object parent permalink_url "
    "private_reply_conversation user_likes".split()
)


def fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_time(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(value.replace("+0000", "+00:00"))
    except ValueError:
        raise bad_param(f"Invalid time: {value}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


@dataclass
class Ctx:
    store: Store
    token: Token
    base: str  # scheme://host, for paging URLs
    version: str

    @property
    def page_token(self) -> bool:
        return self.token.kind == "page"

    @property
    def moderates(self) -> bool:
        return bool(self.token.tasks & {"MODERATE", "MANAGE"})


@dataclass
class View:
    type_name: str
    fields: dict[str, Any]
    known: frozenset[str]
    default: tuple[str, ...]
    edges: frozenset[str]


def describe(rec: Record, ctx: Ctx) -> View:
    s = ctx.store
    if isinstance(rec, PageRec):
        slug = "".join(ch for ch in rec.name.lower() if ch.isalnum()) or rec.id
        own = ctx.token.value == rec.token or (
            ctx.token.kind == "user" and rec.id in ctx.token.pages
        )
        f: dict[str, Any] = {
            "id": rec.id,
            "name": rec.name,
            "category": rec.category,
            "category_list": [{"id": "2235", "name": rec.category}],
            "link": f"https://www.facebook.com/{rec.id}",
            "followers_count": rec.likes,
            "fan_count": rec.likes,
            "engagement": {"count": rec.likes, "social_sentence": f"{rec.likes} liker dette."},
            "instagram_business_account": s.objects.get(rec.ig_user_id) if rec.ig_user_id else None,
            "about": f"Den offisielle siden til {rec.name}.",
            "description": None,
            "description_html": None,
            "display_subtext": None,
            "emails": None,
            "phone": None,
            "global_brand_page_name": rec.name,
            "global_brand_root_id": None,
            "username": slug,
            "website": f"https://{slug}.kommune.example",
            "verification_status": "not_verified",
            "picture": {
                "data": {
                    "height": 50,
                    "width": 50,
                    "is_silhouette": False,
                    "url": f"https://scontent.fake/{rec.id}/profil.jpg",
                }
            },
            "cover": None,
            "is_published": True,
            "can_post": own,
            # The Page token only to someone who manages the Page (§1.1), as Meta does.
            "access_token": rec.token if own else None,
            "tasks": sorted(ctx.token.tasks) if own else None,
        }
        return View(
            "Page",
            f,
            PAGE_FIELDS,
            ("id", "name"),
            frozenset(
                "feed published_posts posts scheduled_posts blocked insights subscribed_apps photos videos".split()
            ),
        )
    if isinstance(rec, PostRec):
        page = s.typed(rec.page_id, PageRec, live=False)
        photos = [s.objects[p] for p in rec.attached_media if p in s.objects]
        f = {
            "id": rec.id,
            "message": rec.message,
            "created_time": fmt(rec.created_time),
            "updated_time": fmt(rec.updated_time),
            "permalink_url": f"https://www.facebook.com/{rec.page_id}/posts/{rec.fbid}/",
            "is_published": rec.is_published,
            "is_hidden": rec.is_hidden,
            "scheduled_publish_time": rec.scheduled_publish_time.timestamp()
            if rec.scheduled_publish_time
            else None,
            "status_type": rec.status_type,
            "from": {"id": rec.from_id, "name": rec.from_name}
            if rec.from_id
            else {"id": page.id, "name": page.name},
            "full_picture": photos[0].url if photos and isinstance(photos[0], PhotoRec) else None,
            "picture": photos[0].url if photos and isinstance(photos[0], PhotoRec) else None,
            "shares": {"count": 0},
            "icon": "https://static.xx.fbcdn.net/rsrc.php/v3/yz/r/StEh3RhPvjk.gif",
            "message_tags": [],
            "privacy": {
                "value": "EVERYONE",
                "description": "Offentlig",
                "friends": "",
                "allow": "",
                "deny": "",
            },
            "is_expired": False,
            "is_popular": False,
            "is_spherical": False,
            "is_app_share": False,
            "is_inline_created": False,
            "is_instagram_eligible": False,
            "instagram_eligibility": "ineligible_unknown_error",
            "is_eligible_for_promotion": False,
            "promotion_status": "ineligible",
            "can_reply_privately": False,  # only the Page's own posts are stored here
            "multi_share_end_card": False,
            "multi_share_optimized": False,
            "timeline_visibility": "normal",
            "subscribed": True,
            "actions": [],
            "allowed_advertising_objectives": [],
        }
        return View(
            "PagePost",
            f,
            PAGE_POST_FIELDS,
            ("id", "created_time", "message"),
            PAGE_POST_EDGES,
        )
    if isinstance(rec, CommentRec):
        post = s.typed(rec.post_id, PostRec, live=False)
        cfbid = rec.id.split("_", 1)[1]
        link = f"https://www.facebook.com/{rec.page_id}/posts/{post.fbid}/?comment_id="
        if rec.parent_id:
            link += f"{rec.parent_id.split('_', 1)[1]}&reply_comment_id={cfbid}"
        else:
            link += cfbid
        f = {
            "id": rec.id if ctx.moderates else None,
            "message": rec.message,
            "created_time": fmt(rec.created_time),
            "from": {"id": rec.from_id, "name": rec.from_name} if ctx.page_token else None,
            "is_hidden": rec.is_hidden,
            "can_hide": rec.from_id != rec.page_id,
            "can_remove": True,
            "can_comment": True,
            "can_like": True,
            "comment_count": len(s.replies_of(rec.id)),
            "like_count": rec.like_count,
            "permalink_url": link,
            "parent": s.objects.get(rec.parent_id) if rec.parent_id else None,
            "object": post,
            "attachment": {
                "type": "photo",
                "url": rec.attachment_url,
                "media": {"image": {"src": rec.attachment_url}},
            }
            if rec.attachment_url
            else None,
            "message_tags": [],
            # A private reply is possible once, to a visitor's comment (§1.4).
            "can_reply_privately": rec.from_id != rec.page_id,
            "is_private": False,
            "user_likes": False,
        }
        return View(
            "Comment",
            f,
            COMMENT_FIELDS,
            ("created_time", "from", "message", "id"),
            frozenset({"comments", "likes", "reactions"}),
        )
    if isinstance(rec, PhotoRec):
        f = {
            "id": rec.id,
            "name": rec.caption,
            "alt_text": "Kan være et bilde",
            "alt_text_custom": rec.alt_text_custom,
            "created_time": fmt(rec.created_time),
            "link": f"https://www.facebook.com/photo/?fbid={rec.id}",
            "images": [{"source": rec.url}] if rec.url else [],
            "page_story_id": rec.post_id,
            "published": rec.published,
        }
        return View("Photo", f, frozenset(f), ("id", "created_time"), frozenset())
    if isinstance(rec, VideoRec):
        f = {
            "id": rec.id,
            "title": rec.title,
            "description": rec.description,
            "created_time": fmt(rec.created_time),
            "published": rec.published,
            "permalink_url": f"/{rec.page_id}/videos/{rec.id}/",
            "status": {"video_status": "ready"},
            "post_id": rec.post_id,
        }
        return View(
            "Video", f, frozenset(f), ("id", "created_time", "description"), frozenset({"captions"})
        )
    if isinstance(rec, IgUserRec):
        f = {
            "id": rec.id,
            "username": rec.username,
            "name": rec.name,
            "media_count": sum(
                1
                for m in s.objects.values()
                if isinstance(m, IgMediaRec) and m.ig_user_id == rec.id and not m.deleted
            ),
            "followers_count": 840,
        }
        return View(
            "IGUser",
            f,
            frozenset(f),
            ("id",),
            frozenset({"media", "content_publishing_limit", "insights"}),
        )
    if isinstance(rec, IgMediaRec):
        owner = s.typed(rec.ig_user_id, IgUserRec, live=False)
        f = {
            "id": rec.id,
            "caption": rec.caption,
            "alt_text": rec.alt_text,
            "timestamp": fmt(rec.timestamp),
            "media_type": rec.media_type,
            "media_product_type": rec.media_product_type,
            "media_url": rec.media_url,
            "permalink": rec.permalink,
            "shortcode": rec.id[-11:],
            "comments_count": len(
                [
                    c
                    for c in s.objects.values()
                    if isinstance(c, IgCommentRec) and c.media_id == rec.id and not c.deleted
                ]
            ),
            "like_count": rec.like_count,
            "is_comment_enabled": rec.comment_enabled,
            "username": owner.username,
            "owner": {"id": owner.id},
        }
        return View(
            "IGMedia", f, frozenset(f), ("id",), frozenset({"comments", "children", "insights"})
        )
    if isinstance(rec, IgCommentRec):
        f = {
            "id": rec.id,
            "text": rec.text,
            "timestamp": fmt(rec.timestamp),
            "username": rec.username,
            "from": {"id": rec.from_id, "username": rec.username},
            "hidden": rec.hidden,
            "like_count": rec.like_count,
            "media": {"id": rec.media_id},
            "parent_id": rec.parent_id,
        }
        return View(
            "IGComment",
            f,
            frozenset(f) | {"user", "legacy_instagram_comment_id"},
            ("id", "text", "timestamp"),
            frozenset({"replies"}),
        )
    if isinstance(rec, IgContainerRec):
        f = {"id": rec.id}
        return View(
            "ShadowIGMediaBuilder",
            f,
            frozenset({"id", "status_code", "status"}),
            ("id",),
            frozenset(),
        )
    raise bad_param("Unknown object")
