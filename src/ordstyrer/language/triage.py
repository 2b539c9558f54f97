"""Triage of one incoming comment or message: what it is and what the policy prescribes.

`triage(text, post_text=None, policy=None)` combines the category scores
(`classify`), personal data (`pii`), the written standard (`standard`) and the
municipality's policy into one suggested action. The policy is passed in (a
`TriagePolicy`: in practice `ordstyrer.policy.Policy`, the effective policy with the
municipality's overrides): its grounds, its rules and the findings it writes for the
editor. This library never imports `ordstyrer.policy`, which sits above it
(`.importlinter`, "language-below-policy"). It NEVER deletes anything and never decides to: `delete_allowed` only says that the
municipality's guideline lists a deletion ground that fits (MO-1), so that an editor
may delete after archiving (MO-2); the threshold for deleting is "svært høy" (HS-02).

Category → deletion ground, per preset (MO-1; the policy's `grounds()` filter it):

| category / signal                         | ground codes                                   |
|-------------------------------------------|------------------------------------------------|
| spam                                      | spam                                           |
| hate_speech                               | hate_speech, unlawful, discrimination          |
| harassment                                | harassment, personal_attack                    |
| third_party + harassment/sensitive/rumour | third_party_naming, public_shaming             |
| third_party + sensitive, or an ID number  | privacy_breach, sensitive_information          |
| sensitive (about the author or others)    | sensitive_information                          |
| rumour                                    | rumour                                         |

So: indre-fosen spam, hate_speech, privacy_breach; rennebu unlawful (hate speech),
public_shaming, harassment; midt-telemark unlawful (hate speech), personal_attack,
third_party_naming; birkenes discrimination (hate speech), sensitive_information,
rumour; gausdal none (harmful content is escalated instead).

A national ID number (fødselsnummer, D-/H-number) is the exception: the comment is
suggested hidden at once under every preset (PU-1; norwegian-standards §4.2), with the
privacy grounds the preset lists, and never labelled spam.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ordstyrer.language import classify as clf
from ordstyrer.language import names, pii, standard
from ordstyrer.language.categories import ANSWERING

ACTIONS = (
    "answer",
    "acknowledge",
    "thank",
    "correct",
    "refer_formal",
    "refer_political",
    "escalate",
    "hide",
    "delete_allowed",
    "none",
)
# Above this score a harmful comment with an allowed ground is a deletion candidate;
# below it, it is hidden pending an editor's review (HS-02).
CONFIDENT = 0.8

_GROUND_ORDER = (
    "spam",
    "hate_speech",
    "unlawful",
    "discrimination",
    "harassment",
    "personal_attack",
    "public_shaming",
    "third_party_naming",
    "confidentiality_breach",
    "privacy_breach",
    "sensitive_information",
    "rumour",
)
# The labels whose score backs each deletion ground (`candidate_grounds`): only these say
# how sure the ground is (HS-02). A spam score says nothing of harassment where spam is
# no ground; a ground with no backing label here (`confidentiality_breach`) is never sure.
_GROUND_LABELS: dict[str, tuple[str, ...]] = {
    "spam": ("spam",),
    "hate_speech": ("hate_speech",),
    "unlawful": ("hate_speech",),
    "discrimination": ("hate_speech",),
    "harassment": ("harassment",),
    "personal_attack": ("harassment",),
    "public_shaming": ("harassment", "sensitive", "rumour"),
    "third_party_naming": ("harassment", "sensitive", "rumour"),
    "privacy_breach": ("sensitive",),
    "sensitive_information": ("sensitive",),
    "rumour": ("rumour",),
}
# The item's category (`main_category`) is one of its labels, in the order `decide` weighs
# them: a harmful label before the ones never commented on (DI-12), and both before an
# answering one, whatever their scores; the highest score within a group.
_CATEGORY_GROUPS: tuple[tuple[str, ...], ...] = (
    ("spam", "hate_speech", "harassment"),
    ("third_party", "sensitive", "rumour"),
    ANSWERING,
)


class TriagePolicy(Protocol):
    """What triage needs of a municipality's policy (`ordstyrer.policy.Policy` has it)."""

    def grounds(self) -> Sequence[str]:
        """The deletion grounds the guideline lists (MO-1)."""

    def applies(self, rule: str) -> bool: ...

    def triage_findings(self, labels: set[str], action: str) -> tuple[Any, ...]:
        """The findings for the editor on a comment with these labels and suggested
        action, in the municipality's words (each has `to_dict()`)."""


@dataclass(frozen=True)
class Triage:
    categories: dict[str, float]
    category: str  # one of `labels`, the harmful first (`main_category`)
    labels: tuple[str, ...]
    personal_data: tuple[pii.PersonalData, ...]
    standard: str
    action: str
    grounds: tuple[str, ...] = ()
    hate_ground: str | None = None
    findings: tuple[Any, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "categories": self.categories,
            "labels": list(self.labels),
            "language": self.standard,
            "pii": [
                {"type": p.type, "span": [p.start, p.end], "text": p.text, "detail": p.detail}
                for p in self.personal_data
            ],
            "action": self.action,
            "grounds": list(self.grounds),
            "hate_ground": self.hate_ground,
            "findings": [f.to_dict() for f in self.findings],
        }


def candidate_grounds(labels: set[str], found: Sequence[pii.PersonalData]) -> list[str]:
    """Deletion grounds that fit, before the preset's own list filters them."""
    out: set[str] = set()
    # A bank account number is no ground by itself: a fundraising account is public, a
    # citizen's own is an editor's call (escalated by `decide`, PU-1 warns in posts).
    ids = any(p.type == "national_id" for p in found)
    if "spam" in labels:
        out.add("spam")
    if "hate_speech" in labels:
        out |= {"hate_speech", "unlawful", "discrimination"}
    if "harassment" in labels:
        out |= {"harassment", "personal_attack"}
    if "third_party" in labels and labels & {"harassment", "sensitive", "rumour"}:
        out |= {"third_party_naming", "public_shaming"}
    if ("third_party" in labels and "sensitive" in labels) or ids:
        out |= {"privacy_breach", "sensitive_information"}
    if "sensitive" in labels:
        out.add("sensitive_information")
    if "rumour" in labels:
        out.add("rumour")
    return [g for g in _GROUND_ORDER if g in out]


def main_category(labels: set[str] | Sequence[str], scores: dict[str, float]) -> str:
    """The item's category: one of `labels`, never a category that did not reach its
    threshold. A harmful label (spam, hate speech, harassment) comes first, then third
    party, sensitive and rumour, then the answering ones; within a group the highest score
    (the categories' order on a tie). So a complaint that is also labelled hate speech
    is hate speech, and a question whose rumour score fell short is a question. Without
    labels (a model without the fallback), the best answering category, as the fallback
    would give it: a harmful category is never the category on its score alone (MO-1)."""
    chosen = set(labels)
    for group in _CATEGORY_GROUPS:
        present = [c for c in clf.CATEGORIES if c in group and c in chosen]
        if present:
            return max(present, key=lambda c: scores.get(c, 0.0))
    return max(ANSWERING, key=lambda c: scores.get(c, 0.0))


def _labels(scores: dict[str, float], found: Sequence[pii.PersonalData]) -> set[str]:
    labels = set(clf.predicted_labels(scores))
    types = {p.type for p in found}
    if "national_id" in types:
        # A citizen who writes their own number is careless, not a spammer (issue #18:
        # "venter på svar om sosialhjelp …" with a number was triaged as spam).
        labels.discard("spam")
    if "national_id" in types or ("sensitive" not in labels and _ties_to_person(found)):
        labels.add("sensitive")
    return labels


def _ties_to_person(found: Sequence[pii.PersonalData]) -> bool:
    """A health or special-category hit beside a person's name (PU-1). A care service alone
    ("hjemmetjenesten": as often the person's workplace, PU-1 only warns) does not tie, nor
    does a hit inside the name itself (a surname that spells a word)."""
    persons = [p for p in found if p.type == "person"]
    return any(
        hit.type in {"health", "special_category"}
        and hit.detail != "care"
        and not any(p.start < hit.end and hit.start < p.end for p in persons)
        for hit in found
    ) and bool(persons)


# Words by which a comment speaks to the municipality (Bokmål, Nynorsk, dialect): "dere",
# "dykk", "kommunen", "rådhuset", "ordføreren" — DI-3's "nøytrale kommentarer (som er
# henvendt til kommunen)".
_ADDRESSED = re.compile(
    r"\b(?:dere|deres|dykk|dykkar|dokker|dokkers|kommunen|kommuna|rådhuset|ordføreren|"
    r"ordføraren)\b",
    re.IGNORECASE,
)


# A link or bare host name ("indrefosen.kommune.no/avfall", "https://www.x.no").
_LINK = re.compile(r"(?:https?://)?(?:www\.)?((?:[\w-]+\.)+[a-z]{2,})(?:/[^\s]*)?", re.I)


def own_links_masked(text: str, domains: Sequence[str]) -> str:
    """The text with links to the municipality's own sites (the policy's domains, PU-9)
    read as plain words: a citizen who points to the municipality's page is not a spammer,
    and the category model counts any link as a spam cue."""
    if not domains:
        return text

    def swap(match: re.Match[str]) -> str:
        host = match.group(1).lower().rstrip(".")
        own = any(host == d or host.endswith("." + d) for d in domains)
        return "kommunens nettside" if own else match.group(0)

    return _LINK.sub(swap, text)


def addresses_municipality(text: str) -> bool:
    """True when the comment speaks to the municipality (DI-3)."""
    return _ADDRESSED.search(text or "") is not None


def decide(
    scores: dict[str, float],
    labels: set[str],
    found: Sequence[pii.PersonalData],
    policy: TriagePolicy | None,
    *,
    addressed: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """The suggested action and, for hide/delete_allowed, the grounds the policy allows.
    `addressed`: the comment speaks to the municipality (`addresses_municipality`)."""
    allowed = tuple(policy.grounds()) if policy is not None else ()
    fitting = tuple(g for g in candidate_grounds(labels, found) if g in allowed)
    if any(p.type == "national_id" for p in found):
        # PU-1; norwegian-standards §4.2: a fødselsnummer in a comment is hidden at once,
        # whatever else it says; deleting stays an editor's decision (HS-02, MO-1).
        return "hide", tuple(g for g in fitting if g != "spam")
    harmful = labels & {"spam", "hate_speech", "harassment"} or fitting
    if harmful:
        if fitting:
            # How sure the fitting grounds are: the scores of the labels that back them
            # only (HS-02). Spam scored 0.97 is no reason to delete for harassment where
            # spam is no ground (Rennebu, Midt-Telemark).
            strength = max(
                (
                    scores.get(c, 0.0)
                    for g in fitting
                    for c in _GROUND_LABELS.get(g, ())
                    if c in labels
                ),
                default=0.0,
            )
            return ("delete_allowed" if strength >= CONFIDENT else "hide"), fitting
        return "escalate", ()

    def applies(rule: str) -> bool:
        return policy is None or policy.applies(rule)

    if labels & {"sensitive", "rumour"} or any(
        p.type in {"national_id", "bank_account"} for p in found
    ):
        return "escalate", ()  # DI-12 / PU-1: not answered in public; an editor looks at it
    if "case_processing" in labels:
        return "refer_formal", ()
    # DI-8, but a clear complaint that merely brushes politics is answered as a complaint
    # (DI-3: «svar alltid på negative kommentarer»).
    # Nor is praise that mentions politics (a thank-you to the municipality and the
    # school) sent to the politicians: it is thanked for.
    if (
        "political" in labels
        and applies("DI-8")
        and scores.get("political", 0.0) >= scores.get("complaint", 0.0)
        and scores.get("political", 0.0) >= scores.get("praise", 0.0)
    ):
        return "refer_political", ()
    if "factual_error" in labels:
        return "correct", ()
    if "question" in labels:
        return "answer", ()
    if "complaint" in labels or ("political" in labels and "praise" not in labels):
        return "acknowledge", ()
    if "praise" in labels:
        return "thank", ()
    if "neutral" in labels and addressed and policy is not None and policy.applies("DI-3"):
        return "thank", ()  # DI-3: answer neutral comments addressed to the municipality
    return "none", ()


_name_model_lock = threading.Lock()
_name_model_tuned: Any = None  # the spaCy pipeline tuned last


def _tune_name_model() -> None:
    """Run the loaded name network's matrix products on numpy's BLAS, one thread (once
    per process, as soon as `names` has loaded it; issue #14's backlog).

    The network is three quarters of a comment's triage CPU, nearly all of it in
    thinc's `gemm`. thinc's default (blis) reaches about a third of what numpy's
    OpenBLAS does for these shapes on the 2-core production machine (0.69 → 0.37 ms per
    benchmark comment, `bench/webhooks.py --backlog … --profile`); the spans are the
    same (the 1,545 labelled comments of `language/data/comments.jsonl` and
    `tests/inbox/test_triage_batch.py`). One BLAS thread: a worker shares two cores
    with the web processes and PostgreSQL, and a second BLAS thread only spins (twice
    the CPU for these small products). Changing nothing but how the products are
    computed, this stays out of `names`, which loads and applies the model.
    """
    global _name_model_tuned  # noqa: PLW0603 - once per loaded model
    nlp = names._nlp  # loaded lazily by `find_person_spans`; None until a text needs it
    if nlp is None or nlp is _name_model_tuned:
        return
    with _name_model_lock:
        if nlp is _name_model_tuned:
            return
        from thinc.api import NumpyOps

        try:  # installed with scikit-learn; without it, blis stays (more threads: worse)
            from threadpoolctl import threadpool_limits
        except ImportError:
            _name_model_tuned = nlp
            return
        threadpool_limits(limits=1, user_api="blas")
        ops = NumpyOps(use_blis=False)
        for _, pipe in nlp.pipeline:  # every network the model has (`ner`, `ner_lower`, …)
            model = getattr(pipe, "model", None)
            for node in model.walk() if model is not None else ():
                node.ops = ops
        _name_model_tuned = nlp


def triage_many(
    items: Sequence[tuple[str, str | None]],
    *,
    policy: TriagePolicy | None = None,
    cascade: clf.Cascade | None = None,
    with_names: bool = True,
) -> list[Triage]:
    """Triage (text, post_text) pairs in one batch (faster than one at a time).

    `policy` is the municipality's effective policy (`ordstyrer.policy.load_policy(preset,
    overrides)`): its MO-1 grounds, not the preset's, decide `delete_allowed`/`hide` and
    the grounds, and it writes the findings. Without one: categories, personal data and
    standard only, no grounds and no findings. With `cascade` (`language.cascade.Reader`)
    every comment's categories are read a second time and mixed."""
    texts = [t for t, _ in items]
    own = tuple(getattr(policy, "domains", ()) or ())
    all_scores = clf.classify([own_links_masked(t, own) for t in texts], cascade=cascade)
    standards = standard.detect_standards(texts)
    persons = (
        names.find_person_spans(texts) if with_names and names.available() else [[] for _ in texts]
    )
    _tune_name_model()
    model = clf.load_model()
    out = []
    for (text, post_text), scores, lang, person_spans in zip(
        items, all_scores, standards, persons, strict=True
    ):
        found = pii.with_persons(
            text,
            pii.find_personal_data(text, types=[t for t in pii.PII_TYPES if t != "person"]),
            person_spans,
        )
        if post_text and len(text.split()) < 3:
            lang = standard.detect_standard(post_text)  # too short to tell: follow the post
        labels = _labels(scores, found)
        action, grounds = decide(
            scores, labels, found, policy, addressed=addresses_municipality(text)
        )
        hate_ground = model.hate_ground(text) if "hate_speech" in labels else None
        out.append(
            Triage(
                categories=scores,
                # One of the labels: a national ID number has turned spam into sensitive
                # there (`_labels`), and a score under its threshold is no category.
                category=main_category(labels, scores),
                labels=tuple(c for c in clf.CATEGORIES if c in labels),
                personal_data=tuple(found),
                standard=lang,
                action=action,
                grounds=grounds,
                hate_ground=hate_ground,
                findings=policy.triage_findings(labels, action) if policy is not None else (),
            )
        )
    return out


def triage(
    text: str,
    *,
    post_text: str | None = None,
    policy: TriagePolicy | None = None,
    cascade: clf.Cascade | None = None,
) -> Triage:
    """Categories, personal data, written standard and the suggested action for one comment,
    under `policy` (a municipality's effective policy)."""
    return triage_many([(text, post_text)], policy=policy, cascade=cascade)[0]
