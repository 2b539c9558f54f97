"""`fields` projection and edges: lists with cursor paging, comments, attachments (§7.3-5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ordstyrer_fakegraph.errors import GraphError, bad_param
from ordstyrer_fakegraph.fields import FieldReq, format_fields
from ordstyrer_fakegraph.insights import insights
from ordstyrer_fakegraph.nodes import Ctx, describe, fmt, parse_time
from ordstyrer_fakegraph.paging import paginate
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
    VideoRec,
)


def project(rec: Record, reqs: list[FieldReq] | None, ctx: Ctx) -> dict[str, Any]:
    view = describe(rec, ctx)
    if reqs is None:
        reqs = [FieldReq(name) for name in view.default]
    out: dict[str, Any] = {}
    for req in reqs:
        if "as" in req.modifiers:  # `reactions.type(LIKE).as(like)`: an alias
            modifiers = {k: v for k, v in req.modifiers.items() if k != "as"}
            value = project(rec, [FieldReq(req.name, modifiers, req.children)], ctx)
            if req.name in value:
                out[req.modifiers["as"]] = value[req.name]
            continue
        if req.name in view.edges:
            out[req.name] = edge(rec, req.name, dict(req.modifiers), req.children, ctx)
        elif isinstance(rec, IgContainerRec) and req.name in {"status_code", "status"}:
            code = (
                ctx.store.container_status(rec) if "status_code" not in out else out["status_code"]
            )
            out["status_code"] = code
            if req.name == "status":
                out["status"] = {
                    "IN_PROGRESS": "In Progress: Media is still being processed.",
                    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
                    "PUBLISHED": "Published: Media has been published.",
                    "ERROR": "Error: Media upload has failed with error code 2207026",
                    "EXPIRED": "Expired: Media was not published within 24 hours.",
                }[code]
        elif req.name in view.fields:
            value = view.fields[req.name]
            if value is not None:
                out[req.name] = _render(value, req.children, ctx)
        elif req.name not in view.known:
            raise GraphError(
                100,
                None,
                f"(#100) Tried accessing nonexisting field ({req.name}) on node type ({view.type_name})",
            )
    if view.fields.get("id") is not None:
        out.setdefault("id", view.fields["id"])
    return out


def _render(value: Any, children: list[FieldReq] | None, ctx: Ctx) -> Any:
    if isinstance(
        value,
        PageRec
        | PostRec
        | CommentRec
        | PhotoRec
        | VideoRec
        | IgUserRec
        | IgMediaRec
        | IgCommentRec,
    ):
        return project(value, children, ctx)
    if isinstance(value, dict) and children is not None:
        return {
            c.name: _render(value[c.name], c.children, ctx) for c in children if c.name in value
        }
    return value


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() not in {"false", "0", ""}


def listing(
    items: Sequence[Record],
    params: dict[str, str],
    children: list[FieldReq] | None,
    ctx: Ctx,
    path: str,
    *,
    error_above: int | None = None,
) -> dict[str, Any]:
    url = f"{ctx.base}/{ctx.version}/{path}"
    if children is not None and "fields" not in params:
        params = {**params, "fields": format_fields(children)}
    url_params = {**params, "access_token": ctx.token.value}

    def take_empty() -> bool:
        if ctx.store.settings.empty_pages > 0:
            ctx.store.settings.empty_pages -= 1
            return True
        return False

    chunk, paging = paginate(
        items,
        url_params,
        key=lambda r: r.id,
        url=url,
        error_above=error_above,
        take_empty_page=take_empty,
    )
    result: dict[str, Any] = {"data": [project(r, children, ctx) for r in chunk]}
    if paging is not None:
        result["paging"] = paging
    return result


def edge(
    rec: Record, name: str, params: dict[str, str], children: list[FieldReq] | None, ctx: Ctx
) -> dict[str, Any]:
    s = ctx.store
    path = f"{rec.id}/{name}"
    if isinstance(rec, PageRec) and name in {"feed", "published_posts", "posts", "scheduled_posts"}:
        scheduled = name == "scheduled_posts"
        posts = [
            p
            for p in s.objects.values()
            if isinstance(p, PostRec)
            and p.page_id == rec.id
            and not p.deleted
            and (p.is_published != scheduled)
            and (not scheduled or p.scheduled_publish_time is not None)
            # Visitors' posts are in the Page's /feed only.
            and (p.from_id is None or name == "feed")
        ]
        if "since" in params:
            posts = [p for p in posts if p.created_time >= parse_time(params["since"])]
        if "until" in params:
            posts = [p for p in posts if p.created_time <= parse_time(params["until"])]
        posts.sort(key=lambda p: (p.created_time, int(p.fbid)), reverse=True)
        # Only /feed answers an error above its maximum; the others clamp (§1.2).
        limit_max = s.settings.feed_limit_max if name == "feed" else None
        return listing(posts, params, children, ctx, path, error_above=limit_max)
    if isinstance(rec, PageRec) and name == "blocked":
        people = [{"id": k, "name": v} for k, v in rec.blocked.items()]
        wanted = params.get("user") or params.get("uid")
        if wanted:
            people = [p for p in people if p["id"] == wanted]
        return {"data": people}
    if isinstance(rec, PageRec) and name == "subscribed_apps":
        if not rec.subscribed_fields:
            return {"data": []}
        return {
            "data": [
                {
                    "category": "Business",
                    "link": "https://ordstyrer.example",
                    "name": "Ordstyrer",
                    "id": s.settings.app_id,
                    "subscribed_fields": rec.subscribed_fields,
                }
            ]
        }
    if isinstance(rec, PageRec) and name in {"photos", "videos"}:
        kind = PhotoRec if name == "photos" else VideoRec
        items = sorted(
            (
                o
                for o in s.objects.values()
                if isinstance(o, kind) and o.page_id == rec.id and not getattr(o, "deleted", False)
            ),
            key=lambda o: o.created_time,
            reverse=True,
        )
        return listing(list(items), params, children, ctx, path)
    if isinstance(rec, PostRec | CommentRec) and name == "comments":
        return _comments_edge(rec, params, children, ctx, path)
    if isinstance(rec, PostRec) and name == "attachments":
        return {"data": _attachments(rec, s)}
    if isinstance(rec, PostRec) and name in {"sharedposts", "sponsor_tags", "to", "dynamic_posts"}:
        return {"data": []}  # nobody shares or tags the demo posts: empty, as Meta answers
    if name in {"reactions", "likes"}:
        return (
            {"data": [], "summary": {"total_count": 0}}
            if _truthy(params.get("summary"))
            else {"data": []}
        )
    if name == "insights":
        return insights(rec, params, ctx)
    if isinstance(rec, VideoRec) and name == "captions":
        return {
            "data": [
                {"locale": c.locale, "is_default": c.is_default, "create_time": fmt(c.created_time)}
                for c in rec.captions.values()
            ]
        }
    if isinstance(rec, IgUserRec) and name == "media":
        child_ids = {
            cid for m in s.objects.values() if isinstance(m, IgMediaRec) for cid in m.children
        }
        media = [
            m
            for m in s.objects.values()
            if isinstance(m, IgMediaRec)
            and m.ig_user_id == rec.id
            and not m.deleted
            and m.id not in child_ids
        ]
        if "since" in params:
            media = [m for m in media if m.timestamp >= parse_time(params["since"])]
        if "until" in params:
            media = [m for m in media if m.timestamp <= parse_time(params["until"])]
        media.sort(key=lambda m: (m.timestamp, m.id), reverse=True)
        return listing(list(media), params, children, ctx, path)
    if isinstance(rec, IgUserRec) and name == "content_publishing_limit":
        return {
            "data": [
                {
                    "quota_usage": s.quota_usage(rec),
                    "config": {"quota_total": rec.quota_total, "quota_duration": 86400},
                }
            ]
        }
    if isinstance(rec, IgMediaRec) and name == "comments":
        return listing(list(s.ig_comments_of(rec.id)), params, children, ctx, path)
    if isinstance(rec, IgMediaRec) and name == "children":
        kids = [s.objects[c] for c in rec.children if c in s.objects]
        return {"data": [project(k, children, ctx) for k in kids]}
    if isinstance(rec, IgCommentRec) and name == "replies":
        if rec.parent_id is not None:
            return {"data": []}
        return listing(list(s.ig_comments_of(rec.media_id, rec.id)), params, children, ctx, path)
    raise GraphError(100, None, f"(#100) Unknown path components: /{name}")


def _comments_edge(
    rec: PostRec | CommentRec,
    params: dict[str, str],
    children: list[FieldReq] | None,
    ctx: Ctx,
    path: str,
) -> dict[str, Any]:
    s = ctx.store
    flt = params.get("filter", "toplevel")
    if flt not in {"toplevel", "stream"}:
        raise bad_param("filter must be one of toplevel, stream")
    order = params.get("order", "chronological")
    if order not in {"chronological", "reverse_chronological", "ranked"}:
        raise bad_param("order must be one of chronological, reverse_chronological")
    if isinstance(rec, PostRec):
        items = s.comments_of(rec.id)
        if flt == "toplevel":
            items = [c for c in items if c.parent_id is None]
    elif flt == "stream":  # a comment's `stream`: every level below it, each with `parent`
        items = sorted(_below(s, rec.id), key=lambda c: (c.created_time, c.id))
    else:
        items = sorted(s.replies_of(rec.id), key=lambda c: (c.created_time, c.id))
    if "since" in params:
        since = parse_time(params["since"])
        items = [c for c in items if c.created_time >= since]
    if order == "reverse_chronological":
        items = list(reversed(items))
    if children is None and flt == "stream":
        children = [FieldReq(n) for n in ("created_time", "from", "message", "id", "parent")]
    result = listing(list(items), params, children, ctx, path)
    if _truthy(params.get("summary")):
        result["summary"] = {
            "order": order if order != "ranked" else "ranked",
            "total_count": len(items),
            "can_comment": True,
        }
    return result


def _below(s: Store, comment_id: str) -> list[CommentRec]:
    """The live replies under a comment, at every level (one pass over the store)."""
    children: dict[str, list[CommentRec]] = {}
    for c in s.objects.values():
        if isinstance(c, CommentRec) and c.parent_id is not None and not c.deleted:
            children.setdefault(c.parent_id, []).append(c)
    found: list[CommentRec] = []
    parents = [comment_id]
    while parents:
        replies = children.get(parents.pop(), [])
        found.extend(replies)
        parents.extend(r.id for r in replies)
    return found


def _attachments(post: PostRec, s: Store) -> list[dict[str, Any]]:
    photos = [s.objects[p] for p in post.attached_media if p in s.objects]

    def photo_att(p: PhotoRec) -> dict[str, Any]:
        return {
            "media_type": "photo",
            "type": "photo",
            "description": p.alt_text_custom,
            "media": {"image": {"src": p.url, "width": 1080, "height": 720}},
            "target": {"id": p.id, "url": f"https://www.facebook.com/photo/?fbid={p.id}"},
        }

    if len(photos) == 1 and isinstance(photos[0], PhotoRec):
        return [photo_att(photos[0])]
    if len(photos) > 1:
        return [
            {
                "media_type": "album",
                "type": "album",
                "subattachments": {
                    "data": [photo_att(p) for p in photos if isinstance(p, PhotoRec)]
                },
            }
        ]
    if post.video_id:
        return [{"media_type": "video", "type": "video_inline", "target": {"id": post.video_id}}]
    if post.link:
        return [{"media_type": "link", "type": "share", "url": post.link, "title": post.link}]
    return []
