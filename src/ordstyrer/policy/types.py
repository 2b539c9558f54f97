"""Plain value types of the policy engine: what is checked, and what a check finds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from ordstyrer.policy.errors import PolicyError

Severity = Literal["block", "warn"]
Kind = Literal["post", "reply"]
MediaType = Literal["image", "video", "gif", "audio"]
People = Literal["none", "recognisable", "crowd"]

MEDIA_TYPES: tuple[str, ...] = ("image", "video", "gif", "audio")
PEOPLE_VALUES: tuple[str, ...] = ("none", "recognisable", "crowd")
KINDS: tuple[str, ...] = ("post", "reply")


@dataclass(frozen=True, slots=True)
class Citation:
    """The municipality's own words behind a rule: document section and verbatim text."""

    municipality: str
    section: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"municipality": self.municipality, "section": self.section, "text": self.text}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found in a draft, with the rule and the municipality's words."""

    rule: str
    severity: Severity
    message_nb: str
    message_en: str
    citation: Citation
    # Character offsets [start, end) into Draft.text, when the finding points at text.
    span: tuple[int, int] | None = None
    # Nynorsk for the Nynorsk console (language review 2026-12, row 26); "" where a
    # check has none yet, and the console then shows the Bokmål. Not in `to_dict`: the
    # API's and the CLI's JSON keep their documented shape (nb and en).
    message_nn: str = ""

    def message(self, language: str) -> str:
        """The message in the console's language: nn (falling back to nb), en, or nb."""
        if language.startswith("en"):
            return self.message_en
        if language.startswith("nn") and self.message_nn:
            return self.message_nn
        return self.message_nb

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message_nb": self.message_nb,
            "message_en": self.message_en,
            "citation": self.citation.to_dict(),
            "span": list(self.span) if self.span is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Media:
    """An attachment and what the editor has told us about it.

    Every field is optional: None means "not stated". A rule that needs a
    field which is None gives a `warn` finding saying it is unknown.
    `music_cleared` is True when the video has no music or its use is cleared.
    `title` and `captions_text` (the caption file's cue text, without timings) are
    published with the file like `alt`, and PU-1 reads them too.
    """

    type: MediaType | None = None
    alt: str | None = None
    captions: bool | None = None
    speech: bool | None = None
    people: People | None = None
    children: bool | None = None
    consent: bool | None = None
    consent_form: bool | None = None
    photographer: str | None = None
    photographer_consent: bool | None = None
    music_cleared: bool | None = None
    title: str | None = None
    captions_text: str | None = None

    @property
    def is_image(self) -> bool:
        return self.type in ("image", "gif")

    @property
    def is_video(self) -> bool:
        return self.type == "video"


@dataclass(frozen=True, slots=True)
class Draft:
    """A post or reply before it goes out."""

    text: str
    links: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from callers; keep the value immutable.
        object.__setattr__(self, "links", tuple(self.links))
        object.__setattr__(self, "media", tuple(self.media))


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Where and when a draft is going out. `now` must be timezone-aware."""

    kind: Kind = "post"
    now: datetime | None = None
    crisis_active: bool = False
    crisis_approved: bool = False
    is_main_page: bool = False
    publishing_history: tuple[datetime, ...] = field(default=())
    signer_first_name: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PolicyError(f"Ukjent type «{self.kind}»: bruk «post» eller «reply».")
        stamps = (self.now, *self.publishing_history)
        if any(stamp is not None and stamp.tzinfo is None for stamp in stamps):
            raise PolicyError("Tidspunkter må ha tidssone.")
        object.__setattr__(self, "publishing_history", tuple(self.publishing_history))


# ---------------------------------------------------------------- untrusted input

_BOOL_FIELDS = {"captions", "speech", "children", "consent", "consent_form"}
_BOOL_FIELDS |= {"photographer_consent", "music_cleared"}
_TEXT_FIELDS = {"alt", "photographer", "title", "captions_text"}


def _where(path: str) -> str:
    return f"«{path}»"


def _media_from_dict(data: Any, path: str) -> Media:
    if not isinstance(data, Mapping):
        raise PolicyError(f"{_where(path)} må være et objekt.")
    known = {f.name for f in fields(Media)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise PolicyError(f"Ukjent felt {_where(path + '.' + str(unknown[0]))}.")
    values: dict[str, Any] = {}
    for key, value in data.items():
        here = f"{path}.{key}"
        if value is None:
            continue
        if key in _BOOL_FIELDS:
            if not isinstance(value, bool):
                raise PolicyError(f"{_where(here)} må være true eller false.")
        elif key in _TEXT_FIELDS:
            if not isinstance(value, str):
                raise PolicyError(f"{_where(here)} må være tekst.")
        elif key == "type":
            if value not in MEDIA_TYPES:
                raise PolicyError(f"{_where(here)} må være en av {', '.join(MEDIA_TYPES)}.")
        elif key == "people":
            # true/false are accepted as "recognisable"/"none".
            if isinstance(value, bool):
                value = "recognisable" if value else "none"
            elif value not in PEOPLE_VALUES:
                raise PolicyError(
                    f"{_where(here)} må være en av {', '.join(PEOPLE_VALUES)} (eller true/false)."
                )
        values[key] = value
    return Media(**values)


def draft_from_dict(data: Any) -> Draft:
    """Read a draft from untrusted JSON-like data; PolicyError (Norwegian) on bad input.

    Shape: {"text": str, "links": [str], "media": [{Media fields}]}; links and
    media are optional, unknown keys are refused so that typos are not ignored.
    """
    if not isinstance(data, Mapping):
        raise PolicyError("Inndata må være et JSON-objekt med feltet «text».")
    unknown = sorted(set(data) - {"text", "links", "media", "context"})
    if unknown:
        raise PolicyError(f"Ukjent felt «{unknown[0]}».")
    text = data.get("text")
    if not isinstance(text, str):
        raise PolicyError("«text» mangler eller er ikke tekst.")
    links = data.get("links") or []
    if not isinstance(links, Sequence) or isinstance(links, str):
        raise PolicyError("«links» må være en liste med nettadresser.")
    for index, link in enumerate(links):
        if not isinstance(link, str):
            raise PolicyError(f"«links[{index}]» må være tekst.")
    media = data.get("media") or []
    if not isinstance(media, Sequence) or isinstance(media, str):
        raise PolicyError("«media» må være en liste.")
    return Draft(
        text=text,
        links=tuple(links),
        media=tuple(_media_from_dict(item, f"media[{i}]") for i, item in enumerate(media)),
    )


def context_from_dict(data: Any, *, kind: Kind, now: datetime | None) -> CheckContext:
    """Read the optional "context" object of JSON input (crisis, main page, history, signer)."""
    if data is None:
        return CheckContext(kind=kind, now=now)
    if not isinstance(data, Mapping):
        raise PolicyError("«context» må være et objekt.")
    allowed = {"now", "crisis_active", "crisis_approved", "is_main_page"}
    allowed |= {"publishing_history", "signer_first_name"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PolicyError(f"Ukjent felt «context.{unknown[0]}».")
    flags: dict[str, bool] = {}
    for key in ("crisis_active", "crisis_approved", "is_main_page"):
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise PolicyError(f"«context.{key}» må være true eller false.")
        flags[key] = value
    signer = data.get("signer_first_name")
    if signer is not None and not isinstance(signer, str):
        raise PolicyError("«context.signer_first_name» må være tekst.")
    history_raw = data.get("publishing_history") or []
    if not isinstance(history_raw, Sequence) or isinstance(history_raw, str):
        raise PolicyError("«context.publishing_history» må være en liste med tidspunkter.")
    history = tuple(
        _aware(item, f"context.publishing_history[{i}]") for i, item in enumerate(history_raw)
    )
    if data.get("now") is not None:
        now = _aware(data["now"], "context.now")
    return CheckContext(
        kind=kind,
        now=now,
        publishing_history=history,
        signer_first_name=signer,
        **flags,
    )


def _aware(value: Any, path: str) -> datetime:
    if not isinstance(value, str):
        raise PolicyError(f"«{path}» må være et ISO 8601-tidspunkt med tidssone.")
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise PolicyError(f"«{path}» må være et ISO 8601-tidspunkt med tidssone.") from None
    if stamp.tzinfo is None:
        raise PolicyError(f"«{path}» mangler tidssone.")
    return stamp
