"""Posts in the municipality's name: draft, check, approve, schedule, publish (PU-1 … PU-12).

Every write here follows the house template: `transaction.atomic` → permission through
`publishing.access` / `channels.permissions` → rows → audit entry (and crisis log) in
the same transaction → platform calls only after commit (`delivery.py`, via tasks and
the sweep).

`post_publish` runs the checks under the municipality's effective policy: a `block`
finding refuses (`PostRefused` with the findings), a `warn` finding needs a reason that
is kept in the audit log. Then the post waits for the crisis leader (PU-12, while a
crisis is declared), for its approver (the channel's chain, four eyes), or is released:
queued now, handed to Facebook's own scheduler, or held for the worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.channels.models import Channel
from ordstyrer.channels.permissions import require_channel_role
from ordstyrer.core.actor import ActorLike, user_of
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import (
    Conflict,
    NotFound,
    NotPermitted,
    PolicyBlocked,
    ServiceError,
    lazy_interpolate,
)
from ordstyrer.core.forms import visible_text
from ordstyrer.core.ids import parse_id
from ordstyrer.core.intents import clean_intent_key
from ordstyrer.core.permissions import require, roles_in
from ordstyrer.core.services import after_commit, person
from ordstyrer.publishing import access, checks, rules, selectors, tasks
from ordstyrer.publishing.models import (
    Approval,
    ChannelPublishing,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostChannel,
    PostEvent,
    PostMedia,
    PostStatus,
)
from ordstyrer.tenants.models import Municipality

MAX_TEXT = 63206
MAX_LINKS = 10
MAX_REASON = 2000
# Facebook's own scheduler takes 10 minutes to 30 days ahead (Graph §1.8).
NATIVE_MIN = timedelta(minutes=10, seconds=30)
NATIVE_MAX = timedelta(days=29)
# A time this close to now counts as "now".
NOW_SLACK = timedelta(minutes=1)

EDITABLE = frozenset({PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.FAILED})
WAITING = frozenset(
    {PostStatus.AWAITING_APPROVAL, PostStatus.AWAITING_CRISIS_APPROVAL, PostStatus.SCHEDULED}
)

# Deliveries a withdrawal, pause, pull-back or edit leaves as they are: out already (never
# twice), or in flight, whose outcome the delivery records itself, compare-and-set on its
# claim (`delivery._succeeded` cancels a copy the platform scheduled for a post no longer
# released; PU-12).
LEFT_ALONE = (DeliveryStatus.PUBLISHED, DeliveryStatus.PUBLISHING)


class PostRefused(PolicyBlocked):
    """The post did not pass the checks; `findings` says why (block, or warn w/o reason)."""


# --------------------------------------------------------------------------- helpers


def lock_post(post_id: Any) -> Post:
    try:
        return (
            Post.objects.select_for_update(of=("self",))
            .select_related("municipality", "author")
            .get(pk=int(post_id))
        )
    except (Post.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext_lazy("Fant ikke innlegget.")) from None


def _log(
    post: Post,
    *,
    action: str,
    actor: ActorLike,
    now: datetime,
    source: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    PostEvent.objects.create(
        post=post,
        action=action,
        from_status=source,
        to_status=post.status,
        actor=person(actor),
        at=now,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"post_{action}",
        municipality=post.municipality,
        obj=post,
        data={
            "from": source,
            "to": post.status,
            **({"note": note} if note else {}),
            **(data or {}),
        },
    )


def _clean_text(text: Any) -> str:
    """The post's text as stored: without surrounding space, and empty when a reader would
    see nothing in it (zero-width characters alone), so that the post counts as empty
    (`rules.channel_findings`) and no invisible text goes out."""
    text = str(text or "").strip()
    if len(text) > MAX_TEXT:
        raise ServiceError(gettext_lazy("Teksten er for lang."), code="invalid")
    return text if visible_text(text) else ""


def _rejection_reason(reason: Any) -> str:
    """A rejection's reason to the author: required, something a reader sees (zero-width
    characters alone say nothing), at most `MAX_REASON` characters."""
    reason = str(reason or "").strip()[:MAX_REASON]
    if not visible_text(reason):
        raise ServiceError(gettext_lazy("Skriv en begrunnelse til forfatteren."), code="invalid")
    return reason


def _clean_links(links: Any) -> list[str]:
    out = []
    for raw in links or ():
        link = str(raw or "").strip()
        if not link:
            continue
        if not link.startswith(("http://", "https://")):
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("Lenken «%(link)s» må begynne med https://."), {"link": link[:100]}
                ),
                code="invalid",
            )
        if len(link) > 2000:
            raise ServiceError(gettext_lazy("Lenken er for lang."), code="invalid")
        out.append(link)
    if len(out) > MAX_LINKS:
        raise ServiceError(gettext_lazy("For mange lenker."), code="invalid")
    return out


def _channels(
    actor: ActorLike, municipality: Municipality, channel_ids: Sequence[Any]
) -> list[Channel]:
    ids = []
    for raw in channel_ids or ():
        number = parse_id(raw)
        if number is None:
            raise ServiceError(gettext_lazy("Ukjent kanal."), code="invalid")
        ids.append(number)
    if not ids:
        raise ServiceError(gettext_lazy("Velg minst én kanal."), code="invalid")
    channels = list(
        Channel.objects.filter(pk__in=ids, municipality=municipality).select_related(
            "municipality", "unit"
        )
    )
    if len(channels) != len(set(ids)):
        raise ServiceError(gettext_lazy("Ukjent kanal."), code="invalid")
    for channel in channels:
        require_channel_role(actor, channel, "publish")
    _require_publishable(channels)
    return sorted(channels, key=lambda c: c.pk)


def _require_publishable(channels: Sequence[Channel]) -> None:
    """CH-1: a channel is used only while approved and in use; a paused or retired one
    takes no new post, no approval and no resumed post (`access.PUBLISHABLE`)."""
    for channel in channels:
        if channel.status not in access.PUBLISHABLE:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy("Kanalen «%(name)s» er ikke i bruk og kan ikke publisere."),
                    {"name": channel.name},
                ),
                rule="CH-1",
                code="channel_inactive",
            )


def _assets(municipality: Municipality, media_ids: Sequence[Any]) -> list[MediaAsset]:
    ids = []
    for raw in media_ids or ():
        number = parse_id(raw)
        if number is None:
            raise ServiceError(gettext_lazy("Ukjent bilde eller video."), code="invalid")
        ids.append(number)
    found = {a.pk: a for a in MediaAsset.objects.filter(pk__in=ids, municipality=municipality)}
    if len(found) != len(set(ids)):
        raise ServiceError(gettext_lazy("Ukjent bilde eller video."), code="invalid")
    return [found[i] for i in dict.fromkeys(ids)]


def _publish_at(value: Any, now: datetime) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ServiceError(
            gettext_lazy("Tidspunktet må ha dato, klokkeslett og tidssone."), code="invalid"
        )
    if value < now - NOW_SLACK:
        raise ServiceError(gettext_lazy("Tidspunktet for publisering har passert."), code="invalid")
    if value - now > timedelta(days=366):
        raise ServiceError(gettext_lazy("Planlegg høyst ett år fram i tid."), code="invalid")
    return value


def publish_at_check(value: Any, *, now: datetime) -> datetime | None:
    """The publishing time as the services will take it, or the `ServiceError` they would
    raise: for a confirmation page that must not promise a time the service refuses."""
    return _publish_at(value, now)


def post_assets(post: Post) -> list[MediaAsset]:
    return [
        pm.asset
        for pm in post.attachments.select_related("asset").prefetch_related("asset__consents")
    ]


def post_findings_now(post: Post, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The post's findings as the checks read it now, stored nowhere: what an approver
    decides on (a warning may have arisen while the post waited: PU-10's count, the
    register)."""
    return _findings(post, access.post_channels(post), now or timezone.now())


def _findings(post: Post, channels: Sequence[Channel], now: datetime) -> list[dict[str, Any]]:
    return checks.findings_for(
        municipality=post.municipality,
        channels=channels,
        text=post.text,
        links=post.links,
        assets=post_assets(post),
        when=post.publish_at or now,
        exclude_post=post.pk,
    )


# --------------------------------------------------------------------------- drafts


def post_create(
    *,
    actor: ActorLike,
    municipality: Municipality,
    channel_ids: Sequence[Any],
    text: str,
    links: Sequence[str] = (),
    media_ids: Sequence[Any] = (),
    publish_at: datetime | None = None,
    documentation_value: bool = False,
    intent_key: str = "",
    now: datetime | None = None,
) -> Post:
    """A draft on `channel_ids` (the actor must publish on each, CH-3), checked at once.

    With the composer's `intent_key` (`core.intents`), the same form sent again (a double
    click, Back + send) returns the first draft, unchanged: its `created_at` is not `now`."""
    now = now or timezone.now()
    text = _clean_text(text)
    links = _clean_links(links)
    intent_key = clean_intent_key(intent_key)
    with transaction.atomic():
        require(actor, municipality, "read")
        if (first := _intent_post(municipality, intent_key)) is not None:
            return first
        channels = _channels(actor, municipality, channel_ids)
        assets = _assets(municipality, media_ids)
        try:
            with transaction.atomic():
                post = Post.objects.create(
                    municipality=municipality,
                    author=person(actor),
                    text=text,
                    links=links,
                    publish_at=_publish_at(publish_at, now),
                    documentation_value=bool(documentation_value),
                    intent_key=intent_key,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            # publishing_one_post_per_intent: the same form, sent twice at once.
            if (first := _intent_post(municipality, intent_key)) is None:
                raise
            return first
        PostChannel.objects.bulk_create([PostChannel(post=post, channel=c) for c in channels])
        PostMedia.objects.bulk_create(
            [PostMedia(post=post, asset=a, position=i) for i, a in enumerate(assets)]
        )
        post.findings = _findings(post, channels, now)
        post.save(update_fields=["findings"])
        _log(
            post, action="create", actor=actor, now=now, data={"channels": [c.pk for c in channels]}
        )
    return post


def _intent_post(municipality: Municipality, intent_key: str) -> Post | None:
    """The draft already created from this composer form, if any (`core.intents`)."""
    if not intent_key:
        return None
    return Post.objects.filter(municipality=municipality, intent_key=intent_key).first()


_UNSET: Any = object()


def _locked_post(
    actor: ActorLike, post_id: Any, *, may: Callable[[ActorLike, Post], bool] | None = None
) -> Post:
    """The post, locked for this transaction: 404 for a person outside its municipality,
    403 when `may(actor, post)` says no."""
    post = lock_post(post_id)
    if not roles_in(actor, post.municipality):
        raise NotFound(gettext_lazy("Fant ikke innlegget."))
    if may is not None and not may(actor, post):
        raise NotPermitted(gettext_lazy("Du har ikke rollen som trengs for dette innlegget."))
    return post


def post_update(
    *,
    actor: ActorLike,
    post_id: Any,
    text: Any = _UNSET,
    links: Any = _UNSET,
    channel_ids: Any = _UNSET,
    media_ids: Any = _UNSET,
    publish_at: Any = _UNSET,
    documentation_value: Any = _UNSET,
    now: datetime | None = None,
) -> Post:
    """Change a draft (or a rejected/failed post, which returns to draft); findings are
    recomputed. Only what is passed changes."""
    now = now or timezone.now()
    with transaction.atomic():
        post = _locked_post(actor, post_id, may=access.may_edit)
        if post.status not in EDITABLE:
            raise Conflict(
                lazy_interpolate(
                    gettext_lazy("Innlegget kan ikke endres nå (status: %(status)s)."),
                    {"status": PostStatus(post.status).label},
                ),
                code="conflict",
            )
        source = post.status
        _require_as_sent(post, now=now, text=text, links=links, media_ids=media_ids)
        if text is not _UNSET:
            post.text = _clean_text(text)
        if links is not _UNSET:
            post.links = _clean_links(links)
        if publish_at is not _UNSET:
            post.publish_at = _publish_at(publish_at, now)
        if documentation_value is not _UNSET:
            post.documentation_value = bool(documentation_value)
        if channel_ids is not _UNSET:
            channels = _channels(actor, post.municipality, channel_ids)
            dropped = post.deliveries.exclude(channel__in=channels)
            for delivery in dropped.select_for_update(of=("self",)).select_related("channel"):
                _require_droppable(post, delivery, now=now)
            dropped.delete()
            have = set(post.deliveries.values_list("channel_id", flat=True))
            PostChannel.objects.bulk_create(
                [PostChannel(post=post, channel=c) for c in channels if c.pk not in have]
            )
        if media_ids is not _UNSET:
            assets = _assets(post.municipality, media_ids)
            post.attachments.all().delete()
            PostMedia.objects.bulk_create(
                [PostMedia(post=post, asset=a, position=i) for i, a in enumerate(assets)]
            )
        # A failed delivery starts over (one already published stays published, never
        # twice); a rejected post goes back to draft. A copy still on the platform's
        # scheduler is cancelled first, or the post is scheduled there twice (PU-12,
        # PU-6: a pause or a pull-back would then miss the old copy).
        _stop_deliveries(post, now=now, attempts=0, error="")
        post.status = PostStatus.DRAFT
        post.updated_at = now
        post.findings = _findings(post, access.post_channels(post), now)
        post.save()
        _log(post, action="update", actor=actor, now=now, source=source)
    return post


def _is_out(post: Post, delivery: PostChannel, *, now: datetime) -> bool:
    """The copy is out on the channel's platform: published, or its time come on the
    platform's own scheduler."""
    if delivery.status == DeliveryStatus.PUBLISHED:
        return True
    native = delivery.status == DeliveryStatus.SCHEDULED and delivery.platform_scheduled
    return native and post.publish_at is not None and post.publish_at <= now


def copies_out(post: Post, *, now: datetime) -> list[PostChannel]:
    """The post's deliveries out on a platform (`_is_out`): a post failed elsewhere and
    sent again goes out only where it is not (`_release`), and these stay as they are."""
    return [d for d in post.deliveries.select_related("channel") if _is_out(post, d, now=now)]


def _require_as_sent(post: Post, *, now: datetime, text: Any, links: Any, media_ids: Any) -> None:
    """AR-1, PU-6: a post out on some channel (published there, failed on another) keeps
    the text, links and files it went out with. Sending it again sends it only where it
    is not out (`_release`); another text would be on one channel and not the other,
    and the console and the archive record (`journal.journal_post`, one text for every
    channel) would put it on the channel where the first one stands. Refused
    (`Conflict`): take the post down there first, or write a new post."""
    out = copies_out(post, now=now)
    if not out:
        return

    def lines(value: str) -> str:  # a browser sends a textarea's line breaks as CRLF
        return value.replace("\r\n", "\n")

    changed = (
        (text is not _UNSET and lines(_clean_text(text)) != lines(post.text))
        or (links is not _UNSET and _clean_links(links) != list(post.links or ()))
        or (
            media_ids is not _UNSET
            and {a.pk for a in _assets(post.municipality, media_ids)}
            != set(post.attachments.values_list("asset_id", flat=True))
        )
    )
    if changed:
        raise Conflict(
            lazy_interpolate(
                gettext_lazy(
                    "Innlegget er allerede publisert på %(names)s og står der slik det ble "
                    "sendt. Teksten, lenkene og bildene kan derfor ikke endres: ta innlegget "
                    "ned først, eller lag et nytt innlegg."
                ),
                {"names": ", ".join(d.channel.name for d in out)},
            ),
            rule="AR-1",
            code="published_elsewhere",
        )


def _require_droppable(post: Post, delivery: PostChannel, *, now: datetime) -> None:
    """An edit takes a channel off the post only while the post has nothing on that
    channel's platform: the row is what the delivery, the cancellation sweep and a
    take-down act on. Refused (`Conflict`): a copy out (published, or due on the
    platform's scheduler), a delivery in flight (its outcome is recorded on the row,
    `delivery._succeeded`), a copy on the platform's scheduler still to be cancelled
    (`delivery.cancel_due`), or one waiting there (an edit that keeps the channel
    cancels it first). Deleted, such a row let the copy go out at its time (PU-12, PU-6:
    a paused or pulled-back post out after all)."""
    name = {"channel": delivery.channel.name}
    native = delivery.status == DeliveryStatus.SCHEDULED and delivery.platform_scheduled
    if _is_out(post, delivery, now=now):
        raise Conflict(
            gettext_lazy("Innlegget er allerede publisert på en kanal du tok bort; det står der."),
            code="conflict",
        )
    if delivery.status == DeliveryStatus.PUBLISHING:
        raise Conflict(
            lazy_interpolate(
                gettext_lazy(
                    "Innlegget sendes til «%(channel)s» akkurat nå. Vent til det er ferdig før "
                    "du tar bort kanalen."
                ),
                name,
            ),
            code="conflict",
        )
    if delivery.cancel_platform_id:
        raise Conflict(
            lazy_interpolate(
                gettext_lazy(
                    "Innlegget ligger fortsatt planlagt hos plattformen på «%(channel)s» og er "
                    "ikke slettet der ennå; Ordstyrer prøver igjen. Kanalen kan tas bort når "
                    "det er slettet."
                ),
                name,
            ),
            code="conflict",
        )
    if native:
        raise Conflict(
            lazy_interpolate(
                gettext_lazy(
                    "Innlegget ligger planlagt hos plattformen på «%(channel)s». Lagre endringen "
                    "først uten å ta bort kanalen, så slettes det der; ta bort kanalen etterpå."
                ),
                name,
            ),
            code="conflict",
        )


def post_check(
    *, actor: ActorLike, post_id: Any, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Recompute and store the post's findings (no other change)."""
    now = now or timezone.now()
    with transaction.atomic():
        post = _locked_post(actor, post_id, may=access.may_view)
        post.findings = _findings(post, access.post_channels(post), now)
        post.save(update_fields=["findings"])
    return post.findings


def check_draft(
    *,
    actor: ActorLike,
    municipality: Municipality,
    channel_ids: Sequence[Any],
    text: str,
    links: Sequence[str] = (),
    media_ids: Sequence[Any] = (),
    alt_texts: Mapping[int, str] | None = None,
    publish_at: datetime | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The findings on an unsaved draft (the composer's live check); nothing is stored.
    `alt_texts` are alt texts typed but not saved yet, by media id (PU-4). The time is
    taken as saving takes it (`_publish_at`): one it refuses is its `ServiceError`
    here too, never a week to count at the calendar's edge (PU-10, an OverflowError)."""
    now = now or timezone.now()
    require(actor, municipality, "read")
    when = _publish_at(publish_at, now)
    # A value that is no id is a channel the live check leaves out (as an unknown one).
    ids = [i for i in map(parse_id, channel_ids) if i is not None]
    channels = [
        c
        for c in Channel.objects.filter(pk__in=ids, municipality=municipality).select_related(
            "unit"
        )
        if c.status in access.PUBLISHABLE
    ]
    assets = _assets(municipality, media_ids)
    for asset in assets:
        if alt_texts and asset.pk in alt_texts:
            asset.alt_text = alt_texts[asset.pk]  # in memory only
    return checks.findings_for(
        municipality=municipality,
        channels=channels,
        text=str(text or "")[:MAX_TEXT],
        links=[str(x) for x in links if str(x).strip()],
        assets=assets,
        when=when or now,
    )


# --------------------------------------------------------------------------- publish


def _crisis_for_posts(municipality: Municipality) -> Any:
    """The crisis posts must wait for (PU-12), if one is declared."""
    from ordstyrer.crisis import selectors

    requiring = getattr(selectors, "crisis_requiring_approval", None)
    if requiring is not None:
        return requiring(municipality=municipality, kind="post")
    return selectors.active_crisis(municipality=municipality)


def _refuse_blocked(findings: list[dict[str, Any]]) -> None:
    """Raise `PostRefused` naming the first block finding, if there is one."""
    if checks.has_block(findings):
        first = next(f for f in findings if f["severity"] == "block")
        raise PostRefused(
            _("Innlegget kan ikke publiseres: %(message)s") % {"message": first["message_nb"]},
            findings=findings,
            rule=first["rule"],
            code="blocked",
        )


def _crisis_waiting_notify(post: Post) -> None:
    """PU-12: once committed, e-mail the crisis leader and deputies that `post` waits."""
    from ordstyrer.crisis.tasks import crisis_waiting_notify

    after_commit(crisis_waiting_notify, kind="post", object_id=post.pk)


class PostChanged(Conflict):
    """The post, or where sending it leads, is not what the confirmation showed
    (`confirmation_digest`): nothing was sent."""


def confirmation_digest(post: Post, channels: Sequence[Channel], sent: Submission) -> str:
    """What a publishing confirmation shows of `post`, as one hash: the text, the links,
    the files with their alt texts, the channels, the time, and where sending leads
    (the crisis leader, an approver on the chain, or out; `submission`). The form
    carries it, and `post_publish(shown=…)` sends nothing else: a draft another person
    changed, or a crisis declared or ended, since the page was read (PU-12, CH-4)."""
    if sent.crisis is not None:
        route = "crisis"
    elif sent.waits_for_approval:
        route = f"approval:{sent.approval}"
    else:
        route = "direct"
    shown = {
        "text": post.text,
        "links": list(post.links or ()),
        "media": [list(row) for row in post.attachments.values_list("asset_id", "asset__alt_text")],
        "channels": sorted(c.pk for c in channels),
        "publish_at": post.publish_at.isoformat() if post.publish_at else None,
        "route": route,
    }
    raw = json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


def post_publish(
    *,
    actor: ActorLike,
    post_id: Any,
    override_reason: str = "",
    shown: str | None = None,
    now: datetime | None = None,
) -> Post:
    """Send the post on its way: checks, then crisis approval, approval, or release.

    Idempotent: a post already on its way (a replayed or double-clicked form) is returned
    unchanged. Raises `PostRefused` on a block finding, or on warnings without a reason.
    With `shown` (the confirmation's `confirmation_digest`), raises `PostChanged` and
    sends nothing when the post or its route is no longer what was shown.
    """
    now = now or timezone.now()
    reason = str(override_reason or "").strip()[:MAX_REASON]
    with transaction.atomic():
        post = _locked_post(actor, post_id)
        if post.status not in EDITABLE:
            return post
        channels = access.post_channels(post)
        if not access.may_edit(actor, post, channels):
            raise NotPermitted(gettext_lazy("Du har ikke rollen som trengs for dette innlegget."))
        # As bytes: a posted value that is not ASCII (no digest of ours) is a changed
        # post, where `compare_digest` on two strings would raise TypeError.
        if shown is not None and not hmac.compare_digest(
            str(shown).encode(),
            confirmation_digest(post, channels, submission(actor, post, channels)).encode(),
        ):
            raise PostChanged(
                gettext_lazy(
                    "Innlegget eller hva som skjer når det sendes, er endret siden du åpnet "
                    "siden. Ingenting er sendt. Les hva som skjer nå, og bekreft på nytt."
                ),
                code="changed",
            )
        _require_publishable(channels)
        if post.publish_at is not None and post.publish_at < now - NOW_SLACK:
            raise ServiceError(
                gettext_lazy("Tidspunktet for publisering har passert. Velg et nytt tidspunkt."),
                code="invalid",
            )
        findings = _findings(post, channels, now)
        _refuse_blocked(findings)
        warns = checks.warnings(findings)
        # The "warn" rule: zero-width characters alone give no reason (who and why).
        if warns and not visible_text(reason):
            raise PostRefused(
                _(
                    "Innlegget har merknader. Rett det, eller skriv hvorfor det skal "
                    "publiseres likevel."
                ),
                findings=findings,
                rule=warns[0]["rule"],
                code="needs_override",
            )
        source = post.status
        sent = submission(actor, post, channels)
        post.findings = findings
        post.override_reason = reason if warns else ""
        post.submitted_at, post.submitted_by = now, person(actor)
        post.approval = sent.approval
        post.approval_round += 1
        post.approved_at = post.approved_by = None
        # A new round: an earlier crisis leader's approval approved another text.
        post.crisis_approved_at = post.crisis_approved_by = None
        post.rejected_at = post.rejected_by = None
        post.rejection_reason = ""
        post.updated_at = now
        # The crisis this round waits for, or none: a crisis that held an earlier round
        # (its leader rejected it, or paused it) has no say over this one, and its log
        # does not get this text when it goes out (`delivery._crisis_log_published`).
        post.crisis_ref = sent.crisis.pk if sent.crisis is not None else None
        # A channel that failed goes again: sending the post again is the decision to
        # retry it (`_release` sends only what is on its way, never a failed delivery).
        post.deliveries.filter(status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.QUEUED,
            attempts=0,
            next_attempt_at=None,
            claimed_at=None,
            error="",
        )
        if sent.crisis is not None:
            post.status = PostStatus.AWAITING_CRISIS_APPROVAL
            post.save()
            _crisis_waiting_notify(post)
        elif sent.waits_for_approval:
            post.status = PostStatus.AWAITING_APPROVAL
            post.save()
            after_commit(tasks.post_awaiting_notify, post_id=post.pk)
        else:
            if post.approval != Approval.NONE:
                post.approved_at, post.approved_by = now, person(actor)
            _release(post, now=now)
        _log(
            post,
            action="publish",
            actor=actor,
            now=now,
            source=source,
            data={
                "findings": [f"{f['rule']}:{f['severity']}" for f in findings],
                **({"override_reason": reason} if warns else {}),
                "approval": post.approval,
            },
        )
    return post


@dataclass(frozen=True)
class Submission:
    """What `actor` sending a post now leads to (`submission`): its approval chain, the
    crisis it waits for (PU-12), and whether the sender approves it by sending it."""

    approval: str
    crisis: Any
    self_approved: bool

    @property
    def waits_for_approval(self) -> bool:
        """Waits for an approver (not the crisis leader, not released at once)."""
        return self.crisis is None and self.approval != Approval.NONE and not self.self_approved


def submission(actor: ActorLike, post: Post, channels: Sequence[Channel]) -> Submission:
    """What `post_publish` does when `actor` sends `post` on `channels` now: the one
    decision, so that the confirmation says what will happen (CH-4: a sender who may
    approve the post, on channels without four eyes, releases it at once)."""
    policy = checks.publishing_policy(post.municipality)
    approval = rules.strictest([access.channel_approval(c, policy) for c in channels])
    return Submission(
        approval=approval,
        crisis=_crisis_for_posts(post.municipality),
        self_approved=_self_approves(actor, post, channels, approval=approval),
    )


def _self_approves(
    actor: ActorLike, post: Post, channels: Sequence[Channel], *, approval: str
) -> bool:
    """Without four eyes a sender who is also an approver the chain `approval` names
    needs nobody else (CH-4). Asked before the post carries `approval`
    (`access.may_approve` reads the post's own); without four eyes nobody is excluded."""
    if not rules.approver_roles(approval):
        return False
    if any(access.channel_settings(c).four_eyes for c in channels):
        return False
    return access._may_approve(
        actor, post, list(channels), approval=approval, hands=lambda: set(), facts=None
    )


def _release(post: Post, *, now: datetime) -> None:
    """Approved (or needing no approval): queue now, hand to the platform's own scheduler,
    or hold for the worker's sweep. Platform calls happen after commit.

    Only what is on its way goes: a copy out is never sent twice, and a delivery that
    failed for good stays failed with its reason (a crisis pause leaves it so, PU-12;
    sending the post again, `post_publish`, is what retries it). A post with nothing
    left to send (out on every channel it still has, or failed there) settles at once,
    published (and journaled if it is not yet, AR-1) or failed: no delivery would settle
    it; so does one with a failed channel, as `delivery.settle` says (failed while its
    other copies wait for their time)."""
    deliveries = list(post.deliveries.select_related("channel"))
    future = post.publish_at is not None and post.publish_at > now + NOW_SLACK
    # Released anew after a take-down (PU-6): a copy taken down is queued again like any
    # other delivery, and the post can be taken down again once it is out.
    post.taken_down_at = None
    to_send = failed = 0
    for delivery in deliveries:
        if delivery.status == DeliveryStatus.PUBLISHED:
            continue  # a post that failed elsewhere is already out here: never twice
        if delivery.status == DeliveryStatus.FAILED:
            failed += 1
            continue
        to_send += 1
        if delivery.status == DeliveryStatus.SCHEDULED and delivery.platform_scheduled:
            # Its copy waits on the platform's own scheduler (a failed post sent again
            # unedited; an edit cancels the copy first, `_cancel_native`): on its way
            # already, left there. Queued again it was scheduled a second time beside
            # the first, and both went out (PU-6).
            continue
        delivery.attempts = 0
        delivery.error = ""
        delivery.claimed_at = None
        delivery.platform_scheduled = False
        native = (
            future
            and rules.limits_for(delivery.channel.kind).native_schedule
            and NATIVE_MIN <= post.publish_at - now <= NATIVE_MAX  # type: ignore[operator]
        )
        if future and not native:
            delivery.status = DeliveryStatus.SCHEDULED  # held: the sweep queues it when due
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.QUEUED
            delivery.next_attempt_at = now  # the sweep picks it up if the task is lost
            after_commit(tasks.post_deliver, post_channel_id=delivery.pk)
        delivery.save()
    post.status = PostStatus.SCHEDULED if future else PostStatus.PUBLISHING
    post.save()
    if deliveries and (failed or not to_send):
        from ordstyrer.publishing.delivery import settle

        settle(post.pk, now=now, event=False)  # the caller logs the step, to its status
        post.refresh_from_db(fields=["status", "published_at", "updated_at", "archive_record_id"])


# --------------------------------------------------------------------------- approval


def _release_approved(
    post: Post,
    *,
    actor: ActorLike,
    now: datetime,
    action: str,
    data: dict[str, Any] | None = None,
) -> None:
    """An approval (the approver's or, in a crisis, the crisis leader's, already stamped)
    releases the post and is logged (with `data` in the audit entry)."""
    if post.publish_at is not None and post.publish_at < now - NOW_SLACK:
        post.publish_at = None  # approved late: out now rather than never
    channels = access.post_channels(post)
    _require_publishable(channels)
    # The checks again: a block finding may have arisen while the post waited (a consent
    # withdrawn, PU-6; the register changed). The approver sends it back instead.
    findings = _findings(post, channels, now)
    if checks.has_block(findings):
        first = next(f for f in findings if f["severity"] == "block")
        raise PostRefused(
            _(
                "Innlegget kan ikke godkjennes: %(message)s Send det tilbake til "
                "forfatteren med en begrunnelse."
            )
            % {"message": first["message_nb"]},
            findings=findings,
            rule=first["rule"],
            code="blocked",
        )
    # The warnings the approver let through are recorded with who approved them (the
    # "warn" rule); those that arose while the post waited, apart, for nobody gave a
    # reason for them at submission (PU-10's count, the register).
    submitted = {f["rule"] for f in post.findings or () if f.get("severity") == "warn"}
    warned = sorted({f["rule"] for f in findings if f["severity"] == "warn"})
    new = [rule for rule in warned if rule not in submitted]
    data = {**(data or {}), **({"warnings": warned} if warned else {})}
    data |= {"new_warnings": new} if new else {}
    post.findings = findings
    source = post.status
    post.updated_at = now
    _release(post, now=now)
    _log(post, action=action, actor=actor, now=now, source=source, data=data)


def _reject(
    post: Post,
    *,
    actor: ActorLike,
    now: datetime,
    reason: str,
    action: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Back to its author with the reason (told after commit), and logged."""
    source = post.status
    post.status = PostStatus.REJECTED
    post.rejected_at, post.rejected_by, post.rejection_reason = now, person(actor), reason
    post.updated_at = now
    post.save()
    _log(post, action=action, actor=actor, now=now, source=source, note=reason, data=data)
    after_commit(tasks.post_rejected_notify, post_id=post.pk)


def _earlier_round(post: Post, approval_round: int | None) -> bool:
    """A decision made on a form of an earlier round (the post was sent back, changed and
    sent again since): it was decided already, and never decides the newer text."""
    return approval_round is not None and approval_round != post.approval_round


def post_approve(
    *,
    actor: ActorLike,
    post_id: Any,
    now: datetime | None = None,
    approval_round: int | None = None,
) -> Post:
    """The approver the chain names releases the post (four eyes: never the author).

    Idempotent: a double click, or a form of an earlier `approval_round`, returns the
    post unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        post = _locked_post(actor, post_id)
        if _earlier_round(post, approval_round):
            return post
        if post.status != PostStatus.AWAITING_APPROVAL:
            if post.approved_by_id == getattr(user_of(actor), "pk", None):
                return post  # a double click
            raise Conflict(gettext_lazy("Innlegget venter ikke på godkjenning."), code="conflict")
        if not access.may_approve(actor, post):
            raise NotPermitted(
                gettext_lazy(
                    "Bare godkjenneren kanalen angir kan godkjenne, og aldri den som skrev "
                    "innlegget (fire øyne)."
                )
            )
        post.approved_at, post.approved_by = now, person(actor)
        _release_approved(post, actor=actor, now=now, action="approve")
    return post


def post_reject(
    *,
    actor: ActorLike,
    post_id: Any,
    reason: str,
    now: datetime | None = None,
    approval_round: int | None = None,
) -> Post:
    """Send the post back to its author with a reason.

    Idempotent as `post_approve`: a double click, or a form of an earlier
    `approval_round`, returns the post unchanged."""
    now = now or timezone.now()
    reason = _rejection_reason(reason)
    with transaction.atomic():
        post = _locked_post(actor, post_id)
        if _earlier_round(post, approval_round):
            return post
        if post.status != PostStatus.AWAITING_APPROVAL:
            if post.status == PostStatus.REJECTED and post.rejected_by_id == getattr(
                user_of(actor), "pk", None
            ):
                return post  # a double click
            raise Conflict(gettext_lazy("Innlegget venter ikke på godkjenning."), code="conflict")
        if not access.may_approve(actor, post):
            raise NotPermitted(
                gettext_lazy("Bare godkjenneren kanalen angir kan avvise innlegget.")
            )
        _reject(post, actor=actor, now=now, reason=reason, action="reject")
    return post


def post_withdraw(*, actor: ActorLike, post_id: Any, now: datetime | None = None) -> Post:
    """The author takes a waiting or scheduled post back to draft (a Facebook-scheduled
    post is cancelled on the platform after commit). A replayed or double-clicked form
    finds it withdrawn by the same person and returns it unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        post = _locked_post(actor, post_id, may=access.may_edit)
        if post.status == PostStatus.DRAFT:
            last = post.events.order_by("-pk").first()
            me = person(actor)
            if last is not None and me is not None and last.action == "withdraw":
                if last.actor_id == me.pk:
                    return post
        if post.status not in WAITING | {PostStatus.PAUSED}:
            raise Conflict(gettext_lazy("Innlegget kan ikke trekkes tilbake nå."), code="conflict")
        source = post.status
        _stop_deliveries(post, now=now)
        post.status = PostStatus.DRAFT
        post.updated_at = now
        post.save()
        _log(post, action="withdraw", actor=actor, now=now, source=source)
    return post


def posts_pull_back(
    *, post_ids: Sequence[int], actor: ActorLike, reason: str, now: datetime
) -> list[Post]:
    """PU-6: posts on their way with a file whose consent was withdrawn go back to their
    authors as drafts, and the authors are told why (after commit).

    Waiting for an approval, scheduled (held by Ordstyrer or on the platform's scheduler,
    cancelled there as `post_withdraw` does), paused by a crisis, or with a copy that
    still goes out by itself whatever its status (`_copy_to_go_by_itself`: a post failed
    on another channel with a copy on the platform's scheduler or held by Ordstyrer):
    never out with a photo nobody may publish. Back to draft rather than held: the author must
    change the file or its register before it can go again, and `post_publish` then
    checks and asks for approval afresh. A post already publishing is stopped by the
    delivery's own check (`delivery.delivery_run`). Called by `media.consent_withdraw`
    inside its transaction (it has checked the actor's role)."""
    pulled = []
    posts = (
        Post.objects.select_for_update(of=("self",))
        .filter(pk__in=list(post_ids))
        .filter(pull_back_filter(now=now))
        .select_related("municipality", "author")
        .order_by("pk")
    )
    for post in posts:
        source = post.status
        _stop_deliveries(post, now=now)
        post.status = PostStatus.DRAFT
        post.updated_at = now
        post.save()
        _log(post, action="pull_back", actor=actor, now=now, source=source, note=reason)
        after_commit(tasks.post_pulled_back_notify, post_id=post.pk)
        pulled.append(post)
    return pulled


def pull_back_filter(*, now: datetime) -> Q:
    """PU-6: the posts `posts_pull_back` stops, as a filter on posts: waiting, scheduled
    or paused, or with a copy that still goes out by itself (`_copy_to_go_by_itself`).
    For the withdrawal's confirmation to say which (`media.consent_withdraw_preview`)."""
    return Q(status__in=WAITING | {PostStatus.PAUSED}) | _copy_to_go_by_itself(now=now)


# A post on its way: a take-down stops what is still to go out (`post_stop_for_take_down`).
ON_ITS_WAY = WAITING | {PostStatus.PUBLISHING, PostStatus.PAUSED}


def post_stop_for_take_down(post: Post, *, now: datetime) -> str:
    """PU-6: a post taken down while still on its way (publishing, scheduled, paused,
    waiting for an approval) goes out nowhere else: its deliveries still to go out stop
    (a copy on the platform's scheduler is cancelled there, `_stop_deliveries`) and it
    is a draft again, for its author to fix and send anew. A delivery in flight that
    publishes is taken down as well (`delivery._succeeded`). Called by
    `media.post_take_down` inside its transaction, the post locked and the actor's role
    checked; returns the status the post had."""
    source = post.status
    if source in ON_ITS_WAY:
        _stop_deliveries(post, now=now)
        post.status = PostStatus.DRAFT
    return source


def _stop_deliveries(
    post: Post, *, now: datetime, keep_failed: bool = False, **fields: Any
) -> None:
    """The deliveries still to go out go back to queued (with `fields`), a copy on the
    platform's own scheduler cancelled there first (`_cancel_native`). Left as they are:
    `LEFT_ALONE`, a copy whose time has come on the platform's scheduler, which is out
    (`delivery.confirm_native` records it), and with `keep_failed` a delivery that
    failed for good (a crisis pause: resumed, the post sends only what was on its way,
    `_release`)."""
    _cancel_native(post, now=now)
    left_alone = (*LEFT_ALONE, DeliveryStatus.FAILED) if keep_failed else LEFT_ALONE
    post.deliveries.exclude(status__in=left_alone).exclude(
        status=DeliveryStatus.SCHEDULED, platform_scheduled=True
    ).update(status=DeliveryStatus.QUEUED, next_attempt_at=None, claimed_at=None, **fields)


def _cancel_native(post: Post, *, now: datetime) -> int:
    """Scheduled on the platform's own scheduler: cancel there after commit.

    The platform id moves to `cancel_platform_id` until the platform confirms the
    cancellation: the sweep retries a failed one, and the channel never publishes again
    before the old scheduled copy is gone (PU-12: nothing slips out in a crisis). A copy
    whose time has come (the stored `publish_at`) is left: it is out, and cancelling it
    would delete a published post (Graph `DELETE /{post-id}` deletes either)."""
    native = list(_native_waiting(post.deliveries.all(), now=now))
    for delivery in native:
        PostChannel.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.QUEUED,
            next_attempt_at=None,
            cancel_platform_id=delivery.platform_id,
            platform_id="",
            platform_scheduled=False,
        )
        after_commit(tasks.post_cancel_scheduled, post_channel_id=delivery.pk)
    return len(native)


def _native_waiting(rows: Any, *, now: datetime) -> Any:
    """Those of `rows` (deliveries) waiting on the platform's own scheduler, their time
    not come yet."""
    return rows.filter(
        status=DeliveryStatus.SCHEDULED, platform_scheduled=True, post__publish_at__gt=now
    ).exclude(platform_id="")


# --------------------------------------------------------------------------- crisis (PU-12)


def _require_crisis_approver(actor: ActorLike, municipality: Municipality) -> None:
    from ordstyrer.crisis.selectors import may_approve_in_crisis

    if not roles_in(actor, municipality):
        raise NotFound(gettext_lazy("Fant ikke innlegget."))
    if not may_approve_in_crisis(user=actor, municipality=municipality):
        raise NotPermitted(
            gettext_lazy("Bare kriseleder (eller en utpekt stedfortreder) godkjenner nå (PU-12).")
        )


def _crisis_log(
    post: Post, *, crisis: Any, kind: str, actor: ActorLike, now: datetime, note: str = ""
) -> None:
    """PU-12: every decision on and every outgoing word of a post during a crisis."""
    from ordstyrer.crisis.services import crisis_log_write

    if crisis is None:
        return
    for delivery in post.deliveries.select_related("channel"):
        crisis_log_write(
            crisis=crisis,
            kind=kind,
            text=f"{post.text}\n\n{note}".strip() if note else post.text,
            channel=delivery.channel,
            object_kind="post",
            object_id=post.pk,
            actor=actor,
            now=now,
        )


def _crisis_of(post: Post) -> Any:
    from ordstyrer.crisis.models import Crisis

    return Crisis.objects.filter(pk=post.crisis_ref).first() if post.crisis_ref else None


@dataclass(frozen=True)
class Paused:
    """What a crisis paused: scheduled posts, and posts still waiting for approval (the
    channel's approver's, or a crisis leader's left over from an earlier crisis)."""

    scheduled: int = 0
    waiting: int = 0

    @property
    def total(self) -> int:
        return self.scheduled + self.waiting


def posts_pausable(*, municipality: Municipality, now: datetime) -> Any:
    """PU-12: the posts a crisis declared now pauses: waiting for an approval; scheduled
    or released before the crisis and not out everywhere yet (held, handed or being
    handed to the platform's scheduler, or a delivery waiting out a retry after a
    temporary platform error), which would otherwise go out during the crisis; and any
    post with a copy that still goes out by itself whatever its status says
    (`_copy_to_go_by_itself`: one failed on another channel with a copy waiting on the
    platform's scheduler or held by Ordstyrer for its time). A copy whose time has come
    on the platform's scheduler is out, and a post with nothing else to go out is not
    paused."""
    rows = PostChannel.objects.filter(post=OuterRef("pk")).exclude(
        status=DeliveryStatus.SCHEDULED, platform_scheduled=True, post__publish_at__lte=now
    )
    to_go = rows.filter(status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SCHEDULED))
    # A post released at once with a delivery in flight is going out now; a scheduled one
    # pauses, and the delivery cancels what the platform scheduled (`delivery._succeeded`).
    in_flight = rows.filter(status=DeliveryStatus.PUBLISHING)
    return Post.objects.filter(municipality=municipality).filter(
        Q(status__in=(PostStatus.AWAITING_APPROVAL, PostStatus.AWAITING_CRISIS_APPROVAL))
        | (Q(status=PostStatus.SCHEDULED) & (Q(Exists(to_go)) | Q(Exists(in_flight))))
        | Q(Exists(to_go), status=PostStatus.PUBLISHING)
        | (_copy_to_go_by_itself(now=now) & ~Q(status=PostStatus.PAUSED))
    )


def _on_platform_scheduler(*, now: datetime) -> Q:
    """The post has a copy waiting on the platform's own scheduler, whatever the post's
    status says (one failed on another channel is `failed`, `delivery.settle`): a
    scheduled post to a crisis and a pull-back."""
    return Q(Exists(_native_waiting(PostChannel.objects.filter(post=OuterRef("pk")), now=now)))


def _held_by_ordstyrer() -> Q:
    """The post has a copy Ordstyrer holds and sends by itself (at its time, or once a
    paused channel is in use again), on a post whose held copies the sweep sends
    (`delivery.HOLDING`): scheduled, or failed on another channel, whose held copy still
    goes out at its time (`delivery.release_due`)."""
    from ordstyrer.publishing.delivery import HOLDING

    held = PostChannel.objects.filter(
        post=OuterRef("pk"), status=DeliveryStatus.SCHEDULED, platform_scheduled=False
    )
    return Q(Exists(held), status__in=HOLDING)


def _copy_to_go_by_itself(*, now: datetime) -> Q:
    """The post has a copy that goes out with nobody releasing it again, whatever the
    post's status says: waiting on the platform's scheduler (`_on_platform_scheduler`)
    or held by Ordstyrer (`_held_by_ordstyrer`). A crisis pauses such a post (PU-12) and
    a withdrawn consent pulls it back (PU-6)."""
    return _on_platform_scheduler(now=now) | _held_by_ordstyrer()


def _pause(post: Post, *, crisis: Any, actor: ActorLike, now: datetime) -> str:
    """Pause one locked post for `crisis` (PU-12); returns the status it was paused from."""
    source = post.status
    # A channel that failed for good stays failed, its reason shown: nobody decided to
    # send it again, and resuming the post must not (`_release`).
    _stop_deliveries(post, now=now, keep_failed=True)
    post.paused_from = source
    post.status = PostStatus.PAUSED
    post.crisis_ref = crisis.pk
    post.updated_at = now
    post.save()
    _log(post, action="pause", actor=actor, now=now, source=source, data={"crisis_id": crisis.pk})
    return source


def posts_pause_for_crisis(
    *, municipality: Municipality, crisis: Any, actor: ActorLike, now: datetime
) -> Paused:
    """PU-12: every scheduled or waiting post of every channel pauses at once, and so
    does every released post still on its way (`posts_pausable`); Facebook-scheduled posts
    are cancelled on the platform after commit. Called by the crisis service inside its
    transaction (it has checked the declarer's role)."""
    scheduled = waiting = 0
    with transaction.atomic():
        posts = list(
            posts_pausable(municipality=municipality, now=now)
            .select_for_update(of=("self",))
            .select_related("municipality")
            .order_by("pk")
        )
        for post in posts:
            source = _pause(post, crisis=crisis, actor=actor, now=now)
            if source in (PostStatus.AWAITING_APPROVAL, PostStatus.AWAITING_CRISIS_APPROVAL):
                waiting += 1
            else:
                scheduled += 1  # it would have gone out by itself
    return Paused(scheduled=scheduled, waiting=waiting)


def crisis_stops(post: Post) -> Any:
    """The crisis that keeps `post` from going out now (PU-12), or None: a crisis whose
    posts wait for the crisis leader, and the post has no crisis leader's approval given
    in it. For the delivery to ask right before the platform call."""
    crisis = _crisis_for_posts(post.municipality)
    if crisis is None or post.crisis_approved_at is None:
        return crisis
    if post.crisis_ref == crisis.pk or post.crisis_approved_at >= crisis.declared_at:
        return None  # approved in this crisis
    return crisis


def post_pause_for_crisis(
    *, post_id: int, crisis: Any, now: datetime, channel: Channel | None = None
) -> bool:
    """PU-12 backstop for the delivery: a released post that reached the platform call
    during a crisis without the crisis leader's approval pauses instead (as the crisis
    would have paused it). The pause is a decision and goes in the crisis log as the
    declaration's pause does: a "posts paused" line counting it as one scheduled post,
    with the post and the delivery's `channel`. False if it is no longer released."""
    from ordstyrer.crisis.models import CrisisLogKind
    from ordstyrer.crisis.services import crisis_log_write, paused_posts_text

    with transaction.atomic():
        post = lock_post(post_id)
        if post.status not in (PostStatus.PUBLISHING, PostStatus.SCHEDULED):
            return False
        _pause(post, crisis=crisis, actor=None, now=now)
        # Stored in the product's language, as `crisis_declare` stores its line: the
        # crisis log reads the counts back from it (`crisis.services.paused_posts_counts`).
        with translation.override(settings.LANGUAGE_CODE):
            text = paused_posts_text(scheduled=1, waiting=0)
        crisis_log_write(
            crisis=crisis,
            kind=CrisisLogKind.POSTS_PAUSED,
            text=text,
            channel=channel,
            object_kind="post",
            object_id=post.pk,
            actor=None,
            now=now,
        )
    return True


def post_crisis_approve(*, actor: ActorLike, post_id: Any, now: datetime | None = None) -> Post:
    """The crisis leader lets a waiting post go out; it is written in the log of the
    crisis that held it (PU-12: every decision), also when that crisis has ended since."""
    now = now or timezone.now()
    with transaction.atomic():
        post = lock_post(post_id)
        _require_crisis_approver(actor, post.municipality)
        if post.status != PostStatus.AWAITING_CRISIS_APPROVAL:
            if post.crisis_approved_by_id == getattr(user_of(actor), "pk", None):
                return post
            raise Conflict(gettext_lazy("Innlegget venter ikke på kriseleder."), code="conflict")
        from ordstyrer.crisis.services import crisis_own_text_check

        crisis_own_text_check(
            municipality=post.municipality, hands=access.hands_on(post), actor=actor
        )
        crisis = _held_by(post)
        post.crisis_approved_at, post.crisis_approved_by = now, person(actor)
        _release_approved(
            post,
            actor=actor,
            now=now,
            action="crisis_approve",
            data={"crisis_id": getattr(crisis, "pk", None)},
        )
        _crisis_log(post, crisis=crisis, kind="post_approved", actor=actor, now=now)
    return post


def _held_by(post: Post) -> Any:
    """The crisis a post waits for: its own (`crisis_ref`, set when it was held), or for
    a post held before `crisis_ref` was kept, the municipality's active one."""
    from ordstyrer.crisis.selectors import active_crisis

    return _crisis_of(post) or active_crisis(municipality=post.municipality)


def _crisis_rejected(post: Post) -> bool:
    """The post is rejected, and its latest rejection is the crisis leader's (a replayed
    rejection finds it so)."""
    if post.status != PostStatus.REJECTED:
        return False
    last = post.events.filter(action__in=("reject", "crisis_reject")).order_by("-at", "-pk").first()
    return last is not None and last.action == "crisis_reject"


def post_crisis_reject(
    *, actor: ActorLike, post_id: Any, reason: str, now: datetime | None = None
) -> Post:
    """The crisis leader stops a waiting post; it goes back to its author with the reason.

    Idempotent as `inbox.replies.reply_crisis_reject`: a post the crisis leadership has
    rejected already (a replayed form, a retried API call) is returned unchanged."""
    now = now or timezone.now()
    reason = _rejection_reason(reason)
    with transaction.atomic():
        post = lock_post(post_id)
        _require_crisis_approver(actor, post.municipality)
        if post.status != PostStatus.AWAITING_CRISIS_APPROVAL:
            if _crisis_rejected(post):
                return post  # rejected once
            raise Conflict(gettext_lazy("Innlegget venter ikke på kriseleder."), code="conflict")
        crisis = _held_by(post)
        _reject(
            post,
            actor=actor,
            now=now,
            reason=reason,
            action="crisis_reject",
            data={"crisis_id": getattr(crisis, "pk", None)},
        )
        _crisis_log(post, crisis=crisis, kind="post_rejected", actor=actor, now=now, note=reason)
    return post


def _require_decider(actor: ActorLike, post: Post) -> None:
    if not roles_in(actor, post.municipality):
        raise NotFound(gettext_lazy("Fant ikke innlegget."))
    if not access.may_decide_paused(actor, post):
        raise NotPermitted(gettext_lazy("Du har ikke rollen som trengs for dette innlegget."))


@dataclass(frozen=True)
class Resumption:
    """What `post_resume` does with a paused post (`resumption`): the one decision, so
    that the confirmation says what will happen (PU-12, CH-4)."""

    # Where the post goes: back to an approval (its approver's or the crisis leader's),
    # or released: scheduled, or publishing now (as `_release` decides by the time).
    status: PostStatus
    # When it goes out: its time, or None for now (or, waiting, as soon as approved).
    publish_at: datetime | None
    # The time its approval was given for (None: at once).
    approved_for: datetime | None
    # CH-4: a new time on a chain that names an approver starts a new approval round...
    new_round: bool
    # ... which the person resuming it approves by doing so (no four eyes), or
    self_approved: bool
    # ... which asks the approver again for a post that had their approval.
    asked_again: bool
    # The checks as they read the post going out then (PU-10's count, the register)...
    findings: tuple[dict[str, Any], ...]
    # ... and the warnings among them the post does not carry already: each needs a
    # reason, as when it was sent (the "warn" rule, `_unexcused`).
    unexcused: tuple[dict[str, Any], ...]

    @property
    def blocked(self) -> bool:
        return checks.has_block(self.findings)


def _unexcused(post: Post, findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The "warn" rule on a resumption: the warnings of `findings` the post does not carry
    already. Those it carries (its stored findings, by rule id, as `_release_approved`
    compares them) were let through with who and why: given a reason for when it was sent
    (`post_publish`) or resumed before, or approved by its approver with the warning shown
    (`_release_approved`). One that arose while it was paused (PU-10's count: others went
    out meanwhile; the register) has nobody's reason yet."""
    carried = {f.get("rule") for f in post.findings or () if f.get("severity") == "warn"}
    return [f for f in checks.warnings(findings) if f["rule"] not in carried]


def resumption(
    *, actor: ActorLike, post: Post, publish_at: datetime | None, now: datetime
) -> Resumption:
    """What `actor` resuming the paused `post` at `publish_at` does (`post_resume`; None:
    its own time, or now if that has passed): back to the approval it waited for
    (`selectors.resume_status`); on a chain that names an approver, a time other than
    the one approved — another one, or now for a post approved for later — asks for the
    approval again in a new round, unless `actor` approves it by sending it (CH-4);
    else released at its time. With the findings then, and the warnings among them that
    need a reason (`_unexcused`). Raises the `ServiceError` of a refused time."""

    def due(at: datetime | None) -> datetime | None:
        """When the post goes out: None for now (no time, or one that has come)."""
        return at if at is not None and at >= now + NOW_SLACK else None

    approved_for = due(post.publish_at)
    at = due(_publish_at(publish_at, now) if publish_at is not None else post.publish_at)
    waits_for = selectors.resume_status(post)
    new_round = (
        at != approved_for
        and bool(rules.approver_roles(post.approval))
        # Never out without the crisis leader's approval it was waiting for (PU-12).
        and waits_for != PostStatus.AWAITING_CRISIS_APPROVAL
    )
    channels = access.post_channels(post)
    self_approved = new_round and _self_approves(actor, post, channels, approval=post.approval)
    released = PostStatus.SCHEDULED if at is not None else PostStatus.PUBLISHING
    # The checks at the time it goes out (now, for one going out now or waiting).
    findings = checks.findings_for(
        municipality=post.municipality,
        channels=channels,
        text=post.text,
        links=post.links,
        assets=post_assets(post),
        when=at or now,
        exclude_post=post.pk,
    )
    if new_round:
        status = released if self_approved else PostStatus.AWAITING_APPROVAL
    else:
        status = released if waits_for == PostStatus.PUBLISHING else waits_for
    return Resumption(
        status=status,
        publish_at=at,
        approved_for=approved_for,
        new_round=new_round,
        self_approved=self_approved,
        asked_again=new_round and not self_approved and post.approved_at is not None,
        findings=tuple(findings),
        unexcused=tuple(_unexcused(post, findings)),
    )


def post_resume(
    *,
    actor: ActorLike,
    post_id: Any,
    now: datetime | None = None,
    publish_at: datetime | None = None,
    override_reason: str = "",
) -> Post:
    """A paused post goes on after the crisis: checked again; a post that waited for an
    approval (its approver's, or a crisis leader's) waits for it again
    (`selectors.resume_status`), any other is released, at `publish_at` or its own time
    (now, if that has passed): as `resumption` says.

    As `post_publish`: a block finding refuses (`PostRefused`, code `blocked`), and a
    warning the post does not carry already (`Resumption.unexcused`: PU-10's count when
    others went out during the crisis) needs `override_reason`, or is refused with code
    `needs_override`; the reason is kept in the audit entry and on the post.

    CH-4: the time is part of what the approver approved (`post_update` asks for a new
    approval when it changes). On a chain that names an approver, a new time — another
    one, or now for a post approved for later — sends the post back to its approver in a
    new approval round, as if `actor` submitted it; its own time (or now, for one whose
    time passed during the crisis) keeps the approval."""
    now = now or timezone.now()
    reason = str(override_reason or "").strip()[:MAX_REASON]
    with transaction.atomic():
        post = lock_post(post_id)
        _require_decider(actor, post)
        if post.status != PostStatus.PAUSED:
            raise Conflict(gettext_lazy("Innlegget er ikke satt på pause."), code="conflict")
        if _crisis_for_posts(post.municipality) is not None:
            raise ServiceError(
                gettext_lazy("Krisen er ikke avsluttet; innlegg går via kriseleder (PU-12)."),
                rule="PU-12",
                code="crisis_active",
            )
        source = post.status
        plan = resumption(actor=actor, post=post, publish_at=publish_at, now=now)
        if publish_at is not None:
            post.publish_at = _publish_at(publish_at, now)
        else:
            post.publish_at = plan.publish_at  # its own, unless it passed in the crisis
        channels = access.post_channels(post)
        _require_publishable(channels)
        findings = list(plan.findings)
        _refuse_blocked(findings)
        # The "warn" rule: a warning that arose while the post was paused is let through
        # with who and why, as when it was sent (zero-width characters are no reason).
        if plan.unexcused and not visible_text(reason):
            raise PostRefused(
                _(
                    "Innlegget har fått nye merknader siden det ble sendt. Skriv hvorfor det "
                    "skal sendes videre likevel."
                ),
                findings=findings,
                rule=plan.unexcused[0]["rule"],
                code="needs_override",
            )
        if plan.unexcused:
            # Beside the reason it was sent with (the warnings it carried already).
            post.override_reason = "\n\n".join(r for r in (post.override_reason, reason) if r)
        post.findings = findings
        post.updated_at = now
        if plan.new_round:
            # A new round: an approval given (or a decision form opened) for the old
            # time decides nothing for the new one (`_earlier_round`). As `post_publish`,
            # a sender who may approve it without four eyes approves it by sending it.
            post.approval_round += 1
            post.crisis_approved_at = post.crisis_approved_by = None
            post.submitted_at, post.submitted_by = now, person(actor)
            if plan.self_approved:
                post.approved_at, post.approved_by = now, person(actor)
                _release(post, now=now)
            else:
                post.approved_at = post.approved_by = None
                post.status = PostStatus.AWAITING_APPROVAL
                post.save()
                after_commit(tasks.post_awaiting_notify, post_id=post.pk)
        elif plan.status == PostStatus.AWAITING_APPROVAL:
            post.status = PostStatus.AWAITING_APPROVAL
            post.save()
        elif plan.status == PostStatus.AWAITING_CRISIS_APPROVAL:
            # Never out without the crisis leader's approval it was waiting for (PU-12).
            post.status = PostStatus.AWAITING_CRISIS_APPROVAL
            post.save()
            _crisis_waiting_notify(post)
        else:
            _release(post, now=now)
        data: dict[str, Any] = {}
        if plan.new_round:
            data |= {"new_time": True, "approval_round": post.approval_round}
        warned = sorted({f["rule"] for f in checks.warnings(findings)})
        if warned:
            data["warnings"] = warned
        if plan.unexcused:
            data["new_warnings"] = sorted({f["rule"] for f in plan.unexcused})
            data["override_reason"] = reason
        _log(post, action="resume", actor=actor, now=now, source=source, data=data or None)
        _crisis_log(post, crisis=_crisis_of(post), kind="post_resumed", actor=actor, now=now)
    return post


def post_discard(
    *, actor: ActorLike, post_id: Any, reason: str, now: datetime | None = None
) -> Post:
    """A paused post is not published after all: back to its author as a draft, with why
    (required: zero-width characters alone say nothing)."""
    now = now or timezone.now()
    reason = str(reason or "").strip()[:MAX_REASON]
    if not visible_text(reason):
        raise ServiceError(gettext_lazy("Skriv hvorfor innlegget forkastes."), code="invalid")
    with transaction.atomic():
        post = lock_post(post_id)
        _require_decider(actor, post)
        if post.status != PostStatus.PAUSED:
            raise Conflict(gettext_lazy("Innlegget er ikke satt på pause."), code="conflict")
        source = post.status
        post.status = PostStatus.DRAFT
        post.rejection_reason = reason
        post.updated_at = now
        post.save()
        _log(post, action="discard", actor=actor, now=now, source=source, note=reason)
        _crisis_log(
            post, crisis=_crisis_of(post), kind="post_discarded", actor=actor, now=now, note=reason
        )
    return post


# --------------------------------------------------------------------------- settings


def channel_publishing_update(
    *,
    actor: ActorLike,
    channel: Channel,
    approval: str,
    four_eyes: bool,
    is_main_page: bool,
    now: datetime | None = None,
) -> ChannelPublishing:
    """A channel's approval, four eyes and main-page flag (PU-10). Set by communications
    or the chief administrator only (`access.may_set_publishing`, CH-4): the approval
    chain and four eyes are the unit leader's and the editorial check on the channel's
    editors, and the main-page flag puts the channel under PU-10's weekly cap; a
    channel's own main administrator, who publishes there, may not switch them off."""
    now = now or timezone.now()
    if approval not in Approval.values:
        raise ServiceError(gettext_lazy("Ukjent godkjenning."), code="invalid")
    with transaction.atomic():
        require_channel_role(actor, channel, "manage")
        if not access.may_set_publishing(actor, channel.municipality):
            raise NotPermitted(access.SETTINGS_LOCKED, roles=access.SETTINGS_ROLES, rule="CH-4")
        found, _created = ChannelPublishing.objects.select_for_update().get_or_create(
            channel=channel
        )
        before = {
            "approval": found.approval,
            "four_eyes": found.four_eyes,
            "is_main_page": found.is_main_page,
        }
        found.approval, found.four_eyes, found.is_main_page = approval, four_eyes, is_main_page
        found.updated_by, found.updated_at = person(actor), now
        found.save()
        audit_record(
            actor=actor,
            action="channel_publishing_update",
            municipality=channel.municipality,
            obj=found,
            data={
                "before": before,
                "after": {
                    "approval": approval,
                    "four_eyes": four_eyes,
                    "is_main_page": is_main_page,
                },
            },
        )
    return found
