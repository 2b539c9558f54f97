"""Personal data in Norwegian text (PU-1, DI-12, MO-1; norwegian-standards §4.2).

`find_personal_data(text)` returns every span that reveals personal data, sorted by
position. It works offline from the artefacts in `models/` and never imports Django.

Types:
- `national_id`  fødselsnummer, D-number, H-number (classic and 2032 control rule)
- `bank_account` 11-digit account numbers with a valid mod-11 check digit
- `phone`        Norwegian phone numbers, with or without +47/0047
- `email`        e-mail addresses
- `address`      street name + house number, and/or postcode + place
- `person`       person names (NorNE-trained spaCy pipeline, loaded lazily)
- `health`       health information (GDPR art. 9): conditions, substances, care
- `special_category` other art. 9/10 hints: religion, ethnic origin, sexual
                 orientation, gender identity, political opinion, trade union,
                 criminal matters (`detail` names which)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ordstyrer.language import numbers, sensitive

PII_TYPES: tuple[str, ...] = (
    "national_id",
    "bank_account",
    "phone",
    "email",
    "address",
    "person",
    "health",
    "special_category",
)


@dataclass(frozen=True)
class PersonalData:
    type: str
    start: int
    end: int
    text: str
    detail: str = ""


# The person-name recogniser is installed by `ordstyrer.language.names` when its model
# is available; a callable text -> [(start, end)] keeps this module free of spaCy.
_person_finder: Callable[[str], list[tuple[int, int]]] | None = None
_person_finder_loaded = False


def _find_persons(text: str) -> list[tuple[int, int]]:
    global _person_finder, _person_finder_loaded  # noqa: PLW0603 - lazy, loaded once
    if not _person_finder_loaded:
        _person_finder_loaded = True
        try:
            from ordstyrer.language import names
        except ImportError:  # pragma: no cover - the names module ships with the package
            _person_finder = None
        else:
            _person_finder = names.person_finder()
    if _person_finder is None:
        return []
    return _person_finder(text)


def find_personal_data(text: str, *, types: Iterable[str] | None = None) -> list[PersonalData]:
    """Every personal-data span in `text`, sorted by start (then longest first).

    `types` limits the search to some of `PII_TYPES`; an unknown type raises ValueError.
    """
    wanted = set(PII_TYPES) if types is None else set(types)
    unknown = wanted - set(PII_TYPES)
    if unknown:
        raise ValueError(f"ukjent type personopplysning: {', '.join(sorted(unknown))}")
    spans: list[tuple[str, int, int, str]] = []

    id_hits = numbers.find_id_and_account_numbers(text)
    spans += [(h.type, h.start, h.end, h.detail) for h in id_hits if h.type in wanted]
    email_hits = list(numbers.find_emails(text))
    if "email" in wanted:
        spans += [(h.type, h.start, h.end, h.detail) for h in email_hits]
    if "phone" in wanted:
        # Phone numbers inside identity/account numbers or e-mail addresses are not phones.
        taken = [(h.start, h.end) for h in [*id_hits, *email_hits]]
        spans += [
            (h.type, h.start, h.end, h.detail) for h in numbers.find_phone_numbers(text, taken)
        ]
    if "address" in wanted:
        spans += [(h.type, h.start, h.end, h.detail) for h in sensitive.find_addresses(text)]
    if "health" in wanted:
        spans += [(h.type, h.start, h.end, h.detail) for h in sensitive.find_health(text)]
    if "special_category" in wanted:
        found = sensitive.find_special_categories(text)
        spans += [(h.type, h.start, h.end, h.detail) for h in found]
    result = [PersonalData(t, s, e, text[s:e], d) for t, s, e, d in spans]
    if "person" in wanted:
        return with_persons(text, result, _find_persons(text))
    return sort_found(result)


# Names never overlap what is already personal data of another kind: the "kari" in
# "kari@gmail.com" is part of the address, "Olav Tryggvasons gate 4" is an address.
_NOT_UNDER_PERSON = {"email", "phone", "national_id", "bank_account", "address"}


def with_persons(
    text: str, found: list[PersonalData], person_spans: Iterable[tuple[int, int]]
) -> list[PersonalData]:
    """`found` plus the person-name spans that do not overlap numbers, e-mail or addresses."""
    blocked = [(p.start, p.end) for p in found if p.type in _NOT_UNDER_PERSON]
    persons = [
        PersonalData("person", s, e, text[s:e], "navn")
        for s, e in person_spans
        if not any(bs < e and s < be for bs, be in blocked)
    ]
    return sort_found([*found, *persons])


def sort_found(found: list[PersonalData]) -> list[PersonalData]:
    return sorted(found, key=lambda p: (p.start, -(p.end - p.start), p.type))
