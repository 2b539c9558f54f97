"""What a deletion or a ban will do, shown before the person confirms it (MO-1, MO-2, MO-4).

Deleting and banning are deliberate acts: the panel's form only asks; the console then
shows this preview — what will be archived, the ground beside the municipality's own
words, and the notice the author will get — and only «Bekreft sletting» / «Bekreft
utestenging» calls the service. The preview is a read: it refuses for the same reasons
the service would (so nobody confirms something that cannot happen) and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from ordstyrer.core.actor import ActorLike
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.access import require_remove
from ordstyrer.moderation.actions import (
    guard_item,
    notice_route,
    require_person,
    settings_or_default,
    written_at,
)
from ordstyrer.moderation.bans import blocking_unsupported_reason, guard_ban, platform_can_block
from ordstyrer.moderation.crisis_notices import deletion_notice_public, notice_crisis
from ordstyrer.moderation.grounds import clean_justification, ground_label, require_ground
from ordstyrer.moderation.models import ActionKind, ModerationAction, NoticeVia
from ordstyrer.moderation.services import approval_guard, notice_for, wants_notice
from ordstyrer.tenants.selectors import policy_for

Kind = Literal["delete", "ban"]


@dataclass(frozen=True)
class RemovalPreview:
    kind: Kind
    item: InboxItem
    written_at: datetime
    ground: str
    ground_label: str
    citation: Any  # policy.Citation of MO-1: the municipality's own words
    justification: str
    notify: bool
    notice_text: str
    notice_language: str
    notice_private: bool
    # Why no notice goes out although the municipality wants one (no post to put it on).
    notice_missing: bool
    second_approver: bool
    can_block: bool
    blocking_reason: str
    manual: bool
    # PU-12: the notice waits for the crisis leader before it goes out; and a deletion's
    # private notice goes publicly instead, as the deletion will send it
    # (`crisis_notices.deletion_notice_public`).
    notice_waits_for_crisis: bool = False
    notice_public_in_crisis: bool = False


def removal_preview(
    *,
    actor: ActorLike,
    item: InboxItem,
    kind: Kind,
    ground: str,
    justification: str,
    notify: bool | None = None,
    manual: bool = False,
    lang: str = "nb",
) -> RemovalPreview:
    """The consequence of deleting `item` (or banning its author) on `ground`.

    Raises `ServiceError` / `NotPermitted` exactly where `comment_delete` or `author_ban`
    would refuse, before anything is shown as confirmable."""
    if kind not in ("delete", "ban"):
        raise ValueError(f"unknown removal kind {kind!r}")
    require_person(actor, _what(kind))
    justification = clean_justification(justification, kind=kind)
    policy = policy_for(municipality=item.municipality)
    require_remove(actor, item.channel, policy)
    require_ground(policy, ground, what=_what(kind))
    settings = settings_or_default(item.municipality)
    can_block = platform_can_block(item.channel)
    if kind == "delete":
        guard_item(item)
    else:
        guard_ban(item, manual=manual)
    wanted = wants_notice(settings, policy, notify)
    notice_text = notice_language = ""
    private = notice_route(item, settings, now=timezone.now())[0]
    public_in_crisis = kind == "delete" and private and deletion_notice_public(item)
    if public_in_crisis:
        private = False
    if wanted and (private or item.post_id):
        notice = notice_for(
            kind=kind,
            item=item,
            ground=ground,
            policy=policy,
            settings=settings,
            private=private,
        )
        notice_text, notice_language = notice.text, notice.language
    return RemovalPreview(
        kind=kind,
        item=item,
        written_at=written_at(item),
        ground=ground,
        ground_label=ground_label(ground, lang),
        citation=policy.citation("MO-1"),
        justification=justification,
        notify=bool(notice_text),
        notice_text=notice_text,
        notice_language=notice_language,
        notice_private=private,
        notice_missing=wanted and not notice_text,
        second_approver=kind == ActionKind.DELETE and settings.second_approver,
        can_block=can_block,
        blocking_reason="" if can_block else blocking_unsupported_reason(item.channel),
        manual=manual and not can_block,
        notice_waits_for_crisis=bool(notice_text) and notice_crisis(item.municipality) is not None,
        notice_public_in_crisis=bool(notice_text) and public_in_crisis,
    )


@dataclass(frozen=True)
class ApprovalPreview:
    """What the second approver's «Bekreft sletting» does: it is the click that deletes,
    so it shows what the first request showed — the comment, the ground beside the
    municipality's words, the requester's justification, the notice."""

    action: ModerationAction
    item: InboxItem
    written_at: datetime
    requested_by: str
    ground_label: str
    citation: Any
    justification: str
    notify: bool
    notice_text: str
    notice_language: str
    notice_private: bool
    notice_waits_for_crisis: bool = False  # PU-12, as for `RemovalPreview`
    notice_public_in_crisis: bool = False


def approval_preview(
    *, actor: ActorLike, action: ModerationAction, lang: str = "nb"
) -> ApprovalPreview:
    """The consequence of approving `action`, a deletion waiting for a second person.

    Raises exactly where `deletion_approve` would refuse (`approval_guard`). The notice
    is the one written when the deletion was asked for; it goes out as written."""
    me = require_person(actor, _("godkjenne sletting"))
    item = action.item
    policy = policy_for(municipality=item.municipality)
    require_remove(actor, item.channel, policy)
    approval_guard(action, item, me_id=me.pk, policy=policy)
    asker = action.requested_by
    notify = bool(action.notify and action.notice_text)
    notice_text, language = (action.notice_text, action.notice_language) if notify else ("", "")
    private = action.notice_via == NoticeVia.PRIVATE_REPLY
    # PU-12: approved now, the deletion sends the private notice publicly during a
    # crisis that holds notices (`effects._public_in_crisis`): shown as it will go.
    public_in_crisis = notify and private and deletion_notice_public(item)
    if public_in_crisis:
        notice = notice_for(
            kind=action.kind,
            item=item,
            ground=action.ground,
            policy=policy,
            settings=settings_or_default(item.municipality),
            private=False,
        )
        notice_text, language, private = notice.text, notice.language, False
    return ApprovalPreview(
        action=action,
        item=item,
        written_at=written_at(item),
        requested_by=(asker.get_full_name() or asker.username) if asker else "",
        ground_label=ground_label(action.ground, lang),
        citation=policy.citation("MO-1"),
        justification=action.justification,
        notify=notify,
        notice_text=notice_text,
        notice_language=language,
        notice_private=private,
        notice_waits_for_crisis=notify and notice_crisis(item.municipality) is not None,
        notice_public_in_crisis=public_in_crisis,
    )


def _what(kind: str) -> str:
    return _("slette kommentarer") if kind == "delete" else _("utestenge personer")
