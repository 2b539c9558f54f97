"""The connector interface: capabilities, normalised records, the one error type.

The domain never asks "is this Facebook?"; it asks whether a connector `supports` a
capability (`CommentSource`, `ThreadSource`, `Replier`, `Moderator`, `Blocker`, `Publisher`,
`Scheduler`, `CommentSwitch`, `Insights`) and handles "not supported" itself — Instagram, for one,
cannot block a person through its API (see `ordstyrer.connectors.instagram`).

Pure Python: no Django import. The Django side builds a connector through
`ordstyrer.connectors.registry.get_connector` and passes a `CallRecorder` to log every
call on the channel.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, Protocol, TypeVar, runtime_checkable

logger = logging.getLogger(__name__)


class Capability(enum.StrEnum):
    COMMENT_SOURCE = "comment_source"
    # The replies under one comment, read without the rest of the post (`ThreadSource`).
    THREAD_SOURCE = "thread_source"
    REPLIER = "replier"
    MODERATOR = "moderator"
    BLOCKER = "blocker"
    PUBLISHER = "publisher"
    SCHEDULER = "scheduler"
    COMMENT_SWITCH = "comment_switch"
    INSIGHTS = "insights"
    # A private message to the author of a comment (Messenger/Instagram "private reply").
    PRIVATE_REPLIER = "private_replier"


class ErrorCode(enum.StrEnum):
    """Stable, platform-neutral reasons carried in `ConnectorError.code`."""

    NEEDS_REAUTH = "needs_reauth"  # token expired/revoked: flag the channel (Graph 190, 102, 10)
    PERMISSION = "permission"  # role/task missing (Graph 200-299, 1/2853006)
    THROTTLED = "throttled"  # rate limit: wait `retry_after` (Graph 4, 17, 32, 613, 80001…)
    TRANSIENT = "transient"  # temporary fault: retry with backoff (Graph 1, 2, 1705, 5xx)
    POLICY_BLOCK = "policy_block"  # platform says "abusive": stop writes, alert a human (368)
    NOT_FOUND = "not_found"  # the object is gone (Graph 100/33)
    DUPLICATE = "duplicate"  # same post twice (Graph 506)
    BAD_LINK = "bad_link"  # link could not be scraped (Graph 1609005)
    BAD_REQUEST = "bad_request"  # our call was wrong (Graph 100, 2500, 3001)
    UNSUPPORTED = "unsupported"  # the platform lacks the operation (Graph 3, 200/2069030)
    SCHEDULE_WINDOW = "schedule_window"  # time outside the platform's scheduling window
    PUBLISHING_LIMIT = "publishing_limit"  # Instagram's rolling 24 h cap (IG code 9)
    MEDIA_FAILED = "media_failed"  # upload/container processing failed or expired
    COMMENTS_CLOSED = "comments_closed"  # commenting is switched off on the target
    NETWORK = "network"  # could not reach the platform
    BAD_ANSWER = "bad_answer"  # the platform answered, but not in the documented shape


class ConnectorError(Exception):
    """The one error connectors raise.

    `permanent` errors will not go away by retrying (revoked token, deleted object):
    the caller flags the channel or gives up. Transient ones carry `retry_after` seconds
    when the platform said how long to wait. The message is Norwegian, for people; it
    never contains a token (the Graph client masks them before building the error).
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        code: str | None = None,
        platform_code: int | None = None,
        platform_subcode: int | None = None,
        trace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code
        self.platform_code = platform_code
        self.platform_subcode = platform_subcode
        self.trace_id = trace_id

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"ConnectorError({self.message!r}, permanent={self.permanent}, "
            f"retry_after={self.retry_after}, code={self.code!r}, "
            f"platform_code={self.platform_code}, platform_subcode={self.platform_subcode})"
        )


def unsupported(what: str) -> ConnectorError:
    return ConnectorError(
        f"Plattformen støtter ikke {what}.", permanent=True, code=ErrorCode.UNSUPPORTED
    )


def bad_request(text: str) -> ConnectorError:
    """Our call cannot be made as asked (an empty reply, a missing setting): permanent."""
    return ConnectorError(text, permanent=True, code=ErrorCode.BAD_REQUEST)


# ---------------------------------------------------------------------------------------
# Normalised records


@dataclass(frozen=True, slots=True)
class Author:
    id: str  # the platform's id for the person (page-scoped on Facebook)
    name: str
    profile_url: str | None = None


@dataclass(frozen=True, slots=True)
class Caption:
    """A subtitle file for a video (PU-3). `locale` like `nb_NO`, `nn_NO`."""

    locale: str
    srt: str


@dataclass(frozen=True, slots=True)
class Media:
    """An image or video, either already on the platform (`id`) or to be uploaded.

    To upload, give a public `url` or the bytes in `content` (with `filename`).
    `alt_text` is the text alternative (PU-4); `captions` the subtitles (PU-3).
    """

    kind: Literal["image", "video"]
    url: str | None = None
    content: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    alt_text: str | None = None
    title: str | None = None
    captions: tuple[Caption, ...] = ()
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    id: str
    text: str
    created_at: datetime | None
    permalink: str | None = None
    author: Author | None = None
    is_published: bool = True
    scheduled_at: datetime | None = None
    media: tuple[Media, ...] = ()
    link: str | None = None
    comment_count: int | None = None
    comments_enabled: bool | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


AttachmentKind = Literal["photo", "sticker", "gif", "video", "link", "other"]


@dataclass(frozen=True, slots=True)
class CommentAttachment:
    """What a comment carries besides its text: a photo, sticker, GIF, video or link
    (a comment may be that alone, with no text at all).

    `kind` is platform-neutral, `platform_type` the platform's own word for it (Graph:
    `photo`, `sticker`, `animated_image_share`, …). `image_url` is the picture itself
    (Graph: `media.image.src`), `url` where the attachment points (a photo's page, a
    link). Either may be missing.
    """

    kind: AttachmentKind
    platform_type: str = ""
    url: str | None = None
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment or reply. `parent_id` is None for a top-level comment.

    `post_id` is None only for imported archive records (DYI) where the platform did
    not say which post the comment belonged to. `attachment` is what the comment
    carries besides its text, where the platform tells us.
    """

    id: str
    post_id: str | None
    author: Author | None
    text: str
    created_at: datetime | None
    parent_id: str | None = None
    edited: bool = False
    removed: bool = False
    hidden: bool = False
    permalink: str | None = None
    is_page_author: bool = False
    reply_count: int | None = None
    attachment: CommentAttachment | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One change the platform told us about (a webhook change, or the simulated feed).

    `item` is `"comment"` or `"post"` (others are passed through, never dropped);
    `verb` is `add`, `edited`, `remove`, `hide` or `unhide` for comments.
    `is_page_author` is True when the channel itself wrote it — ignore those to avoid
    reply loops.
    """

    platform: str
    channel_id: str
    item: str
    verb: str
    post_id: str | None = None
    comment_id: str | None = None
    parent_id: str | None = None
    author: Author | None = None
    text: str | None = None
    created_at: datetime | None = None
    is_page_author: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """One page of a list. Pass `next_cursor` back to get the next page; None = done.

    Cursors are opaque, hold no credentials and must not be stored for later runs
    (Graph cursors expire and break when items are deleted).
    """

    items: tuple[T, ...]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """Something to publish: text (the information itself, PU-2), an optional link, media."""

    text: str
    link: str | None = None
    media: tuple[Media, ...] = ()


@dataclass(frozen=True, slots=True)
class InsightValue:
    end_time: datetime | None
    value: float | dict[str, float]


@dataclass(frozen=True, slots=True)
class InsightSeries:
    metric: str
    period: str
    values: tuple[InsightValue, ...]
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PublishingQuota:
    used: int
    total: int
    window_seconds: int


# ---------------------------------------------------------------------------------------
# Capabilities


@runtime_checkable
class CommentSource(Protocol):
    def list_posts(
        self, *, since: datetime | None = None, cursor: str | None = None, limit: int = 25
    ) -> Listing[Post]:
        """The channel's own published posts, newest first."""

    def get_post(self, post_id: str) -> Post: ...

    def list_comments(
        self,
        post_id: str,
        *,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Listing[Comment]:
        """Every comment and reply on a post (all levels, oldest first)."""

    def get_comment(self, comment_id: str) -> Comment:
        """One comment; `ConnectorError(code="not_found")` when it is gone."""


@runtime_checkable
class ThreadSource(Protocol):
    def list_replies(
        self,
        comment_id: str,
        *,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Listing[Comment]:
        """The thread under one comment (or a visitor's post): every reply below it, at
        all levels, oldest first, without reading the rest of the post (Graph: `GET
        /{comment-id}/comments`; Instagram: `GET /{ig-comment-id}/replies`). A reply's
        `parent_id` is never empty: a direct reply's is `comment_id`.
        `ConnectorError(code="not_found")` when the comment is gone."""


@runtime_checkable
class Replier(Protocol):
    def reply(self, target_id: str, text: str) -> Comment:
        """Reply as the channel to a post (top-level comment) or to a comment."""


@runtime_checkable
class PrivateReplier(Protocol):
    def private_reply(self, comment_id: str, text: str) -> str:
        """Send `text` as a private message to the author of comment `comment_id`
        (`POST /{page-or-ig-user-id}/messages` with `recipient.comment_id`); returns the
        message id. Refused by the platform outside its window or when already used."""


@runtime_checkable
class Moderator(Protocol):
    """Hide, unhide, delete. Each returns True if it changed something, False if the
    comment was already in that state (a delete of a comment that is gone is done)."""

    def hide_comment(self, comment_id: str) -> bool: ...

    def unhide_comment(self, comment_id: str) -> bool: ...

    def delete_comment(self, comment_id: str) -> bool: ...


@runtime_checkable
class Blocker(Protocol):
    def block(self, author_id: str) -> bool: ...

    def unblock(self, author_id: str) -> bool: ...

    def is_blocked(self, author_id: str) -> bool: ...


@runtime_checkable
class Publisher(Protocol):
    def publish(self, draft: Draft) -> Post: ...


@runtime_checkable
class Scheduler(Protocol):
    def schedule(self, draft: Draft, at: datetime, *, now: datetime) -> Post:
        """Hand a post to the platform to publish at `at` (window checked against `now`)."""

    def list_scheduled(self) -> Sequence[Post]: ...

    def cancel_scheduled(self, post_id: str) -> bool: ...


@runtime_checkable
class CommentSwitch(Protocol):
    def set_comments_enabled(self, post_id: str, enabled: bool) -> bool:
        """Switch commenting off/on for one post (CH-9 closure periods)."""


@runtime_checkable
class Insights(Protocol):
    def insights(
        self,
        metrics: Sequence[str],
        *,
        period: str = "day",
        since: datetime | None = None,
        until: datetime | None = None,
        object_id: str | None = None,
    ) -> list[InsightSeries]: ...


CAPABILITY_PROTOCOLS: dict[Capability, type] = {
    Capability.COMMENT_SOURCE: CommentSource,
    Capability.THREAD_SOURCE: ThreadSource,
    Capability.REPLIER: Replier,
    Capability.MODERATOR: Moderator,
    Capability.BLOCKER: Blocker,
    Capability.PUBLISHER: Publisher,
    Capability.SCHEDULER: Scheduler,
    Capability.COMMENT_SWITCH: CommentSwitch,
    Capability.INSIGHTS: Insights,
    Capability.PRIVATE_REPLIER: PrivateReplier,
}


def supports(connector: object, capability: Capability | str) -> bool:
    """Whether `connector` offers `capability` (declared and implemented)."""
    capability = Capability(capability)
    declared = getattr(connector, "capabilities", None)
    if declared is not None and capability not in declared:
        return False
    return isinstance(connector, CAPABILITY_PROTOCOLS[capability])


class Pages(Iterator[T]):
    """The items of `iterate_pages`, page after page. `truncated` turns True when the
    walk stopped at `max_pages` while the platform still had a next page: what was read
    is then only the first part of the list (DI-1), and a caller that must not lose
    anything asks after the loop."""

    def __init__(self, fetch: Callable[[str | None], Listing[T]], max_pages: int) -> None:
        self.truncated = False
        self._items = self._walk(fetch, max_pages)

    def _walk(self, fetch: Callable[[str | None], Listing[T]], max_pages: int) -> Iterator[T]:
        cursor: str | None = None
        for _ in range(max_pages):
            page = fetch(cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
        self.truncated = True

    def __next__(self) -> T:
        return next(self._items)


def iterate_pages(fetch: Callable[[str | None], Listing[T]], *, max_pages: int = 1000) -> Pages[T]:
    """Every item across pages: `fetch(cursor)` until the cursor runs out, or at most
    `max_pages` pages — then the result's `truncated` says the list went on."""
    return Pages(fetch, max_pages)


# ---------------------------------------------------------------------------------------
# Call recording


class CallRecorder(Protocol):
    """Called once per capability call; the Django side stores it on the channel."""

    def __call__(
        self,
        *,
        outcome: Literal["ok", "error"],
        capability: Capability,
        operation: str,
        duration: float,
        error: ConnectorError | None,
    ) -> None: ...


F = TypeVar("F", bound=Callable[..., Any])


def recorded(capability: Capability) -> Callable[[F], F]:
    """Decorator for connector methods: time the call and report it to `self.recorder`.

    Only `ConnectorError` is expected from a connector; anything else is a bug and is
    reported as an error outcome before it propagates.
    """

    def wrap(fn: F) -> F:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            recorder: CallRecorder | None = getattr(self, "recorder", None)
            started = time.perf_counter()
            try:
                result = fn(self, *args, **kwargs)
            except ConnectorError as exc:
                _report(recorder, "error", capability, fn.__name__, started, exc)
                raise
            except Exception:
                _report(recorder, "error", capability, fn.__name__, started, None)
                raise
            _report(recorder, "ok", capability, fn.__name__, started, None)
            return result

        method.__name__ = fn.__name__
        method.__qualname__ = fn.__qualname__
        method.__doc__ = fn.__doc__
        return method  # type: ignore[return-value]

    return wrap


def _report(
    recorder: CallRecorder | None,
    outcome: Literal["ok", "error"],
    capability: Capability,
    operation: str,
    started: float,
    error: ConnectorError | None,
) -> None:
    if recorder is None:
        return
    try:
        recorder(
            outcome=outcome,
            capability=capability,
            operation=operation,
            duration=time.perf_counter() - started,
            error=error,
        )
    except Exception:  # noqa: BLE001 — a broken recorder must not break the platform call
        logger.exception("connector call recorder failed", extra={"operation": operation})
