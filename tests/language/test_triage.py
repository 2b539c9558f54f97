"""Triage: categories, personal data, written standard and the suggested action (DI-*, MO-1)."""

from __future__ import annotations

import pytest

from ordstyrer.language.classify import CATEGORIES, HATE_GROUNDS, classify
from ordstyrer.language.pii import PersonalData
from ordstyrer.language.triage import (
    ACTIONS,
    addresses_municipality,
    candidate_grounds,
    decide,
    triage,
)
from ordstyrer.policy import load_policy

PRESETS = ("indre-fosen", "rennebu", "midt-telemark", "birkenes", "gausdal")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Når åpner biblioteket igjen etter ferien?", "question"),
        # unseen in training (issue #16: test inputs are not training rows)
        ("Kor lenge er ungdomsklubben open på laurdagane no i vinter?", "question"),
        ("Tusen takk til brøytemannskapet, dere gjør en kjempejobb!", "praise"),
        ("Gratis iPhone til de 100 første som klikker her www.vinn-na.shop", "spam"),
        ("Jeg har søkt om byggetillatelse for garasje og ikke fått svar på fire måneder, "
         "saksnummer 24/1187", "case_processing"),
        ("Send alle muslimer ut av landet, de hører ikke hjemme her", "hate_speech"),
        ("Hørte at skolen skal legges ned, stemmer det?", "rumour"),
    ],
)  # fmt: skip
def test_top_category(text: str, category: str) -> None:
    assert triage(text).category == category


def test_scores_are_probabilities_for_every_category() -> None:
    (scores,) = classify(["Hvorfor er ikke veien brøytet?"])
    assert set(scores) == set(CATEGORIES)
    assert all(0.0 <= v <= 1.0 for v in scores.values())


def test_classify_batch_matches_single() -> None:
    texts = ["Takk for hjelpen!", "Når er fristen?"]
    assert classify(texts) == [classify([t])[0] for t in texts]


@pytest.mark.parametrize(
    ("text", "ground"),
    [
        ("Muslimer hører ikke hjemme i Norge, send dem ut", "religion"),
        ("Svartingene må ut av bygda vår", "ethnicity"),
        ("Homser skal ikke få jobbe med barn, sykt folk", "sexual_orientation"),
        ("Transer er syke i hodet og bør holdes unna barna våre", "gender_identity"),
        ("Sånne retarderte folk burde vært på institusjon", "disability"),
    ],
)
def test_hate_ground(text: str, ground: str) -> None:
    result = triage(text, policy=load_policy("indre-fosen"))
    assert "hate_speech" in result.labels
    assert result.hate_ground == ground
    assert result.hate_ground in HATE_GROUNDS


def test_hate_speech_grounds_per_preset() -> None:
    text = "Send alle muslimer ut av landet, de hører ikke hjemme her"
    got = {p: triage(text, policy=load_policy(p)) for p in PRESETS}
    assert got["indre-fosen"].grounds == ("hate_speech",)
    assert got["rennebu"].grounds == ("unlawful",)
    assert got["midt-telemark"].grounds == ("unlawful",)
    assert got["birkenes"].grounds == ("discrimination",)
    # Gausdal lists no deletion ground at all: escalate, never hide or delete (MO-1).
    assert got["gausdal"].action == "escalate"
    assert got["gausdal"].grounds == ()
    for p in PRESETS[:4]:
        assert got[p].action in {"delete_allowed", "hide"}
        assert set(got[p].grounds) <= set(load_policy(p).grounds())


def test_never_deletes() -> None:
    assert "delete" not in ACTIONS
    for p in PRESETS:
        result = triage(
            "Kjøp billige klokker her www.klokker-billig.com 🔥🔥", policy=load_policy(p)
        )
        assert result.action in ACTIONS


def test_spam_only_deletable_where_spam_is_a_ground() -> None:
    text = "Kjøp billige klokker her www.klokker-billig.com 🔥🔥 50% avslag"
    assert triage(text, policy=load_policy("indre-fosen")).grounds == ("spam",)
    assert triage(text, policy=load_policy("rennebu")).action == "escalate"


@pytest.mark.parametrize(
    ("labels", "found", "preset", "action", "grounds"),
    [
        ({"question"}, [], "rennebu", "answer", ()),
        ({"praise"}, [], "gausdal", "thank", ()),
        ({"complaint"}, [], "gausdal", "acknowledge", ()),
        ({"case_processing", "question"}, [], "gausdal", "refer_formal", ()),
        ({"political"}, [], "rennebu", "refer_political", ()),
        ({"political"}, [], "indre-fosen", "acknowledge", ()),  # DI-8 is not Indre Fosen's
        ({"factual_error"}, [], "birkenes", "correct", ()),
        ({"neutral"}, [], "birkenes", "none", ()),
        ({"rumour"}, [], "birkenes", "delete_allowed", ("rumour",)),
        ({"rumour"}, [], "rennebu", "escalate", ()),
        ({"harassment", "third_party"}, [], "rennebu", "delete_allowed",
         ("harassment", "public_shaming")),
        ({"harassment", "third_party"}, [], "midt-telemark", "delete_allowed",
         ("personal_attack", "third_party_naming")),
        ({"praise", "third_party"}, [], "midt-telemark", "thank", ()),
        ({"case_processing"}, [PersonalData("national_id", 0, 11, "x", "fødselsnummer")],
         "indre-fosen", "hide", ("privacy_breach",)),  # PU-1: hidden at once (#18)
        ({"case_processing"}, [PersonalData("national_id", 0, 11, "x", "fødselsnummer")],
         "gausdal", "hide", ()),
    ],
)  # fmt: skip
def test_decide_table(
    labels: set[str], found: list, preset: str, action: str, grounds: tuple[str, ...]
) -> None:
    scores = dict.fromkeys(CATEGORIES, 0.0) | dict.fromkeys(labels, 0.95)
    assert decide(scores, labels, found, load_policy(preset)) == (action, grounds)


def test_uncertain_harm_is_hidden_not_deletable() -> None:
    scores = dict.fromkeys(CATEGORIES, 0.0) | {"spam": 0.6}
    assert decide(scores, {"spam"}, [], load_policy("indre-fosen")) == ("hide", ("spam",))


def test_candidate_grounds_are_ordered_and_known() -> None:
    from ordstyrer.policy import GROUNDS

    grounds = candidate_grounds({"spam", "hate_speech", "harassment", "third_party", "rumour"}, [])
    assert grounds[:2] == ["spam", "hate_speech"]
    assert set(grounds) <= set(GROUNDS)


def test_personal_data_and_names_in_triage() -> None:
    result = triage(
        "Ring Kari Nordmann på 91234567, hun har demens", policy=load_policy("birkenes")
    )
    types = {p.type for p in result.personal_data}
    assert {"phone", "health", "person"} <= types
    assert any(p.text == "Kari Nordmann" for p in result.personal_data if p.type == "person")


def test_findings_cite_the_municipality() -> None:
    result = triage("Hørte at rektor er suspendert etter det som skjedde, stemmer det?",
                    policy=load_policy("birkenes"))  # fmt: skip
    assert "DI-12" in [f.rule for f in result.findings]
    assert all(f.citation.municipality for f in result.findings)
    assert (
        triage(
            "Hørte at rektor er suspendert, stemmer det?", policy=load_policy("gausdal")
        ).findings
        == ()
    )


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("Kvifor svarar de ikkje på spørsmålet mitt? Eg har venta i tre veker", "nn"),
        ("Hvorfor svarer dere ikke på spørsmålet mitt? Jeg har ventet i tre uker", "nb"),
    ],
)
def test_language_in_triage(text: str, standard: str) -> None:
    assert triage(text).standard == standard


def test_short_comment_follows_post_standard() -> None:
    post = "Kommunestyret har vedteke budsjettet. Les meir om kva det betyr for deg."
    assert triage("👍", post_text=post).standard == "nn"


def test_to_dict_shape() -> None:
    data = triage("Takk for hjelpa!", policy=load_policy("gausdal")).to_dict()
    assert set(data) >= {"category", "categories", "language", "pii", "action", "grounds",
                         "hate_ground", "findings"}  # fmt: skip


SPAM = "Kjøp billige klokker her www.klokker-billig.com 🔥🔥"


def test_effective_policy_grounds_decide_the_action() -> None:
    """A municipality's own MO-1 grounds (an override) reach the action, not the preset's."""
    shipped = triage(SPAM, policy=load_policy("indre-fosen"))
    assert (shipped.action, shipped.grounds) == ("delete_allowed", ("spam",))
    without_spam = load_policy("indre-fosen", {"MO-1": {"grounds": ["hate_speech"]}})
    removed = triage(SPAM, policy=without_spam)
    assert (removed.action, removed.grounds) == ("escalate", ())
    assert triage(SPAM, policy=load_policy("rennebu")).action == "escalate"
    rennebu_grounds = list(load_policy("rennebu").grounds())
    with_spam = load_policy("rennebu", {"MO-1": {"grounds": [*rennebu_grounds, "spam"]}})
    added = triage(SPAM, policy=with_spam)
    assert (added.action, added.grounds) == ("delete_allowed", ("spam",))


def _scores(**given: float) -> dict[str, float]:
    return {c: given.get(c, 0.0) for c in CATEGORIES}


@pytest.mark.parametrize(
    ("preset", "addressed", "action"),
    [
        ("gausdal", True, "thank"),  # G: «svar også på nøytrale kommentarer (som er henvendt
        ("birkenes", True, "thank"),  # til kommunen)»; B: «Svare på spørsmål og kommentarer»
        ("gausdal", False, "none"),  # not addressed to the municipality
        ("indre-fosen", True, "none"),  # DI-3 is not F's, R's or M's rule
        ("rennebu", True, "none"),
        ("midt-telemark", True, "none"),
    ],
)
def test_di3_neutral_comments_addressed_to_the_municipality_are_answered(preset, addressed, action):
    scores = _scores(neutral=0.9)
    assert decide(scores, {"neutral"}, [], load_policy(preset), addressed=addressed) == (
        action,
        (),
    )
    assert decide(scores, {"neutral"}, [], None, addressed=addressed) == ("none", ())


@pytest.mark.parametrize(
    ("text", "addressed"),
    [
        ("Ok, dere. Notert.", True),
        ("Takk til dykk i kommuna", True),
        ("Har ordføreren sett dette", True),
        ("@Kari se her", False),
        ("Derek var der", False),
    ],
)
def test_what_speaks_to_the_municipality(text, addressed):
    assert addresses_municipality(text) is addressed


def test_a_clear_complaint_that_brushes_politics_is_answered_not_referred():
    # DI-3 «svar alltid på negative kommentarer»; DI-8 only when politics is the point.
    gausdal = load_policy("gausdal")
    brushing = _scores(complaint=0.96, political=0.27)
    assert decide(brushing, {"complaint", "political"}, [], gausdal)[0] == "acknowledge"
    political = _scores(complaint=0.4, political=0.8)
    assert decide(political, {"complaint", "political"}, [], gausdal)[0] == "refer_political"
    assert decide(political, {"political"}, [], gausdal)[0] == "refer_political"
