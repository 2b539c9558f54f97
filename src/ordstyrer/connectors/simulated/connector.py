"""The simulated platform as a connector with every capability (the demo's channel kind).

It behaves like a Facebook Page — same rules for hiding (not the page's own comments),
deleting (gone afterwards), the scheduling window, duplicate posts and alt text — so the
product's flows work the same on it. Settings for `from_config`:

* `seed` (default 1) and `now` (a callable returning an aware datetime; default the
  wall clock) — together they make the stream reproducible;
* `state` — what `to_state()` returned last time (the Django side persists it);
* `page_name`, `page_id` (or `channel_id`; default `sim-page`), `history_days` (default
  14), `comments_per_day` (default 40).

The Django side polls `events_since(seq)` for the same `ChangeEvent`s the Graph webhooks
produce, and can make the next call of an operation fail with `fail_next(...)` to show
how errors are handled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ordstyrer.connectors.base import (
    Author,
    CallRecorder,
    Capability,
    ChangeEvent,
    Comment,
    ConnectorError,
    Draft,
    ErrorCode,
    InsightSeries,
    InsightValue,
    Listing,
    Media,
    Post,
    recorded,
)
from ordstyrer.connectors.simulated.platform import SimulatedPlatform, epoch

SCHEDULE_MIN = timedelta(minutes=10)
SCHEDULE_MAX = timedelta(days=30)
METRICS = {
    "page_post_engagements",
    "page_follows",
    "page_media_view",
    "post_reactions_by_type_total",
    "post_clicks",
    "post_total_media_view_unique",
}


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _error(text: str, code: ErrorCode, *, permanent: bool = True) -> ConnectorError:
    return ConnectorError(text, permanent=permanent, code=code)


class SimulatedConnector:
    kind = "simulated"
    capabilities = frozenset(Capability)

    def __init__(
        self,
        platform: SimulatedPlatform,
        *,
        now: Callable[[], datetime] = _wall_clock,
        recorder: CallRecorder | None = None,
    ) -> None:
        self.platform = platform
        self._now = now
        self.recorder = recorder

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, recorder: CallRecorder | None = None
    ) -> SimulatedConnector:
        now = config.get("now") or _wall_clock
        state = config.get("state")
        if state:
            platform = SimulatedPlatform.from_state(state)
        else:
            platform = SimulatedPlatform.create(
                seed=int(config.get("seed", 1)),
                now=now(),
                page_name=str(config.get("page_name", "Eksempel kommune")),
                page_id=str(config.get("page_id") or config.get("channel_id") or "sim-page"),
                history_days=int(config.get("history_days", 14)),
                comments_per_day=float(config.get("comments_per_day", 40.0)),
            )
        return cls(platform, now=now, recorder=recorder)

    def __repr__(self) -> str:
        return f"SimulatedConnector(page_id={self.platform.page_id!r})"

    def to_state(self) -> dict[str, Any]:
        return self.platform.to_state()

    # -- plumbing ---------------------------------------------------------------------

    def _sync(self, operation: str) -> int:
        now = self._now()
        self.platform.advance(now)
        failures = self.platform.state["failures"]
        for i, failure in enumerate(failures):
            if failure["operation"] in (operation, "*"):
                del failures[i]
                raise ConnectorError(
                    failure["message"],
                    permanent=failure["permanent"],
                    retry_after=failure["retry_after"],
                    code=failure["code"],
                )
        return int(now.timestamp())

    def fail_next(
        self,
        operation: str = "*",
        *,
        code: ErrorCode = ErrorCode.TRANSIENT,
        permanent: bool = False,
        retry_after: float | None = None,
        message: str = "Simulert feil fra plattformen.",
    ) -> None:
        """Make the next call of `operation` (a method name, or `*`) fail once."""
        self.platform.state["failures"].append(
            {
                "operation": operation,
                "code": str(code),
                "permanent": permanent,
                "retry_after": retry_after,
                "message": message,
            }
        )

    def _post(self, p: dict[str, Any]) -> Post:
        count = sum(
            1
            for c in self.platform.state["comments"].values()
            if c["post_id"] == p["id"] and not c["removed"]
        )
        return Post(
            id=p["id"],
            text=p["text"],
            created_at=epoch(p["created"]),
            permalink=f"https://simulert.example/{self.platform.page_id}/{p['id']}",
            author=Author(id=self.platform.page_id, name=self.platform.page_name),
            is_published=p["published"],
            scheduled_at=epoch(p["scheduled"]) if not p["published"] else None,
            media=tuple(
                Media(
                    kind=m["kind"],
                    url=m.get("url"),
                    alt_text=m.get("alt_text"),
                    title=m.get("title"),
                )
                for m in p["media"]
            ),
            link=p["link"],
            comment_count=count,
            comments_enabled=p["comments_enabled"],
            raw={"topic": p["topic"], "lang": p["lang"], "corpus_key": p["corpus_key"]},
        )

    def _comment(self, c: dict[str, Any]) -> Comment:
        return Comment(
            id=c["id"],
            post_id=c["post_id"],
            author=Author(id=c["author_id"], name=c["author_name"]),
            text=c["text"],
            created_at=epoch(c["created"]),
            parent_id=c["parent_id"],
            edited=c["edited"],
            removed=c["removed"],
            hidden=c["hidden"],
            permalink=f"https://simulert.example/{self.platform.page_id}/{c['post_id']}?comment={c['id']}",
            is_page_author=c["page_author"],
            reply_count=sum(
                1
                for r in self.platform.state["comments"].values()
                if r["parent_id"] == c["id"] and not r["removed"]
            ),
            # What the simulation knows: the category and written standard it drew from
            # the corpus — for demos and for measuring triage, never shown as a verdict.
            raw={
                "simulated": {
                    "category": c["category"],
                    "lang": c["lang"],
                    "original_text": c["original"],
                }
            },
        )

    def _find_post(self, post_id: str) -> dict[str, Any]:
        p = self.platform.state["posts"].get(post_id)
        if p is None or p["deleted"]:
            raise _error("Innlegget finnes ikke lenger.", ErrorCode.NOT_FOUND)
        return p

    def _find_comment(self, comment_id: str) -> dict[str, Any]:
        c = self.platform.state["comments"].get(comment_id)
        if c is None or c["removed"]:
            raise _error("Kommentaren finnes ikke lenger.", ErrorCode.NOT_FOUND)
        return c

    @staticmethod
    def _page(items: list[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
        start = 0
        if cursor:
            if not cursor.startswith("sim:") or not cursor[4:].isdigit():
                raise _error("Ugyldig sidemarkør.", ErrorCode.BAD_REQUEST)
            start = int(cursor[4:])
        chunk = items[start : start + limit]
        return chunk, f"sim:{start + limit}" if start + limit < len(items) else None

    # -- CommentSource -------------------------------------------------------------------

    @recorded(Capability.COMMENT_SOURCE)
    def list_posts(
        self, *, since: datetime | None = None, cursor: str | None = None, limit: int = 25
    ) -> Listing[Post]:
        self._sync("list_posts")
        posts = [
            p for p in self.platform.state["posts"].values() if p["published"] and not p["deleted"]
        ]
        if since is not None:
            posts = [p for p in posts if p["created"] >= since.timestamp()]
        posts.sort(key=lambda p: (p["created"], p["id"]), reverse=True)
        chunk, nxt = self._page(posts, cursor, limit)
        return Listing(tuple(self._post(p) for p in chunk), nxt)

    @recorded(Capability.COMMENT_SOURCE)
    def get_post(self, post_id: str) -> Post:
        self._sync("get_post")
        return self._post(self._find_post(post_id))

    @recorded(Capability.COMMENT_SOURCE)
    def list_comments(
        self,
        post_id: str,
        *,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Listing[Comment]:
        self._sync("list_comments")
        self._find_post(post_id)
        comments = [
            c
            for c in self.platform.state["comments"].values()
            if c["post_id"] == post_id and not c["removed"]
        ]
        if since is not None:
            comments = [c for c in comments if c["created"] >= since.timestamp()]
        comments.sort(key=lambda c: (c["created"], int(c["id"].rsplit("-", 1)[1])))
        chunk, nxt = self._page(comments, cursor, limit)
        return Listing(tuple(self._comment(c) for c in chunk), nxt)

    @recorded(Capability.THREAD_SOURCE)
    def list_replies(
        self,
        comment_id: str,
        *,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Listing[Comment]:
        """Every reply below the comment, at all levels (the page replies to a reply
        under that reply, as Facebook's stand-in does), oldest first."""
        self._sync("list_replies")
        self._find_comment(comment_id)
        children: dict[str, list[dict[str, Any]]] = {}
        for c in self.platform.state["comments"].values():
            if c["parent_id"] is not None:
                children.setdefault(c["parent_id"], []).append(c)
        thread, below = [], [comment_id]
        while below:
            for c in children.get(below.pop(), []):
                below.append(c["id"])
                if not c["removed"] and (since is None or c["created"] >= since.timestamp()):
                    thread.append(c)
        thread.sort(key=lambda c: (c["created"], int(c["id"].rsplit("-", 1)[1])))
        chunk, nxt = self._page(thread, cursor, limit)
        return Listing(tuple(self._comment(c) for c in chunk), nxt)

    @recorded(Capability.COMMENT_SOURCE)
    def get_comment(self, comment_id: str) -> Comment:
        self._sync("get_comment")
        return self._comment(self._find_comment(comment_id))

    def events_since(self, seq: int = 0) -> list[tuple[int, ChangeEvent]]:
        """Changes after `seq`, oldest first, as (seq, event) — the webhook equivalent."""
        self._sync("events_since")
        out = []
        for e in self.platform.state["events"]:
            if e["seq"] <= seq:
                continue
            author = None
            if e.get("author_id"):
                author = Author(id=e["author_id"], name=e.get("author_name") or "")
            elif e.get("page_author"):
                author = Author(id=self.platform.page_id, name=self.platform.page_name)
            out.append(
                (
                    e["seq"],
                    ChangeEvent(
                        platform="simulated",
                        channel_id=self.platform.page_id,
                        item=e["item"],
                        verb=e["verb"],
                        post_id=e.get("post_id"),
                        comment_id=e.get("comment_id"),
                        parent_id=e.get("parent_id"),
                        author=author,
                        text=e.get("text"),
                        created_at=epoch(e["at"]),
                        is_page_author=bool(e.get("page_author")),
                        raw=dict(e),
                    ),
                )
            )
        return out

    # -- Replier -----------------------------------------------------------------------------

    @recorded(Capability.REPLIER)
    def reply(self, comment_id: str, text: str) -> Comment:
        at = self._sync("reply")
        return self._write_comment(self._find_comment(comment_id)["id"], text, at)

    @recorded(Capability.REPLIER)
    def comment(self, post_id: str, text: str) -> Comment:
        at = self._sync("comment")
        post = self._find_post(post_id)
        if not post["comments_enabled"]:
            raise _error("Kommentering er slått av for innlegget.", ErrorCode.COMMENTS_CLOSED)
        return self._write_comment(post_id, text, at)

    @recorded(Capability.PRIVATE_REPLIER)
    def private_reply(self, comment_id: str, text: str) -> str:
        """A private message to the comment's author; one per comment, like Messenger's."""
        at = self._sync("private_reply")
        c = self._find_comment(comment_id)
        if not text.strip():
            raise _error("Meldingen er tom.", ErrorCode.BAD_REQUEST)
        sent = self.platform.state.setdefault("private_replies", {})
        if c["id"] in sent:
            raise _error(
                "Forfatteren har allerede fått en privat melding om denne kommentaren.",
                ErrorCode.DUPLICATE,
            )
        message_id = f"m_{self.platform.page_id}_{len(sent) + 1}"
        sent[c["id"]] = {"id": message_id, "text": text, "at": at, "to": c.get("author_id")}
        return message_id

    def _write_comment(self, target: str, text: str, at: int) -> Comment:
        if not text.strip():
            raise _error("Svaret er tomt.", ErrorCode.BAD_REQUEST)
        return self._comment(self.platform.page_comment(target, text, at))

    # -- Moderator ------------------------------------------------------------------------------

    @recorded(Capability.MODERATOR)
    def hide_comment(self, comment_id: str) -> bool:
        return self._set_hidden(comment_id, True, "hide_comment")

    @recorded(Capability.MODERATOR)
    def unhide_comment(self, comment_id: str) -> bool:
        return self._set_hidden(comment_id, False, "unhide_comment")

    def _set_hidden(self, comment_id: str, hidden: bool, op: str) -> bool:
        at = self._sync(op)
        c = self._find_comment(comment_id)
        if c["page_author"]:
            raise _error("Sidens egne kommentarer kan ikke skjules.", ErrorCode.BAD_REQUEST)
        self.platform.set_hidden(c, hidden, at)
        return True

    @recorded(Capability.MODERATOR)
    def delete_comment(self, comment_id: str) -> bool:
        at = self._sync("delete_comment")
        c = self.platform.state["comments"].get(comment_id)
        if c is None or c["removed"]:
            return False
        self.platform.remove_comment(c, at)
        return True

    # -- Blocker -----------------------------------------------------------------------------------

    @recorded(Capability.BLOCKER)
    def block(self, author_id: str) -> bool:
        self._sync("block")
        if author_id == self.platform.page_id:
            raise _error("Siden kan ikke blokkere seg selv.", ErrorCode.PERMISSION)
        blocked = self.platform.state["blocked"]
        if author_id not in blocked:
            blocked.append(author_id)
        return True

    @recorded(Capability.BLOCKER)
    def unblock(self, author_id: str) -> bool:
        self._sync("unblock")
        blocked = self.platform.state["blocked"]
        if author_id not in blocked:
            return False
        blocked.remove(author_id)
        return True

    @recorded(Capability.BLOCKER)
    def is_blocked(self, author_id: str) -> bool:
        self._sync("is_blocked")
        return author_id in self.platform.state["blocked"]

    # -- Publisher / Scheduler ---------------------------------------------------------------------

    def _check_draft(self, draft: Draft) -> list[dict[str, Any]]:
        if not draft.text.strip() and not draft.media and not draft.link:
            raise _error("Innlegget er tomt.", ErrorCode.BAD_REQUEST)
        media = []
        for m in draft.media:
            if m.kind == "image" and not m.alt_text:
                raise _error("Bildet mangler alternativ tekst (PU-4).", ErrorCode.BAD_REQUEST)
            media.append(
                {
                    "kind": m.kind,
                    "url": m.url or f"upload:{m.filename or 'fil'}",
                    "alt_text": m.alt_text,
                    "title": m.title,
                    "captions": [c.locale for c in m.captions],
                }
            )
        # Like Facebook's 506: the same text as the page's latest post (a deleted or
        # cancelled post is no longer there to be duplicated).
        live = [p for p in self.platform.state["posts"].values() if not p["deleted"]]
        last = max(live, key=lambda p: p["created"], default=None)
        if last is not None and draft.text and last["text"] == draft.text:
            raise _error("Samme innlegg er allerede publisert; endre teksten.", ErrorCode.DUPLICATE)
        return media

    @recorded(Capability.PUBLISHER)
    def publish(self, draft: Draft) -> Post:
        at = self._sync("publish")
        media = self._check_draft(draft)
        return self._post(
            self.platform.add_post(text=draft.text, at=at, link=draft.link, media=media)
        )

    @recorded(Capability.SCHEDULER)
    def schedule(self, draft: Draft, at: datetime, *, now: datetime) -> Post:
        ts = self._sync("schedule")
        if not SCHEDULE_MIN <= at - now <= SCHEDULE_MAX:
            raise _error(
                "Planlagt publisering må være fra 10 minutter til 30 dager fram i tid.",
                ErrorCode.SCHEDULE_WINDOW,
            )
        media = self._check_draft(draft)
        post = self.platform.add_post(
            text=draft.text, at=ts, link=draft.link, media=media, scheduled=int(at.timestamp())
        )
        return self._post(post)

    @recorded(Capability.SCHEDULER)
    def list_scheduled(self) -> Sequence[Post]:
        self._sync("list_scheduled")
        posts = [
            p
            for p in self.platform.state["posts"].values()
            if not p["published"] and not p["deleted"] and p["scheduled"]
        ]
        return [self._post(p) for p in sorted(posts, key=lambda p: p["scheduled"])]

    @recorded(Capability.SCHEDULER)
    def cancel_scheduled(self, post_id: str) -> bool:
        self._sync("cancel_scheduled")
        p = self.platform.state["posts"].get(post_id)
        if p is None or p["deleted"]:
            return False
        if p["published"]:
            raise _error("Innlegget er allerede publisert.", ErrorCode.BAD_REQUEST)
        p["deleted"] = True
        return True

    @recorded(Capability.PUBLISHER)
    def delete_post(self, post_id: str) -> bool:
        """Delete one of the page's own posts (a take-down); False if it was gone."""
        self._sync("delete_post")
        p = self.platform.state["posts"].get(post_id)
        if p is None or p["deleted"]:
            return False
        p["deleted"] = True
        return True

    # -- CommentSwitch -----------------------------------------------------------------------------

    @recorded(Capability.COMMENT_SWITCH)
    def set_comments_enabled(self, post_id: str, enabled: bool) -> bool:
        self._sync("set_comments_enabled")
        self._find_post(post_id)["comments_enabled"] = enabled
        return True

    # -- Insights ------------------------------------------------------------------------------------

    @recorded(Capability.INSIGHTS)
    def insights(
        self,
        metrics: Sequence[str],
        *,
        period: str = "day",
        since: datetime | None = None,
        until: datetime | None = None,
        object_id: str | None = None,
    ) -> list[InsightSeries]:
        """Figures derived from the simulated activity itself (comments, posts)."""
        ts = self._sync("insights")
        unknown = [m for m in metrics if m not in METRICS]
        if not metrics or unknown:
            raise _error(
                f"Ukjent måling: {', '.join(unknown) or '(ingen)'}.", ErrorCode.BAD_REQUEST
            )
        end = until or epoch(ts)
        start = since or end - timedelta(days=7)
        if end - start > timedelta(days=90):
            raise _error("Innsikt gis for høyst 90 dager om gangen.", ErrorCode.BAD_REQUEST)
        comments = [
            c
            for c in self.platform.state["comments"].values()
            if object_id is None or c["post_id"] == object_id
        ]
        out = []
        for metric in metrics:
            values = []
            day = datetime(start.year, start.month, start.day, tzinfo=UTC)
            while day < end:
                nxt = day + timedelta(days=1)
                n = sum(1 for c in comments if day.timestamp() <= c["created"] < nxt.timestamp())
                value: float | dict[str, float]
                if metric == "post_reactions_by_type_total":
                    value = {"like": float(n * 3), "love": float(n)}
                elif metric == "page_follows":
                    value = float(1200 + int(day.timestamp() // 86400) % 97)
                else:
                    value = float(n * (12 if "view" in metric else 2))
                values.append(InsightValue(end_time=nxt, value=value))
                day = nxt
            out.append(InsightSeries(metric=metric, period=period, values=tuple(values)))
        return out
