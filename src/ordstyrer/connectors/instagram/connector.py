"""Instagram professional account connector (Instagram API with Facebook Login, spec §4).

Capabilities: comments and replies, reply, hide/unhide, delete, comments off/on per
media, publishing (container → status polling → `media_publish`, alt text on images),
insights. *Not* blocking — Instagram has no API for it (see `BLOCKING_UNSUPPORTED_NB`)
— and no native scheduling: the product holds scheduled Instagram posts itself and
publishes them when due.

Settings for `from_config`: `ig_user_id` (required), `username`, plus the Graph client
settings of the Facebook connector (`token`/`token_encrypted`, `app_secret`,
`graph_version`, `base_url`); `container_poll_interval` seconds (default 2) and
`container_max_polls` (default 30).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ordstyrer.connectors.base import (
    CallRecorder,
    Capability,
    Comment,
    ConnectorError,
    Draft,
    ErrorCode,
    Listing,
    Media,
    Post,
    PublishingQuota,
    bad_request,
    recorded,
)
from ordstyrer.connectors.graph.answers import ContainerStatus, PublishingLimit, Ref
from ordstyrer.connectors.graph.client import GraphClient
from ordstyrer.connectors.graph.connector import GraphConnector
from ordstyrer.connectors.instagram.mapping import (
    COMMENT_FIELDS,
    COMMENT_WITH_REPLIES,
    MEDIA_FIELDS,
    IgComment,
    IgCommentList,
    parse_comment,
    to_comment,
    to_post,
)

BLOCKING_UNSUPPORTED_NB = (
    "Instagram har ingen funksjon i API-et for å blokkere eller utestenge en person. "
    "Blokker personen direkte i Instagram-appen (profilen → ⋯ → Blokker), og registrer "
    "begrunnelsen her slik retningslinjene krever."
)
SCHEDULING_NOTE_NB = (
    "Instagram kan ikke planlegge innlegg gjennom API-et; Ordstyrer holder innlegget og "
    "publiserer det selv på valgt tidspunkt."
)
CAPTIONS_UNSUPPORTED_NB = (
    "Instagram tar ikke imot undertekstfiler gjennom API-et. Brenn tekstingen inn i "
    "videoen før publisering (PU-3)."
)
LINK_IN_CAPTION_NB = "Instagram har ikke eget felt for lenker: lenken må stå i bildeteksten."
CAROUSEL_MAX = 10
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InstagramConnector(GraphConnector):
    kind = "instagram"
    platform_name = "Instagram"
    account_key = "ig_user_id"
    name_key = "username"
    hide_field = "hide"
    period_on_objects = False  # a media's insights take no `period` (spec §4.6)
    posts_edge = "media"
    post_fields = MEDIA_FIELDS
    capabilities = frozenset(
        {
            Capability.COMMENT_SOURCE,
            Capability.THREAD_SOURCE,
            Capability.REPLIER,
            Capability.MODERATOR,
            Capability.PUBLISHER,
            Capability.COMMENT_SWITCH,
            Capability.INSIGHTS,
            Capability.PRIVATE_REPLIER,
        }
    )
    blocking_unsupported_reason = BLOCKING_UNSUPPORTED_NB

    def __init__(
        self,
        ig_user_id: str,
        client: GraphClient,
        *,
        name: str | None = None,
        recorder: CallRecorder | None = None,
        poll_interval: float = 2.0,
        max_polls: int = 30,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(ig_user_id, client, name=name, recorder=recorder)
        self.poll_interval = poll_interval
        self.max_polls = max_polls
        self._sleep = sleep

    @classmethod
    def options(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "poll_interval": float(config.get("container_poll_interval", 2.0)),
            "max_polls": int(config.get("container_max_polls", 30)),
            "sleep": config.get("sleep", time.sleep),
        }

    @property
    def ig_user_id(self) -> str:
        return self.account_id

    @property
    def username(self) -> str | None:
        return self.account_name

    def _to_post(self, data: dict[str, Any]) -> Post:
        return to_post(data, self.ig_user_id, self.username)

    # -- CommentSource ---------------------------------------------------------------

    def _comments(
        self, post_id: str, since: datetime | None, cursor: str | None, limit: int
    ) -> Listing[Comment]:
        """Top-level comments with their replies (one level deep on Instagram, §4.3),
        flattened and in time order within the page. `since` is applied here: the
        comments edge has no time filter."""
        body = self.client.get_list(
            f"{post_id}/comments",
            {"fields": COMMENT_WITH_REPLIES, "limit": min(limit, 100)},
            cursor=cursor,
        )
        page = self._answer(IgCommentList, body, "kommentarliste")
        out: list[Comment] = []
        for top in page.data:
            out.append(to_comment(top, self.ig_user_id, self.username, post_id))
            out.extend(
                to_comment(r, self.ig_user_id, self.username, post_id)
                for r in self._all_replies(top)
            )
        if since is not None:
            out = [c for c in out if c.created_at is None or c.created_at >= since]
        out.sort(key=lambda c: c.created_at or _EPOCH)
        return Listing(items=tuple(out), next_cursor=self.client.next_cursor(body))

    def _all_replies(self, top: IgComment) -> list[IgComment]:
        if top.replies is None:
            return []
        replies: list[IgComment] = []
        more: IgCommentList | None = top.replies
        while more is not None:
            replies.extend(
                r.model_copy(update={"parent_id": r.parent_id or top.id}) for r in more.data
            )
            cursor = self.client.cursor_from_next((more.paging or {}).get("next"))
            more = (
                self._answer(IgCommentList, self.client.get_cursor(cursor), "svarliste")
                if cursor
                else None
            )
        return replies

    def _replies(
        self, comment_id: str, since: datetime | None, cursor: str | None, limit: int
    ) -> Listing[Comment]:
        """`GET /{ig-comment-id}/replies` (§4.3): one level deep, so every reply in the
        thread is a direct one. `since` is applied here, as for the comments edge."""
        body = self.client.get_list(
            f"{comment_id}/replies",
            {"fields": COMMENT_FIELDS, "limit": min(limit, 100)},
            cursor=cursor,
        )
        page = self._answer(IgCommentList, body, "svarliste")
        out = [
            to_comment(
                r.model_copy(update={"parent_id": r.parent_id or comment_id}),
                self.ig_user_id,
                self.username,
            )
            for r in page.data
        ]
        if since is not None:
            out = [c for c in out if c.created_at is None or c.created_at >= since]
        out.sort(key=lambda c: c.created_at or _EPOCH)
        return Listing(items=tuple(out), next_cursor=self.client.next_cursor(body))

    @recorded(Capability.COMMENT_SOURCE)
    def get_comment(self, comment_id: str) -> Comment:
        return self._read_comment(comment_id)

    def _read_comment(self, comment_id: str) -> Comment:
        g = parse_comment(self.client.get(comment_id, {"fields": COMMENT_FIELDS}))
        return to_comment(g, self.ig_user_id, self.username)

    # -- Replier ------------------------------------------------------------------------

    @recorded(Capability.REPLIER)
    def reply(self, comment_id: str, text: str) -> Comment:
        """Reply to a comment. Replying to a reply lands under its top-level comment;
        hidden comments cannot be replied to (spec §4.3–§4.4)."""
        if not text.strip():
            raise bad_request("Svaret er tomt.")
        body = self.client.post(f"{comment_id}/replies", {"message": text})
        return self._read_comment(self._answer(Ref, body, "svar", write=True).id)

    @recorded(Capability.REPLIER)
    def comment(self, post_id: str, text: str) -> Comment:
        if not text.strip():
            raise bad_request("Kommentaren er tom.")
        body = self.client.post(f"{post_id}/comments", {"message": text})
        return self._read_comment(self._answer(Ref, body, "kommentar", write=True).id)

    # -- CommentSwitch -------------------------------------------------------------------------

    @recorded(Capability.COMMENT_SWITCH)
    def set_comments_enabled(self, post_id: str, enabled: bool) -> bool:
        """`comment_enabled` on one media (spec §4.4); used for closure periods (CH-9)."""
        body = self.client.post(post_id, {"comment_enabled": enabled}, idempotent=True)
        return self._succeeded(body, "kommentering av/på")

    # -- Publisher ---------------------------------------------------------------------------------

    @recorded(Capability.PUBLISHER)
    def publish(self, draft: Draft) -> Post:
        """Container → poll `status_code` → `media_publish` (spec §4.5).

        `draft.text` is the caption exactly as sent: Instagram has no link field, so the
        caller writes a link into it (publishing's `rules.caption`, the one place the
        caption's format is defined) and sends no `draft.link` — one is refused rather
        than formatted here or lost. Images need a public URL (Meta fetches it) and alt
        text (PU-4). The publishing cap is read at run time from
        `content_publishing_limit`.
        """
        if not draft.media:
            raise bad_request("Instagram krever bilde eller video i hvert innlegg.")
        if len(draft.media) > CAROUSEL_MAX:
            raise bad_request(f"Instagram tar høyst {CAROUSEL_MAX} bilder/videoer i ett innlegg.")
        for item in draft.media:
            if not item.url:
                raise bad_request(
                    "Instagram henter mediene selv: de må ha en offentlig adresse (URL)."
                )
            if item.kind == "image" and not item.alt_text:
                raise bad_request("Bildet mangler alternativ tekst (PU-4).")
            if item.kind == "video" and item.captions:
                raise ConnectorError(
                    CAPTIONS_UNSUPPORTED_NB, permanent=True, code=ErrorCode.UNSUPPORTED
                )
        if draft.link:
            # No link field on Instagram: the caller puts the link in the caption.
            raise bad_request(LINK_IN_CAPTION_NB)
        caption = draft.text
        quota = self._quota()
        if quota.used >= quota.total:
            raise ConnectorError(
                f"Instagram-grensen på {quota.total} publiseringer per døgn er nådd.",
                permanent=False,
                retry_after=3600.0,
                code=ErrorCode.PUBLISHING_LIMIT,
            )
        if len(draft.media) == 1:
            container = self._container(draft.media[0], caption=caption)
        else:
            children = [self._container(m, carousel_item=True) for m in draft.media]
            for child in children:
                self._wait_finished(child)
            body = self.client.post(
                f"{self.ig_user_id}/media",
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption},
            )
            container = self._answer(Ref, body, "mediebeholder", write=True).id
        self._wait_finished(container)
        body = self.client.post(f"{self.ig_user_id}/media_publish", {"creation_id": container})
        media_id = self._answer(Ref, body, "publisering", write=True).id
        return self._to_post(self.client.get(media_id, {"fields": MEDIA_FIELDS}))

    def _container(
        self, media: Media, *, caption: str | None = None, carousel_item: bool = False
    ) -> str:
        data: dict[str, Any] = {}
        if media.kind == "image":
            data = {"image_url": media.url, "alt_text": media.alt_text}
        else:
            data = {"media_type": "REELS", "video_url": media.url}
        if caption is not None:
            data["caption"] = caption
        if carousel_item:
            data["is_carousel_item"] = True
            if media.kind == "video":
                data["media_type"] = "VIDEO"  # carousel children keep VIDEO [U]
        body = self.client.post(f"{self.ig_user_id}/media", data)
        return self._answer(Ref, body, "mediebeholder", write=True).id

    def _wait_finished(self, container_id: str) -> None:
        for attempt in range(self.max_polls):
            body = self.client.get(container_id, {"fields": "status_code,status"})
            state = self._answer(ContainerStatus, body, "mediebeholder")
            if state.status_code in {"FINISHED", "PUBLISHED"}:
                return
            if state.status_code in {"ERROR", "EXPIRED"}:
                raise ConnectorError(
                    "Instagram kunne ikke behandle mediet"
                    + (
                        " (utløpt etter 24 timer)."
                        if state.status_code == "EXPIRED"
                        else f": {state.status}"
                    ),
                    permanent=True,
                    code=ErrorCode.MEDIA_FAILED,
                )
            if attempt + 1 < self.max_polls:
                self._sleep(self.poll_interval)
        raise ConnectorError(
            "Instagram ble ikke ferdig med å behandle mediet i tide; prøv igjen senere.",
            permanent=False,
            retry_after=60.0,
            code=ErrorCode.TRANSIENT,
        )

    @recorded(Capability.PUBLISHER)
    def publishing_quota(self) -> PublishingQuota:
        return self._quota()

    def _quota(self) -> PublishingQuota:
        body = self.client.get(
            f"{self.ig_user_id}/content_publishing_limit", {"fields": "quota_usage,config"}
        )
        limit = self._answer(PublishingLimit, body, "publiseringsgrense")
        first = limit.data[0] if limit.data else None
        config = first.config if first is not None else None
        return PublishingQuota(
            used=(first.quota_usage if first is not None else None) or 0,
            # The most cautious documented cap when Graph does not say.
            total=(config.quota_total if config is not None else None) or 25,
            window_seconds=(config.quota_duration if config is not None else None) or 86400,
        )
