"""Pure publishing rules beside the policy engine: each channel's own limits, the PU-10
weekly cap in a week with public holidays, and who approves a channel's posts. Django
only for `gettext_lazy` (the channel picker's lines) and `core.forms.visible_text`.

The policy engine checks what the guideline demands (PU-1 … PU-12); this module adds what
the platform demands (Instagram needs media, caption length, …) as findings of the same
shape, with `rule` = "channel".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from ordstyrer.core.forms import visible_text
from ordstyrer.worktime import DEFAULT, OSLO, WorkCalendar

CHANNEL_RULE = "channel"


@dataclass(frozen=True, slots=True)
class Limits:
    """What one platform accepts in one post."""

    max_text: int
    needs_media: bool
    max_media: int
    max_image_bytes: int
    caption_files: bool  # takes a caption file for videos (else burned in / no speech)
    mixed_media: bool  # images and a video in one post
    clickable_links: bool
    native_schedule: bool
    # A line for the channel picker, in the reader's language (lazy: read when shown).
    nb: Any
    # The link goes into the text (Instagram's caption) rather than beside it.
    link_in_text: bool = False
    # The same for a post with a video: Facebook's video post has a description and no
    # link field (Graph §1.8).
    video_link_in_text: bool = False
    # Refuses an image without a text alternative (PU-4): every connector does
    # (`connectors/*/connector.py`: "Bildet mangler alternativ tekst").
    needs_alt_text: bool = True
    # The platform's name, in the findings below that name it.
    platform: str = "Facebook"
    # The file types it takes (mime types; None: every type an upload takes), and the
    # aspect ratios (width:height, as whole numbers) its images must lie within.
    image_types: frozenset[str] | None = None
    video_types: frozenset[str] | None = None
    aspect_range: tuple[tuple[int, int], tuple[int, int]] | None = None


MB = 1024 * 1024
# Graph §1.8: one video, or photos (10 MB each); posts up to 63,206 characters.
_FACEBOOK = Limits(
    63206,
    False,
    10,
    10 * MB,
    True,
    False,
    True,
    True,
    _(
        "Facebook: inntil 63 206 tegn, bilder (maks 10 MB) eller én video med undertekstfil; "
        "kan planlegges 10 minutter til 30 dager fram."
    ),
    video_link_in_text=True,
)
LIMITS: dict[str, Limits] = {
    "facebook": _FACEBOOK,
    # Graph §4.5: a container per image/video, carousels of up to 10, caption ≤ 2,200,
    # no caption files, links not clickable, no native scheduling. Meta's IG User Media
    # reference (image and Reels specifications): an image is a JPEG whose aspect ratio
    # lies within 4:5 to 1.91:1, a video a MOV or MP4 container. Anything else is
    # refused by the container after approval (review s21: a PNG, an iPhone's 3:4
    # portrait, a WebM).
    "instagram": Limits(
        2200,
        True,
        10,
        8 * MB,
        False,
        True,
        False,
        False,
        _(
            "Instagram: krever bilde (JPEG, sideforhold mellom 4:5 og 1,91:1) eller video "
            "(MP4 eller MOV), inntil 2 200 tegn og 10 medier; undertekster må være brent inn; "
            "lenker er ikke klikkbare; Ordstyrer publiserer selv på valgt tid."
        ),
        link_in_text=True,
        platform="Instagram",
        image_types=frozenset({"image/jpeg"}),
        video_types=frozenset({"video/mp4", "video/quicktime"}),
        aspect_range=((4, 5), (191, 100)),
    ),
    "simulated": replace(_FACEBOOK, nb=_("Simulert plattform: oppfører seg som en Facebook-side.")),
}


def limits_for(kind: str) -> Limits:
    return LIMITS.get(kind, LIMITS["facebook"])


@dataclass(frozen=True, slots=True)
class MediaFacts:
    kind: str  # image | video
    size: int
    caption_mode: str  # "" | file | burned_in | no_speech
    alt_text: str = ""  # PU-4: what the platform is sent as the image's text alternative
    mime: str = ""  # as stored and sent ("": not known)
    width: int | None = None  # an image's size as shown (None: not known)
    height: int | None = None


def _finding(nb: str, nn: str, en: str, *, channel: int | None, name: str) -> dict[str, Any]:
    return {
        "rule": CHANNEL_RULE,
        "severity": "block",
        "message_nb": f"{name}: {nb}",
        "message_en": f"{name}: {en}",
        "message_nn": f"{name}: {nn}",
        "citation": None,
        "span": None,
        "channel": channel,
    }


def sent_text(text: str, links: Sequence[str]) -> tuple[str, str | None]:
    """The text and the one link a platform is sent for a post (`delivery.build_draft`):
    the first link goes beside the text (its preview), the others not already in the text
    are added under it."""
    link = links[0] if links else None
    extra = [x for x in links[1:] if x not in text]
    return ("\n\n".join([text, "\n".join(extra)]) if extra else text), link


def caption(text: str, link: str | None) -> str:
    """The text with the link under it, where the platform has no link field for the
    post: Instagram's caption, a Facebook video's description (`link_goes_in_text`)."""
    return f"{text}\n\n{link}" if link else text


def link_goes_in_text(kind: str, *, video: bool = False) -> bool:
    """Whether `kind`'s platform gets the post's link in its text (`caption`) rather
    than beside it: on Instagram always, on Facebook when the post has a video."""
    limits = limits_for(kind)
    return limits.link_in_text or (video and limits.video_link_in_text)


def measured_text(kind: str, text: str, links: Sequence[str], *, video: bool = False) -> str:
    """The text as `kind`'s platform gets it, which its length limit applies to: with the
    extra links, and with the link in the text where it goes there (`video`: the post
    has a video)."""
    body, link = sent_text(text, links)
    return caption(body, link) if link_goes_in_text(kind, video=video) else body


def channel_findings(
    *,
    kind: str,
    name: str,
    channel_id: int | None,
    text: str,
    links: Sequence[str],
    media: Sequence[MediaFacts],
) -> list[dict[str, Any]]:
    """What `kind`'s platform will refuse in this post (block findings)."""
    limits = limits_for(kind)
    out: list[dict[str, Any]] = []

    def add(nb: str, nn: str, en: str) -> None:
        out.append(_finding(nb, nn, en, channel=channel_id, name=name))

    # Measured as it is sent (QA 2026-12: a 2,200-character text with a link passed here
    # and failed at Meta after approval).
    sent = len(measured_text(kind, text, links, video=any(m.kind == "video" for m in media)))
    if sent > limits.max_text and sent == len(text):
        add(
            f"teksten er {sent} tegn; plattformen tar høyst {limits.max_text}.",
            f"teksten er {sent} teikn; plattforma tek høgst {limits.max_text}.",
            f"the text has {sent} characters; the platform takes at most {limits.max_text}.",
        )
    elif sent > limits.max_text:
        add(
            f"teksten med lenkene er {sent} tegn slik plattformen får den; plattformen tar "
            f"høyst {limits.max_text}.",
            f"teksten med lenkjene er {sent} teikn slik plattforma får han; plattforma tek "
            f"høgst {limits.max_text}.",
            f"the text with its links has {sent} characters as the platform gets it; the "
            f"platform takes at most {limits.max_text}.",
        )
    if limits.needs_media and not media:
        add(
            "Instagram krever bilde eller video i hvert innlegg.",
            "Instagram krev bilete eller video i kvart innlegg.",
            "Instagram needs an image or a video in every post.",
        )
    # Zero-width characters alone (U+200B, U+FEFF …) show nothing either.
    if not visible_text(text) and not media and not links:
        add("innlegget er tomt.", "innlegget er tomt.", "the post is empty.")
    if len(media) > limits.max_media:
        add(
            f"høyst {limits.max_media} bilder/videoer i ett innlegg.",
            f"høgst {limits.max_media} bilete/videoar i eitt innlegg.",
            f"at most {limits.max_media} images/videos in one post.",
        )
    videos = [m for m in media if m.kind == "video"]
    images = [m for m in media if m.kind == "image"]
    if not limits.mixed_media and videos and (images or len(videos) > 1):
        add(
            "et innlegg kan ha én video eller bilder, ikke begge.",
            "eit innlegg kan ha éin video eller bilete, ikkje begge.",
            "a post may have one video or images, not both.",
        )
    # PU-4: the platform refuses an image without alt text, so a warning overridden (or
    # a preset without PU-4) still ended in a failed post after approval (review s18).
    if limits.needs_alt_text:
        for number, item in enumerate(media, start=1):
            if item.kind == "image" and not item.alt_text.strip():
                add(
                    f"vedlegg {number} er et bilde uten alternativ tekst; plattformen tar ikke "
                    "imot bilder uten (PU-4).",
                    f"vedlegg {number} er eit bilete utan alternativ tekst; plattforma tek ikkje "
                    "imot bilete utan (PU-4).",
                    f"attachment {number} is an image without alt text; the platform does not "
                    "take images without one (PU-4).",
                )
    out.extend(_format_findings(limits, media, channel_id=channel_id, name=name))
    for image in images:
        if image.size > limits.max_image_bytes:
            add(
                f"et bilde er større enn {limits.max_image_bytes // MB} MB.",
                f"eit bilete er større enn {limits.max_image_bytes // MB} MB.",
                f"an image is larger than {limits.max_image_bytes // MB} MB.",
            )
    if not limits.caption_files:
        for video in videos:
            if video.caption_mode == "file":
                add(
                    "undertekstfiler støttes ikke; brenn tekstingen inn i videoen (PU-3).",
                    "undertekstfiler er ikkje støtta; brenn tekstinga inn i videoen (PU-3).",
                    "caption files are not supported; burn the captions in (PU-3).",
                )
    return out


# What a file type is called in the findings below.
TYPE_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
    "video/webm": "WebM",
}


def _ratio(pair: tuple[int, int], point: str) -> str:
    """An aspect ratio as Meta writes it: "4:5", "1.91:1" (with `point` as the decimal
    sign)."""
    width, height = pair
    if height in (10, 100):
        return f"{width / height:.{len(str(height)) - 1}f}:1".replace(".", point)
    return f"{width}:{height}"


def _format_findings(
    limits: Limits, media: Sequence[MediaFacts], *, channel_id: int | None, name: str
) -> list[dict[str, Any]]:
    """A block for each file whose type, or an image's aspect ratio, the platform does
    not take (`Limits.image_types`, `video_types`, `aspect_range`): otherwise refused by
    the platform only after approval. A type or size not known is not judged."""
    out: list[dict[str, Any]] = []

    def add(nb: str, nn: str, en: str) -> None:
        out.append(_finding(nb, nn, en, channel=channel_id, name=name))

    platform = limits.platform
    jpeg = "/".join(TYPE_NAMES.get(t, t) for t in sorted(limits.image_types or ()))
    takes = f"{platform} tar bare {jpeg}-bilder"
    takes_nn = f"{platform} tek berre {jpeg}-bilete"
    takes_en = f"{platform} takes only {jpeg} images"
    if limits.aspect_range is not None:
        low, high = limits.aspect_range
        takes += f" med sideforhold mellom {_ratio(low, ',')} og {_ratio(high, ',')}"
        takes_nn += f" med sideforhold mellom {_ratio(low, ',')} og {_ratio(high, ',')}"
        takes_en += f" with an aspect ratio between {_ratio(low, '.')} and {_ratio(high, '.')}"
    for number, item in enumerate(media, start=1):
        called = TYPE_NAMES.get(item.mime, item.mime)
        if item.kind == "image" and item.mime and limits.image_types is not None:
            if item.mime not in limits.image_types:
                add(
                    f"vedlegg {number} er et {called}-bilde; {takes}. Lagre bildet som {jpeg} "
                    "og last det opp på nytt.",
                    f"vedlegg {number} er eit {called}-bilete; {takes_nn}. Lagre biletet som "
                    f"{jpeg} og last det opp på nytt.",
                    f"attachment {number} is a {called} image; {takes_en}. Save the image as "
                    f"{jpeg} and upload it again.",
                )
        if item.kind == "image" and limits.aspect_range is not None and item.width and item.height:
            (low_w, low_h), (high_w, high_h) = limits.aspect_range
            w, h = item.width, item.height
            # In whole numbers, so 1080×1350 (exactly 4:5) passes: low ≤ w/h ≤ high.
            if w * low_h < h * low_w or w * high_h > h * high_w:
                shown = f"{w / h:.2f}"
                add(
                    f"vedlegg {number} er {w}×{h} piksler, sideforhold "
                    f"{shown.replace('.', ',')}:1; {takes}. Beskjær bildet og last det opp "
                    "på nytt.",
                    f"vedlegg {number} er {w}×{h} pikslar, sideforhold "
                    f"{shown.replace('.', ',')}:1; {takes_nn}. Skjer til biletet og last det "
                    "opp på nytt.",
                    f"attachment {number} is {w}×{h} pixels, an aspect ratio of {shown}:1; "
                    f"{takes_en}. Crop the image and upload it again.",
                )
        if item.kind == "video" and item.mime and limits.video_types is not None:
            if item.mime not in limits.video_types:
                videos = [TYPE_NAMES.get(t, t) for t in sorted(limits.video_types)]  # MP4 first
                add(
                    f"vedlegg {number} er en {called}-video; {platform} tar bare "
                    f"{'- og '.join(videos)}-videoer. Eksporter videoen som {videos[0]} og last "
                    "den opp på nytt.",
                    f"vedlegg {number} er ein {called}-video; {platform} tek berre "
                    f"{'- og '.join(videos)}-videoar. Eksporter videoen som {videos[0]} og last "
                    "han opp på nytt.",
                    f"attachment {number} is a {called} video; {platform} takes only "
                    f"{' and '.join(videos)} videos. Export the video as {videos[0]} and "
                    "upload it again.",
                )
    return out


# ------------------------------------------------------------------ PU-10 in holiday weeks


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def working_days_in_week(day: date, calendar: WorkCalendar = DEFAULT) -> int:
    start = week_start(day)
    return sum(1 for n in range(7) if calendar.is_working_day(start + timedelta(days=n)))


def weekly_cap(weekly: int, daily: int, day: date, calendar: WorkCalendar = DEFAULT) -> int:
    """PU-10 (Midt-Telemark): "7–10 a week (two per working day)" — in a week with a
    public holiday the working days set the cap when they allow fewer than `weekly`."""
    return max(1, min(weekly, daily * working_days_in_week(day, calendar)))


def local_date(at: datetime) -> date:
    return at.astimezone(OSLO).date()


# ------------------------------------------------------------------ approval


def default_approval() -> str:
    """The preset's default for a channel's posts: none — the appointed editors publish
    (CH-3). No guideline asks for each post to be approved. CH-4 (Midt-Telemark,
    Gausdal) makes the unit leader responsible for running the unit's channels («Enhetsleder
    er ansvarlig for driften av offisielle enhetskontoer», Gausdal) under the chief
    administrator's editorial responsibility, and Midt-Telemark lets the appointed editors
    publish «på vegne av enheten/avdelingen»: responsibility, not pre-approval. A
    municipality turns approval on per channel (`ChannelPublishing.approval`)."""
    return "none"


def approver_roles(approval: str) -> frozenset[str]:
    return {
        "unit_leader": frozenset({"unit_leader"}),
        "communications": frozenset({"communications"}),
        "unit_leader_or_communications": frozenset({"unit_leader", "communications"}),
    }.get(approval, frozenset())


def strictest(approvals: Sequence[str]) -> str:
    """One post on several channels waits for the strictest channel's approval."""
    order = ["none", "unit_leader_or_communications", "unit_leader", "communications"]
    wanted = [a for a in approvals if a and a != "none"]
    if not wanted:
        return "none"
    if len(set(wanted)) > 1 and set(wanted) >= {"unit_leader", "communications"}:
        return "communications"
    return max(wanted, key=order.index)


# ------------------------------------------------------------------ retries

BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)
MAX_ATTEMPTS = 6


def backoff(attempts: int, retry_after: float | None) -> float:
    wait = float(BACKOFF_SECONDS[min(max(attempts, 1) - 1, len(BACKOFF_SECONDS) - 1)])
    return max(wait, float(retry_after or 0))
