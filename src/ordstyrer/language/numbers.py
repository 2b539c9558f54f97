"""Number-shaped personal data: national ID numbers, bank accounts, phone numbers, e-mail.

Recall-oriented on purpose (PU-1: never publish confidential information; a
fødselsnummer in a comment must be hidden at once, norwegian-standards §4.2), but
each candidate is validated by its check digits so that order numbers, dates and
amounts are not reported.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

# Fødselsnummer control digits (Skatteetaten; the python-stdnum 2.2 weights).
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
# K2 of the fødselsnummer and the bank account check digit use the same weights.
_MOD11_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


@dataclass(frozen=True)
class NumberHit:
    type: str
    start: int
    end: int
    detail: str


def national_id_kind(digits: str) -> str | None:
    """Kind of an 11-digit Norwegian identity number, or None when it is not one.

    Accepts the classic control rule (weighted K1 sum ≡ 0 mod 11) and the rule for
    numbers issued from 1 January 2032 (K1 sum ≡ 0, 1, 2 or 3 mod 11); K2 must always
    give 0. python-stdnum rejects the 2032 numbers, so this check is our own.
    Kinds: "fødselsnummer", "d-nummer" (day + 40), "h-nummer" (month + 40),
    "syntetisk" (Skatteetaten's Tenor test numbers, month + 80).
    """
    if len(digits) != 11 or not digits.isdigit():
        return None
    d = [int(c) for c in digits]
    if sum(w * x for w, x in zip(_K1_WEIGHTS, d[:10], strict=True)) % 11 not in (0, 1, 2, 3):
        return None
    if sum(w * x for w, x in zip(_MOD11_WEIGHTS, d, strict=True)) % 11 != 0:
        return None
    day, month = int(digits[:2]), int(digits[2:4])
    kind = "fødselsnummer"
    if day > 40:
        day, kind = day - 40, "d-nummer"
    if month > 80:
        month, kind = month - 80, "syntetisk"
    elif month > 40:
        month, kind = month - 40, "h-nummer"
    if not 1 <= month <= 12:
        return None
    # Year is ambiguous without the individual-number table; 2000 is a leap year, so
    # 29 February is allowed.
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:
        return None
    return kind


def is_bank_account(digits: str) -> bool:
    """Norwegian bank account number: 11 digits, the last one a mod-11 check digit."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    return sum(w * int(c) for w, c in zip(_MOD11_WEIGHTS, digits, strict=True)) % 11 == 0


# A space in a number may be a no-break space (U+00A0) or a narrow one (U+202F), as a
# phone's keyboard, a word processor or a pasted form writes it.
_SPACES = " \u00a0\u202f"
# A bank account as people write one: "1234.56.78903", "1234 56 78903", one separator
# throughout. Its boundaries are the identity number's (`_ID_SHAPE`): a space may be any
# of `_SPACES`, and it may follow a word's full stop or comma ("kontonr.1234.56.78903",
# "Kari Hansen,1234 56 78903"), so such an account is read as one, neither missed nor
# left to the identity number's shape; glued to a digit and a separator
# ("1.1234.56.78903") it is part of another number.
_ACCOUNT_SHAPE = re.compile(
    rf"(?<!\d)(?<!\d[.,])(\d{{4}})([{_SPACES}.])(\d{{2}})\2(\d{{5}})(?![\d]|[.,]\d)"
)
# Eleven digits as people write a fødselsnummer: "15038545660", "150385 45660" (also with
# two spaces), "150385-45660", "150385.45660", "15.03.85 45660", "15-03-85-45660",
# "24 07 02 11250", "150385 456 60" and "150 385 456 60". The date keeps one separator.
# A space may be any of `_SPACES`. The number may follow a word's full stop or comma
# without a space ("f.nr.15038545660", "Kari Hansen,15038545660"); one
# glued to a digit and a separator ("1.15038545660", "3,15038545660") is part of another
# number.
_ID_SHAPE = re.compile(
    r"(?<!\d)(?<!\d[.,])(?:"
    rf"\d{{2}}([{_SPACES}./-]?)\d{{2}}\1\d{{2}}"
    rf"(?:[{_SPACES}]{{1,2}}|[./-][{_SPACES}]?)?\d{{3}}[{_SPACES}]?\d{{2}}"
    rf"|\d{{3}}[{_SPACES}]\d{{3}}[{_SPACES}]\d{{3}}[{_SPACES}]\d{{2}}"
    r")(?![\d]|[.,]\d)"
)
_NOT_DIGIT = re.compile(r"\D")
# Words that make an eleven-digit number an account number, read as whole words: "konto",
# "kontoen", "kontonr", "kontonummeret", "bankkonto", "kontoutskrift", "betal",
# "innbetaling", "betalt" — never "kontor" ("legekontoret", "NAV-kontoret").
_ACCOUNT_CONTEXT = re.compile(r"\b\w*(?:konto(?!r)|betal)\w*", re.I)
_ACCOUNT_CONTEXT_CHARS = 25
# Numbers of orders, customers, meters, invoices and payments (KID): eleven digits whose
# check digits may fit a fødselsnummer by chance (Bokmål and Nynorsk). A word naming an
# identity number after them wins ("kundenummeret er fødselsnummeret ditt: …").
_OTHER_NUMBER_CONTEXT = re.compile(
    r"\b(?:ordre\w*|bestilling\w*|bestillingsnr|kunde(?:nummer|nr)\w*|kunde-nr|"
    r"mål(?:er|ar)(?:nummer\w*|nr|en|a|n)?|kid(?:-?(?:nummer\w*|nr))?|faktura\w*|"
    r"referanse\w*|ref\.?|sporingsnummer\w*|sendingsnummer\w*|avtalenummer\w*|"
    r"polisenummer\w*)(?!\w)",
    re.I,
)
_ID_CONTEXT = re.compile(
    r"\b(?:fødselsnummer\w*|fødselsnr|fnr|f\.nr|personnummer\w*|personnr|d-nummer\w*|"
    r"identitetsnummer\w*|id-nummer\w*)(?!\w)",
    re.I,
)
_CONTEXT_CHARS = 30
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÆØÅ])")


def _other_number_context(before: str) -> bool:
    """Whether the words just before a number, in its own sentence, say it is an order,
    customer, meter, … number."""
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    before = before[ends[-1] :] if ends else before
    other = [m.end() for m in _OTHER_NUMBER_CONTEXT.finditer(before)]
    if not other:
        return False
    ids = [m.end() for m in _ID_CONTEXT.finditer(before)]
    return not ids or ids[-1] < other[-1]


_DIGIT = re.compile(r"\d")


def find_id_and_account_numbers(text: str) -> list[NumberHit]:
    hits: list[NumberHit] = []
    if len(_DIGIT.findall(text)) < 11:  # both shapes hold eleven digits
        return hits
    taken: list[tuple[int, int]] = []
    for m in _ACCOUNT_SHAPE.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if is_bank_account(digits):
            hits.append(NumberHit("bank_account", m.start(), m.end(), "kontonummer"))
            taken.append((m.start(), m.end()))
    for m in _ID_SHAPE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if _other_number_context(text[max(0, m.start() - _CONTEXT_CHARS) : m.start()]):
            continue
        digits = _NOT_DIGIT.sub("", m.group())
        kind = national_id_kind(digits)
        # A word naming an identity number in the same window wins over an account
        # word: "Betalinga er stoppa, fnr …" is a fødselsnummer (PU-1, recall first).
        window = text[max(0, m.start() - _ACCOUNT_CONTEXT_CHARS) : m.start()]
        account_context = bool(_ACCOUNT_CONTEXT.search(window)) and not _ID_CONTEXT.search(window)
        if kind and not account_context:
            hits.append(NumberHit("national_id", m.start(), m.end(), kind))
        elif is_bank_account(digits):
            hits.append(NumberHit("bank_account", m.start(), m.end(), "kontonummer"))
    return hits


def may_be_national_id(written: str) -> bool:
    """Whether a number reported as a bank account may still be a national ID number:
    written as one (not in the account shape `1234.56.78903`) with digits that pass the
    identity check. Masking hides these too (PU-1, recall first): the account word
    before it may be about something else."""
    if _ACCOUNT_SHAPE.fullmatch(written):
        return False
    return national_id_kind(_NOT_DIGIT.sub("", written)) is not None


_DATE_SHAPE = re.compile(r"^\s*(\d{1,2})[ ./-](\d{1,2})[ ./-](\d{2}|\d{4})\s*$")
_AMOUNT_BEFORE = re.compile(r"(kr\.?|kroner|nok|ca\.?|over|under|budsjett\w*)\s*$", re.I)
_AMOUNT_AFTER = re.compile(r"^\s*(kr|kroner|nok|,-|mill|milliard|%|prosent|innbyggere)", re.I)


def _looks_like_date(raw: str) -> bool:
    m = _DATE_SHAPE.match(raw)
    if not m:
        return False
    day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
    return 1 <= day <= 31 and 1 <= month <= 12 and (len(year) == 2 or year[:2] in {"19", "20"})


def find_phone_numbers(text: str, taken: list[tuple[int, int]]) -> Iterator[NumberHit]:
    """Norwegian phone numbers (region NO), with or without +47/0047, spaced or not."""
    if len(_DIGIT.findall(text)) < 2:  # no phone number has fewer digits; skip the matcher
        return
    matcher = phonenumbers.PhoneNumberMatcher(text, "NO", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        start, end = match.start, match.end
        if any(s < end and start < e for s, e in taken):
            continue
        if (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit()):
            continue
        if _looks_like_date(match.raw_string):
            continue
        if _AMOUNT_BEFORE.search(text[max(0, start - 12) : start]) or _AMOUNT_AFTER.match(
            text[end : end + 12]
        ):
            continue
        region = phonenumbers.region_code_for_number(match.number)
        detail = "norsk" if region in {"NO", "SJ"} else (region or "utenlandsk").lower()
        yield NumberHit("phone", start, end, detail)


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])", re.UNICODE)


def find_emails(text: str) -> Iterator[NumberHit]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        yield NumberHit("email", m.start(), m.end(), "e-post")
