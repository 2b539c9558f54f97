"""Graph writes (spec §1.4–§1.8, §4.4–§4.5, §7.6, §7.10)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ordstyrer_fakegraph.edges import project
from ordstyrer_fakegraph.errors import GraphError, bad_param, not_found
from ordstyrer_fakegraph.fields import parse_fields
from ordstyrer_fakegraph.nodes import Ctx, parse_time
from ordstyrer_fakegraph.store import (
    CaptionRec,
    CommentRec,
    IgCommentRec,
    IgContainerRec,
    IgMediaRec,
    IgUserRec,
    PageRec,
    PhotoRec,
    PostRec,
    Record,
    VideoRec,
)


@dataclass
class Upload:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Req:
    method: str
    params: dict[str, str]
    lists: dict[str, list[str]] = field(default_factory=dict)  # repeated / `x[]` keys
    files: dict[str, Upload] = field(default_factory=dict)


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in {"true", "1"}:
        return True
    if value.lower() in {"false", "0"}:
        return False
    raise bad_param(f"Invalid boolean: {value}")


def _need(ctx: Ctx, *tasks: str) -> None:
    if not ctx.token.tasks & ({"MANAGE"} | set(tasks)):
        raise GraphError(200, None, f"(#200) The page does not grant the {'/'.join(tasks)} task")


def _reply(rec: Record, req: Req, ctx: Ctx, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """`{"id": …}` plus read-after-write fields when `fields` was sent (§0.3)."""
    out: dict[str, Any] = {"id": rec.id, **(extra or {})}
    if req.params.get("fields"):
        out.update(project(rec, parse_fields(req.params["fields"]), ctx))
    return out


def _ids(req: Req, *names: str) -> list[str]:
    """Array parameters: a JSON list, `user[]=` repeats, or a plain comma list (§1.7)."""
    for name in names:
        if name in req.lists:
            return [v for v in req.lists[name] if v]
        if name in req.params:
            raw = req.params[name]
            try:
                decoded = json.loads(raw)
            except ValueError:
                decoded = raw
            if isinstance(decoded, list):
                return [str(v) for v in decoded]
            return [s for s in str(decoded).split(",") if s]
    return []


def _scheduled(req: Req) -> datetime | None:
    raw = req.params.get("scheduled_publish_time")
    return parse_time(raw) if raw else None


def _check_url(ctx: Ctx, url: str, code: int = 100) -> None:
    host = urlsplit(url).hostname or ""
    if not host or host in ctx.store.settings.unreachable_hosts:
        if code == 1609005:
            raise GraphError(1609005)
        raise bad_param(f"The URL could not be fetched: {url}")


# ---------------------------------------------------------------------------------------
# POST /{id}/{edge}


def create(rec: Record, edge: str, req: Req, ctx: Ctx) -> dict[str, Any]:
    if edge == "messages" and isinstance(rec, (PageRec, IgUserRec)):
        return private_reply(rec, req, ctx)
    s = ctx.store
    if isinstance(rec, PageRec) and edge == "feed":
        _need(ctx, "CREATE_CONTENT")
        message, link = req.params.get("message"), req.params.get("link")
        media_ids = [m.get("media_fbid") if isinstance(m, dict) else None for m in _attached(req)]
        if not message and not link and not media_ids:
            raise bad_param("Missing message or attachment")
        if link:
            _check_url(ctx, link, 1609005)
        photos = []
        for mid in media_ids:
            photo = s.objects.get(mid or "")
            if not isinstance(photo, PhotoRec) or photo.page_id != rec.id or photo.published:
                raise bad_param(f"attached_media: {mid} is not an unpublished photo of this Page")
            photos.append(photo)
        published = _bool(req.params.get("published"), True)
        scheduled = _scheduled(req)
        if scheduled is not None and published:
            raise bad_param("scheduled_publish_time requires published=false")
        post = s.create_post(
            rec,
            message=message,
            link=link,
            published=published,
            scheduled=scheduled,
            attached_media=[p.id for p in photos],
            status_type="added_photos" if photos else "mobile_status_update",
        )
        for photo in photos:
            photo.post_id = post.id
        return _reply(post, req, ctx)
    if isinstance(rec, PageRec) and edge == "photos":
        _need(ctx, "CREATE_CONTENT")
        url = req.params.get("url")
        upload = req.files.get("source")
        if not url and upload is None:
            raise GraphError(324, None, "(#324) Requires upload file")
        size = len(upload.content) if upload else 500_000
        if size > s.settings.photo_max_bytes:
            raise bad_param("Photo is larger than 10 MB")
        if url:
            _check_url(ctx, url)
        published = _bool(req.params.get("published"), True)
        scheduled = _scheduled(req)
        caption = req.params.get("caption") or req.params.get("message") or req.params.get("name")
        photo = PhotoRec(
            id=s.new_id(),
            page_id=rec.id,
            url=url or f"https://scontent.fake/{upload.filename if upload else 'x'}",
            size=size,
            caption=caption,
            alt_text_custom=req.params.get("alt_text_custom"),
            published=published or scheduled is not None,
            created_time=s.now(),
            temporary=_bool(req.params.get("temporary"), False),
        )
        if not published and scheduled is None:
            s.objects[photo.id] = photo
            return {"id": photo.id}
        post = s.create_post(
            rec,
            message=caption,
            published=published,
            scheduled=scheduled,
            attached_media=[photo.id],
            status_type="added_photos",
            check_duplicate=False,
        )
        photo.post_id = post.id
        s.objects[photo.id] = photo
        return {"id": photo.id, "post_id": post.id}
    if isinstance(rec, PageRec) and edge == "videos":
        _need(ctx, "CREATE_CONTENT")
        file_url = req.params.get("file_url")
        if not file_url and "source" not in req.files and not req.params.get("upload_phase"):
            raise bad_param("Missing file_url or source")
        if file_url:
            _check_url(ctx, file_url)
        published = _bool(req.params.get("published"), True)
        scheduled = _scheduled(req)
        if scheduled is not None and published:
            raise bad_param("scheduled_publish_time requires published=false")
        video = VideoRec(
            id=s.new_id(),
            page_id=rec.id,
            title=req.params.get("title"),
            description=req.params.get("description"),
            published=False,
            created_time=s.now(),
        )
        if published or scheduled is not None:
            _video_post(s, rec, video, scheduled=scheduled)
        s.objects[video.id] = video
        return {"id": video.id}
    if isinstance(rec, VideoRec) and edge == "captions":
        _need(ctx, "CREATE_CONTENT")
        for locale in _ids(req, "locales_to_delete"):
            rec.captions.pop(locale, None)
        upload = req.files.get("captions_file")
        if upload is not None:
            parts = upload.filename.rsplit(".", 2)
            if len(parts) != 3 or parts[2].lower() != "srt":
                raise bad_param("captions_file must be named <name>.<locale>.srt")
            text = upload.content.decode("utf-8", errors="replace")
            if not _srt_cue(text):
                raise bad_param("captions_file is not a valid SRT file")
            locale = parts[1]
            rec.captions[locale] = CaptionRec(
                locale=locale, content=text, is_default=False, created_time=s.now()
            )
        default = req.params.get("default_locale")
        if default:
            if default not in rec.captions:
                raise bad_param(f"default_locale {default} has no captions")
            for cap in rec.captions.values():
                cap.is_default = cap.locale == default
        if upload is None and not default and "locales_to_delete" not in req.params:
            raise bad_param("Missing captions_file")
        return {"success": True}
    if isinstance(rec, PageRec) and edge == "blocked":
        _need(ctx, "MODERATE")
        ids = _ids(req, "user", "uid", "psid", "asid")
        if not ids:
            raise bad_param("user is required")
        if any(i in rec.roles for i in ids):
            raise GraphError(200, None, "(#200) Permissions error")
        names = _names(s, rec.id)
        for i in ids:
            rec.blocked[i] = names.get(i, "")
        return dict.fromkeys(ids, True)
    if isinstance(rec, PageRec) and edge == "subscribed_apps":
        fields = _ids(req, "subscribed_fields")
        if not fields:
            raise bad_param("subscribed_fields is required")
        rec.subscribed_fields = fields
        return {"success": True}
    if isinstance(rec, PostRec | CommentRec) and edge == "comments":
        _need(ctx, "MODERATE", "CREATE_CONTENT")
        message = req.params.get("message")
        attachment = req.params.get("attachment_url") or req.params.get("attachment_share_url")
        if not message and not attachment and not req.params.get("attachment_id"):
            raise bad_param("Missing message or attachment")
        page = s.typed(rec.page_id, PageRec, live=False)
        author = (page.id, page.name) if ctx.page_token else (ctx.token.user_id or "0", "Fake User")
        c = s.add_comment(
            rec.id,
            from_id=author[0],
            from_name=author[1],
            message=message or "",
            attachment_url=attachment,
        )
        return _reply(c, req, ctx)
    if isinstance(rec, IgUserRec) and edge == "media":
        return _ig_container(rec, req, ctx)
    if isinstance(rec, IgUserRec) and edge == "media_publish":
        return _ig_publish(rec, req, ctx)
    if isinstance(rec, IgMediaRec | IgCommentRec) and edge in {"comments", "replies"}:
        if isinstance(rec, IgMediaRec) != (edge == "comments"):
            raise GraphError(100, None, f"(#100) Unknown path components: /{edge}")
        message = req.params.get("message")
        if not message:
            raise bad_param("message is required")
        owner = s.typed(rec.ig_user_id, IgUserRec, live=False)
        ig = s.add_ig_comment(rec.id, from_id=owner.id, username=owner.username, text=message)
        return {"id": ig.id}
    raise GraphError(100, None, f"(#100) Unsupported post request on /{edge}")


# Meta's Private Replies: within 7 days of the comment (Facebook and Instagram alike).
PRIVATE_REPLY_WINDOW = timedelta(days=7)


def private_reply(rec: PageRec | IgUserRec, req: Req, ctx: Ctx) -> dict[str, Any]:
    """A private reply to a commenter: `POST /{page-id|ig-user-id}/messages` with
    `recipient={"comment_id": …}` and `message={"text": …}` (spec §2 [U]). As Meta's
    Private Replies: the `pages_messaging` permission and the Page task MESSAGING, one per
    comment, to a live comment of this Page or IG account written within the last 7 days;
    kept in `store.private_replies`."""
    if "pages_messaging" not in ctx.token.scopes:
        # [S: Messenger Platform error-code list] the permission is not granted.
        raise GraphError(
            230, None, "(#230) Requires pages_messaging permission to manage the object"
        )
    _need(ctx, "MESSAGING")
    try:
        recipient = json.loads(req.params.get("recipient") or "{}")
        message = json.loads(req.params.get("message") or "{}")
    except ValueError:
        raise bad_param("recipient and message must be JSON objects") from None
    comment_id = str((recipient or {}).get("comment_id") or "")
    text = str((message or {}).get("text") or "")
    if not comment_id or not text.strip():
        raise bad_param("recipient.comment_id and message.text are required")
    s = ctx.store
    comment: CommentRec | IgCommentRec
    if isinstance(rec, PageRec):
        comment = page_comment = s.typed(comment_id, CommentRec)
        owner_ok = page_comment.page_id == rec.id
    else:
        comment = ig_comment = s.typed(comment_id, IgCommentRec)
        owner_ok = ig_comment.ig_user_id == rec.id
    if not owner_ok:
        raise bad_param(f"recipient.comment_id: {comment_id} is not on this account")
    if comment_id in s.private_replies:
        raise GraphError(10900, None, "(#10900) Activity already replied to")
    written = comment.created_time if isinstance(comment, CommentRec) else comment.timestamp
    if s.now() - written >= PRIVATE_REPLY_WINDOW:
        # [U: the code is not documented; Meta's docs only say "within 7 days"]
        raise GraphError(
            10903, None, "(#10903) This activity can't be replied to: it is older than 7 days"
        )
    message_id = f"m_{s.new_id()}"
    s.private_replies[comment_id] = {"id": message_id, "text": text, "to": comment.from_id}
    return {"recipient_id": comment.from_id, "message_id": message_id}


# An SRT timing line: `00:00:01,000 --> 00:00:04,000` (hours, minutes, seconds, milliseconds).
_SRT_TIMING = re.compile(r"^\s*\d+:\d{2}:\d{2}[,.]\d{3}\s*-->\s*\d+:\d{2}:\d{2}[,.]\d{3}")


def _srt_cue(text: str) -> bool:
    """Whether a caption file holds an SRT cue: a timing line on a line of its own (lines
    end in LF or CRLF) with text under it. What Meta refuses is [U, spec §1.8]; a file
    with no such cue (CR-only line ends, WebVTT's short times, no text) is refused."""
    lines = text.replace("\r\n", "\n").split("\n")
    return any(
        _SRT_TIMING.match(line) and nxt.strip()
        for line, nxt in zip(lines, [*lines[1:], ""], strict=True)
    )


def _video_post(s: Any, page: PageRec, video: VideoRec, *, scheduled: datetime | None) -> None:
    """The Page post of `video`, published now or on Facebook's scheduler (`scheduled`):
    made when the video is uploaded published, or when an unpublished one is published
    later (`POST /{video-id}`, `_update_video`)."""
    post = s.create_post(
        page,
        message=video.description,
        published=scheduled is None,
        scheduled=scheduled,
        status_type="added_video",
        video_id=video.id,
        check_duplicate=False,
    )
    video.published = True
    video.post_id = post.id


def _update_video(video: VideoRec, req: Req, ctx: Ctx) -> dict[str, Any]:
    """`POST /{video-id}` (codegen `AdVideo.json` #update: `description`, `name`,
    `published`, `scheduled_publish_time`). An unpublished video (uploaded with
    `published=false`, captions added to it meanwhile) is published, its Page post made,
    with `published=true`, or put on the scheduler with `published=false` and
    `scheduled_publish_time`, as the upload would have done; a scheduled one is
    published at once or moved. Unpublishing a published video is refused [U]."""
    _need(ctx, "CREATE_CONTENT")
    s = ctx.store
    p = req.params
    if not {"description", "name", "published", "scheduled_publish_time"} & set(p):
        raise bad_param("Nothing to update")
    post = s.objects.get(video.post_id or "")
    live = post if isinstance(post, PostRec) and not post.deleted else None
    if "description" in p:
        video.description = p["description"]
        if live is not None:
            live.message = p["description"]
            live.updated_time = s.now()
    if "name" in p:
        video.title = p["name"]
    published = _bool(p["published"], True) if "published" in p else None
    scheduled = _scheduled(req)
    if scheduled is not None and published is not False:
        raise bad_param("scheduled_publish_time requires published=false")
    if published is False and scheduled is None and live is not None and live.is_published:
        raise bad_param("A published video cannot be unpublished")
    if published or scheduled is not None:
        if live is None:
            _video_post(s, s.typed(video.page_id, PageRec, live=False), video, scheduled=scheduled)
        elif scheduled is not None and not live.is_published:
            s.check_schedule(scheduled)
            live.scheduled_publish_time = scheduled
        elif published and not live.is_published:
            live.scheduled_publish_time = s.now()
            s.tick()
    return {"success": True}


def _attached(req: Req) -> list[Any]:
    raw = req.params.get("attached_media")
    if raw:
        try:
            value = json.loads(raw)
        except ValueError:
            raise bad_param("attached_media must be JSON") from None
        return value if isinstance(value, list) else [value]
    indexed = sorted(
        (k for k in req.params if k.startswith("attached_media[")),
        key=lambda k: int(k[len("attached_media[") : -1] or 0),
    )
    out = []
    for key in indexed:
        try:
            out.append(json.loads(req.params[key]))
        except ValueError:
            raise bad_param(f"{key} must be JSON") from None
    return out


def _names(s: Any, page_id: str) -> dict[str, str]:
    return {
        c.from_id: c.from_name
        for c in s.objects.values()
        if isinstance(c, CommentRec) and c.page_id == page_id
    }


# ---------------------------------------------------------------------------------------
# POST /{id}  and  DELETE /{id}


def update(rec: Record, req: Req, ctx: Ctx) -> dict[str, Any]:
    s = ctx.store
    p = req.params
    if isinstance(rec, CommentRec):
        _need(ctx, "MODERATE")
        if "is_hidden" in p:
            s.set_comment_hidden(rec, _bool(p["is_hidden"], False))
        if "message" in p:
            if rec.from_id != rec.page_id:
                raise GraphError(200, None, "(#200) Only the author can edit this comment")
            s.edit_comment(rec, p["message"])
        if "is_hidden" not in p and "message" not in p:
            raise bad_param("Nothing to update")
        return {"success": True}
    if isinstance(rec, PostRec):
        _need(ctx, "CREATE_CONTENT")
        if "message" in p:
            rec.message = p["message"]
            rec.updated_time = s.now()
        if "is_hidden" in p:
            rec.is_hidden = _bool(p["is_hidden"], False)
        if "scheduled_publish_time" in p:
            when = parse_time(p["scheduled_publish_time"])
            s.check_schedule(when)
            rec.scheduled_publish_time = when
        if _bool(p.get("is_published"), False) and not rec.is_published:
            rec.scheduled_publish_time = s.now()
            s.tick()
        return {"success": True}
    if isinstance(rec, VideoRec):
        return _update_video(rec, req, ctx)
    if isinstance(rec, IgCommentRec):
        if "hide" not in p:
            raise bad_param("hide is required")
        if rec.from_id == rec.ig_user_id:
            raise bad_param("Comments by the media owner cannot be hidden")
        rec.hidden = _bool(p["hide"], False)
        return {"success": True}
    if isinstance(rec, IgMediaRec):
        if "comment_enabled" not in p:
            raise bad_param("comment_enabled is required")
        rec.comment_enabled = _bool(p["comment_enabled"], True)
        return {"success": True}
    raise GraphError(100, None, "(#100) Unsupported post request")


def delete(rec: Record, edge: str | None, req: Req, ctx: Ctx) -> dict[str, Any]:
    s = ctx.store
    if edge is None and isinstance(rec, CommentRec):
        _need(ctx, "MODERATE")
        s.delete_comment(rec)
        return {"success": True}
    if edge is None and isinstance(rec, PostRec):
        _need(ctx, "CREATE_CONTENT")
        s.delete_post(rec)
        return {"success": True}
    if edge is None and isinstance(rec, VideoRec):
        # The video goes, and its Page post with it (codegen `AdVideo.json` #delete).
        _need(ctx, "CREATE_CONTENT")
        rec.deleted = True
        post = s.objects.get(rec.post_id or "")
        if isinstance(post, PostRec) and not post.deleted:
            s.delete_post(post)
        return {"success": True}
    if edge is None and isinstance(rec, IgCommentRec):
        rec.deleted = True
        for reply in s.ig_comments_of(rec.media_id, rec.id):
            reply.deleted = True
        return {"success": True}
    if isinstance(rec, PageRec) and edge == "blocked":
        _need(ctx, "MODERATE")
        ids = _ids(req, "user", "uid", "psid", "asid")
        if len(ids) != 1:
            raise bad_param("Exactly one of user, uid, psid, asid is required")
        if ids[0] not in rec.blocked:
            raise not_found(ids[0])  # §1.7: 100/33 when the id is not on the list
        del rec.blocked[ids[0]]
        return {"success": True}
    if isinstance(rec, PageRec) and edge == "subscribed_apps":
        rec.subscribed_fields = []
        return {"success": True, "messaging_success": True}
    raise GraphError(100, None, "(#100) Unsupported delete request")


# ---------------------------------------------------------------------------------------
# Instagram containers


def _ig_container(ig: IgUserRec, req: Req, ctx: Ctx) -> dict[str, Any]:
    s = ctx.store
    p = req.params
    media_type = (p.get("media_type") or ("CAROUSEL" if p.get("children") else "IMAGE")).upper()
    carousel_item = _bool(p.get("is_carousel_item"), False)
    if media_type == "VIDEO" and not carousel_item:
        raise bad_param("media_type VIDEO is deprecated for feed videos; use REELS")
    if media_type not in {"IMAGE", "REELS", "STORIES", "CAROUSEL", "VIDEO"}:
        raise bad_param(f"Unsupported media_type {media_type}")
    if p.get("alt_text") and media_type != "IMAGE":
        raise bad_param("alt_text is only supported for images")
    container = IgContainerRec(
        id="178" + s.new_id() + "22",
        ig_user_id=ig.id,
        media_type=media_type,
        created=s.now(),
        caption=p.get("caption"),
        image_url=p.get("image_url"),
        video_url=p.get("video_url"),
        alt_text=p.get("alt_text"),
        is_carousel_item=carousel_item,
        polls_left=s.settings.container_polls,
    )
    if media_type == "CAROUSEL":
        kids = _ids(req, "children")
        if not 2 <= len(kids) <= 10:
            raise bad_param("A carousel needs 2 to 10 children")
        for kid in kids:
            child = s.objects.get(kid)
            if not isinstance(child, IgContainerRec) or not child.is_carousel_item:
                raise bad_param(f"children: {kid} is not a carousel item container")
        container.children = kids
    elif media_type == "IMAGE" and not container.image_url:
        raise bad_param("image_url is required")
    elif media_type in {"REELS", "STORIES", "VIDEO"} and not (
        container.video_url or container.image_url
    ):
        raise bad_param("video_url is required")
    url = container.image_url or container.video_url
    # Meta fetches the media itself (with cURL): an unreachable URL fails processing.
    if url and (urlsplit(url).hostname or "") in s.settings.unreachable_hosts:
        container.outcome = "ERROR"
    if s.settings.next_container_outcome:
        container.outcome = s.settings.next_container_outcome
        s.settings.next_container_outcome = None
    s.objects[container.id] = container
    return {"id": container.id}


def _ig_publish(ig: IgUserRec, req: Req, ctx: Ctx) -> dict[str, Any]:
    s = ctx.store
    container = s.objects.get(req.params.get("creation_id", ""))
    if not isinstance(container, IgContainerRec) or container.ig_user_id != ig.id:
        raise bad_param("creation_id is not a container of this account")
    status = (
        "PUBLISHED"
        if container.published_media_id
        else (
            "EXPIRED"
            if (s.now() - container.created).total_seconds() > 86400
            else ("IN_PROGRESS" if container.polls_left > 0 else container.outcome)
        )
    )
    if status != "FINISHED":
        # [U] Meta answers 9007/2207027 "Media ID is not available" for unfinished media.
        raise GraphError(9007, 2207027, f"(#9007) The media is not ready for publishing ({status})")
    if s.quota_usage(ig) >= ig.quota_total:
        raise GraphError(9, 2207042, "(#9) Application request limit reached: publishing limit")
    children = []
    for kid in container.children:
        child = s.typed(kid, IgContainerRec, live=False)
        m = s.add_ig_media(
            ig.id,
            caption="",
            media_url=child.image_url or child.video_url,
            alt_text=child.alt_text,
            media_type="VIDEO" if child.video_url else "IMAGE",
        )
        children.append(m.id)
    media_type = {
        "IMAGE": "IMAGE",
        "REELS": "VIDEO",
        "VIDEO": "VIDEO",
        "STORIES": "IMAGE",
        "CAROUSEL": "CAROUSEL_ALBUM",
    }[container.media_type]
    media = s.add_ig_media(
        ig.id,
        caption=container.caption or "",
        media_type=media_type,
        media_url=container.image_url or container.video_url,
        alt_text=container.alt_text,
        children=children,
        product={"REELS": "REELS", "STORIES": "STORY"}.get(container.media_type, "FEED"),
    )
    container.published_media_id = media.id
    ig.published_at.append(s.now())
    return {"id": media.id}
