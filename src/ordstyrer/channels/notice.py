"""The public notice for a closure (CH-9): why, and for how long, in Bokmål or Nynorsk.

Pure: plain inputs, no Django. Times are shown in Norwegian time with Norwegian month
names, so the text is ready for the editor to publish as it is.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ordstyrer.core.months import MONTHS as NORWEGIAN_MONTHS

OSLO = ZoneInfo("Europe/Oslo")

MONTHS = {"nb": NORWEGIAN_MONTHS, "nn": NORWEGIAN_MONTHS}

TEMPLATES = {
    "nb": (
        "{channel} er stengt for kommentarer fra {start} til {end}.\n\n"
        "Hvorfor: {reason}\n\n"
        "{meanwhile} Haster det, kan du kontakte {municipality} {reach}."
    ),
    "nn": (
        "{channel} er stengd for kommentarar frå {start} til {end}.\n\n"
        "Kvifor: {reason}\n\n"
        "{meanwhile} Hastar det, kan du kontakte {municipality} {reach}."
    ),
}

# What the closure does meanwhile, as that platform lets it (CH-9): commenting switched
# off (`off`), or, where the platform has no comment switch (a Facebook Page), new
# comments hidden as they arrive (`hidden`) — people can still write them, so the notice
# does not say commenting is impossible there.
MEANWHILE = {
    "nb": {
        "off": "Mens kanalen er stengt, er det ikke mulig å kommentere. Vi åpner igjen {end}.",
        "hidden": "Mens kanalen er stengt, blir nye kommentarer skjult, og vi svarer ikke på "
        "dem før vi åpner igjen {end}.",
    },
    "nn": {
        "off": "Medan kanalen er stengd, er det ikkje mogleg å kommentere. Vi opnar igjen {end}.",
        "hidden": "Medan kanalen er stengd, blir nye kommentarar skjulte, og vi svarar ikkje på "
        "dei før vi opnar igjen {end}.",
    },
}

# How the public reaches the municipality meanwhile, from what the policy knows.
REACH = {
    "nb": {
        "email_phone": "på {email} eller telefon {phone}",
        "email": "på {email}",
        "phone": "på telefon {phone}",
        "website": "– kontaktinformasjon står på {website}",
        "none": "på telefon, e-post eller kommunens nettside",
    },
    "nn": {
        "email_phone": "på {email} eller telefon {phone}",
        "email": "på {email}",
        "phone": "på telefon {phone}",
        "website": "– kontaktinformasjonen står på {website}",
        "none": "på telefon, e-post eller nettsida til kommunen",
    },
}


def _reach(lang: str, email: str | None, phone: str | None, website: str | None) -> str:
    phrases = REACH.get(lang, REACH["nb"])
    if email and phone:
        key = "email_phone"
    elif email:
        key = "email"
    elif phone:
        key = "phone"
    elif website:
        key = "website"
    else:
        key = "none"
    return phrases[key].format(email=email, phone=phone, website=website)


LANGUAGES = tuple(TEMPLATES)


def format_when(moment: datetime, lang: str = "nb") -> str:
    """`1. juli 2026 kl. 08.00` in Norwegian time (Språkrådet: full stop in times)."""
    if moment.tzinfo is None:
        raise ValueError("the time must be timezone-aware")
    local = moment.astimezone(OSLO)
    month = MONTHS.get(lang, MONTHS["nb"])[local.month - 1]
    return f"{local.day}. {month} {local.year} kl. {local:%H.%M}"


def closure_notice(
    *,
    channel_name: str,
    municipality_name: str,
    reason: str,
    starts_at: datetime,
    ends_at: datetime,
    lang: str = "nb",
    email: str | None = None,
    phone: str | None = None,
    website: str | None = None,
    comments_off: bool = True,
) -> str:
    """The notice text for a closure (CH-9: a clear notice of why and for how long).
    `email`, `phone` and `website` say where urgent questions go meanwhile;
    `comments_off` whether the platform switches commenting off (False: it hides new
    comments as they arrive)."""
    template = TEMPLATES.get(lang, TEMPLATES["nb"])
    meanwhile = MEANWHILE.get(lang, MEANWHILE["nb"])["off" if comments_off else "hidden"]
    reason = " ".join(reason.split()).rstrip(".")
    end = format_when(ends_at, lang)
    return template.format(
        channel=channel_name,
        meanwhile=meanwhile.format(end=end),
        municipality=municipality_name,
        reach=_reach(lang, email, phone, website),
        reason=f"{reason}." if reason else "",
        start=format_when(starts_at, lang),
        end=end,
    )


def markdown_to_plain(markdown: str) -> str:
    """Plain text for pasting into a platform's description or a pinned post (CH-10):
    Facebook and Instagram show Markdown marks as they are."""
    lines = []
    for line in markdown.splitlines():
        stripped = line.rstrip()
        if stripped.startswith("#"):
            stripped = stripped.lstrip("#").strip()
        elif stripped.startswith(">"):
            stripped = stripped[1:].strip()
        elif stripped.startswith("- "):
            stripped = "• " + stripped[2:]
        lines.append(stripped.replace("**", ""))
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
