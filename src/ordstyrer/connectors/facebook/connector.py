"""Facebook Page connector: read, reply, moderate, block, publish, schedule, insights.

Calls and parameters follow spec §1; every call goes through `GraphClient` (one HTTP
session, error classification, throttling). Settings for `from_config`:

* `page_id` — the Page's id (required)
* `token` (`SecretToken`) or `token_encrypted` (Fernet text; key `ORDSTYRER_TOKEN_KEY`)
* `app_secret` / `app_secret_encrypted` — when set, every call carries `appsecret_proof`
* `graph_version` (default `v25.0`), `base_url` (default `https://graph.facebook.com`)
* `schedule_max_days` (default 30; Meta's texts say 30 or 75 [U]), `page_name`
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ordstyrer.connectors.base import (
    CallRecorder,
    Capability,
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
from ordstyrer.connectors.facebook.mapping import (
    COMMENT_FIELDS,
    POST_FIELDS,
    graph_time,
    to_comment,
    to_post,
)
from ordstyrer.connectors.graph.client import GraphClient, time_params
from ordstyrer.connectors.graph.config import client_from_config, require

SCHEDULE_MIN = timedelta(minutes=10)
INSIGHTS_MAX_WINDOW = timedelta(days=90)
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def _bad(text: str) -> ConnectorError:
    return ConnectorError(text, permanent=True, code=ErrorCode.BAD_REQUEST)


def _gone(exc: ConnectorError) -> bool:
    return exc.code == ErrorCode.NOT_FOUND


class FacebookConnector:
    kind = "facebook"
    capabilities = frozenset(
        {
            Capability.COMMENT_SOURCE,
            Capability.REPLIER,
            Capability.MODERATOR,
            Capability.BLOCKER,
            Capability.PUBLISHER,
            Capability.SCHEDULER,
            Capability.INSIGHTS,
            Capability.PRIVATE_REPLIER,
        }
    )

    def __init__(
        self,
        page_id: str,
        client: GraphClient,
        *,
        page_name: str | None = None,
        schedule_max: timedelta = timedelta(days=30),
        recorder: CallRecorder | None = None,
    ) -> None:
        self.page_id = page_id
        self.client = client
        self.page_name = page_name
        self.schedule_max = schedule_max
        self.recorder = recorder

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, recorder: CallRecorder | None = None
    ) -> FacebookConnector:
        page_id = require(config, "page_id")
        return cls(
            page_id,
            client_from_config(config, throttle_key=page_id),
            page_name=config.get("page_name"),
            schedule_max=timedelta(days=float(config.get("schedule_max_days", 30))),
            recorder=recorder,
        )

    def __repr__(self) -> str:
        return f"FacebookConnector(page_id={self.page_id!r})"

    # -- CommentSource ---------------------------------------------------------------

    @recorded(Capability.COMMENT_SOURCE)
    def list_posts(
        self, *, since: datetime | None = None, cursor: str | None = None, limit: int = 25
    ) -> Listing[Post]:
        """The Page's own posts via `/published_posts` (not `/feed`: no ~600/year cap)."""
        body = self.client.get_list(
            f"{self.page_id}/published_posts",
            {"fields": POST_FIELDS, "limit": min(limit, 100)},
            cursor=cursor,
            since=since,
        )
        return self.client.listing(body, lambda d: to_post(d, self.page_id, self.page_name))

    @recorded(Capability.COMMENT_SOURCE)
    def get_post(self, post_id: str) -> Post:
        return self._read_post(post_id)

    def _read_post(self, post_id: str) -> Post:
        # Also the read-back after writing: permalink, stored schedule time (spec §1.8).
        return to_post(
            self.client.get(post_id, {"fields": POST_FIELDS}), self.page_id, self.page_name
        )

    @recorded(Capability.COMMENT_SOURCE)
    def list_comments(
        self,
        post_id: str,
        *,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Listing[Comment]:
        """All levels, flattened in time order (`filter=stream`, spec §1.3)."""
        params = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "chronological",
            "limit": min(limit, 100),
        }
        body = self.client.get_list(f"{post_id}/comments", params, cursor=cursor, since=since)
        return self.client.listing(body, lambda d: to_comment(d, self.page_id))

    @recorded(Capability.COMMENT_SOURCE)
    def get_comment(self, comment_id: str) -> Comment:
        return to_comment(self.client.get(comment_id, {"fields": COMMENT_FIELDS}), self.page_id)

    # -- Replier -------------------------------------------------------------------------

    @recorded(Capability.REPLIER)
    def reply(self, comment_id: str, text: str) -> Comment:
        """Reply as the Page (a Page token writes as the Page, spec §1.4)."""
        return self._create_comment(comment_id, text)

    @recorded(Capability.REPLIER)
    def comment(self, post_id: str, text: str) -> Comment:
        return self._create_comment(post_id, text)

    @recorded(Capability.PRIVATE_REPLIER)
    def private_reply(self, comment_id: str, text: str) -> str:
        """A private reply to the commenter through Messenger (MO-4 notices):
        `POST /{page-id}/messages` with `recipient={"comment_id": …}` (meta-graph-api
        §2; one per comment, within the platform's window). Returns the message id."""
        if not text.strip():
            raise _bad("Meldingen er tom.")
        body = self.client.post(
            f"{self.page_id}/messages",
            {"recipient": {"comment_id": comment_id}, "message": {"text": text}},
        )
        return str(body.get("message_id") or body.get("id") or "")

    def _create_comment(self, target_id: str, text: str) -> Comment:
        if not text.strip():
            raise _bad("Svaret er tomt.")
        body = self.client.post(
            f"{target_id}/comments", {"message": text, "fields": COMMENT_FIELDS}
        )
        return to_comment(body, self.page_id)

    # -- Moderator ------------------------------------------------------------------------

    @recorded(Capability.MODERATOR)
    def hide_comment(self, comment_id: str) -> bool:
        self.client.post(comment_id, {"is_hidden": True}, idempotent=True)
        return True

    @recorded(Capability.MODERATOR)
    def unhide_comment(self, comment_id: str) -> bool:
        self.client.post(comment_id, {"is_hidden": False}, idempotent=True)
        return True

    @recorded(Capability.MODERATOR)
    def delete_comment(self, comment_id: str) -> bool:
        """False if it was already gone (100/33 on a deleted object = done, spec §3.2)."""
        try:
            self.client.delete(comment_id)
        except ConnectorError as exc:
            if _gone(exc):
                return False
            raise
        return True

    # -- Blocker ----------------------------------------------------------------------------

    @recorded(Capability.BLOCKER)
    def block(self, author_id: str) -> bool:
        """Ban a person from the Page (spec §1.7). People with a Page role cannot be
        blocked (Graph 200 → `ConnectorError(code="permission")`)."""
        body = self.client.post(f"{self.page_id}/blocked", {"user": [author_id]}, idempotent=True)
        value = body.get(author_id)
        return value is True or value == "true" or value is None and body.get("success") is True

    @recorded(Capability.BLOCKER)
    def unblock(self, author_id: str) -> bool:
        """False if the person was not blocked (100/33 = already unblocked, spec §1.7)."""
        try:
            self.client.delete(f"{self.page_id}/blocked", {"user": author_id})
        except ConnectorError as exc:
            if _gone(exc):
                return False
            raise
        return True

    @recorded(Capability.BLOCKER)
    def is_blocked(self, author_id: str) -> bool:
        body = self.client.get(f"{self.page_id}/blocked", {"user": author_id})
        data = body.get("data")
        return isinstance(data, list) and any(
            isinstance(d, dict) and str(d.get("id")) == author_id for d in data
        )

    # -- Publisher / Scheduler ---------------------------------------------------------------

    @recorded(Capability.PUBLISHER)
    def publish(self, draft: Draft) -> Post:
        return self._publish(draft, scheduled=None)

    @recorded(Capability.SCHEDULER)
    def schedule(self, draft: Draft, at: datetime, *, now: datetime) -> Post:
        """Scheduled on Facebook itself: at least 10 minutes and at most `schedule_max`
        ahead (spec §1.8); the stored time is read back and checked."""
        if at.tzinfo is None or now.tzinfo is None:
            raise _bad("Tidspunktet for planlagt publisering må ha tidssone.")
        if not SCHEDULE_MIN <= at - now <= self.schedule_max:
            raise ConnectorError(
                f"Facebook godtar planlagt publisering fra 10 minutter til "
                f"{self.schedule_max.days} dager fram i tid.",
                permanent=True,
                code=ErrorCode.SCHEDULE_WINDOW,
            )
        post = self._publish(draft, scheduled=at)
        if post.scheduled_at is not None and abs((post.scheduled_at - at).total_seconds()) > 60:
            raise ConnectorError(
                "Facebook lagret et annet publiseringstidspunkt enn det som ble sendt.",
                permanent=True,
                code=ErrorCode.SCHEDULE_WINDOW,
            )
        return post

    @recorded(Capability.SCHEDULER)
    def list_scheduled(self) -> Sequence[Post]:
        body = self.client.get(f"{self.page_id}/scheduled_posts", {"fields": POST_FIELDS})
        posts: list[Post] = []
        listing = self.client.listing(body, lambda d: to_post(d, self.page_id, self.page_name))
        posts.extend(listing.items)
        cursor = listing.next_cursor
        while cursor:
            listing = self.client.listing(
                self.client.get_cursor(cursor), lambda d: to_post(d, self.page_id, self.page_name)
            )
            posts.extend(listing.items)
            cursor = listing.next_cursor
        return posts

    @recorded(Capability.SCHEDULER)
    def cancel_scheduled(self, post_id: str) -> bool:
        try:
            self.client.delete(post_id)
        except ConnectorError as exc:
            if _gone(exc):
                return False
            raise
        return True

    @recorded(Capability.PUBLISHER)
    def delete_post(self, post_id: str) -> bool:
        """Delete one of the Page's own posts (`DELETE /{post-id}`, spec §1.8); False if it
        was already gone (100/33)."""
        try:
            self.client.delete(post_id)
        except ConnectorError as exc:
            if _gone(exc):
                return False
            raise
        return True

    def _publish(self, draft: Draft, *, scheduled: datetime | None) -> Post:
        images = [m for m in draft.media if m.kind == "image"]
        videos = [m for m in draft.media if m.kind == "video"]
        if videos and (images or len(videos) > 1):
            raise _bad("Et innlegg kan ha én video, eller bilder, ikke begge.")
        if not draft.text.strip() and not draft.media and not draft.link:
            raise _bad("Innlegget er tomt.")
        when: dict[str, Any] = {}
        if scheduled is not None:
            when = {"published": False, "scheduled_publish_time": int(scheduled.timestamp())}
        if videos:
            return self._publish_video(draft, videos[0], when)
        if len(images) == 1 and not draft.link:
            body = self._upload_photo(images[0], {"caption": draft.text, **when})
            return self._read_post(str(body.get("post_id") or body.get("id")))
        data: dict[str, Any] = {"message": draft.text, **when}
        if draft.link:
            data["link"] = draft.link
        if images:
            ids = []
            for image in images:
                extra = {"published": False}
                if scheduled is not None:
                    extra["temporary"] = True  # [U] needed for scheduled multi-photo posts
                ids.append(str(self._upload_photo(image, extra).get("id")))
            data["attached_media"] = [{"media_fbid": i} for i in ids]
        body = self.client.post(f"{self.page_id}/feed", data)
        return self._read_post(str(body.get("id")))

    def _upload_photo(self, image: Media, data: dict[str, Any]) -> dict[str, Any]:
        if not image.alt_text:
            # PU-4: images need a text alternative; the product checks this earlier, the
            # connector still refuses to publish an image without one.
            raise _bad("Bildet mangler alternativ tekst (PU-4).")
        fields: dict[str, Any] = {"alt_text_custom": image.alt_text, **data}
        if image.url:
            return self.client.post(f"{self.page_id}/photos", {"url": image.url, **fields})
        if image.content is None:
            raise _bad("Bildet mangler både adresse og innhold.")
        if len(image.content) > PHOTO_MAX_BYTES:
            raise _bad("Bildet er større enn 10 MB, som er Facebooks grense.")
        files = {"source": (image.filename or "bilde.jpg", image.content, "image/jpeg")}
        return self.client.post(f"{self.page_id}/photos", fields, files=files)

    def _publish_video(self, draft: Draft, video: Media, when: dict[str, Any]) -> Post:
        data: dict[str, Any] = {"description": draft.text, **when}
        if video.title:
            data["title"] = video.title
        if video.url:
            body = self.client.post(f"{self.page_id}/videos", {"file_url": video.url, **data})
        elif video.content is not None:
            files = {"source": (video.filename or "video.mp4", video.content, "video/mp4")}
            body = self.client.post(f"{self.page_id}/videos", data, files=files)
        else:
            raise _bad("Videoen mangler både adresse og innhold.")
        video_id = str(body.get("id"))
        for number, caption in enumerate(video.captions):
            # SRT, locale in the file name `name.<locale>.srt` [U, spec §1.8].
            files = {
                "captions_file": (
                    f"teksting.{caption.locale}.srt",
                    caption.srt.encode("utf-8"),
                    "text/plain",
                )
            }
            extra = {"default_locale": caption.locale} if number == 0 else {}
            self.client.post(f"{video_id}/captions", extra, files=files, idempotent=True)
        info = self.client.get(
            video_id, {"fields": "id,post_id,created_time,description,permalink_url"}
        )
        post_id = info.get("post_id")
        if isinstance(post_id, str):
            return self._read_post(post_id)
        return Post(
            id=video_id,
            text=draft.text,
            created_at=graph_time(info.get("created_time")),
            is_published=not when,
            media=(Media(kind="video", id=video_id, captions=video.captions),),
            raw=info,
        )

    # -- Insights -------------------------------------------------------------------------------

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
        """Page (or post, with `object_id`) insights (spec §1.9). Metric names are Meta's;
        retired ones answer "invalid metric" (`ConnectorError(code="bad_request")`)."""
        if not metrics:
            raise _bad("Velg minst én måling.")
        if since and until and until - since > INSIGHTS_MAX_WINDOW:
            raise _bad("Facebook gir innsikt for høyst 90 dager om gangen.")
        params: dict[str, Any] = {"metric": ",".join(metrics), "period": period}
        params.update(time_params(since=since, until=until))
        body = self.client.get(f"{object_id or self.page_id}/insights", params)
        return parse_insights(body)

    # -- Set-up helpers (not capabilities; recorded under comment_source) ---------------

    @recorded(Capability.COMMENT_SOURCE)
    def check_access(self) -> dict[str, Any]:
        """Cheap token check for the periodic sweep: the Page's id and name."""
        return self.client.get(self.page_id, {"fields": "id,name"})

    @recorded(Capability.COMMENT_SOURCE)
    def subscribe_webhooks(self, fields: Sequence[str] = ("feed",)) -> bool:
        """Install the app on the Page for `feed` webhooks (spec §2.1)."""
        body = self.client.post(
            f"{self.page_id}/subscribed_apps",
            {"subscribed_fields": ",".join(fields)},
            idempotent=True,
        )
        return body.get("success") in (True, "true")

    @recorded(Capability.COMMENT_SOURCE)
    def unsubscribe_webhooks(self) -> bool:
        """Take the app off the Page: Meta stops sending its changes (spec §2.1)."""
        body = self.client.delete(f"{self.page_id}/subscribed_apps")
        return body.get("success") in (True, "true")

    def instagram_account_id(self) -> str | None:
        """The connected Instagram professional account, if any (spec §4.1)."""
        body = self.client.get(self.page_id, {"fields": "instagram_business_account"})
        account = body.get("instagram_business_account")
        return str(account["id"]) if isinstance(account, dict) and "id" in account else None


def parse_insights(body: dict[str, Any]) -> list[InsightSeries]:
    out: list[InsightSeries] = []
    data = body.get("data")
    for series in data if isinstance(data, list) else []:
        if not isinstance(series, dict):
            continue
        values = []
        for v in series.get("values") or []:
            if not isinstance(v, dict):
                continue
            raw = v.get("value")
            value: float | dict[str, float]
            if isinstance(raw, dict):
                value = {str(k): float(x) for k, x in raw.items() if isinstance(x, int | float)}
            elif isinstance(raw, int | float):
                value = float(raw)
            else:
                continue
            values.append(InsightValue(end_time=graph_time(v.get("end_time")), value=value))
        out.append(
            InsightSeries(
                metric=str(series.get("name")),
                period=str(series.get("period")),
                values=tuple(values),
                title=series.get("title"),
            )
        )
    return out
