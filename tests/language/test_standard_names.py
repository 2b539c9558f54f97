"""Written standard (nb/nn/other) and person names."""

from __future__ import annotations

import pytest

from ordstyrer.language import names
from ordstyrer.language.pii import find_personal_data
from ordstyrer.language.standard import detect_standard, detect_standards


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Eg lurer på kva tid biblioteket opnar att etter ferien.", "nn"),
        ("Jeg lurer på når biblioteket åpner igjen etter ferien.", "nb"),
        ("kvifor har ingen svara meg enno", "nn"),
        ("hvorfor har ingen svart meg enda", "nb"),
        ("Dei har ikkje brøyta vegen vår sidan fredag", "nn"),
        ("De har ikke brøytet veien vår siden fredag", "nb"),
        ("The library will be closed on Monday because of staff training.", "other"),
        ("Die Bibliothek ist am Montag wegen einer Schulung geschlossen.", "other"),
        ("12345 !!!", "other"),
    ],
)
def test_detect_standard(text: str, expected: str) -> None:
    assert detect_standard(text) == expected


def test_detect_standards_batch() -> None:
    texts = ["Eg trur ikkje det", "Jeg tror ikke det", ""]
    assert detect_standards(texts) == [detect_standard(t) for t in texts]


needs_names = pytest.mark.skipif(not names.available(), reason="name model not built")


@needs_names
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jeg snakket med Kari Nordmann på servicetorget i går.", "Kari Nordmann"),
        ("Takk til Ola Hansen for god hjelp!", "Ola Hansen"),
        ("ola nordmann på teknisk svarer aldri på telefonen", "ola nordmann"),
        ("Eg snakka med Ingrid Aasen på kommunehuset.", "Ingrid Aasen"),
    ],
)
def test_person_names(text: str, name: str) -> None:
    found = find_personal_data(text, types=["person"])
    assert name in [p.text for p in found]


@needs_names
@pytest.mark.parametrize(
    "text",
    [
        "Når åpner biblioteket igjen?",
        "Kommunen må brøyte veien før klokka sju",
        "takk for hjelpa",
    ],
)
def test_no_person_names(text: str) -> None:
    assert find_personal_data(text, types=["person"]) == []


@needs_names
def test_mention_strips_at_sign() -> None:
    found = find_personal_data("@Marit Sæther har du lest dette innlegget", types=["person"])
    assert [p.text for p in found] == ["Marit Sæther"]


def test_gate_skips_texts_without_name_cues() -> None:
    text = "Når åpner biblioteket igjen?"
    offsets = names._tokens(text)  # noqa: SLF001 - the gate is the point of this test
    assert not names.may_contain_name(text, offsets)
    assert names.may_contain_name("spør kari om det", names._tokens("spør kari om det"))  # noqa: SLF001


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # an initial keeps its full stop and a possessive its apostrophe, as in NorNE (#16)
        (
            "Odd W. Surén skreiv om Paulus' brev",
            ["Odd", "W.", "Surén", "skreiv", "om", "Paulus'", "brev"],
        ),
        ("Han kjøpte vitamin D.", ["Han", "kjøpte", "vitamin", "D", "."]),
        ("Hun sa 'nei' til @Kari-Ann", ["Hun", "sa", "'", "nei", "'", "til", "@Kari-Ann"]),
        ("Møtet 12. mai", ["Møtet", "12", ".", "mai"]),
    ],
)
def test_tokens_split_as_norne(text: str, words: list[str]) -> None:
    assert [text[s:e] for s, e in names._tokens(text)] == words  # noqa: SLF001


@pytest.mark.parametrize(
    ("text", "gated"),
    [
        ("Den nye veien er fin", False),  # "Den" is in the first-name list
        ("hva skjer i helga", False),
        ("finn ut av det selv", False),
        ("Vi traff Helga på biblioteket", True),  # a capital inside a sentence
        ("Ingrid har svart meg", True),  # a first name opening the comment
        ("spør ingrid om det", True),
        ("@kommunen svar da", True),
        # a longer text written all in lower case goes through, whatever its words (#16)
        ("har noen snakka med gunnhild på kontoret", True),
        ("har noen snakka med Gunnhild på kontoret", True),
        # ... but not a phone number after one word
        ("tlf +47 45 21 17 85", False),
    ],
)
def test_gate_cues(text: str, gated: bool) -> None:
    assert names.may_contain_name(text, names._tokens(text)) is gated  # noqa: SLF001


@pytest.mark.parametrize(
    ("words", "spans", "kept"),
    [
        # a lone letter is not a name
        ("Plan B eksisterer og kan brukes".split(), [(1, 2)], []),
        ("Vi har plan B. Den virker".split(), [(3, 4)], []),
        ("@K se her".split(), [(0, 1)], []),
        # a text with capitals inside its sentences: a span without one is dropped
        ("Lege Kari Hansen måtte fjerne benvev".split(), [(1, 3), (5, 6)], [(1, 3)]),
        # ... but a text written in lower case keeps its lower-case names
        ("ola nordmann på teknisk svarer aldri".split(), [(0, 2)], [(0, 2)]),
        # a capital only after a full stop is a sentence start, not a cased text
        ("Takk . Spør ola om det".split(), [(3, 4)], [(3, 4)]),
        ("Spurte NAV om ola visste det".split(), [(3, 4)], [(3, 4)]),
        ("Vi traff Helga Dahl i går".split(), [(2, 4)], [(2, 4)]),
    ],
)
def test_refine_person_spans(
    words: list[str], spans: list[tuple[int, int]], kept: list[tuple[int, int]]
) -> None:
    assert names.refine_person_spans(words, spans) == kept


@pytest.mark.parametrize(
    ("words", "spans", "kept"),
    [
        # a surname alone after the full name is the same person
        ("Jens Treider kom . Treider sa nei".split(), [(0, 2)], [(0, 2), (4, 5)]),
        # ... and so is a first name, before or after
        ("Kari svarte ikke , sa Kari Hansen".split(), [(5, 7)], [(0, 1), (5, 7)]),
        # a lone name found by the network is not spread, nor a lower-case word in a cased text
        ("Treider kom . Treider sa nei".split(), [(0, 1)], [(0, 1)]),
        ("Ola de Vries og de andre".split(), [(0, 3)], [(0, 3)]),
        # in a text written in lower case the words are lower case
        ("ola hansen kom og ola gikk".split(), [(0, 2)], [(0, 2), (4, 5)]),
    ],
)
def test_repeat_person_names(
    words: list[str], spans: list[tuple[int, int]], kept: list[tuple[int, int]]
) -> None:
    assert names.repeat_person_names(words, spans) == kept


@needs_names
def test_lower_case_text_goes_to_the_lower_case_network() -> None:
    """Issue #16: a text written in lower case is read by `ner_lower`, any other text by
    the cased network `ner`, so the lower-case path costs cased text nothing."""
    from spacy.tokens import Doc

    nlp = names._load()  # noqa: SLF001 - the shipped pipeline, to compare its two networks
    assert {"ner", "ner_lower"} <= set(nlp.pipe_names)
    texts = ["hils til marit sæther og sindre bakken fra oss", "Hils til Marit Sæther fra oss"]
    for text, pipe in zip(texts, ["ner_lower", "ner"], strict=True):
        words = [text[s:e] for s, e in names._tokens(text)]  # noqa: SLF001
        doc = nlp.get_pipe(pipe)(Doc(nlp.vocab, words=words))
        spans = [(e.start, e.end) for e in doc.ents if e.label_ == "PER"]
        offsets = names._tokens(text)  # noqa: SLF001
        expected = names.apply_rules(
            text,
            offsets,
            spans,
            rules=names.span_rules_on(nlp),
            repeat=names.repeat_rule_on(nlp),
            lone=names.lone_names() if names.lone_rule_on(nlp) else frozenset(),
        )
        assert names.find_person_spans([text], gate=False) == [expected]
        assert expected  # both networks find the names here


@needs_names
def test_model_meta_says_how_it_was_selected() -> None:
    """Epochs, checkpoints and span rules chosen on held-out NorNE train, not dev (#16)."""
    meta = names._load().meta["ordstyrer"]  # noqa: SLF001
    assert "train" in meta["selected_on"]
    assert "dev" not in meta["selected_on"]
    assert isinstance(meta["span_rules"], bool)


@needs_names
def test_product_follows_the_models_span_rule_choice() -> None:
    from spacy.tokens import Doc

    text = "Plan B eksisterer og kan brukes, sa Kari Nordmann."
    nlp = names._load()  # noqa: SLF001 - the shipped pipeline and its meta
    offsets = names._tokens(text)  # noqa: SLF001
    words = [text[s:e] for s, e in offsets]
    doc = nlp.get_pipe("ner")(Doc(nlp.vocab, words=words))
    network = [(e.start, e.end) for e in doc.ents if e.label_ == "PER"]

    def chars(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(offsets[s][0], offsets[e - 1][1]) for s, e in spans]

    meta = nlp.meta["ordstyrer"]
    saved = dict(meta)
    try:
        meta["lone_names"] = False
        meta["span_rules"] = True
        on = names.find_person_spans([text], gate=False)[0]
        meta["span_rules"] = False
        off = names.find_person_spans([text], gate=False)[0]
    finally:
        meta.clear()
        meta.update(saved)
    assert on == chars(names.refine_person_spans(words, network))
    assert off == chars(network)
    assert (text.index("B"), text.index("B") + 1) not in on  # a lone letter is not a name


@pytest.mark.parametrize(
    ("words", "spans", "kept"),
    [
        # a word of the lone-name list outside the network's spans is a name (#16)
        ("Solli skåra dei to siste måla".split(), [], [(0, 1)]),
        ("Han meiner Solli har rett".split(), [(2, 3)], [(2, 3)]),
        ("Vi så Tor Solli i går".split(), [(2, 4)], [(2, 4)]),
        # exact case: a lower-case word is not the name
        ("solli skåra".split(), [], []),
    ],
)
def test_add_lone_names(
    words: list[str], spans: list[tuple[int, int]], kept: list[tuple[int, int]]
) -> None:
    assert names.add_lone_names(words, spans, frozenset({"Solli"})) == kept


@needs_names
def test_product_follows_the_models_lone_names_choice() -> None:
    text = "Slik ble det altså til slutt."
    nlp = names._load()  # noqa: SLF001 - the shipped pipeline and its meta
    meta = nlp.meta.setdefault("ordstyrer", {})
    saved = dict(meta)
    lone = frozenset({"Slik"})  # not a name: only to see that the rule follows the meta
    try:
        meta["lone_names"] = True
        on = names.find_person_spans([text], gate=False, lone=lone)[0]
        meta["lone_names"] = False
        off = names.find_person_spans([text], gate=False, lone=lone)[0]
    finally:
        meta.clear()
        meta.update(saved)
    assert (0, 4) in on
    assert (0, 4) not in off


@pytest.mark.parametrize(
    ("text", "gated"),
    [
        # a sentence opening with a capitalised word that is not an everyday word (#16)
        ("Kvalsvik meiner vegen må stengjast", True),
        ("Vegen må stengjast . Kvalsvik meiner det", True),
        # everyday words opening a sentence, or an all-capital word, do not
        ("Vegen må stengjast", False),
        ("Når vert vegen stengd ?", False),
        ("NAV svarer ikke", False),
    ],
)
def test_gate_lets_unknown_sentence_openers_through(text: str, gated: bool) -> None:
    everyday = frozenset({"vegen", "må", "stengjast", "meiner", "det", "når", "vert", "stengd"})
    offsets = names._tokens(text)  # noqa: SLF001 - the gate's own tokens
    assert names.may_contain_name(text, offsets, known=frozenset(), everyday=everyday) is gated
    # without the everyday words the rule is off
    assert not names.may_contain_name(text, offsets, known=frozenset(), everyday=frozenset())


@pytest.mark.parametrize(
    ("words", "spans", "kept"),
    [
        # a double first name of known first names and the word after it (#16)
        ("Takk til Anne-Britt Kvalsvik for hjelpa".split(), [], [(2, 4)]),
        ("Foto : Jan-Morten Kvalsvik".split(), [], [(2, 4)]),
        # not when the network found it, not without a capitalised word after it
        ("Takk til Anne-Britt Kvalsvik".split(), [(2, 4)], [(2, 4)]),
        ("Takk til Anne-Britt for hjelpa".split(), [], []),
        # nor when a part is not a first name
        ("Vi kjørte Sør-Trøndelag Rundt".split(), [], []),
    ],
)
def test_add_double_first_names(
    words: list[str], spans: list[tuple[int, int]], kept: list[tuple[int, int]]
) -> None:
    assert names.add_double_first_names(words, spans) == kept


@needs_names
def test_product_follows_the_models_double_first_names_choice() -> None:
    text = "Takk til Anne-Britt Kvalsvik for hjelpa"
    nlp = names._load()  # noqa: SLF001 - the shipped pipeline and its meta
    meta = nlp.meta.setdefault("ordstyrer", {})
    saved = dict(meta)
    start = text.index("Anne")
    try:
        meta["double_first_names"] = True
        on = names.find_person_spans([text], gate=False)[0]
        meta["double_first_names"] = False
        off = names.find_person_spans([text], gate=False)[0]
    finally:
        meta.clear()
        meta.update(saved)
    assert (start, len(" ".join(text.split()[:4]))) in on
    assert set(off) <= set(on)
