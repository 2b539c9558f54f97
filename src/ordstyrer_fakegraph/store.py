"""The stand-in's in-memory world (spec §7.2): pages, posts, comments, media, IG, tokens.

All mutation goes through `Store` methods under one lock, so the threaded server stays
consistent. Mutations that Meta would announce by webhook call `self.emit(...)`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from ordstyrer_fakegraph.clock import FakeClock
from ordstyrer_fakegraph.errors import GraphError, Injection, Malformation, bad_param, not_found
from ordstyrer_fakegraph.records import (  # noqa: F401 — re-exported for callers
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
    Settings,
    Token,
    VideoRec,
)

R = TypeVar("R")


class Store:
    def __init__(self, clock: FakeClock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or FakeClock()
        self.settings = Settings()
        self.tokens: dict[str, Token] = {}
        self.objects: dict[str, Record] = {}
        self.injections: list[Injection] = []
        self.malformations: list[Malformation] = []
        self._ids = itertools.count(100_000_001)
        self.emit: Callable[[str, str, str, dict[str, Any]], None] = lambda *a: None
        self.requests: list[tuple[str, str]] = []  # (method, path) log for tests
        self.login_codes: dict[str, tuple[str, str]] = {}  # code → (user token, redirect_uri)
        self.private_replies: dict[str, dict[str, Any]] = {}  # comment id → message (MO-4)

    # -- ids and lookup ----------------------------------------------------------------

    def new_id(self) -> str:
        return str(next(self._ids))

    def now(self) -> datetime:
        return self.clock.now()

    def get(self, object_id: str) -> Record:
        rec = self.objects.get(object_id)
        if rec is None or getattr(rec, "deleted", False):
            raise not_found(object_id)
        return rec

    def typed(self, object_id: str, cls: type[R], *, live: bool = True) -> R:
        """The record of the expected type, or Graph's 100/33 (also for deleted ones if `live`)."""
        rec = self.objects.get(object_id)
        if not isinstance(rec, cls) or (live and getattr(rec, "deleted", False)):
            raise not_found(object_id)
        return rec

    def owner_page(self, rec: Record) -> str:
        if isinstance(rec, PageRec):
            return rec.id
        if isinstance(rec, IgUserRec | IgMediaRec | IgCommentRec | IgContainerRec):
            user = self.typed(
                rec.id if isinstance(rec, IgUserRec) else rec.ig_user_id, IgUserRec, live=False
            )
            return user.page_id
        return rec.page_id

    # -- setup ------------------------------------------------------------------------------

    def add_page(
        self,
        name: str,
        *,
        page_id: str | None = None,
        token: str | None = None,
        tasks: set[str] | None = None,
        scopes: Iterable[str] | None = None,
        with_instagram: bool = True,
        ig_username: str | None = None,
    ) -> PageRec:
        with self.lock:
            pid = page_id or self.new_id()
            value = token or f"EAAfakePage{pid}"
            page = PageRec(id=pid, name=name, token=value)
            self.objects[pid] = page
            tok = Token(value=value, kind="page", pages={pid})
            if tasks is not None:
                tok.tasks = set(tasks)
            if scopes is not None:
                tok.scopes = tuple(scopes)
            self.tokens[value] = tok
            if with_instagram:
                ig = IgUserRec(
                    id="1784" + self.new_id(),
                    page_id=pid,
                    username=ig_username or name.lower().replace(" ", "_"),
                    name=name,
                )
                self.objects[ig.id] = ig
                page.ig_user_id = ig.id
            return page

    def add_user_token(
        self,
        value: str,
        pages: set[str],
        *,
        tasks: set[str] | None = None,
        scopes: Iterable[str] | None = None,
    ) -> Token:
        with self.lock:
            tok = Token(value=value, kind="user", pages=set(pages), user_id=self.new_id())
            if tasks is not None:
                tok.tasks = set(tasks)
            if scopes is not None:
                tok.scopes = tuple(scopes)
            self.tokens[value] = tok
            return tok

    # -- Facebook Login (the dialog and its code grant) ---------------------------------

    def add_login_code(self, code: str, user_token: str, redirect_uri: str) -> None:
        """A code the dialog would hand out: exchangeable once, for `user_token`, with
        exactly this `redirect_uri`."""
        with self.lock:
            self.login_codes[code] = (user_token, redirect_uri)

    def use_login_code(self, code: str, redirect_uri: str) -> str:
        """The user token behind a login code; single use, like Meta's [U]."""
        with self.lock:
            found = self.login_codes.pop(code, None)
        if found is None:
            raise GraphError(100, 36009, "This authorization code has been used.")
        if found[1] != redirect_uri:
            raise GraphError(
                100,
                36008,
                "Error validating verification code. Please make sure your redirect_uri "
                "is identical to the one you used in the OAuth dialog request",
            )
        return found[0]

    def dialog_login(self, *, client_id: str, redirect_uri: str, state: str) -> dict[str, str]:
        """What the login dialog sends back to `redirect_uri` once the person has
        answered: `code` and `state`, or `error=access_denied` (and `state`)."""
        if client_id != self.settings.app_id:
            raise GraphError(101, None, "Error validating application. Invalid application ID.")
        if not redirect_uri.startswith(("http://", "https://")):
            raise bad_param("Invalid redirect_uri: it must be an absolute URL")
        if self.settings.login_outcome == "denied":
            return {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
                "state": state,
            }
        with self.lock:
            user = self.settings.login_user_token
            if not user or user not in self.tokens:
                user = user or "EAAdialogUser" + self.new_id()
                pages = {k for k, rec in self.objects.items() if isinstance(rec, PageRec)}
                self.add_user_token(user, pages)
                self.settings.login_user_token = user
            code = "fakecode" + self.new_id()
            self.add_login_code(code, user, redirect_uri)
        return {"code": code, "state": state}

    def expire_page_token(self, page_id: str, subcode: int = 463) -> None:
        with self.lock:
            page = self.typed(page_id, PageRec)
            self.tokens[page.token].expired_subcode = subcode
            self.tokens[page.token].expired_at = self.now()

    # -- time-driven changes ------------------------------------------------------------

    def tick(self) -> None:
        """Publish due scheduled posts (the scheduled-posts clock, §7.2)."""
        now = self.now()
        with self.lock:
            for rec in list(self.objects.values()):
                if (
                    isinstance(rec, PostRec)
                    and not rec.deleted
                    and not rec.is_published
                    and rec.scheduled_publish_time is not None
                    and rec.scheduled_publish_time <= now
                ):
                    rec.is_published = True
                    rec.created_time = rec.scheduled_publish_time
                    rec.updated_time = rec.scheduled_publish_time
                    rec.scheduled_publish_time = None
                    self._emit_post(rec, "add")

    # -- Facebook content -------------------------------------------------------------------

    def _emit_post(self, post: PostRec, verb: str) -> None:
        page = self.typed(post.page_id, PageRec, live=False)
        visitor = post.from_id is not None
        value: dict[str, Any] = {
            "item": "status" if verb != "remove" and not visitor else "post",
            "verb": verb,
            "post_id": post.id,
            "from": {"id": post.from_id, "name": post.from_name}
            if visitor
            else {"id": page.id, "name": page.name},
            "created_time": int(post.created_time.timestamp()),
        }
        if verb == "add":
            value["published"] = 1 if post.is_published else 0
            if post.message:
                value["message"] = post.message
        else:
            value["recipient_id"] = page.id
        self.emit("page", page.id, "feed", value)

    def add_visitor_post(
        self, page_id: str, *, from_id: str, from_name: str, message: str
    ) -> PostRec:
        """Someone else writes on the Page (in its /feed; a `feed` webhook, item `post`) [U]."""
        with self.lock:
            page = self.typed(page_id, PageRec)
            now = self.now()
            post = PostRec(
                id=f"{page.id}_{self.new_id()}",
                page_id=page.id,
                message=message,
                created_time=now,
                updated_time=now,
                from_id=from_id,
                from_name=from_name,
            )
            self.objects[post.id] = post
            self._emit_post(post, "add")
            return post

    def add_message(self, page_id: str, *, sender_id: str, text: str) -> str:
        """A Messenger message to the Page: only a webhook (`messaging`), no Graph object
        here. Returns its `mid`."""
        with self.lock:
            page = self.typed(page_id, PageRec)
            mid = f"m_{self.new_id()}"
            millis = int(self.now().timestamp() * 1000)
            self.emit(
                "page",
                page.id,
                "messaging",
                {
                    "sender": {"id": sender_id},
                    "recipient": {"id": page.id},
                    "timestamp": millis,
                    "message": {"mid": mid, "text": text},
                },
            )
            return mid

    def check_schedule(self, when: datetime) -> None:
        delta = when - self.now()
        if delta < self.settings.schedule_min or delta > self.settings.schedule_max:
            raise bad_param(
                "The specified scheduled publish time is invalid. It must be between "
                f"{int(self.settings.schedule_min.total_seconds() // 60)} minutes and "
                f"{self.settings.schedule_max.days} days from the time of the request."
            )

    def create_post(
        self,
        page: PageRec,
        *,
        message: str | None,
        link: str | None = None,
        published: bool = True,
        scheduled: datetime | None = None,
        attached_media: list[str] | None = None,
        status_type: str = "mobile_status_update",
        video_id: str | None = None,
        check_duplicate: bool = True,
    ) -> PostRec:
        with self.lock:
            if check_duplicate and message and message == page.last_message:
                raise GraphError(506)
            if scheduled is not None:
                self.check_schedule(scheduled)
            now = self.now()
            post = PostRec(
                id=f"{page.id}_{self.new_id()}",
                page_id=page.id,
                message=message,
                created_time=now,
                updated_time=now,
                link=link,
                is_published=published and scheduled is None,
                scheduled_publish_time=scheduled,
                attached_media=list(attached_media or []),
                status_type=status_type,
                video_id=video_id,
            )
            self.objects[post.id] = post
            if message:
                page.last_message = message
            if post.is_published:
                self._emit_post(post, "add")
            return post

    def comments_of(self, post_id: str) -> list[CommentRec]:
        return sorted(
            (
                c
                for c in self.objects.values()
                if isinstance(c, CommentRec) and c.post_id == post_id and not c.deleted
            ),
            key=lambda c: (c.created_time, int(c.id.split("_")[1])),
        )

    def replies_of(self, comment_id: str) -> list[CommentRec]:
        return [
            c
            for c in self.objects.values()
            if isinstance(c, CommentRec) and c.parent_id == comment_id and not c.deleted
        ]

    def _comment_value(self, c: CommentRec, verb: str) -> dict[str, Any]:
        value: dict[str, Any] = {
            "item": "comment",
            "verb": verb,
            "comment_id": c.id,
            "post_id": c.post_id,
            "parent_id": c.parent_id or c.post_id,
            "from": {"id": c.from_id, "name": c.from_name},
            "created_time": int(c.created_time.timestamp()),
        }
        if verb != "remove":
            value["message"] = c.message
        else:
            value["from"] = {"id": c.from_id}
        if verb in {"add", "hide", "unhide"}:
            post = self.typed(c.post_id, PostRec, live=False)
            value["post"] = {
                "id": post.id,
                "status_type": post.status_type,
                "is_published": post.is_published,
                "updated_time": post.updated_time.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink_url": f"https://www.facebook.com/{post.page_id}/posts/{post.fbid}/",
                "promotion_status": "inactive",
            }
        if c.attachment_url:
            value["photo"] = c.attachment_url
        return value

    def add_comment(
        self,
        target_id: str,
        *,
        from_id: str,
        from_name: str,
        message: str,
        attachment_url: str | None = None,
        created: datetime | None = None,
    ) -> CommentRec:
        """A comment on a post, or a reply when `target_id` is a comment."""
        with self.lock:
            target = self.get(target_id)
            if isinstance(target, PostRec):
                post, parent = target, None
            elif isinstance(target, CommentRec):
                post = self.typed(target.post_id, PostRec)
                parent = target.id
            else:
                raise bad_param("Comments can only be added to posts and comments here")
            if not post.is_published:
                raise GraphError(200, None, "(#200) Cannot comment on an unpublished post")
            page = self.typed(post.page_id, PageRec, live=False)
            if from_id in page.blocked:
                raise GraphError(200, None, "(#200) The user is blocked from this Page")
            c = CommentRec(
                id=f"{post.fbid}_{self.new_id()}",
                page_id=post.page_id,
                post_id=post.id,
                parent_id=parent,
                from_id=from_id,
                from_name=from_name,
                message=message,
                created_time=created or self.now(),
                attachment_url=attachment_url,
            )
            self.objects[c.id] = c
            self.emit("page", post.page_id, "feed", self._comment_value(c, "add"))
            return c

    def set_comment_hidden(self, c: CommentRec, hidden: bool) -> None:
        with self.lock:
            if c.from_id == c.page_id:
                raise bad_param("This comment cannot be hidden: the Page wrote it (can_hide=false)")
            if c.is_hidden != hidden:
                c.is_hidden = hidden
                self.emit(
                    "page",
                    c.page_id,
                    "feed",
                    self._comment_value(c, "hide" if hidden else "unhide"),
                )

    def edit_comment(self, c: CommentRec, message: str) -> None:
        with self.lock:
            c.message = message
            c.edited = True
            self.emit("page", c.page_id, "feed", self._comment_value(c, "edited"))

    def delete_comment(self, c: CommentRec) -> None:
        with self.lock:
            for reply in self.replies_of(c.id):
                reply.deleted = True
            c.deleted = True
            self.emit("page", c.page_id, "feed", self._comment_value(c, "remove"))

    def delete_post(self, post: PostRec) -> None:
        with self.lock:
            was_published = post.is_published
            post.deleted = True
            for c in self.comments_of(post.id):
                c.deleted = True
            if was_published:
                self._emit_post(post, "remove")

    # -- Instagram -----------------------------------------------------------------------

    def ig_comments_of(self, media_id: str, parent: str | None = None) -> list[IgCommentRec]:
        return sorted(
            (
                c
                for c in self.objects.values()
                if isinstance(c, IgCommentRec)
                and c.media_id == media_id
                and c.parent_id == parent
                and not c.deleted
            ),
            key=lambda c: (c.timestamp, c.id),
        )

    def add_ig_comment(
        self,
        target_id: str,
        *,
        from_id: str,
        username: str,
        text: str,
        created: datetime | None = None,
    ) -> IgCommentRec:
        with self.lock:
            target = self.get(target_id)
            if isinstance(target, IgMediaRec):
                media, parent = target, None
            elif isinstance(target, IgCommentRec):
                if target.hidden:
                    raise bad_param("Cannot reply to a hidden comment")
                media = self.typed(target.media_id, IgMediaRec)
                # Replies exist one level deep: a reply to a reply joins the top comment.
                parent = target.parent_id or target.id
            else:
                raise bad_param("Comments can only be added to media and comments")
            if not media.comment_enabled:
                raise bad_param("Comments are disabled for this media")
            c = IgCommentRec(
                id="179" + self.new_id() + "00",
                ig_user_id=media.ig_user_id,
                media_id=media.id,
                parent_id=parent,
                from_id=from_id,
                username=username,
                text=text,
                timestamp=created or self.now(),
            )
            self.objects[c.id] = c
            value: dict[str, Any] = {
                "id": c.id,
                "text": text,
                "from": {"id": from_id, "username": username},
                "media": {"id": media.id, "media_product_type": media.media_product_type},
            }
            if parent:
                value["parent_id"] = parent
            self.emit("instagram", media.ig_user_id, "comments", value)
            return c

    def add_ig_media(
        self,
        ig_user_id: str,
        *,
        caption: str,
        media_type: str = "IMAGE",
        media_url: str | None = None,
        alt_text: str | None = None,
        children: list[str] | None = None,
        product: str = "FEED",
    ) -> IgMediaRec:
        with self.lock:
            media = IgMediaRec(
                id="179" + self.new_id() + "11",
                ig_user_id=ig_user_id,
                caption=caption,
                timestamp=self.now(),
                media_type=media_type,
                media_product_type=product,
                media_url=media_url,
                alt_text=alt_text,
                children=list(children or []),
            )
            self.objects[media.id] = media
            return media

    def container_status(self, container: IgContainerRec) -> str:
        if container.published_media_id:
            return "PUBLISHED"
        if self.now() - container.created > timedelta(hours=24):
            return "EXPIRED"
        if container.polls_left > 0:
            container.polls_left -= 1
            return "IN_PROGRESS"
        return container.outcome

    def quota_usage(self, ig: IgUserRec) -> int:
        cutoff = self.now() - timedelta(hours=24)
        return sum(1 for t in ig.published_at if t > cutoff)
