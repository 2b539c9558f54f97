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

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ordstyrer.connectors.base import (
    CallRecorder,
    Capability,
    Caption,
    Comment,
    ConnectorError,
    Draft,
    ErrorCode,
    Listing,
    Media,
    Post,
    bad_request,
    recorded,
)
from ordstyrer.connectors.facebook.mapping import (
    COMMENT_FIELDS,
    POST_FIELDS,
    to_comment,
    to_post,
)
from ordstyrer.connectors.graph.answers import (
    BlockedList,
    BlockResult,
    InstagramLink,
    PageInfo,
    PhotoUploaded,
    Ref,
    VideoInfo,
    graph_time,
)
from ordstyrer.connectors.graph.client import GraphClient
from ordstyrer.connectors.graph.connector import GraphConnector, not_done, said_false

logger = logging.getLogger(__name__)

SCHEDULE_MIN = timedelta(minutes=10)
INSIGHTS_MAX_WINDOW = timedelta(days=90)
PHOTO_MAX_BYTES = 10 * 1024 * 1024


class FacebookConnector(GraphConnector):
    kind = "facebook"
    platform_name = "Facebook"
    account_key = "page_id"
    name_key = "page_name"
    hide_field = "is_hidden"
    insights_window = INSIGHTS_MAX_WINDOW
    posts_edge = "published_posts"
    post_fields = POST_FIELDS
    # Everything but switching comments off per post, which Pages cannot do (spec §1).
    capabilities = frozenset(Capability) - {Capability.COMMENT_SWITCH}

    def __init__(
        self,
        page_id: str,
        client: GraphClient,
        *,
        name: str | None = None,
        schedule_max: timedelta = timedelta(days=30),
        recorder: CallRecorder | None = None,
    ) -> None:
        super().__init__(page_id, client, name=name, recorder=recorder)
        self.schedule_max = schedule_max

    @classmethod
    def options(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        return {"schedule_max": timedelta(days=float(config.get("schedule_max_days", 30)))}

    @property
    def page_id(self) -> str:
        return self.account_id

    def _to_post(self, data: dict[str, Any]) -> Post:
        return to_post(data, self.page_id, self.account_name)

    def _to_comment(self, data: dict[str, Any]) -> Comment:
        return to_comment(data, self.page_id)

    # -- CommentSource ---------------------------------------------------------------
    # The Page's own posts via `/published_posts` (not `/feed`: no ~600/year cap); a post
    # is read back after writing too (permalink, stored schedule time, spec §1.8).

    def _comments(
        self, post_id: str, since: datetime | None, cursor: str | None, limit: int
    ) -> Listing[Comment]:
        """All levels, flattened in time order (`filter=stream`, spec §1.3)."""
        params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological"}
        return self._page(
            f"{post_id}/comments", params, self._to_comment, cursor=cursor, since=since, limit=limit
        )

    def _replies(
        self, comment_id: str, since: datetime | None, cursor: str | None, limit: int
    ) -> Listing[Comment]:
        """A comment's own `comments` edge holds its replies (spec §1.3), with the same
        parameters as a post's: `filter=stream` takes every level below it, each with
        its `parent`. A visitor's post answers the same way, its comments without a
        `parent`: they are under it all the same."""
        page = self._comments(comment_id, since, cursor, limit)
        items = tuple(c if c.parent_id else replace(c, parent_id=comment_id) for c in page.items)
        return Listing(items=items, next_cursor=page.next_cursor)

    @recorded(Capability.COMMENT_SOURCE)
    def get_comment(self, comment_id: str) -> Comment:
        return self._to_comment(self.client.get(comment_id, {"fields": COMMENT_FIELDS}))

    # -- Replier -------------------------------------------------------------------------

    @recorded(Capability.REPLIER)
    def reply(self, comment_id: str, text: str) -> Comment:
        """Reply as the Page (a Page token writes as the Page, spec §1.4)."""
        return self._create_comment(comment_id, text)

    @recorded(Capability.REPLIER)
    def comment(self, post_id: str, text: str) -> Comment:
        return self._create_comment(post_id, text)

    def _create_comment(self, target_id: str, text: str) -> Comment:
        if not text.strip():
            raise bad_request("Svaret er tomt.")
        body = self.client.post(
            f"{target_id}/comments", {"message": text, "fields": COMMENT_FIELDS}
        )
        return self._to_comment(body)

    # -- Blocker ----------------------------------------------------------------------------

    @recorded(Capability.BLOCKER)
    def block(self, author_id: str) -> bool:
        """Ban a person from the Page (spec §1.7). People with a Page role cannot be
        blocked (Graph 200 → `ConnectorError(code="permission")`). Graph answers
        `{"<id>": true}` (older versions: `{"success": true}`)."""
        body = self.client.post(f"{self.page_id}/blocked", {"user": [author_id]}, idempotent=True)
        answer = self._answer(BlockResult, body, "blokkering", write=True).root
        said = answer[author_id] if author_id in answer else answer.get("success")
        # An explicit `false` is a refusal; an answer without the person's id (its shape
        # is [U], spec §1.7) is confirmed by reading the block list. Either way the ban
        # is never recorded as done while the person can still comment (MO-4).
        if said_false(said) or (said is None and not self.is_blocked(author_id)):
            raise not_done("blokkeringen", platform=self.platform_name)
        return True

    @recorded(Capability.BLOCKER)
    def unblock(self, author_id: str) -> bool:
        """False if the person was not blocked (100/33 = already unblocked, spec §1.7)."""
        return self._delete(
            f"{self.page_id}/blocked", {"user": author_id}, what="opphevingen av blokkeringen"
        )

    @recorded(Capability.BLOCKER)
    def is_blocked(self, author_id: str) -> bool:
        body = self.client.get(f"{self.page_id}/blocked", {"user": author_id})
        blocked = self._answer(BlockedList, body, "blokkerte")
        return any(person.id == author_id for person in blocked.data)

    # -- Publisher / Scheduler ---------------------------------------------------------------

    @recorded(Capability.PUBLISHER)
    def publish(self, draft: Draft) -> Post:
        return self._publish(draft, scheduled=None)

    @recorded(Capability.SCHEDULER)
    def schedule(self, draft: Draft, at: datetime, *, now: datetime) -> Post:
        """Scheduled on Facebook itself: at least 10 minutes and at most `schedule_max`
        ahead (spec §1.8); the stored time is read back and checked."""
        if at.tzinfo is None or now.tzinfo is None:
            raise bad_request("Tidspunktet for planlagt publisering må ha tidssone.")
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
        return self._all(f"{self.page_id}/scheduled_posts", {"fields": POST_FIELDS}, self._to_post)

    @recorded(Capability.SCHEDULER)
    def cancel_scheduled(self, post_id: str) -> bool:
        return self._delete(post_id)

    @recorded(Capability.PUBLISHER)
    def delete_post(self, post_id: str) -> bool:
        """Delete one of the Page's own posts (`DELETE /{post-id}`, spec §1.8); False if it
        was already gone (100/33)."""
        return self._delete(post_id)

    def _publish(self, draft: Draft, *, scheduled: datetime | None) -> Post:
        images = [m for m in draft.media if m.kind == "image"]
        videos = [m for m in draft.media if m.kind == "video"]
        if videos and (images or len(videos) > 1):
            raise bad_request("Et innlegg kan ha én video, eller bilder, ikke begge.")
        if not draft.text.strip() and not draft.media and not draft.link:
            raise bad_request("Innlegget er tomt.")
        when: dict[str, Any] = {}
        if scheduled is not None:
            when = {"published": False, "scheduled_publish_time": int(scheduled.timestamp())}
        if videos:
            return self._publish_video(draft, videos[0], scheduled)
        if len(images) == 1 and not draft.link:
            photo = self._upload_photo(images[0], {"caption": draft.text, **when})
            return self._read_post(photo.post_id or photo.id)
        data: dict[str, Any] = {"message": draft.text, **when}
        if draft.link:
            data["link"] = draft.link
        if images:
            ids = []
            for image in images:
                extra = {"published": False}
                if scheduled is not None:
                    extra["temporary"] = True  # [U] needed for scheduled multi-photo posts
                ids.append(self._upload_photo(image, extra).id)
            data["attached_media"] = [{"media_fbid": i} for i in ids]
        body = self.client.post(f"{self.page_id}/feed", data)
        return self._read_post(self._answer(Ref, body, "innlegg", write=True).id)

    def _upload_photo(self, image: Media, data: dict[str, Any]) -> PhotoUploaded:
        if not image.alt_text:
            # PU-4: images need a text alternative; the product checks this earlier, the
            # connector still refuses to publish an image without one.
            raise bad_request("Bildet mangler alternativ tekst (PU-4).")
        fields: dict[str, Any] = {"alt_text_custom": image.alt_text, **data}
        if image.url:
            body = self.client.post(f"{self.page_id}/photos", {"url": image.url, **fields})
        elif image.content is None:
            raise bad_request("Bildet mangler både adresse og innhold.")
        elif len(image.content) > PHOTO_MAX_BYTES:
            raise bad_request("Bildet er større enn 10 MB, som er Facebooks grense.")
        else:
            files = {"source": (image.filename or "bilde.jpg", image.content, "image/jpeg")}
            body = self.client.post(f"{self.page_id}/photos", fields, files=files)
        return self._answer(PhotoUploaded, body, "bilde", write=True)

    def _publish_video(self, draft: Draft, video: Media, scheduled: datetime | None) -> Post:
        """A video goes out only with its captions on it (PU-3): uploaded unpublished
        (`published=false`), its caption files added and their answers checked, and only
        then published or scheduled (`POST /{video-id}` with `published` /
        `scheduled_publish_time`, codegen `AdVideo.json` #update, spec §1.8). A failure
        on the way deletes the unpublished video before the error is raised, so no
        uncaptioned copy is left public, on the scheduler, or for a retry to adopt.

        A video post has a description and no link field: the caller writes the link into
        the text (publishing's `rules.caption`, as for Instagram) and sends no
        `draft.link`; one is refused rather than lost."""
        if draft.link:
            raise bad_request(
                "Facebook har ikke lenkefelt for videoer: lenken må stå i beskrivelsen."
            )
        for caption in video.captions:
            if "-->" not in caption.srt:
                # PU-3: never a video whose caption file holds no caption.
                raise bad_request(
                    "Undertekstfilen har ingen undertekster med tidskode og tekst. Videoen "
                    "er ikke sendt (PU-3)."
                )
        data: dict[str, Any] = {"description": draft.text, "published": False}
        if video.title:
            data["title"] = video.title
        if video.url:
            body = self.client.post(f"{self.page_id}/videos", {"file_url": video.url, **data})
        elif video.content is not None:
            files = {"source": (video.filename or "video.mp4", video.content, "video/mp4")}
            body = self.client.post(f"{self.page_id}/videos", data, files=files)
        else:
            raise bad_request("Videoen mangler både adresse og innhold.")
        video_id = self._answer(Ref, body, "video", write=True).id
        try:
            self._add_captions(video_id, video.captions)
        except ConnectorError as exc:
            self._discard_video(video_id)
            raise ConnectorError(
                f"Facebook tok ikke imot tekstingen av videoen, så videoen er ikke publisert: "
                f"{exc.message}",
                permanent=exc.permanent,
                retry_after=exc.retry_after,
                code=exc.code,
                platform_code=exc.platform_code,
                platform_subcode=exc.platform_subcode,
                trace_id=exc.trace_id,
            ) from exc
        release: dict[str, Any] = {"published": True}
        if scheduled is not None:
            release = {"published": False, "scheduled_publish_time": int(scheduled.timestamp())}
        try:
            body = self.client.post(video_id, release, idempotent=True)
            if not self._succeeded(body, "publiseringen av videoen"):
                raise not_done("publiseringen av videoen", platform=self.platform_name)
        except ConnectorError:
            self._discard_video(video_id)
            raise
        body = self.client.get(
            video_id, {"fields": "id,post_id,created_time,description,permalink_url"}
        )
        info = self._answer(VideoInfo, body, "video", write=True)
        if info.post_id is not None:
            return self._read_post(info.post_id)
        return Post(
            id=video_id,
            text=draft.text,
            created_at=graph_time(info.created_time),
            is_published=scheduled is None,
            media=(Media(kind="video", id=video_id, captions=video.captions),),
            raw=body,
        )

    def _add_captions(self, video_id: str, captions: Sequence[Caption]) -> None:
        """Each caption file on the video, SRT with its locale in the file name
        `name.<locale>.srt` [U, spec §1.8]; the first is the default. Graph answers
        `{"success": true}`; anything else is not taken as done."""
        for number, caption in enumerate(captions):
            files = {
                "captions_file": (
                    f"teksting.{caption.locale}.srt",
                    caption.srt.encode("utf-8"),
                    "text/plain",
                )
            }
            extra = {"default_locale": caption.locale} if number == 0 else {}
            body = self.client.post(f"{video_id}/captions", extra, files=files, idempotent=True)
            if not self._succeeded(body, "tekstingen av videoen"):
                raise not_done("tekstingen av videoen", platform=self.platform_name)

    def _discard_video(self, video_id: str) -> None:
        """Delete a video that must not go out (`DELETE /{video-id}`). Best effort: the
        caller raises its own error either way, and a video never published makes no
        post a retry could adopt."""
        try:
            self._delete(video_id, what="slettingen av videoen")
        except ConnectorError:
            logger.warning("an unpublished video could not be deleted", extra={"video": video_id})

    # -- Set-up helpers (not capabilities; recorded under comment_source) ---------------

    @recorded(Capability.COMMENT_SOURCE)
    def check_access(self) -> PageInfo:
        """Cheap token check for the periodic sweep: the Page's id and name."""
        body = self.client.get(self.page_id, {"fields": "id,name"})
        return self._answer(PageInfo, body, "side")

    @recorded(Capability.COMMENT_SOURCE)
    def subscribe_webhooks(self, fields: Sequence[str] = ("feed",)) -> bool:
        """Install the app on the Page for `feed` webhooks (spec §2.1)."""
        body = self.client.post(
            f"{self.page_id}/subscribed_apps",
            {"subscribed_fields": ",".join(fields)},
            idempotent=True,
        )
        return self._succeeded(body, "webhook-abonnement")

    @recorded(Capability.COMMENT_SOURCE)
    def unsubscribe_webhooks(self) -> bool:
        """Take the app off the Page: Meta stops sending its changes (spec §2.1)."""
        body = self.client.delete(f"{self.page_id}/subscribed_apps")
        return self._succeeded(body, "webhook-abonnement")

    def instagram_account_id(self) -> str | None:
        """The connected Instagram professional account, if any (spec §4.1)."""
        body = self.client.get(self.page_id, {"fields": "instagram_business_account"})
        account = self._answer(InstagramLink, body, "Instagram-konto").instagram_business_account
        return account.id if account is not None else None
