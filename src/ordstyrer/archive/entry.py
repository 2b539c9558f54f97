"""What a caller hands to `archive_append`: one frozen `ArchiveEntry` (MO-2, AR-1, DI-7).

MO-2 says a deleted comment is archived "with what it said, who wrote it, when,
where and why it was removed"; norwegian-standards §2 lists the capture package
(text, thread context, author and profile link, times, permalink, media, the raw
platform JSON). Every one of those is a field here, so the moderation and inbox
services fill one object and the archive turns it into a hash-chained record.

This module is plain Python (no Django): callers build entries anywhere, tests
build them without a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Kind:
    """What a record is. Stored as its code; labels live in `models.RecordKind`."""

    DELETED_COMMENT = "deleted_comment"  # MO-2: archived before it leaves the platform
    HIDDEN_COMMENT = "hidden_comment"  # MO-6: documented when hidden
    JOURNAL_INBOUND = "journal_inbound"  # DI-7/AR-1: journaled inquiry (I)
    JOURNAL_OUTBOUND = "journal_outbound"  # AR-1: the municipality's reply (U)
    MODERATION_NOTE = "moderation_note"  # MO-4/MO-5: internal note, e.g. a ban (X)
    OWN_POST = "own_post"  # AR-1: own post with documentation value (U)

    ALL = (
        DELETED_COMMENT,
        HIDDEN_COMMENT,
        JOURNAL_INBOUND,
        JOURNAL_OUTBOUND,
        MODERATION_NOTE,
        OWN_POST,
    )


# Noark 5 journalposttype per kind (norwegian-standards §2 "Metadata to record"):
# I inbound comment or inquiry, U the municipality's reply or post, X internal note.
DEFAULT_DIRECTION = {
    Kind.DELETED_COMMENT: "I",
    Kind.HIDDEN_COMMENT: "I",
    Kind.JOURNAL_INBOUND: "I",
    Kind.JOURNAL_OUTBOUND: "U",
    Kind.MODERATION_NOTE: "X",
    Kind.OWN_POST: "U",
}
JOURNAL_KIND = {"I": Kind.JOURNAL_INBOUND, "U": Kind.JOURNAL_OUTBOUND, "X": Kind.MODERATION_NOTE}
DIRECTIONS = ("I", "U", "X")

ACTIONS = ("delete", "hide", "ban", "journal", "reply", "note", "archive")


@dataclass(frozen=True)
class Person:
    """Who wrote something: as the platform shows them (display name, id, profile link)."""

    name: str
    platform_user_id: str = ""
    profile_url: str = ""


@dataclass(frozen=True)
class Edit:
    """An earlier version of the text (platforms let authors edit comments)."""

    text: str
    at: datetime | None = None


@dataclass(frozen=True)
class ContextItem:
    """A comment around the archived one, for the thread context."""

    author: str
    text: str
    at: datetime | None = None
    item_id: str = ""


@dataclass(frozen=True)
class MediaFile:
    """An image, video or other file attached to the archived item, as bytes."""

    name: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class Confidentiality:
    """Skjerming: the record is exempt from public access (offentleglova).

    Defaults are the usual ones for third-party personal circumstances
    (norwegian-standards §2 and §4.2: offl. § 13 jf. fvl. § 13).
    """

    code: str = "13"  # tilgangsrestriksjon
    authority: str = "Offl. § 13 jf. fvl. § 13"  # skjermingshjemmel


@dataclass(frozen=True)
class ArchiveEntry:
    """Everything to archive about one item. `municipality` is a tenants.Municipality,
    `channel` a channels.Channel (or None), `refers_to` an earlier ArchiveRecord
    (a reply U refers to the inquiry I it answers)."""

    municipality: Any
    kind: str
    # What was said: the exact text, and every earlier version.
    text: str = ""
    edits: Sequence[Edit] = ()
    # Who.
    author: Person | None = None
    # For a reply (U): who it answers; for an internal note (X): the private person it is
    # about (a ban note's citizen), whose name the exports screen in the title (AR-2).
    recipient: Person | None = None
    # Where.
    channel: Any = None
    platform: str = ""  # defaults to channel.kind
    channel_name: str = ""  # defaults to channel.name
    post_id: str = ""
    item_id: str = ""  # the comment's or message's id on the platform
    permalink: str = ""
    post_text: str = ""
    context: Sequence[ContextItem] = ()
    # When.
    created_at: datetime | None = None  # written on the platform
    captured_at: datetime | None = None  # read by Ordstyrer (default: now)
    deleted_at: datetime | None = None  # removed from the platform
    # Files and the platform's own JSON (dict/list, or the exact text as str/bytes).
    media: Sequence[MediaFile] = ()
    raw: Mapping[str, Any] | Sequence[Any] | str | bytes | None = None
    # Why.
    action: str = "archive"
    ground: str = ""  # a code of ordstyrer.policy.GROUNDS (MO-1)
    justification: str = ""
    # Journaling (AR-1, DI-7) and confidentiality.
    journal: bool = False
    direction: str = ""  # I, U or X; defaults from the kind
    confidentiality: Confidentiality | None = None
    # Titles: internal (may name the author) and public (never personal data); generated
    # when empty. The public one is masked for personal data in any case.
    title: str = ""
    public_title: str = ""
    refers_to: Any = None
    # A caller's key that makes a retried append return the first record instead of a
    # second one (the moderation outbox retries; the demo runs twice).
    idempotency_key: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
