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
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ordstyrer.connectors.base import (
    CallRecorder,
    Capability,
    Comment,
    ConnectorError,
    Draft,
    ErrorCode,
    InsightSeries,
    Listing,
    Post,
    PublishingQuota,
    recorded,
)
from ordstyrer.connectors.facebook.connector import parse_insights
from ordstyrer.connectors.graph.client import GraphClient, time_params
from ordstyrer.connectors.graph.config import client_from_config, require
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
CAROUSEL_MAX = 10
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _bad(text: str) -> ConnectorError:
    return ConnectorError(text, permanent=True, code=ErrorCode.BAD_REQUEST)


class InstagramConnector:
    kind = "instagram"
    capabilities = frozenset(
        {
            Capability.COMMENT_SOURCE,
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
        username: str | None = None,
        recorder: CallRecorder | None = None,
        poll_interval: float = 2.0,
        max_polls: int = 30,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ig_user_id = ig_user_id
        self.client = client
        self.username = username
        self.recorder = recorder
        self.poll_interval = poll_interval
        self.max_polls = max_polls
        self._sleep = sleep

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, recorder: CallRecorder | None = None
    ) -> InstagramConnector:
        ig_user_id = require(config, "ig_user_id")
        return cls(
            ig_user_id,
            client_from_config(config, throttle_key=ig_user_id),
            username=config.get("username"),
            recorder=recorder,
            poll_interval=float(config.get("container_poll_interval", 2.0)),
            max_polls=int(config.get("container_max_polls", 30)),
            sleep=config.get("sleep", time.sleep),
        )

    def __repr__(self) -> str:
        return f"InstagramConnector(ig_user_id={self.ig_user_id!r})"

    # -- CommentSource ---------------------------------------------------------------

    @recorded(Capability.COMMENT_SOURCE)
    def list_posts(
        self, *, since: datetime | None = None, cursor: str | None = None, limit: int = 25
    ) -> Listing[Post]:
        body = self.client.get_list(
            f"{self.ig_user_id}/media",
            {"fields": MEDIA_FIELDS, "limit": min(limit, 100)},
            cursor=cursor,
            since=since,
        )
        return self.client.listing(body, lambda d: to_post(d, self.ig_user_id, self.username))

    @recorded(Capability.COMMENT_SOURCE)
    def get_post(self, post_id: str) -> Post:
        return to_post(
            self.client.get(post_id, {"fields": MEDIA_FIELDS}), self.ig_user_id, self.username
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
        """Top-level comments with their replies (one level deep on Instagram, §4.3),
        flattened and in time order within the page. `since` is applied here: the
        comments edge has no time filter."""
        body = self.client.get_list(
            f"{post_id}/comments",
            {"fields": COMMENT_WITH_REPLIES, "limit": min(limit, 100)},
            cursor=cursor,
        )
        try:
            page = IgCommentList.model_validate(body)
        except ValueError:
            raise _bad("Uventet svar fra Instagram (kommentarliste).") from None
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
        replies = [
            r.model_copy(update={"parent_id": r.parent_id or top.id}) for r in top.replies.data
        ]
        paging = top.replies.paging or {}
        cursor = self.client.cursor_from_next(
            paging.get("next") if isinstance(paging, dict) else None
        )
        while cursor:
            more = IgCommentList.model_validate(self.client.get_cursor(cursor))
            replies.extend(
                r.model_copy(update={"parent_id": r.parent_id or top.id}) for r in more.data
            )
            cursor = self.client.cursor_from_next((more.paging or {}).get("next"))
        return replies

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
            raise _bad("Svaret er tomt.")
        body = self.client.post(f"{comment_id}/replies", {"message": text})
        return self._read_comment(str(body.get("id")))

    @recorded(Capability.REPLIER)
    def comment(self, post_id: str, text: str) -> Comment:
        if not text.strip():
            raise _bad("Kommentaren er tom.")
        body = self.client.post(f"{post_id}/comments", {"message": text})
        return self._read_comment(str(body.get("id")))

    @recorded(Capability.PRIVATE_REPLIER)
    def private_reply(self, comment_id: str, text: str) -> str:
        """A private reply to the commenter (MO-4 notices): `POST /{ig-user-id}/messages`
        with `recipient={"comment_id": …}`, as on Facebook. Returns the message id."""
        if not text.strip():
            raise _bad("Meldingen er tom.")
        body = self.client.post(
            f"{self.ig_user_id}/messages",
            {"recipient": {"comment_id": comment_id}, "message": {"text": text}},
        )
        return str(body.get("message_id") or body.get("id") or "")

    # -- Moderator --------------------------------------------------------------------------

    @recorded(Capability.MODERATOR)
    def hide_comment(self, comment_id: str) -> bool:
        self.client.post(comment_id, {"hide": True}, idempotent=True)
        return True

    @recorded(Capability.MODERATOR)
    def unhide_comment(self, comment_id: str) -> bool:
        self.client.post(comment_id, {"hide": False}, idempotent=True)
        return True

    @recorded(Capability.MODERATOR)
    def delete_comment(self, comment_id: str) -> bool:
        try:
            self.client.delete(comment_id)
        except ConnectorError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                return False
            raise
        return True

    # -- CommentSwitch -------------------------------------------------------------------------

    @recorded(Capability.COMMENT_SWITCH)
    def set_comments_enabled(self, post_id: str, enabled: bool) -> bool:
        """`comment_enabled` on one media (spec §4.4); used for closure periods (CH-9)."""
        body = self.client.post(post_id, {"comment_enabled": enabled}, idempotent=True)
        return body.get("success") in (True, "true")

    # -- Publisher ---------------------------------------------------------------------------------

    @recorded(Capability.PUBLISHER)
    def publish(self, draft: Draft) -> Post:
        """Container → poll `status_code` → `media_publish` (spec §4.5).

        Images need a public URL (Meta fetches it) and alt text (PU-4). The publishing
        cap is read at run time from `content_publishing_limit`.
        """
        if not draft.media:
            raise _bad("Instagram krever bilde eller video i hvert innlegg.")
        if len(draft.media) > CAROUSEL_MAX:
            raise _bad(f"Instagram tar høyst {CAROUSEL_MAX} bilder/videoer i ett innlegg.")
        for item in draft.media:
            if not item.url:
                raise _bad("Instagram henter mediene selv: de må ha en offentlig adresse (URL).")
            if item.kind == "image" and not item.alt_text:
                raise _bad("Bildet mangler alternativ tekst (PU-4).")
            if item.kind == "video" and item.captions:
                raise ConnectorError(
                    CAPTIONS_UNSUPPORTED_NB, permanent=True, code=ErrorCode.UNSUPPORTED
                )
        caption = draft.text if not draft.link else f"{draft.text}\n\n{draft.link}"
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
            container = str(body.get("id"))
        self._wait_finished(container)
        body = self.client.post(f"{self.ig_user_id}/media_publish", {"creation_id": container})
        return to_post(
            self.client.get(str(body.get("id")), {"fields": MEDIA_FIELDS}),
            self.ig_user_id,
            self.username,
        )

    def _container(
        self, media: Any, *, caption: str | None = None, carousel_item: bool = False
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
        return str(body.get("id"))

    def _wait_finished(self, container_id: str) -> None:
        for attempt in range(self.max_polls):
            body = self.client.get(container_id, {"fields": "status_code,status"})
            status = body.get("status_code")
            if status in {"FINISHED", "PUBLISHED"}:
                return
            if status in {"ERROR", "EXPIRED"}:
                raise ConnectorError(
                    "Instagram kunne ikke behandle mediet"
                    + (
                        " (utløpt etter 24 timer)."
                        if status == "EXPIRED"
                        else f": {body.get('status', '')}"
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
        data = body.get("data")
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        config = first.get("config") if isinstance(first.get("config"), dict) else {}
        return PublishingQuota(
            used=int(first.get("quota_usage") or 0),
            total=int(config.get("quota_total") or 25),  # the most cautious documented cap
            window_seconds=int(config.get("quota_duration") or 86400),
        )

    # -- Insights ---------------------------------------------------------------------------------

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
        if not metrics:
            raise _bad("Velg minst én måling.")
        params: dict[str, Any] = {"metric": ",".join(metrics)}
        if object_id is None:
            params["period"] = period
        params.update(time_params(since=since, until=until))
        return parse_insights(self.client.get(f"{object_id or self.ig_user_id}/insights", params))
