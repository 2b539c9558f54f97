"""Where the channel registry meets the platform connectors (closures, CH-9).

Only tasks call this module, never a request or a transaction. The domain asks for a
capability (`CommentSwitch`, `CommentSource`, `Moderator`) and handles "not
supported" itself: a platform without a comment switch gets its new comments hidden
as they arrive instead. `open_connector` is the one seam: it opens the channel's
connector with the configured opener, or builds it with `connector_for`.

What plugs into the connectors is configured in one place, the setting
`ORDSTYRER_CONNECTORS` (config/settings.py), and resolved in one function,
`connector_hooks`, on each use — no module state is written at start-up:

* `OPENER`: `(channel) -> context manager yielding the connector` (the inbox's
  `channel_connector`, which keeps the simulated platform's world under a row lock);
* `CONFIG`: `(channel) -> extra connector settings` (the platform connection's account
  id and encrypted token);
* `RECORDER`: `(channel) -> CallRecorder` (the call log of `ordstyrer.platforms`).

Each value is a dotted path, a callable, or None (not plugged). Tests swap one with
pytest-django's `settings` fixture (or `override_settings`), e.g.
`settings.ORDSTYRER_CONNECTORS = {**settings.ORDSTYRER_CONNECTORS, "OPENER": opener}`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ordstyrer.channels.models import Channel, CommentMode
from ordstyrer.connectors.base import Capability, ConnectorError, iterate_pages, supports

logger = logging.getLogger("ordstyrer.channels")

# How many of the channel's latest posts get comments switched off: older posts see
# next to no comments, and the Graph API pages 25 at a time.
MAX_POSTS = 100


@dataclass(frozen=True, slots=True)
class PlatformOutcome:
    """What a platform step did. `post_ids` are the posts it switched, also when it
    failed part-way (so that nothing switched off is forgotten); `retry` says the failure
    was transient (a rate limit, a timeout), so the step is worth trying again, not
    before `retry_after` seconds when the platform said so; `code` is the failure's
    `ErrorCode` (`not_found`: the object is gone)."""

    mode: str
    post_ids: tuple[str, ...] = ()
    note: str = ""
    retry: bool = False
    retry_after: float | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.mode != CommentMode.FAILED


# The key under which each connector's `from_config` expects the platform's id.
PLATFORM_ID_KEYS = {"facebook": "page_id", "instagram": "ig_user_id", "simulated": "channel_id"}


ConnectorOpener = Callable[[Channel], AbstractContextManager[Any]]
ExtraConfig = Callable[[Channel], Mapping[str, Any]]
RecorderFactory = Callable[[Channel], Any]


@dataclass(frozen=True, slots=True)
class ConnectorHooks:
    """What `ORDSTYRER_CONNECTORS` plugs in (None: nothing)."""

    opener: ConnectorOpener | None = None
    config: ExtraConfig | None = None
    recorder: RecorderFactory | None = None


HOOK_KEYS = ("OPENER", "CONFIG", "RECORDER")


def connector_hooks() -> ConnectorHooks:
    """The hooks `ORDSTYRER_CONNECTORS` names, resolved (the one place they are read)."""
    configured = getattr(settings, "ORDSTYRER_CONNECTORS", None) or {}
    unknown = sorted(set(configured) - set(HOOK_KEYS))
    if unknown:
        raise ImproperlyConfigured(
            f"ORDSTYRER_CONNECTORS: unknown keys {unknown}; known: {list(HOOK_KEYS)}"
        )
    return ConnectorHooks(
        opener=_resolve(configured.get("OPENER")),
        config=_resolve(configured.get("CONFIG")),
        recorder=_resolve(configured.get("RECORDER")),
    )


def _resolve(value: object) -> Any:
    if value is None or callable(value):
        return value
    if isinstance(value, str):
        return _import(value)
    raise ImproperlyConfigured(
        f"ORDSTYRER_CONNECTORS: {value!r} is neither a dotted path nor a callable"
    )


@lru_cache(maxsize=32)
def _import(dotted: str) -> Any:
    # Cached by path: imported once, while a swapped setting is seen at once.
    try:
        return import_string(dotted)
    except ImportError as exc:
        raise ImproperlyConfigured(f"ORDSTYRER_CONNECTORS: {exc}") from exc


def connector_config(channel: Channel) -> dict[str, Any]:
    """The settings a connector is built from: the channel's stored connector settings
    (encrypted tokens included, decrypted only by the connector), its platform id and
    the configured extra settings (`ORDSTYRER_CONNECTORS["CONFIG"]`)."""
    config = dict(channel.connector_config or {})
    key = PLATFORM_ID_KEYS.get(channel.kind, "platform_id")
    if channel.platform_id:
        config.setdefault(key, channel.platform_id)
    extra = connector_hooks().config
    if extra is not None:
        config.update(extra(channel))
    return config


def connector_for(channel: Channel) -> Any:
    """The connector of the channel's platform (`ordstyrer.connectors.registry`), with
    every call recorded on the channel when a recorder is configured."""
    from ordstyrer.connectors.registry import get_connector

    recorder_for = connector_hooks().recorder
    recorder = recorder_for(channel) if recorder_for is not None else None
    return get_connector(channel.kind, connector_config(channel), recorder=recorder)


@contextmanager
def open_connector(channel: Channel) -> Iterator[Any]:
    """The channel's connector for the duration of the block (the one seam)."""
    opener = connector_hooks().opener
    if opener is not None:
        with opener(channel) as connector:
            yield connector
        return
    yield connector_for(channel)


def _failed(channel: Channel, exc: Exception, post_ids: Iterable[str] = ()) -> PlatformOutcome:
    logger.warning(
        "closure platform step failed",
        extra={"channel_id": channel.pk, "error": type(exc).__name__},
    )
    message = exc.message if isinstance(exc, ConnectorError) else type(exc).__name__
    # A connector that cannot be imported is configuration: retrying will not mend it.
    known = exc if isinstance(exc, ConnectorError) else None
    return PlatformOutcome(
        CommentMode.FAILED,
        post_ids=tuple(post_ids),
        note=str(message),
        retry=known is not None and not known.permanent,
        retry_after=known.retry_after if known else None,
        code=known.code if known else None,
    )


def comments_off(channel: Channel) -> PlatformOutcome:
    """Switch commenting off on the channel's latest posts, where the platform can.

    Posts whose comments are off already (`Post.comments_enabled` False: switched off on
    purpose before the closure) are left out, so that the end of the closure switches on
    only what the closure switched off. A platform that does not say (None) is switched.

    A failure part-way returns the posts switched so far with it: they are off, and the
    end of the closure must switch them on again.
    """
    switched: list[str] = []
    try:
        with open_connector(channel) as connector:
            if not (
                supports(connector, Capability.COMMENT_SWITCH)
                and supports(connector, Capability.COMMENT_SOURCE)
            ):
                return PlatformOutcome(
                    CommentMode.HIDE_NEW,
                    note=_("Plattformen kan ikke slå av kommentarer; nye kommentarer skjules."),
                )
            pages = iterate_pages(lambda cursor: connector.list_posts(cursor=cursor, limit=25))
            for seen, post in enumerate(pages):
                if seen >= MAX_POSTS:
                    break
                if post.comments_enabled is False:
                    continue
                try:
                    connector.set_comments_enabled(post.id, False)
                except ConnectorError as exc:
                    if exc.code == "not_found":  # deleted since the listing: nothing to do
                        continue
                    raise
                switched.append(post.id)
            return PlatformOutcome(CommentMode.SWITCHED_OFF, post_ids=tuple(switched))
    except (ConnectorError, ImportError) as exc:
        return _failed(channel, exc, switched)


def post_comments_off(channel: Channel, post_id: str) -> PlatformOutcome:
    """Switch commenting off on one post (one published, or commented on, during a
    closure, CH-9). `post_ids` is the post when it was switched off by this call, empty
    when its comments were off already or the platform has no switch."""
    try:
        with open_connector(channel) as connector:
            if not supports(connector, Capability.COMMENT_SWITCH):
                return PlatformOutcome(
                    CommentMode.HIDE_NEW,
                    note=_("Plattformen kan ikke slå av kommentarer; nye kommentarer skjules."),
                )
            if supports(connector, Capability.COMMENT_SOURCE):
                if connector.get_post(post_id).comments_enabled is False:
                    return PlatformOutcome(CommentMode.SWITCHED_OFF)
            connector.set_comments_enabled(post_id, False)
            return PlatformOutcome(CommentMode.SWITCHED_OFF, post_ids=(post_id,))
    except (ConnectorError, ImportError) as exc:
        return _failed(channel, exc)


def comment_post_id(channel: Channel, comment_id: str) -> str | None:
    """The post a comment belongs to, as the platform says (None if it cannot say)."""
    try:
        with open_connector(channel) as connector:
            if not supports(connector, Capability.COMMENT_SOURCE):
                return None
            return connector.get_comment(comment_id).post_id
    except (ConnectorError, ImportError) as exc:
        _failed(channel, exc)
        return None


def comments_on(channel: Channel, post_ids: Iterable[str]) -> PlatformOutcome:
    """Switch commenting on again for the posts switched off at the start. `post_ids` of
    the outcome are those now on (a deleted post counts: nothing is left to switch on),
    also when it failed part-way."""
    done: list[str] = []
    try:
        with open_connector(channel) as connector:
            for post_id in post_ids:
                try:
                    connector.set_comments_enabled(post_id, True)
                except ConnectorError as exc:
                    if exc.code != "not_found":  # a deleted post needs nothing switched on
                        raise
                done.append(post_id)
            return PlatformOutcome(CommentMode.SWITCHED_OFF, post_ids=tuple(done))
    except (ConnectorError, ImportError) as exc:
        return _failed(channel, exc, done)


def hide_comment(channel: Channel, comment_id: str) -> PlatformOutcome:
    """Hide one comment that arrived while the channel was closed."""
    try:
        with open_connector(channel) as connector:
            if not supports(connector, Capability.MODERATOR):
                return PlatformOutcome(
                    CommentMode.FAILED, note=_("Plattformen kan ikke skjule kommentarer.")
                )
            connector.hide_comment(comment_id)
            return PlatformOutcome(CommentMode.HIDE_NEW)
    except (ConnectorError, ImportError) as exc:
        return _failed(channel, exc)
