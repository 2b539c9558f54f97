"""A post's findings: the policy engine under the municipality's effective policy, plus
each channel's own limits (`rules.channel_findings`).

What the engine needs is read here from the rows: the consent register becomes the
engine's `Media` facts (PU-6, PU-7), the main page's real history its
`publishing_history` (PU-10), with the weekly cap lowered in a week with public holidays
("two per working day"). The municipality's own website (PU-9) comes with its policy
(`tenants.selectors.policy_for`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import DateTimeField, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ordstyrer.channels.models import Channel
from ordstyrer.policy import CheckContext, Draft, Media, Policy, check, load_policy
from ordstyrer.publishing import rules
from ordstyrer.publishing.models import (
    CaptionMode,
    DeliveryStatus,
    MediaAsset,
    People,
    PostChannel,
    PostStatus,
)
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import as_municipality, policy_for, policy_version_current

COUNTED = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.SCHEDULED,
    DeliveryStatus.PUBLISHING,
    DeliveryStatus.PUBLISHED,
)
# Posts that are not on their way: a draft (a withdrawn or pulled-back post is one too)
# and a rejected post keep their deliveries `queued`, and those count for nothing
# (PU-10). A copy such a post has out still counts (`counted`).
NOT_PLANNED = (PostStatus.DRAFT, PostStatus.REJECTED)


def out_q(now: datetime) -> Q:
    """On a `PostChannel` query: the copy is out on its platform, whatever its post's
    status says: published, or its time come on the platform's own scheduler (as
    `services._is_out` reads one row)."""
    return Q(status=DeliveryStatus.PUBLISHED) | Q(
        status=DeliveryStatus.SCHEDULED, platform_scheduled=True, post__publish_at__lte=now
    )


def counted(now: datetime) -> Q:
    """On a `PostChannel` query: the deliveries PU-10 counts (and the calendar shows) by
    their post's status: every copy out (`out_q`: a post out on the main page and
    failed elsewhere, then edited back to a draft, is still on the page), and any other
    of a post on its way, not a draft nor a rejected post (`NOT_PLANNED`)."""
    return out_q(now) | ~Q(post__status__in=NOT_PLANNED)


def publishing_policy(municipality: Municipality, *, day: datetime | None = None) -> Policy:
    """The effective policy for a post (`policy_for`: PU-9 with the municipality's own
    website) with PU-10's weekly cap for the week of `day` (lower in a week with public
    holidays)."""
    policy = policy_for(municipality=municipality)
    if day is not None and policy.applies("PU-10"):
        params = policy.params("PU-10")
        cap = rules.weekly_cap(
            int(params["weekly_cap"]), int(params["daily_cap"]), rules.local_date(day)
        )
        if cap != int(params["weekly_cap"]):
            version = policy_version_current(municipality=municipality)
            overrides = (
                dict(version.overrides) if version and version.preset == policy.preset_id else {}
            )
            overrides["PU-10"] = {**dict(overrides.get("PU-10", {})), "weekly_cap": cap}
            # `stored`, as `policy_for` reads them: a value saved before its maximum
            # existed (CH-6's 1000 days) runs capped here too, not refused as a new one.
            policy = as_municipality(
                load_policy(policy.preset_id, overrides, stored=True), municipality=municipality
            )
    return policy


def media_facts(asset: MediaAsset, consents: Sequence[Any] | None = None) -> Media:
    """What the engine is told about one file, from the register (PU-3/4/6/7)."""
    if consents is None:
        consents = list(asset.consents.all())
    people = asset.people or None
    consent: bool | None = None
    consent_form: bool | None = None
    if people == People.RECOGNISABLE:
        adults = [c for c in consents if not c.is_child]
        kids = [c for c in consents if c.is_child]
        # The register is the source: nobody registered means no consent.
        consent = bool(adults) and all(c.withdrawn_at is None for c in adults)
        if asset.children:
            consent_form = bool(kids) and all(
                c.withdrawn_at is None and c.form_content for c in kids
            )
            if not adults:
                consent = consent_form
    speech: bool | None = None
    captions: bool | None = None
    captions_text: str | None = None
    if asset.kind == "video":
        if asset.caption_mode == CaptionMode.NO_SPEECH:
            speech, captions = False, False
        elif asset.caption_mode in (CaptionMode.FILE, CaptionMode.BURNED_IN):
            speech, captions = True, True
        if asset.caption_mode == CaptionMode.FILE:
            # PU-1: the caption file goes out with the video (`delivery.build_draft`).
            captions_text = _cue_text(asset.captions_text) or None
            # PU-3: a file with no cue (stored before `media.read_captions` refused
            # one) captions nothing, and the connector refuses to send it.
            captions = captions_text is not None
    return Media(
        type=asset.kind,  # type: ignore[arg-type]
        alt=asset.alt_text or None,
        captions=captions,
        speech=speech,
        people=people,  # type: ignore[arg-type]
        children=asset.children,
        consent=consent,
        consent_form=consent_form,
        photographer=asset.photographer or None,
        photographer_consent=asset.photographer_permission,
        music_cleared=asset.music_cleared if asset.kind == "video" else None,
        # PU-1: the title goes out with the file as the alt text does (`build_draft`).
        title=asset.title or None,
        captions_text=captions_text,
    )


def _cue_text(captions: str) -> str:
    """What a subtitle file (SRT or WebVTT, as `media.read_captions` accepts it) shows on
    screen: each cue's text lines, one cue a paragraph, without the WEBVTT header, NOTE,
    STYLE and REGION blocks, cue numbers or identifiers, timings and inline timestamps."""
    cues: list[str] = []
    lines: list[str] = []
    in_cue = False
    raw = captions.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(raw):
        timing = "-->" in line
        if timing or not line.strip():  # a timing line opens a cue, a blank line ends it
            if lines:
                cues.append("\n".join(lines))
            lines, in_cue = [], timing
        elif number + 1 < len(raw) and "-->" in raw[number + 1]:
            continue  # the cue's number (SRT) or identifier (WebVTT)
        elif in_cue:
            lines.append(_CUE_TIMESTAMP.sub("", line))
    if lines:
        cues.append("\n".join(lines))
    return "\n\n".join(cues)


# A WebVTT cue's inline timestamp (karaoke style): <00:00:01.500> or <00:01.500>.
_CUE_TIMESTAMP = re.compile(r"<(?:\d+:)?\d{2}:\d{2}[.,]\d{3}>")


# When a post goes (or went) out on a channel, for PU-10's count: the first of these
# that is set — published there, its publishing time, published, or (released or waiting
# without a time) when it was submitted. One list, read on a row (`planned_at`) and in
# SQL (`planned_at_sql`), so the check and the calendar count by the same time.
PLANNED_AT = ("published_at", "post__publish_at", "post__published_at", "post__submitted_at")


def planned_at(row: PostChannel) -> datetime | None:
    """When the delivery `row` goes (or went) out (`PLANNED_AT`). The calendar counts by
    the same time (`selectors.calendar_week`)."""
    for path in PLANNED_AT:
        value: Any = row
        for name in path.split("__"):
            value = getattr(value, name)
        if value is not None:
            return value
    return None


def planned_at_sql() -> Coalesce:
    """`planned_at` in SQL, on a `PostChannel` query (`alias(planned=planned_at_sql())`):
    the calendar and PU-10's history read only the deliveries of the days they count."""
    return Coalesce(*PLANNED_AT, output_field=DateTimeField())


def main_page_history(
    channels: Iterable[Channel], *, exclude_post: int | None, around: datetime
) -> tuple[datetime, ...]:
    """PU-10's real history: every post planned or published on the main page(s) in
    the fortnight around `around`, by when it goes out. Drafts (withdrawn posts too)
    and rejected posts are not planned: they count neither here nor in the calendar
    (QA 2026-12: the check said «nr. 7» where the calendar said 0 of 6), but a copy they
    have out does, in both (`counted`)."""
    main = [c.pk for c in channels if _is_main(c)]
    if not main:
        return ()
    window = timedelta(days=8)
    rows = (
        PostChannel.objects.filter(channel__in=main, status__in=COUNTED)
        .filter(counted(timezone.now()))
        .alias(planned=planned_at_sql())
        .filter(planned__gte=around - window, planned__lte=around + window)
    )
    if exclude_post is not None:  # (excluding post_id=None excluded none)
        rows = rows.exclude(post_id=exclude_post)
    out = []
    for row in rows.select_related("post"):
        at = planned_at(row)
        if at is not None and abs(at - around) <= window:
            out.append(at)
    return tuple(out)


def _is_main(channel: Channel) -> bool:
    settings = getattr(channel, "_publishing_settings", None)
    if settings is None:
        from ordstyrer.publishing.access import channel_settings

        settings = channel_settings(channel)
        channel._publishing_settings = settings  # type: ignore[attr-defined]
    return bool(settings.is_main_page)


def findings_for(
    *,
    municipality: Municipality,
    channels: Sequence[Channel],
    text: str,
    links: Sequence[str],
    assets: Sequence[MediaAsset],
    when: datetime,
    exclude_post: int | None = None,
) -> list[dict[str, Any]]:
    """Every finding on a post going out at `when` on `channels`, blocks first."""
    policy = publishing_policy(municipality, day=when)
    draft = Draft(text=text, links=tuple(links), media=tuple(media_facts(a) for a in assets))
    main = any(_is_main(c) for c in channels)
    context = CheckContext(
        kind="post",
        now=when,
        is_main_page=main,
        publishing_history=main_page_history(channels, exclude_post=exclude_post, around=when)
        if main
        else (),
    )
    # With the Nynorsk message for the Nynorsk console (`web/_findings.html`).
    found = [{**f.to_dict(), "message_nn": f.message_nn} for f in check(draft, policy, context)]
    facts = [
        rules.MediaFacts(
            kind=a.kind,
            size=a.size,
            caption_mode=a.caption_mode,
            alt_text=a.alt_text,
            mime=a.mime,
            width=a.width,
            height=a.height,
        )
        for a in assets
    ]
    limits: list[dict[str, Any]] = []
    for channel in channels:
        limits.extend(
            rules.channel_findings(
                kind=channel.kind,
                name=channel.name,
                channel_id=channel.pk,
                text=text,
                links=links,
                media=facts,
            )
        )
    blocks = [f for f in found if f["severity"] == "block"]
    rest = [f for f in found if f["severity"] != "block"]
    return blocks + limits + rest


def has_block(findings: Iterable[dict[str, Any]]) -> bool:
    return any(f.get("severity") == "block" for f in findings)


def warnings(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f.get("severity") == "warn"]
