"""What the archive gets about a moderated comment (MO-2; norwegian-standards §2).

MO-2: "with what it said, who wrote it, when, where and why it was removed". The
capture package: the exact text and every earlier version, the author with platform id
and profile link, the channel, post, permalink and thread context, the times, the raw
platform JSON, and the action, ground, justification and actor.

The raw JSON comes from the platform itself: the outbox's capture step reads the
comment (`CommentSource.get_comment`) just before the archive record is written.
When the platform cannot be read (the comment is already gone, or the connector has no
`CommentSource`) the record carries the platform fields as the inbox received them,
marked `"source": "ordstyrer-inbox"`.

A comment may have no text at all: a photo, a sticker or a GIF alone (Graph gives it
no `message`). Its record says so in words, «[Kommentar uten tekst – et bilde]», with
`extra.no_text` set, so the record is never empty (AR-1) and nobody reads the words as
the author's; the raw JSON beside it shows what the platform had. The picture itself,
fetched by the outbox's capture step while its address still works, is a file of the
record (MO-3: the police need the picture); when it could not be fetched, the record's
`extra.attachment` says what it was, where it was and why it is missing.
"""

from __future__ import annotations

import mimetypes
import re
import zoneinfo
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Q

from ordstyrer.archive.entry import (
    ArchiveEntry,
    Confidentiality,
    ContextItem,
    Edit,
    Kind,
    MediaFile,
    Person,
)
from ordstyrer.archive.services import DELETION_CONFIRMED, REMOVED_WITH_POST, actor_name
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.privacy import holds_national_id
from ordstyrer.language.masking import has_national_id
from ordstyrer.moderation.actions import written_at
from ordstyrer.moderation.grounds import ground_label

MAX_CONTEXT = 50
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# Grounds about third persons' circumstances: archived with skjerming (offl. § 13 jf.
# fvl. § 13, norwegian-standards §4.2).
CONFIDENTIAL_GROUNDS = frozenset(
    {"confidentiality_breach", "privacy_breach", "sensitive_information", "third_party_naming"}
)


def confidentiality_for(
    item: InboxItem,
    *,
    ground: str,
    text: str,
    edits: tuple[Edit, ...],
    context: tuple[ContextItem, ...],
) -> Confidentiality | None:
    """Skjerming for a moderated comment's record: on a ground about third persons'
    circumstances, or whatever the ground (none, for a comment gone with its post, PU-6)
    when a national ID number stands in what the record keeps — the text, an earlier
    version or a comment of the thread around it (PU-1; norwegian-standards §4.2: a
    fødselsnummer is «archived with skjerming»). The inbox's own check
    (`holds_national_id`: the triage's marks or the text) and the language detector,
    as the journaled inquiry uses them (`inbox.referrals`)."""
    confidential = (
        ground in CONFIDENTIAL_GROUNDS
        or holds_national_id(item)
        or has_national_id(text)
        or any(has_national_id(edit.text) for edit in edits)
        or any(has_national_id(around.text or "") for around in context)
    )
    return Confidentiality() if confidential else None


# Archive content is Bokmål whatever language the console speaks (archive.services).
NO_TEXT = "[Kommentar uten tekst]"
ATTACHMENT_WORDS = {
    "photo": "et bilde",
    "sticker": "et klistremerke",
    "gif": "en GIF",
    "video": "en video",
    "link": "en lenke",
    "other": "et vedlegg",
}


def no_text_stand_in(attachment_kind: str | None = None) -> str:
    """The record's text for a comment without text (MO-2, AR-1): what it was, in words
    nobody takes for the author's."""
    word = ATTACHMENT_WORDS.get(attachment_kind or "")
    return f"[Kommentar uten tekst – {word}]" if word else NO_TEXT


def _oslo(value: datetime) -> str:
    """A time in a note's text, in Norwegian time as the record's PDF writes times."""
    return value.astimezone(OSLO).strftime("%d.%m.%Y kl. %H.%M.%S")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def stored_raw(item: InboxItem) -> dict[str, Any]:
    """The platform fields of `item` as the inbox received them (no platform call)."""
    return {
        "source": "ordstyrer-inbox",
        "platform": item.channel.kind,
        "id": item.platform_id,
        "post_id": item.post_id or None,
        "parent_id": item.parent_platform_id or None,
        "from": {
            "id": item.author_platform_id or None,
            "name": item.author_name or None,
            "profile_url": item.author_url or None,
        },
        "message": item.text,
        "created_time": _iso(item.platform_created_at),
        "received_time": _iso(item.received_at),
        "permalink": item.permalink or None,
        "edited": item.edited,
        "hidden": item.hidden,
    }


def author_of(item: InboxItem) -> Person:
    return Person(
        name=item.author_name or "Ukjent avsender",
        platform_user_id=item.author_platform_id,
        profile_url=item.author_url,
    )


def system_author(item: InboxItem) -> Person:
    """Who wrote an internal note (X) about a comment: the municipality through
    Ordstyrer, never the citizen the note is about (#15). The person who decided is the
    record's actor; the citizen is named in the note's title and text, and is the note's
    recipient (`author_of`), so the exports screen the title (AR-2, PU-1)."""
    return Person(name=f"{item.municipality.name} (Ordstyrer)")


def thread_context(item: InboxItem) -> tuple[ContextItem, ...]:
    """The comments around `item`: its top-level comment and the replies under it."""
    root = item.parent_platform_id or item.platform_id
    rows = (
        InboxItem.objects.filter(channel=item.channel_id)
        .filter(Q(platform_id=root) | Q(parent_platform_id=root))
        .exclude(pk=item.pk)
        .order_by("platform_created_at", "received_at", "pk")
        .values_list("author_name", "from_page", "text", "platform_created_at", "platform_id")
    )[:MAX_CONTEXT]
    page = item.channel.name
    return tuple(
        ContextItem(author=page if from_page else (name or "Ukjent"), text=text, at=at, item_id=pid)
        for name, from_page, text, at, pid in rows
    )


def _edits(item: InboxItem, final_text: str) -> tuple[Edit, ...]:
    """Every earlier text the comment had, oldest first (the final one is `text`)."""
    seen: list[Edit] = []
    texts = set()
    for version in item.versions.order_by("-original", "seen_at", "pk"):
        if version.text and version.text != final_text and version.text not in texts:
            texts.add(version.text)
            seen.append(Edit(text=version.text, at=version.seen_at))
    if item.text and item.text != final_text and item.text not in texts:
        seen.append(Edit(text=item.text, at=item.text_seen_at or item.received_at))
    return tuple(seen)


def deletion_entry(
    *, action: Any, item: InboxItem, captured: dict[str, Any] | None, now: datetime
) -> ArchiveEntry:
    """The archive entry of a deletion: `captured` is what the platform said just now
    (`{"text", "raw", "created_at"}`, and `"attachment"` when the comment has one), or
    None when it could not be read."""
    return _deleted_comment(
        item,
        captured=captured,
        now=now,
        ground=action.ground,
        justification=action.justification,
        idempotency_key=f"moderation:delete:{action.pk}",
        extra=_extra(action, item, source="platform" if captured else "inbox"),
    )


# Why a comment went with the post it stood under (MO-2); the take-down's reason follows.
WITH_POST = "Innlegget kommentaren sto under, ble tatt ned av kommunen (PU-6): {reason}"


def deleted_with_post_entry(*, item: InboxItem, reason: str, now: datetime) -> ArchiveEntry:
    """The archive entry of a comment the platform deletes with the municipality's own
    post (a take-down, PU-6: Facebook deletes a post's comments with it). Nobody judged
    the comment, so it has no ground; why it was removed is the take-down's `reason`
    (MO-2). Written from what the inbox holds, inside the take-down's transaction (no
    platform call there). One record per comment, however often the take-down runs."""
    return _deleted_comment(
        item,
        captured=None,
        now=now,
        ground="",
        justification=WITH_POST.format(reason=" ".join(reason.split()) or "–"),
        idempotency_key=f"publishing:take-down:comment:{item.pk}",
        extra={
            REMOVED_WITH_POST: True,
            "capture": "inbox",
            "triage_category": item.category,
            "hate_ground": (item.triage or {}).get("hate_ground"),
        },
    )


def _deleted_comment(
    item: InboxItem,
    *,
    captured: dict[str, Any] | None,
    now: datetime,
    ground: str,
    justification: str,
    idempotency_key: str,
    extra: dict[str, Any],
) -> ArchiveEntry:
    text = (captured or {}).get("text") or item.text
    raw = (captured or {}).get("raw") or stored_raw(item)
    created = written_at(item)
    attachment = (captured or {}).get("attachment")
    media, about = _attachment_file(item, attachment) if attachment else ((), {})
    if not text.strip():
        text = no_text_stand_in(attachment.get("kind") if attachment else None)
        about["no_text"] = True
    edits, context = _edits(item, text), thread_context(item)
    return ArchiveEntry(
        municipality=item.municipality,
        kind=Kind.DELETED_COMMENT,
        text=text,
        media=media,
        edits=edits,
        author=author_of(item),
        channel=item.channel,
        post_id=item.post_id,
        item_id=item.platform_id,
        permalink=item.permalink,
        context=context,
        created_at=created,
        captured_at=now,
        raw=raw,
        action="delete",
        ground=ground,
        justification=justification,
        confidentiality=confidentiality_for(
            item, ground=ground, text=text, edits=edits, context=context
        ),
        idempotency_key=idempotency_key,
        extra={**extra, **about},
    )


def _attachment_file(
    item: InboxItem, attachment: Mapping[str, Any]
) -> tuple[tuple[MediaFile, ...], dict[str, Any]]:
    """The captured picture as a file of the record, and what the record's `extra` says
    of the attachment (kind, addresses, sha256, or why there is no file)."""
    about = {k: v for k, v in attachment.items() if k != "data"}
    data = attachment.get("data")
    if not isinstance(data, bytes) or not data:
        return (), {"attachment": about}
    mime = str(attachment.get("mime") or "application/octet-stream")
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", item.platform_id)[:80] or "kommentar"
    name = f"kommentar-{stem}-vedlegg{mimetypes.guess_extension(mime) or ''}"
    return (MediaFile(name=name, mime=mime, data=data),), {"attachment": {**about, "file": name}}


def hidden_entry(*, action: Any, item: InboxItem, now: datetime) -> ArchiveEntry:
    """A comment hidden on a ground (MO-6: documented), from what the inbox holds."""
    text = item.text if item.text.strip() else no_text_stand_in()
    edits, context = _edits(item, text), thread_context(item)
    return ArchiveEntry(
        municipality=item.municipality,
        kind=Kind.HIDDEN_COMMENT,
        text=text,
        edits=edits,
        author=author_of(item),
        channel=item.channel,
        post_id=item.post_id,
        item_id=item.platform_id,
        permalink=item.permalink,
        context=context,
        created_at=written_at(item),
        captured_at=now,
        raw=stored_raw(item),
        action="hide",
        ground=action.ground,
        justification=action.justification,
        confidentiality=confidentiality_for(
            item, ground=action.ground, text=text, edits=edits, context=context
        ),
        idempotency_key=f"moderation:hide:{action.pk}",
        extra={
            **_extra(action, item, source="inbox"),
            **({"no_text": True} if text != item.text else {}),
        },
    )


def ban_entry(*, action: Any, item: InboxItem, refers_to: Any, manual: bool) -> ArchiveEntry:
    """The internal note (X) that a person was banned, why and by whom (MO-4, MO-5),
    with the comment the ban was decided on as the inbox holds it — its text, earlier
    versions, when it was written and the platform fields (`stored_raw`), as a deletion
    without a platform capture keeps it (MO-2; the confirmation promises the comment).
    The comment stands in the note's text, so every rendering of the record shows it; it
    is screened as the comment's own record would be (`confidentiality_for`)."""
    channel = item.channel
    how = (
        "Utestengt i plattformens egen app (plattformen har ikke funksjon for dette i API-et)."
        if manual
        else "Utestengt gjennom plattformen."
    )
    said = item.text if item.text.strip() else no_text_stand_in()
    edits = _edits(item, said)
    comment = f"«{said}»" if said == item.text else said
    earlier = "".join(
        f"\n– {_oslo(edit.at) if edit.at else 'tidspunkt ukjent'}: «{edit.text}»" for edit in edits
    )
    text = (
        f"{action.author_name or 'Ukjent'} ({action.author_platform_id}) er utestengt fra "
        f"{channel.name}. Grunnlag: {ground_label(action.ground)}. "
        f"Begrunnelse: {action.justification} {how}"
        f"\n\nKommentaren utestengingen gjelder, skrevet {_oslo(written_at(item))}:\n{comment}"
        + (f"\n\nTidligere versjoner av kommentaren (eldste først):{earlier}" if edits else "")
    )
    return ArchiveEntry(
        municipality=item.municipality,
        kind=Kind.MODERATION_NOTE,
        text=text,
        author=system_author(item),
        recipient=author_of(item),
        channel=channel,
        post_id=item.post_id,
        item_id=item.platform_id,
        permalink=item.permalink,
        created_at=action.requested_at,
        raw=stored_raw(item),
        title=f"Utestenging av {action.author_name or 'forfatteren'} fra {channel.name}",
        action="ban",
        ground=action.ground,
        justification=action.justification,
        journal=True,
        direction="X",
        confidentiality=confidentiality_for(
            item, ground=action.ground, text=said, edits=edits, context=()
        ),
        refers_to=refers_to,
        idempotency_key=f"moderation:ban:{action.pk}",
        extra={
            **_extra(action, item, source="inbox"),
            "manual": manual,
            **({"no_text": True} if said != item.text else {}),
        },
    )


def notice_entry(
    *,
    action: Any,
    item: InboxItem,
    platform_id: str,
    sent_at: datetime,
    refers_to: Any,
    note: str = "",
) -> ArchiveEntry:
    """The notice as it went out: an outgoing document (U) to the author (MO-4). `note`
    says how it was given when not through the platform (phone, letter, e-mail)."""
    channel = item.channel
    return ArchiveEntry(
        municipality=item.municipality,
        kind=Kind.JOURNAL_OUTBOUND,
        text=action.notice_text,
        author=Person(name=channel.name, platform_user_id=channel.platform_id),
        recipient=author_of(item),
        channel=channel,
        post_id=item.post_id,
        item_id=platform_id,
        created_at=sent_at,
        action="reply",
        ground=action.ground,
        journal=True,
        direction="U",
        refers_to=refers_to,
        title=f"Beskjed om {'utestenging' if action.kind == 'ban' else 'sletting'} til "
        f"{action.author_name or 'forfatteren'} på {channel.name}",
        public_title=f"Beskjed om moderering på {channel.name}",
        idempotency_key=f"moderation:notice:{action.pk}",
        extra={
            **_extra(action, item, source="platform"),
            "notice_language": action.notice_language,
            "notice_via": getattr(action, "notice_via", "") or "",
            **({"delivered_by_hand": note} if note else {}),
        },
    )


def failure_note(
    *, action: Any, item: InboxItem, step: str, error: str, refers_to: Any
) -> ArchiveEntry:
    """An internal note (X) that a platform step failed for good, so the archive does
    not claim more than happened (AR-3: the earlier record is never changed)."""
    what = {
        "delete": "Slettingen på plattformen",
        "hide": "Skjulingen på plattformen",
        "block": "Utestengingen på plattformen",
        "notice": "Beskjeden til forfatteren (MO-4)",
    }.get(step, "Handlingen på plattformen")
    return ArchiveEntry(
        municipality=item.municipality,
        kind=Kind.MODERATION_NOTE,
        text=f"{what} feilet og er ikke utført: {error}",
        author=system_author(item),
        recipient=author_of(item),
        title=f"{what} feilet – {action.author_name or 'forfatteren'} på {item.channel.name}",
        channel=item.channel,
        item_id=item.platform_id,
        action="note",
        ground=action.ground,
        journal=True,
        direction="X",
        refers_to=refers_to,
        idempotency_key=f"moderation:failed:{action.pk}:{step}",
        extra=_extra(action, item, source="inbox"),
    )


def deleted_note(
    *, action: Any, item: InboxItem, deleted_at: datetime, already_gone: bool, refers_to: Any
) -> ArchiveEntry:
    """An internal note (X) that the platform deleted the comment, and when (MO-2: when
    it was removed): the deletion's record is archived before the platform is asked
    (MO-2) and never changes (AR-3), so the time it left comes in a record of its own
    that refers to it — the successful counterpart of `failure_note`. `already_gone`:
    the platform found it gone (its author, the platform or an earlier try of ours
    removed it), so `deleted_at` is the latest it can have left."""
    when = _oslo(deleted_at)
    text = (
        f"Kommentaren var allerede borte fra plattformen da kommunen skulle slette den: "
        f"fjernet senest {when} (av forfatteren, plattformen eller et tidligere forsøk)."
        if already_gone
        else f"Kommentaren ble slettet fra plattformen {when}."
    )
    return ArchiveEntry(
        municipality=item.municipality,
        kind=Kind.MODERATION_NOTE,
        text=text,
        author=system_author(item),
        recipient=author_of(item),
        title=f"Slettet fra plattformen – {action.author_name or 'forfatteren'} på "
        f"{item.channel.name}",
        channel=item.channel,
        post_id=item.post_id,
        item_id=item.platform_id,
        permalink=item.permalink,
        deleted_at=deleted_at,
        action="delete",
        ground=action.ground,
        justification=action.justification,
        journal=True,
        direction="X",
        # A note about a screened record is screened as it is (offl. § 13).
        confidentiality=Confidentiality() if getattr(refers_to, "confidential", False) else None,
        refers_to=refers_to,
        idempotency_key=f"moderation:deleted:{action.pk}",
        extra={
            **_extra(action, item, source="platform"),
            DELETION_CONFIRMED: True,
            **({"already_gone": True} if already_gone else {}),
        },
    )


def _extra(action: Any, item: InboxItem, *, source: str) -> dict[str, Any]:
    return {
        "moderation_action_id": action.pk,
        "requested_by": actor_name(action.requested_by) if action.requested_by else None,
        "approved_by": actor_name(action.approved_by) if action.approved_by else None,
        "automatic": action.automatic,
        "capture": source,
        "triage_category": item.category,
        "hate_ground": (item.triage or {}).get("hate_ground"),
    }
