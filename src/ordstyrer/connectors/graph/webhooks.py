"""Incoming Graph webhooks, the pure part: signature, handshake, typed parsing (spec §2).

The Django view must: read the raw body bytes, `verify_signature` them *before* any JSON
parsing (Meta signs an ASCII-escaped body, so æ/ø/å arrive as `\\u00e6`; re-serialising
would break the hash), store the raw payload, answer 200, and hand the body to a task
that calls `parse_events`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ordstyrer.connectors.base import Author, ChangeEvent

# Graph may send a broken emoji as valid JSON (`"Hei \\ud83d"`): `jsonsafe.loads` and
# `jsonsafe.without_lone_surrogates` make it U+FFFD where Graph JSON becomes our data: the webhook
# parse here and the Graph mappings (`to_comment`, `to_post`), so the database, the
# archive's hash and the log never meet one.
from ordstyrer.jsonsafe import MAX_DEPTH, json_depth, loads

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
# A Unix time above this is in milliseconds (seconds would be the year 5138).
MILLISECONDS_FROM = 10**11
# Limits on a body before it is stored or parsed. Meta's envelopes nest about eight deep
# (entry → changes → value → from / attachments …) and a batch of changes stays well
# under a megabyte; a deeper or bigger body is refused at receipt (400/413) and never
# reaches `json.loads`, whose recursion a deep body exhausts (issue #18: a RecursionError
# stalled the whole queue).
MAX_BODY_BYTES = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE default


def sign(raw_body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta would send for these bytes."""
    digest = hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """True if `header` is a valid `sha256=<hex>` HMAC of the exact raw body bytes.

    Constant-time comparison; a missing, malformed or sha1-only header is refused.
    """
    if not header or not app_secret or not isinstance(raw_body, bytes | bytearray):
        return False
    scheme, _, received = header.strip().partition("=")
    # Only 64 hex digits are compared: `compare_digest` raises TypeError on a str holding
    # anything but ASCII, and the header is whatever an unauthenticated caller sent.
    if scheme.lower() != "sha256" or len(received) != 64 or not _is_hex(received):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), bytes(raw_body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.lower())


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _is_hex(value: str) -> bool:
    return all(char in _HEX_DIGITS for char in value)


def body_problem(raw_body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> str | None:
    """Why this body is refused before it is stored (too big, nested too deep), or None."""
    if not isinstance(raw_body, bytes | bytearray):
        return "not bytes"
    if len(raw_body) > max_bytes:
        return f"body of {len(raw_body)} bytes is over the limit of {max_bytes}"
    if json_depth(bytes(raw_body)) > MAX_DEPTH:
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    return None


def verify_handshake(params: Mapping[str, str], verify_token: str) -> str | None:
    """The GET subscription check: the challenge to echo (200, plain text) or None (403)."""
    mode = params.get("hub.mode")
    token = params.get("hub.verify_token") or ""
    challenge = params.get("hub.challenge")
    if mode != "subscribe" or challenge is None or not verify_token:
        return None
    if not hmac.compare_digest(token.encode("utf-8"), verify_token.encode("utf-8")):
        return None
    return str(challenge)


# ---------------------------------------------------------------------------------------
# Typed payloads. Unknown keys are kept (extra="allow") so nothing is silently lost.


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class FromUser(_Model):
    id: str | None = None
    name: str | None = None
    username: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class FeedValue(_Model):
    item: str | None = None
    verb: str | None = None
    comment_id: str | None = None
    post_id: str | None = None
    parent_id: str | None = None
    from_: FromUser | None = Field(default=None, alias="from")
    message: str | None = None
    created_time: int | float | str | None = None
    photo: str | None = None
    video: str | None = None
    is_hidden: bool | None = None


class IgMediaRef(_Model):
    id: str | None = None
    media_product_type: str | None = None


class IgCommentValue(_Model):
    id: str | None = None
    text: str | None = None
    from_: FromUser | None = Field(default=None, alias="from")
    media: IgMediaRef | None = None
    parent_id: str | None = None


class MessagingEvent(_Model):
    """One Messenger event in `entry[].messaging[]` (Page subscribed to `messages`):
    `sender`/`recipient` `{id}` (page-scoped ids, no names), `timestamp` in
    milliseconds, `message` `{mid, text, is_echo?, attachments?}` [S: Messenger webhook
    reference]. Deliveries, reads, postbacks and the like have no `message`."""

    sender: FromUser | None = None
    recipient: FromUser | None = None
    timestamp: int | float | None = None
    message: dict[str, Any] | None = None


class Change(_Model):
    field: str
    value: dict[str, Any] = Field(default_factory=dict)


class Entry(_Model):
    id: str
    time: int | float | None = None
    changes: list[Change] = Field(default_factory=list)
    messaging: list[dict[str, Any]] = Field(default_factory=list)
    # Instagram-Login examples draw `field`/`value` straight inside the entry [U].
    field: str | None = None
    value: dict[str, Any] | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class Envelope(_Model):
    object: str
    entry: list[Entry] = Field(default_factory=list)


class WebhookPayloadError(ValueError):
    """The body is not JSON or not a Graph webhook envelope."""


def _time(value: int | float | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        if value > MILLISECONDS_FROM:  # Messenger counts in milliseconds (§2.3)
            value = value / 1000
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def parse_events(raw_body: bytes) -> list[ChangeEvent]:
    """Every change in one delivery, normalised. Call only after `verify_signature`.

    Page `feed`, Page Messenger `messaging` and Instagram `comments`/`live_comments`
    changes are mapped; anything else becomes a `ChangeEvent` with its field name as
    `item` and verb `unknown`, so the caller can log it rather than drop it.
    """
    problem = body_problem(raw_body)
    if problem is not None:
        raise WebhookPayloadError(f"ugyldig webhook-innhold: {problem}")
    try:
        decoded = loads(raw_body)  # a broken emoji becomes U+FFFD, not poison
        envelope = Envelope.model_validate(decoded)
        return _events(envelope)
    # Issue #18: whatever a signed body does to the parser — RecursionError and
    # MemoryError included — is this delivery's failure alone, never the batch's.
    except (ValueError, TypeError, ValidationError, RecursionError, MemoryError) as exc:
        raise WebhookPayloadError(f"ugyldig webhook-innhold: {type(exc).__name__}") from None
    except Exception as exc:  # noqa: BLE001 — any other surprise fails this body alone
        logger.warning("webhook body not parsed", extra={"error": type(exc).__name__})
        raise WebhookPayloadError(f"ugyldig webhook-innhold: {type(exc).__name__}") from None


def _events(envelope: Envelope) -> list[ChangeEvent]:
    events: list[ChangeEvent] = []
    for entry in envelope.entry:
        changes = list(entry.changes)
        if entry.field and entry.value is not None:
            changes.append(Change(field=entry.field, value=entry.value))
        events.extend(_event(envelope.object, entry, change) for change in changes)
        events.extend(_message(envelope.object, entry, item) for item in entry.messaging)
    return events


def _message(obj: str, entry: Entry, item: dict[str, Any]) -> ChangeEvent:
    """A Messenger message to the Page (`item="message"`, the `mid` as `comment_id`);
    the Page's own (`is_echo`) is marked `is_page_author`."""
    platform = "instagram" if obj == "instagram" else "facebook"
    try:
        event = MessagingEvent.model_validate(item)
    except ValidationError:
        return _unknown(platform, entry, Change(field="messaging", value=item))
    message = event.message or {}
    mid = message.get("mid")
    if not isinstance(mid, str) or not mid:
        return _unknown(platform, entry, Change(field="messaging", value=item))
    author = _author(event.sender)
    echo = message.get("is_echo") is True or (author is not None and author.id == entry.id)
    text = message.get("text")
    return ChangeEvent(
        platform=platform,
        channel_id=entry.id,
        item="message",
        verb="add",
        comment_id=mid,
        author=author,
        text=text if isinstance(text, str) else None,
        created_at=_time(event.timestamp) or _time(entry.time),
        is_page_author=echo,
        raw=item,
    )


def _event(obj: str, entry: Entry, change: Change) -> ChangeEvent:
    if obj == "page" and change.field == "feed":
        try:
            value = FeedValue.model_validate(change.value)
        except ValidationError:
            return _unknown("facebook", entry, change)
        author = _author(value.from_)
        parent = value.parent_id
        if parent is not None and parent == value.post_id:
            parent = None  # top-level: Graph sets parent_id to the post id
        return ChangeEvent(
            platform="facebook",
            channel_id=entry.id,
            item=value.item or "unknown",
            verb=value.verb or "unknown",
            post_id=value.post_id,
            comment_id=value.comment_id,
            parent_id=parent,
            author=author,
            text=value.message,
            created_at=_time(value.created_time) or _time(entry.time),
            is_page_author=author is not None and author.id == entry.id,
            raw=change.value,
        )
    if obj == "instagram" and change.field in {"comments", "live_comments"}:
        try:
            ig = IgCommentValue.model_validate(change.value)
        except ValidationError:
            return _unknown("instagram", entry, change)
        author = _author(ig.from_)
        # The account's own comments: `from.id` is the IG user itself, or equals the
        # `self_ig_scoped_id` Meta adds for the account's own scoped id [S/U].
        own = False
        if ig.from_ is not None and ig.from_.id is not None:
            self_id = (ig.from_.model_extra or {}).get("self_ig_scoped_id")
            own = ig.from_.id == entry.id or (self_id is not None and str(self_id) == ig.from_.id)
        return ChangeEvent(
            platform="instagram",
            channel_id=entry.id,
            item="comment",
            verb="add",  # IG sends no hide/edit/remove events [U]; reconcile by polling
            post_id=ig.media.id if ig.media else None,
            comment_id=ig.id,
            parent_id=ig.parent_id,
            author=author,
            text=ig.text,
            created_at=_time(entry.time),
            is_page_author=bool(own),
            raw=change.value,
        )
    return _unknown("instagram" if obj == "instagram" else "facebook", entry, change)


def _author(user: FromUser | None) -> Author | None:
    if user is None or user.id is None:
        return None
    return Author(id=user.id, name=user.name or user.username or "")


def _unknown(platform: str, entry: Entry, change: Change) -> ChangeEvent:
    logger.info("webhook change not mapped", extra={"field": change.field, "object_id": entry.id})
    return ChangeEvent(
        platform=platform,
        channel_id=entry.id,
        item=change.field,
        verb="unknown",
        created_at=_time(entry.time),
        raw=change.value,
    )
