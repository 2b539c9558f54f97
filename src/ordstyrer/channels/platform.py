"""Where the channel registry meets the platform connectors (closures, CH-9).

Only tasks call this module, never a request or a transaction. The domain asks for a
capability (`CommentSwitch`, `CommentSource`, `Moderator`) and handles "not
supported" itself: a platform without a comment switch gets its new comments hidden
as they arrive instead. `open_connector` is the one seam: by default it builds the
connector with `connector_for`; another app may plug in its own opener
(`use_connector_opener`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ordstyrer.channels.models import Channel, CommentMode
from ordstyrer.connectors.base import Capability, ConnectorError, iterate_pages, supports

logger = logging.getLogger("ordstyrer.channels")

# How many of the channel's latest posts get comments switched off: older posts see
# next to no comments, and the Graph API pages 25 at a time.
MAX_POSTS = 100


@dataclass(frozen=True, slots=True)
class PlatformOutcome:
    mode: str
    post_ids: tuple[str, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.mode != CommentMode.FAILED


# The key under which each connector's `from_config` expects the platform's id.
PLATFORM_ID_KEYS = {"facebook": "page_id", "instagram": "ig_user_id", "simulated": "channel_id"}


def connector_config(channel: Channel) -> dict[str, Any]:
    """The settings a connector is built from: the channel's stored connector settings
    (encrypted tokens included, decrypted only by the connector) and its platform id."""
    config = dict(channel.connector_config or {})
    key = PLATFORM_ID_KEYS.get(channel.kind, "platform_id")
    if channel.platform_id:
        config.setdefault(key, channel.platform_id)
    if _extra_config is not None:
        config.update(_extra_config(channel))
    return config


def connector_for(channel: Channel) -> Any:
    """The connector of the channel's platform (`ordstyrer.connectors.registry`), with
    every call recorded on the channel when a recorder is plugged in."""
    from ordstyrer.connectors.registry import get_connector

    recorder = _recorder(channel) if _recorder is not None else None
    return get_connector(channel.kind, connector_config(channel), recorder=recorder)


# The platform connection (`ordstyrer.platforms`) adds the stored account id and
# encrypted token to the settings, and logs every connector call on the channel.
_extra_config: Callable[[Channel], Mapping[str, Any]] | None = None
_recorder: Callable[[Channel], Any] | None = None


def use_connector_extras(
    *,
    config: Callable[[Channel], Mapping[str, Any]] | None,
    recorder: Callable[[Channel], Any] | None,
) -> None:
    """Plug in extra connector settings and a `CallRecorder` factory (set once from
    AppConfig.ready; None: neither)."""
    global _extra_config, _recorder  # one process-wide seam, like the opener below
    _extra_config, _recorder = config, recorder


ConnectorOpener = Callable[[Channel], AbstractContextManager[Any]]
_opener: ConnectorOpener | None = None


def use_connector_opener(opener: ConnectorOpener | None) -> None:
    """Let another app open connectors for the closure steps, e.g. the inbox's
    `channel_connector`, which loads and saves the simulated platform's world under a
    row lock so that comments switched off here stay off there. None: the default."""
    global _opener  # one process-wide seam, set once from AppConfig.ready
    _opener = opener


@contextmanager
def open_connector(channel: Channel) -> Iterator[Any]:
    """The channel's connector for the duration of the block (the one seam)."""
    if _opener is not None:
        with _opener(channel) as connector:
            yield connector
        return
    yield connector_for(channel)


def _failed(channel: Channel, exc: Exception) -> PlatformOutcome:
    logger.warning(
        "closure platform step failed",
        extra={"channel_id": channel.pk, "error": type(exc).__name__},
    )
    message = exc.message if isinstance(exc, ConnectorError) else type(exc).__name__
    return PlatformOutcome(CommentMode.FAILED, note=str(message))


def comments_off(channel: Channel) -> PlatformOutcome:
    """Switch commenting off on the channel's latest posts, where the platform can."""
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
            switched: list[str] = []
            pages = iterate_pages(lambda cursor: connector.list_posts(cursor=cursor, limit=25))
            for post in pages:
                if len(switched) >= MAX_POSTS:
                    break
                connector.set_comments_enabled(post.id, False)
                switched.append(post.id)
            return PlatformOutcome(CommentMode.SWITCHED_OFF, post_ids=tuple(switched))
    except (ConnectorError, ImportError) as exc:
        return _failed(channel, exc)


def comments_on(channel: Channel, post_ids: Iterable[str]) -> PlatformOutcome:
    """Switch commenting on again for the posts switched off at the start."""
    try:
        with open_connector(channel) as connector:
            done = []
            for post_id in post_ids:
                try:
                    connector.set_comments_enabled(post_id, True)
                except ConnectorError as exc:
                    if exc.code != "not_found":  # a deleted post needs nothing switched on
                        raise
                done.append(post_id)
            return PlatformOutcome(CommentMode.SWITCHED_OFF, post_ids=tuple(done))
    except (ConnectorError, ImportError) as exc:
        return _failed(channel, exc)


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
